"""Options first (issue 18): every module checks all of its own options before it reads the site, the host or the
cluster. Each module is given one wrong option along with a cluster that would answer nothing (a socket that
accepts and counts connections) or a site that does not exist: the message is about the option, no connection
was made and nothing was created.

Real ansible-playbook runs of every module; the "cluster" is a listening socket of the test.
"""

import os
import socket
import sys
import threading
import uuid

import pytest
import yaml

from tests.support.playbook import run_playbook, task_outcomes

K8S_NAME = {'name': 'ok', 'namespace': 'ns'}


class CountingSocket(object):
    """Accepts TCP connections, never answers, counts them: an API server nothing may talk to."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind(('127.0.0.1', 0))
        self.socket.listen(16)
        self.url = 'http://127.0.0.1:%d' % self.socket.getsockname()[1]
        self.accepted = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                self.accepted.append(self.socket.accept()[0])
            except OSError:
                return

    def close(self):
        self.socket.close()
        for connection in self.accepted:
            connection.close()


# (module, its options with one wrong, words the message must hold). The cluster or site options are added.
KUBERNETES = [
    ('site', dict(K8S_NAME, name='Bad_Name'), "name: 'Bad_Name' must be a lowercase RFC 1123 label"),
    ('listener', dict(K8S_NAME, routing_key='k', host='h', port=70000),
     'port: 70000 must be a port number between 1 and 65535'),
    ('connector', dict(K8S_NAME, routing_key='k', host='h', port=80, wait_sleep=0),
     'wait_sleep: 0 must be at least 1 seconds'),
    ('link', dict(K8S_NAME, tls_credentials='c', endpoints=[{'name': 'inter-router', 'host': 'h', 'port': 'x'}]),
     'endpoints[0].port'),
    ('router_access', dict(K8S_NAME, wait_timeout=-1, tls_credentials='t', roles=[{'name': 'inter-router'}]),
     'wait_timeout: -1 must be at least 0 seconds'),
    ('access_grant', dict(K8S_NAME, namespace='Bad_NS'), "namespace: 'Bad_NS' must be a lowercase RFC 1123 label"),
    ('access_token', dict(K8S_NAME, url='https://h/x', code='the-token-code', ca='the-token-ca', name='x' * 64),
     'must be no more than 63 characters'),
    ('attached_connector', dict(K8S_NAME, site_namespace='other', selector='app=db', port=0),
     'port: 0 must be a port number'),
    ('attached_connector_binding', dict(K8S_NAME, connector_namespace='Other', routing_key='k'),
     "connector_namespace: 'Other'"),
    ('resource', {'namespace': 'Bad_NS', 'definition': [
        {'apiVersion': 'skupper.io/v2alpha1', 'kind': 'Listener', 'metadata': {'name': 'l'},
         'spec': {'routingKey': 'k', 'host': 'h', 'port': 1}}]},
     "namespace: 'Bad_NS' must be a lowercase RFC 1123 label"),
    ('resource', {'namespace': 'ns', 'definition': [{'apiVersion': 'v1', 'kind': 'Secret', 'metadata': {'name': 's'},
                                                     'stringData': {'tls.crt': 'not a certificate'}}]},
     'stringData.tls.crt: not a PEM certificate'),
    ('manifest', {'src': 'manifest.yaml', 'url_timeout': 0}, 'url_timeout: 0 must be at least 1 seconds'),
    ('network_info', {'namespace': 'ns', 'traffic': [{'port': 0}]}, 'traffic[0].port: 0 must be a port number'),
    ('network_info', {'namespace': 'ns', 'expected_links': ['Bad']}, "expected_links: ['Bad']"),
]

SYSTEM = [
    ('site', {'name': 'west', 'link_access': 'sometimes'}, 'link_access'),
    ('listener', {'name': 'l', 'routing_key': 'k', 'host': 'not a host', 'port': 80}, "host: 'not a host'"),
    ('connector', {'name': 'c', 'routing_key': 'k', 'host': '127.0.0.1', 'port': -5}, 'port: -5'),
    ('router_access', {'name': 'ra', 'tls_credentials': 't', 'roles': [{'name': 'inter-router', 'port': 99999}]},
     'roles[0].port: 99999 must be a port number between 1 and 65535'),
    ('link', {'name': 'l', 'tls_credentials': 'c', 'cost': 0,
              'endpoints': [{'name': 'inter-router', 'host': 'h', 'port': 1}]}, 'cost'),
    ('access_token', {'name': 'Bad_Name', 'url': 'https://h/x', 'code': 'the-token-code', 'ca': 'the-token-ca'},
     "name: 'Bad_Name'"),
    ('resource', {'namespace': '../escape', 'definition': [
        {'apiVersion': 'skupper.io/v2alpha1', 'kind': 'Site', 'metadata': {'name': 'west'}}]},
     "namespace: '../escape' must be a lowercase RFC 1123 label"),
    ('resource', {'definition': [{'apiVersion': 'v1', 'kind': 'Secret', 'metadata': {'name': 's'},
                                  'data': {'ca.crt': 'bm90IGEgY2VydGlmaWNhdGU='}}]},
     'data.ca.crt: not a PEM certificate'),
    ('static_link', {'subject': 'east', 'cost': 0}, 'cost: 0 must be at least 1'),
    ('static_link', {'subject': 'east', 'name': 'Bad_Name'}, "name: 'Bad_Name' must be a lowercase RFC 1123 label"),
    ('static_link', {'subject': '../east'}, "subject: '../east' must be a non-empty name"),
    ('static_link', {'subject': 'east', 'namespace': '../../etc'}, "namespace: '../../etc' must be"),
    ('system', {'ready_timeout': 0}, 'ready_timeout: 0 must be at least 1 seconds'),
    ('system', {'namespace': '../../etc', 'state': 'absent'}, "namespace: '../../etc' must be"),
    ('system', {'container_run_options': {'ulimits': ['nofile']}}, 'container_run_options.ulimits'),
    ('network_info', {'timeout': 0}, 'timeout: 0 must be at least 1 seconds'),
    ('network_info', {'traffic': [{'port': 80, 'status': 42}]}, 'traffic[0].status: 42 must be an HTTP status'),
]


def _play(tmp_path, tasks):
    path = str(tmp_path / ('play-%s.yml' % uuid.uuid4().hex[:6]))
    with open(path, 'w') as handle:
        yaml.safe_dump([{'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}], handle)
    rc, report = run_playbook(path, 'localhost,', '-c', 'local', '-e',
                              'ansible_python_interpreter=%s' % sys.executable)
    return rc, [outcome for _host, _name, outcome in task_outcomes(report)]


def _check(outcomes, cases):
    assert len(outcomes) == len(cases)
    wrong = []
    for (module, _options, words), outcome in zip(cases, outcomes):
        if not (outcome.get('failed') and outcome.get('changed') is False and words in outcome.get('msg', '')):
            wrong.append('%s: %s' % (module, outcome.get('msg') or outcome))
    assert wrong == [], '\n'.join(wrong)


def test_kubernetes_modules_check_their_options_before_they_call_the_cluster(tmp_path):
    cluster = CountingSocket()
    try:
        tasks = [{'appnet.skupper.%s' % module: dict(options, api_host=cluster.url), 'ignore_errors': True}
                 for module, options, _words in KUBERNETES]
        _rc, outcomes = _play(tmp_path, tasks)
    finally:
        cluster.close()
    _check(outcomes, KUBERNETES)
    assert cluster.accepted == [], 'no module connected to the cluster'


@pytest.mark.parametrize('platform', ['linux', 'podman'])
def test_system_modules_check_their_options_before_they_read_or_create_the_site(tmp_path, platform):
    data_home = tmp_path / 'skupper'
    cases = SYSTEM
    tasks = [{'appnet.skupper.%s' % module: dict({'namespace': 'west', 'platform': platform,
                                                  'data_home': str(data_home)}, **options), 'ignore_errors': True}
             for module, options, _words in cases]
    _rc, outcomes = _play(tmp_path, tasks)
    _check(outcomes, cases)
    assert not os.path.exists(str(data_home)), 'nothing was created'
    assert not os.path.exists(str(tmp_path / 'etc')) and not os.path.exists(str(tmp_path / 'escape'))


def _tree(top):
    """{path: bytes} of every file under top."""
    found = {}
    for base, _dirs, names in os.walk(str(top)):
        for name in names:
            with open(os.path.join(base, name), 'rb') as handle:
                found[os.path.relpath(os.path.join(base, name), str(top))] = handle.read()
    return found


def test_a_resource_that_clashes_with_another_of_its_site_is_refused_by_the_module_that_brings_it(tmp_path):
    data_home = tmp_path / 'skupper'
    target = {'platform': 'linux', 'namespace': 'west', 'data_home': str(data_home)}
    rc, outcomes = _play(tmp_path, [
        {'appnet.skupper.site': dict(target, name='west', link_access='none')},
        {'appnet.skupper.listener': dict(target, name='db', routing_key='db', host='0.0.0.0', port=15432)},
        {'appnet.skupper.router_access': dict(target, name='public', tls_credentials='public',
                                              roles=[{'name': 'inter-router', 'port': 15671}])},
    ])
    assert rc == 0 and all(o['changed'] for o in outcomes), outcomes
    before = _tree(data_home)
    clashes = [
        ('listener', {'name': 'web', 'routing_key': 'web', 'host': '127.0.0.1', 'port': 15432},
         'port 15432 of listener "web" (host "127.0.0.1") is already used by listener "db" (host "0.0.0.0")'),
        ('listener', {'name': 'web', 'routing_key': 'web', 'host': '0.0.0.0', 'port': 15671},
         'port 15671 of listener "web" (host "0.0.0.0") is already used by router access "public" role inter-router'),
        ('router_access', {'name': 'more', 'tls_credentials': 'more', 'roles': [{'name': 'edge', 'port': 15432}]},
         'port 15432 of router access "more" role edge (host "*") is already used by listener "db"'),
        ('resource', {'definition': [{'apiVersion': 'skupper.io/v2alpha1', 'kind': 'Listener',
                                      'metadata': {'name': 'web'},
                                      'spec': {'routingKey': 'web', 'host': '0.0.0.0', 'port': 15432}}]},
         'port 15432 of listener "web" (host "0.0.0.0") is already used by listener "db"'),
    ]
    for check_mode in (True, False):
        tasks = [{'appnet.skupper.%s' % module: dict(target, **options), 'ignore_errors': True,
                  'check_mode': check_mode} for module, options, _words in clashes]
        _rc, outcomes = _play(tmp_path, tasks)
        _check(outcomes, clashes)
        assert _tree(data_home) == before, 'nothing written'
    # a port of its own, or the same listener again, is accepted
    rc, outcomes = _play(tmp_path, [
        {'appnet.skupper.listener': dict(target, name='db', routing_key='db', host='0.0.0.0', port=15432)},
        {'appnet.skupper.listener': dict(target, name='web', routing_key='web', host='0.0.0.0', port=15433)}])
    assert rc == 0 and [o['changed'] for o in outcomes] == [False, True]
