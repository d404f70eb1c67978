#!/usr/bin/env python
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmarks that print figures and write docs/benchmarks.md (make bench). Nothing here asserts a time.

Every Kubernetes figure is a real ansible-playbook run on localhost against the API stand-in
(tests/support/kube_api, over TLS with a bearer token, through a kubeconfig), with the requests the stand-in
recorded for it:
- the floor: a playbook of one ansible.builtin.ping task; importing the kubernetes client;
- a 10-resource and a 30-resource site (Site, RouterAccess, listeners and connectors) applied by one
  appnet.skupper.resource task, by typed tasks (one per resource), by the site role, and by
  kubernetes.core.k8s (one task with every resource, and one task per resource), each: first run (a new
  namespace), unchanged re-run, check mode after drift (kubectl-edit style changes to every listener and
  connector port), and the drifted run that takes the changes back;
- the same typed tasks and resource task with the module shipped (APPNET_SKUPPER_IN_PROCESS=false);
- the Linux render of a 10-resource site, first and unchanged (in this process);
- a live listener change on two linked sites with the real router (hacking/bench_live.py): restarts, link flaps,
  dropped connections and the time of each system run, and a change that restarts, for comparison;
- last, network.yml over 2, 4, 8 and 16 Linux hosts (hacking/bench_rollout.py: network-namespace hosts over real
  SSH, the real router), first run and unchanged re-run.

Usage: PYTHONPATH=.:.build/collections python hacking/benchmark.py [--rounds N] [--output docs/benchmarks.md]
       [--core-collections DIR]  (a folder holding ansible_collections/kubernetes/core: make bench installs
       the `ansible` package there)
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

import yaml

import bench_live
import bench_rollout
from ansible_collections.appnet.skupper.plugins.module_utils.system.render import renderer
from ansible_collections.appnet.skupper.plugins.module_utils.system.backend import SystemBackend

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
API = 'skupper.io/v2alpha1'
PLURALS = {'Site': 'sites', 'RouterAccess': 'routeraccesses', 'Listener': 'listeners', 'Connector': 'connectors'}
TYPED = {'Site': 'site', 'RouterAccess': 'router_access', 'Listener': 'listener', 'Connector': 'connector'}
SNAKE = {'linkAccess': 'link_access', 'routingKey': 'routing_key', 'tlsCredentials': 'tls_credentials'}


def median_range(samples):
    """'median (min–max)' in seconds."""
    return '%.2f (%.2f–%.2f)' % (statistics.median(samples), min(samples), max(samples))


def timed(function, rounds):
    samples = []
    for _index in range(rounds):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return samples


# -- the site ------------------------------------------------------------------------------------------


def site_documents(size, namespace):
    """Site, RouterAccess, then listeners and connectors in equal numbers: size resources."""
    pairs = (size - 2) // 2
    docs = [{'apiVersion': API, 'kind': 'Site', 'metadata': {'name': 'west', 'namespace': namespace},
             'spec': {'linkAccess': 'default'}},
            {'apiVersion': API, 'kind': 'RouterAccess', 'metadata': {'name': 'west-peering', 'namespace': namespace},
             'spec': {'tlsCredentials': 'west-peering', 'roles': [{'name': 'inter-router', 'port': 55671},
                                                                  {'name': 'edge', 'port': 45671}]}}]
    for index in range(pairs):
        docs.append({'apiVersion': API, 'kind': 'Listener',
                     'metadata': {'name': 'svc-%d' % index, 'namespace': namespace},
                     'spec': {'routingKey': 'svc-%d' % index, 'host': 'svc-%d' % index, 'port': 8000 + index}})
        docs.append({'apiVersion': API, 'kind': 'Connector',
                     'metadata': {'name': 'backend-%d' % index, 'namespace': namespace},
                     'spec': {'routingKey': 'backend-%d' % index, 'selector': 'app=backend-%d' % index,
                              'port': 9000 + index}})
    return docs


def typed_task(doc):
    options = {'name': doc['metadata']['name']}
    for key, value in doc['spec'].items():
        options[SNAKE.get(key, key)] = value
    return {'appnet.skupper.%s' % TYPED[doc['kind']]: options}


def plays(style, docs, namespace, kubeconfig):
    """The playbook of one way to apply the documents."""
    auth = {'kubeconfig': kubeconfig, 'namespace': namespace}
    play = {'hosts': 'localhost', 'gather_facts': False}
    if style == 'resource':
        play['tasks'] = [{'appnet.skupper.resource': dict(auth, definition=docs)}]
    elif style == 'typed':
        play['module_defaults'] = {'group/appnet.skupper.skupper': auth}
        play['tasks'] = [typed_task(doc) for doc in docs]
    elif style == 'role':
        listeners = [{'name': d['metadata']['name'], 'routing_key': d['spec']['routingKey'], 'host': d['spec']['host'],
                      'port': d['spec']['port']} for d in docs if d['kind'] == 'Listener']
        connectors = [{'name': d['metadata']['name'], 'routing_key': d['spec']['routingKey'],
                       'selector': d['spec']['selector'], 'port': d['spec']['port']}
                      for d in docs if d['kind'] == 'Connector']
        access = docs[1]
        play['roles'] = [{'role': 'appnet.skupper.site', 'vars': {
            'skupper_namespace': namespace, 'skupper_kubeconfig': kubeconfig, 'skupper_wait': False,
            'skupper_site': {'name': 'west', 'link_access': 'default'},
            'skupper_router_accesses': [{'name': access['metadata']['name'], 'roles': access['spec']['roles'],
                                         'tls_credentials': access['spec']['tlsCredentials']}],
            'skupper_listeners': listeners, 'skupper_connectors': connectors}}]
    elif style == 'core-one':
        play['tasks'] = [{'kubernetes.core.k8s': {
            'kubeconfig': kubeconfig, 'namespace': namespace, 'definition': docs, 'apply': True,
            'server_side_apply': {'field_manager': 'bench', 'force_conflicts': True}}}]
    elif style == 'core-each':
        play['tasks'] = [{'kubernetes.core.k8s': {
            'kubeconfig': kubeconfig, 'namespace': namespace, 'definition': doc, 'apply': True,
            'server_side_apply': {'field_manager': 'bench', 'force_conflicts': True}}} for doc in docs]
    else:
        raise ValueError(style)
    return [play]


OPERATIONS = ('first run', 'unchanged', 'check (after drift)', 'drift')
SHIPPED = {'APPNET_SKUPPER_IN_PROCESS': 'false'}
# (playbook style, label, environment, operations)
STYLES = [
    ('resource', 'appnet.skupper.resource, one task', {}, OPERATIONS),
    ('typed', 'typed modules, one task per resource', {}, OPERATIONS),
    ('role', 'appnet.skupper.site role', {}, OPERATIONS),
    ('resource', 'appnet.skupper.resource, one task, module shipped', SHIPPED, OPERATIONS[:2]),
    ('typed', 'typed modules, one task per resource, module shipped', SHIPPED, OPERATIONS[:2]),
    ('core-one', 'kubernetes.core.k8s, one task (definition list)', {}, OPERATIONS),
    ('core-each', 'kubernetes.core.k8s, one task per resource', {}, OPERATIONS[:2]),
]


# One task per resource with the module shipped to the host takes 10–30 s a run: one round each (the report says so).
ONE_ROUND = ('typed modules, one task per resource, module shipped', 'kubernetes.core.k8s, one task per resource')


class Runner(object):
    """ansible-playbook runs in a work folder, with this checkout's collection (and kubernetes.core)."""

    def __init__(self, workdir, core_collections):
        self.workdir = workdir
        paths = [os.path.join(ROOT, '.build', 'collections')] + ([core_collections] if core_collections else [])
        self.env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=':'.join(paths), ANSIBLE_NOCOLOR='1',
                        ANSIBLE_RETRY_FILES_ENABLED='False', ANSIBLE_PIPELINING='True',
                        ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_LOCALHOST_WARNING='False',
                        ANSIBLE_INVENTORY_UNPARSED_WARNING='False')

    def playbook(self, play, *args, env=None):
        """(seconds, rc, output) of one ansible-playbook run."""
        path = os.path.join(self.workdir, 'play-%s.yml' % uuid.uuid4().hex[:8])
        with open(path, 'w') as handle:
            yaml.safe_dump(play, handle)
        command = [os.path.join(BIN, 'ansible-playbook'), '-i', 'localhost,', '-c', 'local', path] + list(args)
        start = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True, env=dict(self.env, **(env or {})),
                                check=False, cwd=self.workdir)
        return time.perf_counter() - start, result.returncode, result.stdout + result.stderr


def request_counts(server):
    """{reads, writes, dry-run writes} the stand-in answered since its last reset."""
    reads = writes = dry = 0
    for record in server.requests:
        if record.verb in ('get', 'list', 'watch'):
            reads += 1
        elif record.persisted:
            writes += 1
        else:
            dry += 1
    return {'reads': reads, 'writes': writes, 'dry-run writes': dry}


def drift(client, docs, namespace):
    """What `kubectl edit` of every listener and connector port does: an Update by another field manager."""
    from kubernetes import client as k8s_client
    custom = k8s_client.CustomObjectsApi(client.api)
    for doc in docs:
        if doc['kind'] in ('Listener', 'Connector'):
            custom.patch_namespaced_custom_object('skupper.io', 'v2alpha1', namespace, PLURALS[doc['kind']],
                                                  doc['metadata']['name'],
                                                  {'spec': {'port': doc['spec']['port'] + 1000}},
                                                  field_manager='kubectl-edit')


def bench_site(runner, server, client, kubeconfig, size, style, env, operations, rounds):
    """{operation: (samples, counts of the last round, failures)} of one way to apply a site of size."""
    found = dict((operation, ([], None, [])) for operation in operations)
    for _round in range(rounds):
        namespace = 'bench-' + uuid.uuid4().hex[:8]
        client.request('POST', '/api/v1/namespaces', body={'metadata': {'name': namespace}})
        docs = site_documents(size, namespace)
        play = plays(style, docs, namespace, kubeconfig)
        for operation in operations:
            args = ()
            if operation == 'check (after drift)':
                drift(client, docs, namespace)
                args = ('--check',)
            server.reset_counts()
            seconds, rc, output = runner.playbook(play, *args, env=env)
            samples, _counts, failures = found[operation]
            samples.append(seconds)
            found[operation] = (samples, request_counts(server), failures)
            if rc != 0:
                failures.append(output[-1500:])
    return found


# -- environment ---------------------------------------------------------------------------------------


def version_of(distribution):
    try:
        from importlib.metadata import version
        return version(distribution)
    except Exception:  # pylint: disable=broad-except
        return 'not installed'


def collection_version(root, namespace, name):
    try:
        with open(os.path.join(root, 'ansible_collections', namespace, name, 'MANIFEST.json')) as handle:
            return json.load(handle)['collection_info']['version']
    except (OSError, ValueError, KeyError, TypeError):
        return None


def galaxy_version():
    with open(os.path.join(ROOT, 'galaxy.yml')) as handle:
        version = yaml.safe_load(handle)['version']
    commit = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], capture_output=True, text=True, cwd=ROOT,
                            check=False).stdout.strip()
    return '%s (commit %s)' % (version, commit or 'unknown')


def machine():
    cpu = platform.processor() or ''
    try:
        with open('/proc/cpuinfo') as handle:
            names = [line.split(':', 1)[1].strip() for line in handle if line.startswith('model name')]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    memory = ''
    try:
        with open('/proc/meminfo') as handle:
            memory = '%.0f GiB' % (int(handle.readline().split()[1]) / 1024.0 / 1024.0)
    except (OSError, ValueError, IndexError):
        pass
    return '%s, %d cores (%s), %s memory, Python %s' % (platform.platform(), os.cpu_count() or 0, cpu, memory,
                                                        platform.python_version())


def load():
    try:
        return subprocess.run(['uptime'], capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return 'uptime not available: load average %s' % (os.getloadavg(),)


# -- the parts -----------------------------------------------------------------------------------------


def bench_floor(runner, rounds):
    ping = [{'hosts': 'localhost', 'gather_facts': False, 'tasks': [{'ansible.builtin.ping': {}}]}]
    ping_samples = [runner.playbook(ping)[0] for _round in range(rounds)]
    imports = []
    for _round in range(rounds):
        start = time.perf_counter()
        subprocess.run([sys.executable, '-c', 'import kubernetes.client'], check=True)
        imports.append(time.perf_counter() - start)
    # The interpreter's own start, to take from the import figure.
    bare = timed(lambda: subprocess.run([sys.executable, '-c', 'pass'], check=True), rounds)
    return ping_samples, [max(0.0, i - statistics.median(bare)) for i in imports]


def bench_linux(rounds):
    data_home = tempfile.mkdtemp(prefix='appnet-bench-')
    try:
        backend = SystemBackend('bench', 'linux', data_home)
        for doc in site_documents(10, 'bench'):
            if doc['kind'] == 'Connector':  # a Linux connector reaches a host, not a pod selector
                spec = dict(doc['spec'], host='127.0.0.1')
                del spec['selector']
                doc = dict(doc, spec=spec)
            backend.apply(doc)
        options = dict(hostname='bench-host', addresses=['192.0.2.10'], port_is_free=lambda port: True)
        first = timed(lambda: renderer.render_site(backend.home, 'bench', **options), 1)
        again = timed(lambda: renderer.render_site(backend.home, 'bench', **options), rounds * 5)
        return first, again
    finally:
        shutil.rmtree(data_home)


def skupper_v2_present(runner):
    result = subprocess.run([os.path.join(BIN, 'ansible-doc'), '-l', 'skupper.v2'], capture_output=True, text=True,
                            env=runner.env, check=False)
    return result.returncode == 0 and 'skupper.v2.' in result.stdout


# -- the report ----------------------------------------------------------------------------------------


def counts_text(counts, size):
    if counts is None:
        return '–'
    text = '%d R / %d W' % (counts['reads'], counts['writes'])
    if counts['dry-run writes']:
        text += ' / %d dry-run' % counts['dry-run writes']
    return text


def write_report(path, facts, floor, sites, linux, rounds, overloaded=None, live=None, rollout=None):
    ping, imports = floor
    ping_m, import_m = statistics.median(ping), statistics.median(imports)
    lines = ['# Benchmarks', '',
             'Written by `make bench` (hacking/benchmark.py); figures are seconds of wall time of a whole',
             '`ansible-playbook` run on localhost (`-c local`), median (min–max) of %d rounds, unless a row says '
             'otherwise. Requests are those the API stand-in answered for the last round: R reads (GET, list), W '
             'persisted writes, dry-run writes (check mode\'s server-side validation, nothing stored). The rows %s '
             'are one round each (10–30 s a run).' % (rounds, ' and '.join('"%s"' % label for label in ONE_ROUND)),
             '', '## Machine', '']
    for key, value in facts:
        lines.append('- %s: %s' % (key, value))
    lines += ['', 'The machine is shared (other engineers\' tests run on it): the load averages above say how busy '
              'it was, and a busy machine makes every row slower and wider.', '',
              '## Floor', '', '| what | seconds |', '| --- | --- |',
              '| playbook of one `ansible.builtin.ping` task | %s |' % median_range(ping),
              '| `import kubernetes.client` (beyond starting Python) | %s |' % median_range(imports),
              '| floor: ping playbook + client import | %.2f |' % (ping_m + import_m), '']
    for size in sorted(set(size for size, _label in sites)):
        lines += ['## A %d-resource site' % size, '',
                  'Site, RouterAccess, %d listeners, %d connectors; `wait: false` (the stand-in has no '
                  'controller). Drift: another field manager (`kubectl-edit`) changed the port of every listener '
                  'and connector (%d resources) before the check-mode run; the drift run takes them back.'
                  % ((size - 2) // 2, (size - 2) // 2, size - 2), '',
                  '| how | ' + ' | '.join(OPERATIONS) + ' |', '| --- |' + ' --- |' * len(OPERATIONS)]
        for (each, label), found in sites.items():
            if each != size:
                continue
            if found is None:
                lines.append('| %s | ' % label + ' | '.join(['not measured (see Machine)'] * len(OPERATIONS)) + ' |')
                continue
            cells = []
            for operation in OPERATIONS:
                if operation not in found:
                    cells.append('–')
                    continue
                samples, counts, failures = found[operation]
                cell = '%s<br>%s' % (median_range(samples), counts_text(counts, size))
                cells.append(cell + ('<br>**failed %d×**' % len(failures) if failures else ''))
            lines.append('| %s | %s |' % (label, ' | '.join(cells)))
        lines.append('')
    lines += ['## Linux render (in process, no playbook)', '', '| what | seconds |', '| --- | --- |',
              '| first render of a 10-resource site (CAs, certificates, router config) | %.3f |' % linux[0][0],
              '| unchanged re-render | %.3f (%.3f–%.3f) |' % (statistics.median(linux[1]), min(linux[1]),
                                                              max(linux[1])),
              live_rows(live)] + bench_rollout.rows(rollout) + ['']
    lines += targets(sites, ping_m + import_m, overloaded, live, rollout)
    with open(path, 'w') as handle:
        handle.write('\n'.join(lines) + '\n')


def live_rows(live):
    """The rows of the live listener change (hacking/bench_live.py) in the Linux table."""
    if not live or 'skipped' in live:
        return ('| a live listener change on a running router (restarts, link flaps, dropped connections) | not '
                'measured: %s |' % ((live or {}).get('skipped') or 'not run'))
    return '\n'.join('| %s | %s |' % (label, bench_live.summary(live[key])) for key, label in (
        ('live', 'a listener added, then removed, on a running site linked to another (real router, '
                 '`system state=reloaded` runs; counts over both sites, a long-lived connection through another '
                 'listener)'),
        ('restart', 'for comparison: a change that restarts the router (the link\'s cost), counted the same way')))


def live_target(live):
    if not live or 'skipped' in live:
        return '| Linux listener change: 0 restarts, 0 link flaps, 0 dropped connections | not measured | – |'
    found = live['live']
    met = not found['restarts'] and not found['link flaps'] and not found['dropped connections'] \
        and not found['failures']
    return ('| Linux listener change: 0 restarts, 0 link flaps, 0 dropped connections | %d restarts, %d link flaps, '
            '%d dropped connections in %d changes | %s |' % (found['restarts'], found['link flaps'],
                                                             found['dropped connections'], found['changes'],
                                                             'met' if met else 'missed'))


def busy():
    """The 1-minute load average when it is above the number of cores (times are then not judged), else None."""
    try:
        average = os.getloadavg()[0]
    except OSError:
        return None
    return average if average > (os.cpu_count() or 1) else None


def targets(sites, floor, overloaded=None, live=None, rollout=None):
    """The speed targets (docs/benchmarks.md, Targets) with the measured figures. overloaded: the load average seen when the machine
    was busier than its cores (time targets are then reported, not judged; request counts still are)."""
    lines = ['## Targets', '']
    if overloaded:
        lines += ['The machine was overloaded during this run (load average up to %.1f on %d cores): the times '
                  'are reported but not judged against the time targets. Request counts do not depend on the load.'
                  % (overloaded, os.cpu_count() or 1), '']
    lines += ['| target | figure | met |', '| --- | --- | --- |']

    def judged(met):
        if overloaded:
            return 'not judged (overloaded machine)'
        return 'met' if met else 'missed'

    def cell(size, label, operation):
        found = sites.get((size, label))
        return None if found is None else found.get(operation)

    one = 'appnet.skupper.resource, one task'
    for operation in ('first run', 'unchanged'):
        found = cell(10, one, operation)
        if found:
            value = statistics.median(found[0])
            lines.append('| one `resource` task, 10 resources, %s within 0.3 s of the floor (%.2f s) | %.2f s '
                         '(%+.2f s) | %s |' % (operation, floor, value, value - floor, judged(value - floor <= 0.3)))
    for label in ('typed modules, one task per resource', 'typed modules, one task per resource, module shipped',
                  'kubernetes.core.k8s, one task per resource'):
        small, large = cell(10, label, 'unchanged'), cell(30, label, 'unchanged')
        if small and large:
            extra = (statistics.median(large[0]) - statistics.median(small[0])) / 20.0
            lines.append('| each extra Kubernetes task ≤ 0.15 s (%s; (30 tasks − 10 tasks) / 20, unchanged) | '
                         '%.3f s | %s |' % (label, extra, judged(extra <= 0.15)))
    for label, single in (('typed modules, one task per resource', one),
                          ('typed modules, one task per resource, module shipped',
                           'appnet.skupper.resource, one task, module shipped')):
        many, alone = cell(10, label, 'unchanged'), cell(10, single, 'unchanged')
        if many and alone:
            extra = (statistics.median(many[0]) - statistics.median(alone[0])) / 9.0
            lines.append('| each extra Kubernetes task ≤ 0.15 s (%s; (10 tasks − 1 resource task of the same 10) / 9, '
                         'unchanged) | %.3f s | %s |' % (label, extra, judged(extra <= 0.15)))
    for size in (10, 30):
        found = cell(size, one, 'unchanged')
        if found:
            counts = found[1]
            lines.append('| unchanged: 1 read, 0 writes per resource (%d resources) | %d reads, %d writes | %s |'
                         % (size, counts['reads'], counts['writes'],
                            'met' if counts['reads'] == size and counts['writes'] == 0 else 'missed'))
        found = cell(size, one, 'drift')
        if found:
            counts, changed = found[1], size - 2
            lines.append('| changed: 1 read + 1 write per changed resource (%d of %d changed) | %d reads, %d writes '
                         '| %s |' % (changed, size, counts['reads'], counts['writes'],
                                     'met' if counts['reads'] == size and counts['writes'] == changed else 'missed'))
        found = cell(size, one, 'check (after drift)')
        if found:
            counts = found[1]
            lines.append('| check mode: 0 writes (%d resources, %d changed) | %d writes (%d dry-run) | %s |'
                         % (size, size - 2, counts['writes'], counts['dry-run writes'],
                            'met' if counts['writes'] == 0 else 'missed'))
    lines += ['| Linux first render < 0.25 s, unchanged < 0.05 s | see the Linux table (not a target of this '
              'session\'s work) | – |',
              live_target(live),
              ] + bench_rollout.targets(rollout, judged) + ['']
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--sizes', default='10,30')
    parser.add_argument('--output', default=os.path.join(ROOT, 'docs', 'benchmarks.md'))
    parser.add_argument('--core-collections', default=os.environ.get('BENCH_CORE_COLLECTIONS'))
    args = parser.parse_args()
    sys.path.insert(0, ROOT)
    from tests.support.kube_api import start_server
    from ansible_collections.appnet.skupper.plugins.module_utils.k8s.client import KubeClient
    from ansible_collections.appnet.skupper.plugins.module_utils.k8s.auth import get_api_client

    load_before = load()
    overloaded = [busy()]
    started = time.time()
    workdir = tempfile.mkdtemp(prefix='appnet-bench-')
    server = start_server(tls=True, token='bench-' + uuid.uuid4().hex)
    try:
        kubeconfig = os.path.join(workdir, 'kubeconfig')
        server.kubeconfig(kubeconfig)
        client = KubeClient(get_api_client({'kubeconfig': kubeconfig}))
        runner = Runner(workdir, args.core_collections)
        core_version = collection_version(args.core_collections, 'kubernetes', 'core') if args.core_collections \
            else None
        floor = bench_floor(runner, args.rounds)
        print('floor: ping playbook %s s, client import %s s' % (median_range(floor[0]), median_range(floor[1])))
        linux = bench_linux(args.rounds)
        print('linux render: first %.3f s, unchanged %s s' % (linux[0][0], median_range(linux[1])))
        live = bench_live.measure(args.rounds)
        print('live listener change: %s' % (live.get('skipped') or bench_live.summary(live['live'])))
        rollout = None
        skupper_v2 = skupper_v2_present(runner)
        sizes = [int(s) for s in args.sizes.split(',')]
        sites = dict(((size, label), None) for size in sizes for _style, label, _env, _ops in STYLES)

        def facts():
            return [
                ('date', datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')),
                ('machine', machine()),
                ('load before', load_before),
                ('load after', load()),
                ('duration', '%.0f s' % (time.time() - started)),
                ('run', '`hacking/benchmark.py --rounds %d --sizes %s` (make bench: 3 rounds, sizes 10 and 30)'
                 % (args.rounds, args.sizes)),
                ('versions', 'ansible-core %s, kubernetes (Python client) %s, appnet.skupper %s' % (
                    version_of('ansible-core'), version_of('kubernetes'),
                    galaxy_version())),
                ('kubernetes.core', ('%s (from the `ansible` 12 package on PyPI, installed by make bench into '
                                     '.build/bench-collections)' % core_version) if core_version
                 else 'not installed: no comparison rows'),
                ('skupper.v2', 'present, but not compared by this benchmark yet' if skupper_v2 else
                 'not present (it is not on PyPI, nor in the `ansible` package): no rows'),
                ('API stand-in', 'tests/support/kube_api over HTTPS with a bearer token (kubeconfig), in the '
                                 'benchmark\'s process'),
            ]

        for size in sizes:
            for style, label, env, operations in STYLES:
                if style.startswith('core') and not core_version:
                    continue
                found = bench_site(runner, server, client, kubeconfig, size, style, env, operations,
                                   1 if label in ONE_ROUND else args.rounds)
                sites[(size, label)] = found
                overloaded.append(busy())
                write_report(args.output, facts(), floor, sites, linux, args.rounds,
                             max([o for o in overloaded if o] or [0]) or None, live, rollout)
                print('%2d resources, %-55s %s' % (size, label, '; '.join(
                    '%s %s [%s]%s' % (op, median_range(found[op][0]), counts_text(found[op][1], size),
                                      ' FAILED' if found[op][2] else '') for op in operations)), flush=True)
                for operation in operations:
                    for failure in found[operation][2][:1]:
                        print('  %s failed:\n%s' % (operation, failure))
        # The rollout last: 16 routers and their SSH servers load the machine, which would make the load
        # average of the rows after it say "overloaded". Its own figures are judged on the load before it.
        rollout = bench_rollout.measure()
        print('\n'.join(bench_rollout.rows(rollout)), flush=True)
        write_report(args.output, facts(), floor, sites, linux, args.rounds,
                     max([o for o in overloaded if o] or [0]) or None, live, rollout)
        print('wrote %s' % args.output)
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == '__main__':
    main()
