"""Network-namespace hosts that outlive the command that made them (tests/support/netns_hosts.py create/destroy,
what molecule's create and destroy playbooks run): they answer over SSH after the command is gone, keep their slot
from other runs, and destroy removes every process, namespace, link and the state, then does nothing again.

Needs root, iproute2 and openssh-server: skipped with the reason otherwise.
"""

import fcntl
import json
import os
import subprocess
import sys

import pytest

from tests.support import netns_hosts

UNAVAILABLE = netns_hosts.available()
pytestmark = pytest.mark.skipif(UNAVAILABLE is not None, reason='no network namespace hosts: %s' % UNAVAILABLE)
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def cli(*args):
    return subprocess.run([sys.executable, '-m', 'tests.support.netns_hosts'] + list(args), cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)


def ssh(key, address, command):
    return subprocess.run(['ssh', '-i', key, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
                           '-o', 'LogLevel=ERROR', '-o', 'BatchMode=yes', 'root@%s' % address, command],
                          capture_output=True, text=True, timeout=60, check=False)


def slot_is_free(slot):
    with open(netns_hosts.SLOT_LOCK % slot, 'a') as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True


def test_detached_hosts_live_on_until_destroy_removes_everything(tmp_path):
    workdir = str(tmp_path / 'hosts')
    made = cli('create', workdir, 'one', 'two')
    assert made.returncode == 0, made.stderr
    config = json.loads(made.stdout)
    assert [(item['instance'], item['user'], item['port']) for item in config] == [('one', 'root', 22),
                                                                                   ('two', 'root', 22)]
    with open(os.path.join(workdir, netns_hosts.STATE_FILE)) as handle:
        state = json.load(handle)
    try:
        # the command is gone; the hosts answer over SSH, each in its own namespace, and reach each other
        for item, host in zip(config, state['hosts']):
            answer = ssh(item['identity_file'], item['address'], 'ip -o -4 addr show eth0')
            assert answer.returncode == 0 and item['address'] + '/24' in answer.stdout, answer.stderr
        reach = ssh(config[0]['identity_file'], config[0]['address'],
                    '%s -c "import socket; socket.create_connection((\'%s\', 22), 5)"'
                    % (sys.executable, config[1]['address']))
        assert reach.returncode == 0, reach.stderr
        # the slot stays taken (by the keeper) while the hosts live
        assert not slot_is_free(state['slot'])
        # a second create into the same folder is refused
        again = cli('create', workdir, 'one')
        assert again.returncode == 2 and 'exist already' in again.stderr
        # a process started over SSH in the background, with a file of the workdir on its command line
        marker = os.path.join(state['hosts'][0]['workdir'], 'marker')
        assert ssh(config[0]['identity_file'], config[0]['address'],
                   'setsid %s -c "import time; time.sleep(600)" %s </dev/null >/dev/null 2>&1 &'
                   % (sys.executable, marker)).returncode == 0
        background = netns_hosts.processes_under(workdir)
        assert background
    finally:
        removed = cli('destroy', workdir)
    assert removed.returncode == 0, removed.stderr
    report = json.loads(removed.stdout)
    assert report['netns'] == [host['netns'] for host in state['hosts']]
    pids = [host['sshd_pid'] for host in state['hosts']] + [state['keeper_pid']] + background
    assert set(pids) <= set(report['killed'])
    assert [pid for pid in report['killed'] if netns_hosts.alive(pid)] == []
    namespaces = subprocess.run(['ip', 'netns', 'list'], capture_output=True, text=True, check=True).stdout.split()
    assert [host['netns'] for host in state['hosts'] if host['netns'] in namespaces] == []
    assert subprocess.run(['ip', 'link', 'show', state['bridge']], capture_output=True, check=False).returncode != 0
    assert not os.path.exists(os.path.join(workdir, netns_hosts.STATE_FILE))
    # nothing left to destroy: nothing done
    again = cli('destroy', workdir)
    assert (again.returncode, json.loads(again.stdout)) == (0, {})
