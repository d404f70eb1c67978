#!/usr/bin/env python
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmarks that print figures (make bench). Nothing here asserts a time.

1. Linux site render: a first render (CAs, certificates, router config) and an unchanged re-render.
2. Linux resource apply: an unchanged apply of a resource file (what a second playbook run costs).
3. Kubernetes: requests and wall time per operation of the Kubernetes backend against the API
   stand-in (tests/support/kube_api), and, when the kubernetes.core collection is installed, the
   requests kubernetes.core.k8s sends for the same unchanged apply.

Usage: PYTHONPATH=.:.build/collections python hacking/benchmark.py [--rounds N]
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import yaml

from ansible_collections.appnet.skupper.plugins.module_utils.system import render
from ansible_collections.appnet.skupper.plugins.module_utils.system.resources import SystemBackend

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(function, rounds):
    samples = []
    for _index in range(rounds):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return samples


def report(label, samples, unit='ms'):
    scale = 1000.0 if unit == 'ms' else 1.0
    print('%-58s median %8.2f %s  min %8.2f  max %8.2f  (n=%d)' % (
        label, statistics.median(samples) * scale, unit, min(samples) * scale, max(samples) * scale, len(samples)))


def site_documents(namespace):
    return [
        {'apiVersion': 'skupper.io/v2alpha1', 'kind': 'Site', 'metadata': {'name': 'west', 'namespace': namespace},
         'spec': {'linkAccess': 'default'}},
        {'apiVersion': 'skupper.io/v2alpha1', 'kind': 'Listener', 'metadata': {'name': 'backend', 'namespace': namespace},
         'spec': {'routingKey': 'backend', 'host': '127.0.0.1', 'port': 18080}},
        {'apiVersion': 'skupper.io/v2alpha1', 'kind': 'Connector', 'metadata': {'name': 'db', 'namespace': namespace},
         'spec': {'routingKey': 'db', 'host': '127.0.0.1', 'port': 5432}},
    ]


def bench_linux(rounds):
    data_home = tempfile.mkdtemp(prefix='appnet-bench-')
    try:
        backend = SystemBackend('bench', 'linux', data_home)
        docs = site_documents('bench')
        for doc in docs:
            backend.apply(doc)
        options = dict(hostname='bench-host', addresses=['192.0.2.10'], port_is_free=lambda port: True)
        first = timed(lambda: render.render_site(backend.home, 'bench', **options), 1)
        report('render_site, first render (CAs, leaves, config)', first)
        again = timed(lambda: render.render_site(backend.home, 'bench', **options), rounds)
        report('render_site, unchanged input (writes nothing)', again)
        dry = timed(lambda: render.render_site(backend.home, 'bench', dry_run=True, **options), rounds)
        report('render_site, check mode', dry)
        unchanged = timed(lambda: backend.apply(docs[1]), rounds * 10)
        report('resource file apply, unchanged (read + compare)', unchanged)
    finally:
        shutil.rmtree(data_home)


def bench_kubernetes(rounds):
    sys.path.insert(0, ROOT)
    try:
        from tests.support.kube_api import start_server
        from ansible_collections.appnet.skupper.plugins.module_utils.k8s.backend import KubernetesBackend
    except ImportError as exc:
        print('kubernetes benchmark skipped: %s' % exc)
        return
    server = start_server()
    try:
        backend = KubernetesBackend.from_params({'api_host': server.url, 'validate_certs': False}, 'default')
        doc = site_documents('default')[1]
        backend.apply(doc)
        ports = iter(range(20000, 30000))
        for label, operation in (('unchanged apply', lambda: backend.apply(doc)),
                                 ('check-mode apply of a change', lambda: backend.apply(
                                     dict(doc, spec=dict(doc['spec'], port=18081)), check_mode=True)),
                                 ('changed apply', lambda: backend.apply(
                                     dict(doc, spec=dict(doc['spec'], port=next(ports)))))):
            server.reset_counts()
            samples = timed(operation, rounds)
            report('kubernetes backend, %s' % label, samples)
            print_requests(server, rounds)
        bench_tokens(server, rounds)
        compare_kubernetes_core(server, doc)
    finally:
        server.stop()


def print_requests(server, rounds):
    """Requests per operation since the last reset, the controller stand-in's own left out."""
    counts = {}
    for record in server.requests:
        if not record.user_agent.startswith('skupper-controller-standin'):
            key = (record.verb, 'persisted' if record.persisted else 'read' if record.verb in ('get', 'list')
                   else 'not persisted')
            counts[key] = counts.get(key, 0) + 1
    per_call = dict(('%s (%s)' % key, count / float(rounds)) for key, count in sorted(counts.items()))
    print('%-58s %s' % ('  requests per operation', per_call))


class BenchModule(object):
    """What the token handlers use of an AnsibleModule."""

    check_mode = False

    def __init__(self, **params):
        self.params = dict({'state': 'present', 'wait': True, 'wait_timeout': 60, 'wait_sleep': 1,
                            'reissue': True}, **params)
        self.no_log_values = set()

    def warn(self, text):
        print('  warning: %s' % text)


def bench_tokens(server, rounds):
    """Requests of an unchanged access_grant and of an access_token re-run with wait (controller stand-in)."""
    from tests.support.controller import Controller
    from ansible_collections.appnet.skupper.plugins.module_utils.k8s import tokens
    from ansible_collections.appnet.skupper.plugins.module_utils.k8s.backend import KubernetesBackend
    controller = Controller(server.url, ['west', 'east'])
    controller.start()
    try:
        core = KubernetesBackend.from_params({'api_host': server.url}, 'default').client
        for namespace in ('west', 'east'):
            core.request('POST', '/api/v1/namespaces', body={'metadata': {'name': namespace}})
        west = KubernetesBackend.from_params({'api_host': server.url}, 'west')
        east = KubernetesBackend.from_params({'api_host': server.url}, 'east')
        site = {'apiVersion': 'skupper.io/v2alpha1', 'kind': 'Site', 'spec': {}}
        west.apply(dict(site, metadata={'name': 'west'}, spec={'linkAccess': 'default'}))
        east.apply(dict(site, metadata={'name': 'east'}))
        grant = {'apiVersion': 'skupper.io/v2alpha1', 'kind': 'AccessGrant', 'metadata': {'name': 'to-west'},
                 'spec': {'redemptionsAllowed': 1}}
        issued = tokens.grant_handler(BenchModule(), west, grant)
        token = dict(issued.extra['token'], metadata={'name': 'to-west'})
        tokens.token_handler(BenchModule(), east, token)
        unused = dict(grant, metadata={'name': 'unused'})
        tokens.grant_handler(BenchModule(), west, unused)
        for label, operation in (
                ('unchanged access_grant', lambda: tokens.grant_handler(BenchModule(), west, unused)),
                ('access_token re-run with wait', lambda: tokens.token_handler(BenchModule(), east, token))):
            server.reset_counts()
            samples = timed(operation, rounds)
            report('kubernetes, %s' % label, samples)
            print_requests(server, rounds)
    finally:
        controller.stop()


def compare_kubernetes_core(server, doc):
    """Requests of one unchanged apply by kubernetes.core.k8s vs appnet.skupper.listener, via ansible-playbook."""
    probe = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-doc'), '-t', 'module',
                            'kubernetes.core.k8s'], capture_output=True, text=True, check=False)
    if probe.returncode != 0 or 'was not found' in probe.stderr:
        print('kubernetes.core not installed: no comparison (pip install "ansible>=12,<13" for it)')
        return
    workdir = tempfile.mkdtemp(prefix='appnet-bench-')
    try:
        kubeconfig = os.path.join(workdir, 'kubeconfig')
        server.kubeconfig(kubeconfig)
        playbook = os.path.join(workdir, 'play.yml')
        spec = doc['spec']
        with open(playbook, 'w') as handle:
            yaml.safe_dump([{'hosts': 'localhost', 'gather_facts': False, 'tasks': [
                {'kubernetes.core.k8s': {'kubeconfig': kubeconfig, 'definition': doc, 'apply': True,
                                         'server_side_apply': {'field_manager': 'bench'}}, 'tags': ['core']},
                {'appnet.skupper.listener': {'kubeconfig': kubeconfig, 'namespace': 'default', 'name': 'backend',
                                             'routing_key': spec['routingKey'], 'host': spec['host'],
                                             'port': spec['port']}, 'tags': ['ours']},
            ]}], handle)
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, '.build', 'collections') + ':' +
                   os.environ.get('ANSIBLE_COLLECTIONS_PATH', ''))
        for tag in ('core', 'ours'):
            server.reset_counts()
            subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', 'localhost,',
                            '-c', 'local', '-e', 'ansible_python_interpreter=%s' % sys.executable, '--tags', tag,
                            playbook], capture_output=True, text=True, env=env, check=False)
            counts = server.counts()
            print('%-58s %d requests %s' % ('unchanged apply, %s' % ('kubernetes.core.k8s' if tag == 'core' else
                                                                     'appnet.skupper.listener'),
                                            sum(counts.values()), dict(sorted(counts.items()))))
    finally:
        shutil.rmtree(workdir)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--rounds', type=int, default=20)
    args = parser.parse_args()
    bench_linux(args.rounds)
    bench_kubernetes(args.rounds)


if __name__ == '__main__':
    main()
