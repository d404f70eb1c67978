"""A full disk names the path and leaves the site as it was; the supervisor of the real router never gives up
for good, says what it does and starts from the first delay again after a healthy run; internal/ and the router
log are private."""

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time

import pytest

from ansible_collections.appnet.skupper.plugins.module_utils.system.service import process_service
from tests.integration.faults.support import COLLECTIONS, ROOT, Site, cleanup, real_router, router_processes
from tests.support import fault_figures

FAULTS = {
    'full-disk': 'test_a_full_disk_names_the_path_and_leaves_the_site_as_it_was',
    'router-crash-loop': 'test_the_supervisor_backs_off_and_keeps_trying',
    'router-killed-after-a-healthy-run': 'test_after_a_healthy_run_the_real_router_is_restarted_after_the_first_delay_again',
}
NOT_FAULTS = ('test_internal_and_the_router_log_are_private_whoever_creates_them',)

DRIVER = r'''
import json, os, subprocess, sys
sys.path[:0] = [sys.argv[1], sys.argv[2]]
from tests.integration.faults.support import Site, run
mount, router = sys.argv[3], sys.argv[4]
subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=16k,mode=0755', 'tmpfs', mount], check=True)
site = Site(mount, router)
def tree():
    found = {}
    for top, dirs, names in os.walk(site.data_home):
        for name in names:
            path = os.path.join(top, name)
            with open(path, 'rb') as handle:
                found[os.path.relpath(path, site.data_home)] = (handle.read().decode('latin-1'), os.stat(path).st_mode)
    return found
base = site.base()
before = tree()
rendered = site.system('started')
after = tree()
print(json.dumps({'base': base.returncode, 'rc': rendered.returncode, 'result': rendered.result,
                  'same': before == after, 'files': sorted(after),
                  'differ': sorted(name for name in set(before) | set(after) if before.get(name) != after.get(name))}))
'''


@pytest.fixture(scope='module')
def router():
    return real_router()


def test_a_full_disk_names_the_path_and_leaves_the_site_as_it_was(tmp_path, router):
    if os.geteuid() != 0 or not shutil.which('unshare'):
        pytest.skip('needs root and unshare for a private mount namespace with a tiny tmpfs')
    mount = tmp_path / 'disk'
    mount.mkdir()
    out = subprocess.run(['unshare', '--mount', '--propagation', 'private', sys.executable, '-c', DRIVER,
                          COLLECTIONS, ROOT, str(mount), router], capture_output=True, text=True, timeout=600,
                         check=False)
    assert out.returncode == 0, out.stderr[-3000:]
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report['base'] == 0
    assert report['rc'] == 1, report
    message = report['result']['msg']
    assert 'cannot write %s' % os.path.join(str(mount), 'skupper', 'namespaces', 'faults') in message, message
    assert 'No space left on device; the file system is full: free space on it and run again' in message
    assert report['same'] is True, report['files']
    assert os.listdir(str(mount)) == []  # the tmpfs was private to that namespace and is gone
    print('\nfull disk: %s' % message)
    fault_figures.record('full-disk', rounds=1, updates_lost=None, duplicates=None, corrupted=len(report['differ']))


def test_the_supervisor_backs_off_and_keeps_trying(tmp_path, router):
    home = str(tmp_path / 'namespaces' / 'broken')
    config = os.path.join(home, 'runtime', 'router', 'skrouterd.json')
    os.makedirs(os.path.dirname(config))
    with open(config, 'w') as handle:
        handle.write('[["router", {"mode": "interior", "id": "broken"}], ["listener", {"port": "not-a-port"')
    service = process_service.ProcessService('broken', home, router)
    service.restart_delay = 0.05  # backing off after 5 quick failures: 60 x 0.05 = 3 s between tries
    service.spawn()
    try:
        seen, tries = [], None
        for _poll in range(600):
            state = service.supervisor_state() or {}
            if state.get('state') and (not seen or seen[-1] != state['state']):
                seen.append(state['state'])
            if state.get('state') == 'backing-off' and tries is None:
                tries = state['failures']
            if tries is not None and state.get('failures', 0) > tries:
                break  # it tried again after backing off
            time.sleep(0.1)
        assert 'backing-off' in seen, seen
        assert service.supervisor_state()['failures'] > tries >= 5
        assert service.is_active()  # the supervisor is still there, and keeps trying
        state = service.supervisor_state()
        if state['state'] != 'running':
            assert state['log_tail'], state
        assert 'keeps failing' in service.degraded()
        summary = process_service.supervisor_summary(home)
        assert 'failures in a row' in summary, summary
        assert stat.S_IMODE(os.stat(service.log_file).st_mode) == 0o600
        assert stat.S_IMODE(os.stat(os.path.join(home, 'internal')).st_mode) == 0o700
        print('\nsupervisor: states %s, %d failures when it backed off, %d now'
              % (' -> '.join(seen), tries, service.supervisor_state()['failures']))
    finally:
        service.stop()
    left = router_processes(config)
    assert left == []
    assert process_service.supervisor_summary(home) is None  # stopped on purpose: nothing to report
    fault_figures.record('router-crash-loop', rounds=1, updates_lost=None, duplicates=len(left), corrupted=None)


def test_after_a_healthy_run_the_real_router_is_restarted_after_the_first_delay_again(tmp_path, router):
    home = str(tmp_path / 'namespaces' / 'healthy')
    config = os.path.join(home, 'runtime', 'router', 'skrouterd.json')
    os.makedirs(os.path.dirname(config))
    with open(config, 'w') as handle:
        handle.write('[["router", {"mode": "interior", "id": "healthy"}]]')
    service = process_service.ProcessService('healthy', home, router)
    service.restart_delay, service.healthy_seconds = 0.2, 2

    def running(after=None):
        """The supervisor's record of a router other than after, once it says running."""
        for _poll in range(600):
            state = service.supervisor_state() or {}
            if state.get('state') == 'running' and state['router_pid'] != after:
                return state
            time.sleep(0.05)
        raise AssertionError('no new router: %s' % service.supervisor_state())

    service.spawn()
    try:
        state = running()
        for _crash in range(2):  # killed at once: 0.2 s, then 0.4 s before the next start
            os.kill(state['router_pid'], signal.SIGKILL)
            state = running(after=state['router_pid'])
        assert state['failures'] == 2, state
        while time.time() < state['time'] + 2.5:  # up past the threshold, by the supervisor's record of its start
            time.sleep(0.1)
        assert service.supervisor_state() == state  # it was up all along
        os.kill(state['router_pid'], signal.SIGKILL)
        state = running(after=state['router_pid'])
        assert (state['failures'], state['last_exit']) == (1, -9), state
        with open(service.log_file) as handle:
            lines = [line.strip() for line in handle if line.startswith('supervisor: ')]
        assert lines == ['supervisor: router exited with -9; restarting in 0.2 s',
                         'supervisor: router exited with -9; restarting in 0.4 s',
                         'supervisor: router exited with -9; restarting in 0.2 s']
    finally:
        service.stop()
    left = router_processes(config)
    assert left == []
    fault_figures.record('router-killed-after-a-healthy-run', rounds=3, updates_lost=None, duplicates=len(left),
                         corrupted=None)


def test_internal_and_the_router_log_are_private_whoever_creates_them(tmp_path, router):
    site = Site(tmp_path, router)
    try:
        old = os.umask(0o022)
        try:
            assert site.base().returncode == 0
            assert site.system('started').returncode == 0
        finally:
            os.umask(old)
        log = os.path.join(site.home, 'internal', 'router', 'skrouterd.log')
        assert stat.S_IMODE(os.stat(log).st_mode) == 0o600
        assert stat.S_IMODE(os.stat(os.path.join(site.home, 'internal')).st_mode) == 0o700
        with open(log, 'rb') as handle:
            assert handle.read()  # the router writes to it
    finally:
        cleanup(site)
    assert router_processes(site.config) == []
