#!/usr/bin/env python
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rollout benchmark: `network.yml` over 2, 4, 8 and 16 Linux hosts (network namespaces with sshd, real SSH,
the real router), first run and unchanged re-run.

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


def timed_play(playbook, inventory_path, forks):
    from tests.support.playbook import changed_tasks, failures, run_playbook
    start = time.perf_counter()
    rc, report = run_playbook(playbook, inventory_path, '--forks', str(forks), env=PLAY_ENV)
    seconds = time.perf_counter() - start
    return {'seconds': round(seconds, 2), 'rc': rc, 'failures': failures(report)[:3],
            'changed': len(changed_tasks(report))}


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
            first = timed_play('network.yml', path, forks)
            rerun = timed_play('network.yml', path, forks)
        finally:
            timed_play('teardown.yml', path, forks)
            server.terminate()
            server.wait(10)
    return {'hosts': count, 'forks': forks, 'first': first, 'rerun': rerun}


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
    """Markdown table rows: one per network size (found: measure()'s answer, or None when it has not run)."""
    if not found or 'skipped' in found:
        return ['| `network.yml` rollout over Linux hosts | not measured: %s |' % (found or {}).get('skipped', 'not run')]
    return ['| `network.yml` rollout over %d Linux hosts (netns, real SSH with pipelining, real router; %d forks): '
            'first run / unchanged re-run (changed tasks) | %s / %s (%d changed), re-run %.0f%% of the first |'
            % (item['hosts'], item['forks'], run_text(item['first']), run_text(item['rerun']),
               item['rerun']['changed'], 100.0 * item['rerun']['seconds'] / item['first']['seconds'])
            for item in found['rollouts']]


def ratios(found):
    """(time(largest)/time(smallest) of the first runs, the sizes, the largest re-run/first), or None."""
    if not found or 'skipped' in found or len(found['rollouts']) < 2:
        return None
    items = sorted(found['rollouts'], key=lambda item: item['hosts'])
    small, large = items[0], items[-1]
    return (large['first']['seconds'] / small['first']['seconds'], (small['hosts'], large['hosts']),
            max(item['rerun']['seconds'] / item['first']['seconds'] for item in items))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--hosts', default='2,4,8,16')
    args = parser.parse_args(argv)
    found = measure([int(count) for count in args.hosts.split(',')])
    print(json.dumps(found, indent=1))
    return 1 if 'skipped' in found else 0


if __name__ == '__main__':
    sys.exit(main())
