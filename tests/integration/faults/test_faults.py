"""Faults against the real router: a killed apply never hides a change, one run at a time per site,
stop finds every router of the site. Each site lives in a private temporary data home; every router process
started here is stopped at the end (the tests check that none is left).

Figures (cases, rounds of each fault, updates lost, files corrupted) are printed (run with -s to see them) and
recorded (tests/support/fault_figures.py): docs/faults.md gives them.
"""

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.integration.faults.support import (
    Site, cleanup, files_whole, real_router, router_processes, run, serves)
from tests.support import fault_figures

ROUNDS = int(os.environ.get('APPNET_FAULT_ROUNDS', '3'))
FAULT = 'APPNET_SKUPPER_TEST_FAULT'
# Where a system run is killed: after the render wrote the new runtime, before the restart; after the router
# restarted on it, before the record of what it reads was written.
POINTS = ('system-before-restart', 'system-after-restart')
FAULTS = {
    'killed-run-system-before-restart': 'test_a_run_killed_between_render_and_restart_never_hides_the_change',
    'killed-run-system-after-restart': 'test_a_run_killed_between_render_and_restart_never_hides_the_change',
    'two-runs-at-once': 'test_two_runs_at_once_take_turns_and_stop_stops_every_router',
    'router-no-pid-file-tracks': 'test_stopped_stops_a_router_no_pid_file_tracks',
    'site-lock-held': 'test_a_run_waits_for_the_holder_then_fails_naming_it',
}
NOT_FAULTS = ('test_check_mode_leaves_no_lock_file',)


@pytest.fixture(scope='module')
def router():
    return real_router()


@pytest.fixture
def site(tmp_path, router):
    made = Site(tmp_path, router)
    yield made
    cleanup(made)
    assert router_processes(made.config) == [], 'a router of the test site is still running'


def _started(site):
    assert site.base().returncode == 0
    result, port = site.add_listener('first')
    assert result.returncode == 0, result.result
    started = site.system('started')
    assert started.returncode == 0, (started.result, started.stderr[-2000:])
    assert serves(port), 'the first listener does not carry traffic'
    return started


def test_a_run_killed_between_render_and_restart_never_hides_the_change(site):
    _started(site)
    figures = {'cases': 0, 'lost': 0, 'corrupted': 0}
    for point in POINTS:
        seen = {'lost': 0, 'duplicates': 0, 'corrupted': 0}
        for round_number in range(ROUNDS):
            name = 'l-%s-%d' % (point.rsplit('-', maxsplit=1)[-1], round_number)
            result, port = site.add_listener(name)
            assert result.returncode == 0, result.result
            killed = site.system(env={FAULT: point})
            assert killed.returncode == -signal.SIGKILL, (point, killed.result, killed.stderr[-2000:])
            again = site.system()
            assert again.returncode == 0, (point, again.result)
            # The change is never hidden: the re-run restarts the router on the new runtime ...
            assert again.result['restarted'] is True, (point, again.result)
            # ... whose new listener carries traffic, with every earlier one.
            lost = [n for n, p in sorted(site.listeners.items()) if not serves(p, attempts=50)]
            figures['lost'] += len(lost)
            seen['lost'] += len(lost)
            assert lost == [], (point, lost)
            problems = files_whole(site.home)
            figures['corrupted'] += len(problems)
            seen['corrupted'] += len(problems)
            assert problems == []
            settled = site.system()
            assert settled.returncode == 0 and settled.result['changed'] is False, settled.result
            routers = router_processes(site.config)
            seen['duplicates'] += len(routers) - 2
            assert len(routers) == 2  # one supervisor, one router
            figures['cases'] += 1
        fault_figures.record('killed-run-' + point, rounds=ROUNDS, updates_lost=seen['lost'],
                             duplicates=seen['duplicates'], corrupted=seen['corrupted'])
    print('\nkilled apply: points %s, %d rounds each, %d cases, updates lost %d, files corrupted %d'
          % (', '.join(POINTS), ROUNDS, figures['cases'], figures['lost'], figures['corrupted']))


def test_two_runs_at_once_take_turns_and_stop_stops_every_router(site):
    _started(site)
    rounds, duplicates, lost = 0, 0, 0
    for round_number in range(ROUNDS):
        result, port = site.add_listener('both-%d' % round_number)
        assert result.returncode == 0
        first, second = site.system(background=True), site.system(background=True)
        first.wait(), second.wait()
        assert (first.returncode, second.returncode) == (0, 0), (first.result, second.result)
        # One of them changed the router (a new listener: live, through management); the other waited for it
        # and found nothing to do.
        assert sorted([first.result['changed'], second.result['changed']]) == [False, True]
        done = first.result if first.result['changed'] else second.result
        assert done['reconfigured']['created'] == ['tcpListener listener/both-%d' % round_number], done
        assert (first.result['restarted'], second.result['restarted']) == (False, False)
        duplicates += len(router_processes(site.config)) - 2
        assert len(router_processes(site.config)) == 2, router_processes(site.config)
        lost += 0 if serves(port) else 1
        assert lost == 0
        rounds += 1
    corrupted = files_whole(site.home)
    assert corrupted == []
    stopped = site.system('stopped')
    assert stopped.returncode == 0 and stopped.result['changed'] is True
    assert router_processes(site.config) == []
    assert not serves(site.listeners['first'], attempts=1)
    print('\nconcurrent runs: %d rounds, routers left after stop: 0' % rounds)
    fault_figures.record('two-runs-at-once', rounds=rounds, updates_lost=lost, duplicates=duplicates,
                         corrupted=len(corrupted))


def test_stopped_stops_a_router_no_pid_file_tracks(site, router):
    _started(site)
    assert site.system('stopped').returncode == 0
    stray = subprocess.Popen([router, '-c', site.config], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    try:
        assert serves(site.listeners['first'])
        check = site.system('stopped', check_mode=True)
        assert check.result['changed'] is True and router_processes(site.config) == [stray.pid]
        stopped = site.system('stopped')
        assert stopped.returncode == 0 and stopped.result['changed'] is True, stopped.result
        stray.wait(30)
        left = router_processes(site.config)
        assert left == []
        fault_figures.record('router-no-pid-file-tracks', rounds=1, updates_lost=None, duplicates=len(left),
                             corrupted=None)
    finally:
        if stray.poll() is None:
            stray.kill()
            stray.wait()


def test_a_run_waits_for_the_holder_then_fails_naming_it(site):
    assert site.base().returncode == 0
    holder = subprocess.Popen([sys.executable, '-c', (
        'import fcntl, os, sys, time\n'
        'fd = os.open(sys.argv[1], os.O_RDONLY)\n'
        'fcntl.flock(fd, fcntl.LOCK_EX)\n'
        'print("held", flush=True)\n'
        'time.sleep(120)\n'), site.home], stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline() == b'held\n'
        before = sorted(os.listdir(site.home))
        started = time.time()
        result, _port = site.add_listener('waits', env={'APPNET_SKUPPER_LOCK_TIMEOUT': '2'})
        waited = time.time() - started
        assert result.returncode == 1 and result.result['changed'] is False
        assert 'is in use by pid %d' % holder.pid in result.result['msg'], result.result['msg']
        assert 'waited 2 s' in result.result['msg']
        after = sorted(os.listdir(site.home))
        assert after == before
        print('\nlock: gave up after %.1f s naming pid %d' % (waited, holder.pid))
        fault_figures.record('site-lock-held', rounds=1, updates_lost=None, duplicates=None,
                             corrupted=len(set(after) ^ set(before)))
    finally:
        holder.kill()
        holder.wait()
    result, _port = site.add_listener('after')
    assert result.returncode == 0, result.result


def test_check_mode_leaves_no_lock_file(tmp_path, router):
    site = Site(tmp_path, router, namespace='checked')
    try:
        result = run('resource', dict(site.target, definition=[site.listener_doc('x', 1234)]), check_mode=True)
        assert result.returncode == 0 and result.result['changed'] is True
        assert not os.path.exists(site.data_home)
        assert site.base().returncode == 0
        before = sorted(os.path.relpath(os.path.join(t, n), site.data_home)
                        for t, dirs, names in os.walk(site.data_home) for n in dirs + names)
        assert site.system('started', check_mode=True).returncode == 0
        result = run('resource', dict(site.target, definition=[site.listener_doc('x', 1234)]), check_mode=True)
        assert result.returncode == 0
        after = sorted(os.path.relpath(os.path.join(t, n), site.data_home)
                       for t, dirs, names in os.walk(site.data_home) for n in dirs + names)
        assert after == before
    finally:
        cleanup(site)
