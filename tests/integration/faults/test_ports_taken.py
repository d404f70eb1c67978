"""A port of the router taken by another program, with the real router (process manager, private data homes, a
private network namespace per test).

The renderer chooses the ports of the implicit RouterAccesses (skupper-local, the site's link access) by probing,
and keeps them across renders; the router binds them only when it starts. Another program can take one in
between (a stopped site's port, or a race with another site starting on the host). Then:

- a port the renderer chose is chosen again (the router starts on another port, the site works);
- a port the user chose (a RouterAccess of the input) fails the start at once, naming the port, and no router
  is left running.
"""

import os
import shutil
import subprocess
import sys
import uuid

import pytest
import yaml

from tests.integration.faults.support import Site, cleanup, real_router, router_processes
from tests.support import fault_figures

FAULTS = {
    'chosen-port-taken-while-stopped': 'test_a_chosen_port_taken_while_the_site_was_stopped_is_chosen_again',
    'user-port-held-by-another-program': 'test_a_port_the_user_chose_that_another_program_holds_fails_the_start_naming_it',
}

# A program that holds a port: listens on host:port until killed; host '' is every address, IPv4 and IPv6 (the
# router binds all that its host resolves to, and is content with one).
HOLDER = """
import socket, sys, time
host, port = sys.argv[1], int(sys.argv[2])
if host:
    sock = socket.socket()
else:
    sock = socket.socket(socket.AF_INET6)
    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    host = '::'
sock.bind((host, port))
sock.listen(1)
print('listening', flush=True)
time.sleep(3600)
"""


@pytest.fixture
def router():
    return real_router()


@pytest.fixture
def netns():
    """A private network namespace (loopback up) of this test: nothing else on the host takes its ports."""
    if os.geteuid() != 0 or not shutil.which('ip'):
        pytest.skip('needs root and ip (iproute2) for a private network namespace')
    name = 'appnet-ports-%s' % uuid.uuid4().hex[:8]
    subprocess.run(['ip', 'netns', 'add', name], check=True)
    try:
        subprocess.run(['ip', '-n', name, 'link', 'set', 'lo', 'up'], check=True)
        yield name
    finally:
        subprocess.run(['ip', 'netns', 'del', name], check=False)


class Holder(object):
    """Another program holding host:port in the network namespace."""

    def __init__(self, netns, port, host='127.0.0.1'):
        self.process = subprocess.Popen(['ip', 'netns', 'exec', netns, sys.executable, '-c', HOLDER, host, str(port)],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = self.process.stdout.readline()
        if line.strip() != b'listening':
            self.process.wait(10)
            raise AssertionError('cannot hold port %d: %s' % (port, self.process.stderr.read()))

    def close(self):
        self.process.kill()
        self.process.wait(10)


def role_ports(home, access):
    path = os.path.join(home, 'runtime', 'resources', 'RouterAccess-%s.yaml' % access)
    with open(path) as handle:
        doc = yaml.safe_load(handle)
    return dict((role['name'], role['port']) for role in doc['spec']['roles'])


def test_a_chosen_port_taken_while_the_site_was_stopped_is_chosen_again(tmp_path, router, netns):
    site = Site(tmp_path, router, namespace='taken', prefix=['ip', 'netns', 'exec', netns])
    blocker = None
    try:
        assert site.base().returncode == 0
        first = site.system('started')
        assert first.returncode == 0, first.result
        before = role_ports(site.home, 'skupper-local')['normal']
        assert site.system('stopped').returncode == 0
        blocker = Holder(netns, before)
        again = site.system('started')
        assert again.returncode == 0, again.result
        after = role_ports(site.home, 'skupper-local')['normal']
        assert after != before
        assert again.result['changed'] is True and again.result['restarted'] is True
        assert 'runtime/resources/RouterAccess-skupper-local.yaml' in again.result['changed_files']
        routers = router_processes(site.config)
        assert len(routers) == 2  # one supervisor, one router
        with open(os.path.join(site.home, 'internal', 'router', 'skrouterd.log')) as handle:
            log = handle.read()
        assert 'Listener error on 127.0.0.1:%d: Address already in use' % before in log
        # The router answers management on the new port: a reload with nothing changed changes nothing.
        blocker.close()
        blocker = None
        unchanged = site.system('reloaded')
        assert unchanged.returncode == 0, unchanged.result
        assert unchanged.result['changed'] is False, unchanged.result
        assert role_ports(site.home, 'skupper-local')['normal'] == after
        fault_figures.record('chosen-port-taken-while-stopped', rounds=1, updates_lost=None,
                             duplicates=len(routers) - 2, corrupted=None)
    finally:
        if blocker is not None:
            blocker.close()
        cleanup(site)
    assert router_processes(site.config) == []


def test_a_port_the_user_chose_that_another_program_holds_fails_the_start_naming_it(tmp_path, router, netns):
    site = Site(tmp_path, router, namespace='mine', prefix=['ip', 'netns', 'exec', netns])
    port = 44005
    blocker = Holder(netns, port, '')
    try:
        assert site.base().returncode == 0
        applied = site.apply([{'apiVersion': 'skupper.io/v2alpha1', 'kind': 'RouterAccess',
                               'metadata': {'name': 'mine-access'},
                               'spec': {'tlsCredentials': 'mine-access',
                                        'roles': [{'name': 'inter-router', 'port': port}]}}])
        assert applied.returncode == 0, applied.result
        started = site.system('started')
        with open(os.path.join(site.home, 'internal', 'router', 'skrouterd.log')) as handle:
            log = handle.read()
        assert started.returncode != 0, log
        message = started.result['msg']
        assert 'cannot listen on port %d: another program uses it' % port in message, message
        left = router_processes(site.config)
        assert left == []
        fault_figures.record('user-port-held-by-another-program', rounds=1, updates_lost=None, duplicates=len(left),
                             corrupted=None)
    finally:
        blocker.close()
        cleanup(site)
