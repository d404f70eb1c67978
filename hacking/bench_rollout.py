#!/usr/bin/env python
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rollout benchmark: `network.yml` over 2, 4, 8 and 16 Linux hosts (network namespaces with sshd, real SSH,
the real router): a `ping` playbook over the same hosts (the floor), the first run, the unchanged re-run and
`--check` on the built network, with the module round trips per host of the re-run (the JSON report's task list:
tasks that ran a module for the host, controller-only tasks left out). Ping, re-run and check: the fastest of two.

The network is a hub and spokes: the hub has link access and a connector to an HTTP server on the hub; every
spoke links to the hub and has a listener that the verify role checks with an HTTP request. Each size gets its
own hosts (tests/support/netns_hosts.py: a free slot, so other runs on the machine are not disturbed), its own
data homes, and is torn down (teardown.yml, then the namespaces with every process in them) before the next.

SSH runs with pipelining (ANSIBLE_PIPELINING=True, as docs/inventory.md recommends); other ANSIBLE_* settings
can be passed as BENCH_ANSIBLE_* variables.

Run by hacking/benchmark.py (make bench); alone: `python hacking/bench_rollout.py --hosts 2,4` prints the
figures as JSON.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HTTP_PORT, LISTENER_PORT = 19090, 18080
NAMESPACE = 'bench'
PASSED = [(key[len('BENCH_'):], value) for key, value in os.environ.items() if key.startswith('BENCH_ANSIBLE_')]
PLAY_ENV = dict([('ANSIBLE_PIPELINING', 'True')] + PASSED)


def real_router():
    """(skrouterd, skmanage) of the router build (hacking/build_router.sh builds it once, ~3 minutes)."""
    out = subprocess.run(['bash', os.path.join(ROOT, 'hacking', 'build_router.sh'), '--print-bin'],
                         capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
    return os.path.join(out, 'skrouterd'), os.path.join(out, 'skmanage')


def inventory(hosts, skrouterd, skmanage, path):
    common = {'ansible_python_interpreter': sys.executable, 'skupper_platform': 'linux',
              'skupper_service_manager': 'process', 'skupper_router_binary': skrouterd, 'skupper_skmanage': skmanage,
              'skupper_namespace': NAMESPACE, 'skupper_verify_retries': 60, 'skupper_verify_delay': 1}
    entries = {}
    for host in hosts.hosts:
        entry = dict(hosts.inventory_vars(host), skupper_data_home=os.path.join(host.workdir, 'skupper'))
        if host.name == 'hub':
            entry.update(skupper_site={'name': 'hub', 'link_access': 'default'},
                         skupper_connectors=[{'name': 'web', 'host': '127.0.0.1', 'port': HTTP_PORT}])
        else:
            entry.update(skupper_site={'name': host.name}, skupper_links=[{'to': 'hub'}],
                         skupper_listeners=[{'name': 'web', 'host': '127.0.0.1', 'port': LISTENER_PORT,
                                             'verify_http_path': '/'}])
        entries[host.name] = entry
    with open(path, 'w') as handle:
        yaml.safe_dump({'all': {'vars': common, 'hosts': entries}}, handle)


PING = os.path.join(ROOT, 'hacking', 'ping.yml')
# The ping playbook, the unchanged re-run and the check run are timed this many times (the fastest counts: the
# figure least disturbed by whatever else the machine did); the first run happens once.
ROUNDS = 2


def best(runs):
    """The fastest of runs, or the first that failed."""
    runs = list(runs)
    failed = [run for run in runs if run['rc'] != 0]
    return failed[0] if failed else min(runs, key=lambda run: run['seconds'])


def timed_play(playbook, inventory_path, forks, *extra):
    from tests.support.playbook import changed_tasks, failures, module_round_trips, run_playbook
    start = time.perf_counter()
    rc, report = run_playbook(playbook, inventory_path, '--forks', str(forks), *extra, env=PLAY_ENV)
    seconds = time.perf_counter() - start
    trips = module_round_trips(report)
    return {'seconds': round(seconds, 2), 'rc': rc, 'failures': failures(report)[:3],
            'changed': len(changed_tasks(report)), 'round_trips': max([len(t) for t in trips.values()] or [0]),
            'round_trip_tasks': sorted(set(name for names in trips.values() for name in names))}


def rollout(count, workdir, skrouterd, skmanage):
    """{'first': ..., 'rerun': ...} of network.yml over count hosts (a hub and count - 1 spokes)."""
    from tests.support.netns_hosts import NetnsHosts
    names = ['hub'] + ['spoke%d' % index for index in range(1, count)]
    with NetnsHosts(names, os.path.join(workdir, 'hosts-%d' % count)) as hosts:
        server = hosts['hub'].serve_http(os.path.join(workdir, 'www-%d' % count), HTTP_PORT, 'hello from the hub\n')
        path = os.path.join(workdir, 'inventory-%d.yml' % count)
        inventory(hosts, skrouterd, skmanage, path)
        forks = min(count, 16)
        try:
            ping = best(timed_play(PING, path, forks) for _round in range(ROUNDS))
            first = timed_play('network.yml', path, forks)
            # The re-runs and check runs alternate, so that a busy moment of the machine weighs on both alike.
            rounds = [(timed_play('network.yml', path, forks), timed_play('network.yml', path, forks, '--check'))
                      for _round in range(ROUNDS)]
            rerun = best(run for run, _check in rounds)
            check = best(check for _run, check in rounds)
        finally:
            timed_play('teardown.yml', path, forks)
            server.terminate()
            server.wait(10)
    return {'hosts': count, 'forks': forks, 'ping': ping, 'first': first, 'rerun': rerun, 'check': check}


def measure(counts=(2, 4, 8, 16)):
    """{'rollouts': [rollout(count), ...]} or {'skipped': why}."""
    sys.path.insert(0, ROOT)
    from tests.support.netns_hosts import available
    reason = available()
    if reason:
        return {'skipped': reason}
    try:
        skrouterd, skmanage = real_router()
    except subprocess.CalledProcessError as exc:
        return {'skipped': 'the real router could not be built (hacking/build_router.sh: exit %d)' % exc.returncode}
    workdir = tempfile.mkdtemp(prefix='appnet-bench-rollout-')
    try:
        return {'rollouts': [rollout(count, workdir, skrouterd, skmanage) for count in counts]}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run_text(run):
    return '%.1f s%s' % (run['seconds'], '' if run['rc'] == 0 else ' **failed (rc %d)**' % run['rc'])


def rows(found):
    """Markdown table (header and rows, one per network size); found: measure()'s answer, or None when it has not
    run."""
    if not found or 'skipped' in found:
        return ['', '`network.yml` rollout over Linux hosts: not measured: %s' % (found or {}).get('skipped', 'not run')]
    lines = ['', '`network.yml` over Linux hosts (network namespaces, real SSH with pipelining, the real router; a hub '
             'and spokes; forks = hosts), beside a playbook of one `ansible.builtin.ping` task over the same hosts '
             '(ping, re-run and `--check`: the fastest of two runs). Round trips: module runs per host on the '
             'unchanged re-run (the most of any host).', '',
             '| hosts | ping | first run | unchanged re-run (changed tasks) | `--check` | re-run / ping | first / ping '
             '| round trips per host (re-run) |', '| --- | --- | --- | --- | --- | --- | --- | --- |']
    for item in found['rollouts']:
        ping = item['ping']['seconds']
        lines.append('| %d | %s | %s | %s (%d) | %s | %.1f | %.1f | %d |' % (
            item['hosts'], run_text(item['ping']), run_text(item['first']), run_text(item['rerun']),
            item['rerun']['changed'], run_text(item['check']), item['rerun']['seconds'] / ping,
            item['first']['seconds'] / ping, item['rerun']['round_trips']))
    tasks = sorted(set(name for item in found['rollouts'] for name in item['rerun']['round_trip_tasks']))
    lines += ['', 'The module runs of a re-run: %s.' % ', '.join('`%s`' % name for name in tasks)]
    return lines


def targets(found, judged):
    """Markdown rows of the rollout targets (docs/benchmarks.md, The rollout): | target | figure | met |."""
    if not found or 'skipped' in found:
        return ['| rollout targets (re-run ≤ 3× ping, first ≤ 6× ping, check ≤ re-run, ≤ 3 round trips per host) | '
                'not measured | – |']
    items = found['rollouts']
    rerun = max(item['rerun']['seconds'] / item['ping']['seconds'] for item in items)
    first = max(item['first']['seconds'] / item['ping']['seconds'] for item in items)
    check = max(item['check']['seconds'] / item['rerun']['seconds'] for item in items)
    trips = max(item['rerun']['round_trips'] for item in items)
    failed = [name for item in items for name in ('ping', 'first', 'rerun', 'check') if item[name]['rc'] != 0]
    sizes = ', '.join(str(item['hosts']) for item in items)
    return [
        '| rollout: unchanged re-run ≤ 3× the ping playbook, every size (%s hosts; the worst) | %.1f× | %s |'
        % (sizes, rerun, judged(rerun <= 3 and not failed)),
        '| rollout: first run ≤ 6× the ping playbook, every size (the worst) | %.1f× | %s |'
        % (first, judged(first <= 6 and not failed)),
        '| rollout: `--check` on a built network ≤ the unchanged re-run (the worst check / re-run) | %.2f | %s |'
        % (check, judged(check <= 1 and not failed)),
        '| rollout: module round trips per host on an unchanged re-run ≤ 3 | %d | %s |'
        % (trips, 'met' if trips <= 3 else 'missed'),
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--hosts', default='2,4,8,16')
    args = parser.parse_args(argv)
    found = measure([int(count) for count in args.hosts.split(',')])
    print(json.dumps(found, indent=1))
    print('\n'.join(rows(found) + [''] + targets(found, lambda met: 'met' if met else 'missed')))
    return 1 if 'skipped' in found else 0


if __name__ == '__main__':
    sys.exit(main())
