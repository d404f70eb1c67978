"""appnet.skupper.resource on platform kubernetes, against the API server stand-in (tests/support/kube_api):
every document is checked (and normalised) by the resource model before the first request, so a later bad
document leaves nothing created, and a document in the form users write it is accepted by the API schema.
"""

import os
import subprocess
import sys
import uuid

import pytest
import yaml

from tests.integration.kubernetes.plays import BOTH_PATHS
from tests.support.kube_api import start_server
from tests.support.playbook import run_playbook, task_outcomes

from kubernetes import client as k8s_client

API = 'skupper.io/v2alpha1'
SYSTEM_PYTHON = '/usr/bin/python3'


def _has_kubernetes(python):
    return subprocess.run([python, '-c', 'import kubernetes'], capture_output=True, check=False).returncode == 0


@pytest.fixture(scope='module')
def server():
    instance = start_server()
    yield instance
    instance.stop()


@pytest.fixture
def namespace(server):
    name = 'ns-' + uuid.uuid4().hex[:8]
    k8s_client.CoreV1Api(_api(server)).create_namespace({'metadata': {'name': name}})
    return name


def _api(server):
    return k8s_client.ApiClient(k8s_client.Configuration(host=server.url))


def _get(server, namespace, plural, name):
    try:
        return k8s_client.CustomObjectsApi(_api(server)).get_namespaced_custom_object('skupper.io', 'v2alpha1',
                                                                                      namespace, plural, name)
    except k8s_client.ApiException as exc:
        if exc.status == 404:
            return None
        raise


def _resource(tmp_path, server, namespace, definition):
    path = str(tmp_path / ('play-%s.yml' % uuid.uuid4().hex[:6]))
    task = {'appnet.skupper.resource': {'namespace': namespace, 'api_host': server.url, 'definition': definition},
            'ignore_errors': True}
    with open(path, 'w') as handle:
        yaml.safe_dump([{'hosts': 'localhost', 'gather_facts': False, 'tasks': [task]}], handle)
    server.reset_counts()
    _rc, report = run_playbook(path, 'localhost,', '-c', 'local', '-e',
                               'ansible_python_interpreter=%s' % sys.executable)
    (outcome,) = [o for _host, _name, o in task_outcomes(report)]
    requests = [r for r in server.requests if '/namespaces/%s/' % namespace in r.path]
    return outcome, requests


LISTENER = {'apiVersion': API, 'kind': 'Listener', 'metadata': {'name': 'first'},
            'spec': {'routingKey': 'db', 'host': 'db', 'port': 5432}}
ENDPOINT = {'name': 'inter-router', 'host': 'west.example.com', 'port': 55671}
LINK = {'apiVersion': API, 'kind': 'Link', 'metadata': {'name': 'to-west'},
        'spec': {'tlsCredentials': 'to-west', 'endpoints': [ENDPOINT]}}


@BOTH_PATHS
def test_an_integer_endpoint_port_is_sent_as_the_string_the_crd_wants(tmp_path, server, namespace):
    outcome, _requests = _resource(tmp_path, server, namespace, [LISTENER, LINK])
    assert not outcome.get('failed'), outcome.get('msg')
    assert [r['changed'] for r in outcome['results']] == [True, True]
    assert _get(server, namespace, 'links', 'to-west')['spec']['endpoints'][0]['port'] == '55671'
    again, requests = _resource(tmp_path, server, namespace, [LISTENER, LINK])
    assert again['changed'] is False and not again.get('failed'), again.get('msg')
    assert sorted(r.verb for r in requests) == ['get', 'get']


@pytest.mark.parametrize('bad,words', [
    ({'apiVersion': API, 'kind': 'Link', 'metadata': {'name': 'lk'},
      'spec': {'endpoints': [{'name': 'edge', 'host': 'h', 'port': [1]}]}},
     "Link lk (definition[1]): spec.endpoints[0].port: expected a string, got [1]"),
    ({'apiVersion': API, 'kind': 'Listener', 'metadata': {'name': 'second'},
      'spec': {'routingKey': 'db', 'host': 'db', 'port': '5432'}},
     "Listener second (definition[1]): spec.port: expected an integer, got '5432'"),
    (dict(LISTENER, spec=dict(LISTENER['spec'], port=5433)),
     'Listener first (definition[1]): the same Listener as definition[0]'),
], ids=['type error', 'string port', 'duplicate'])
def test_a_bad_later_document_sends_nothing_and_creates_nothing(tmp_path, server, namespace, bad, words):
    outcome, requests = _resource(tmp_path, server, namespace, [LISTENER, bad])
    assert outcome['failed'] is True and outcome['changed'] is False
    assert words in outcome['msg'], outcome['msg']
    assert requests == [], 'no request before every document is valid'
    assert _get(server, namespace, 'listeners', 'first') is None


def test_definition_without_documents_fails(tmp_path, server, namespace):
    outcome, requests = _resource(tmp_path, server, namespace, '')
    assert outcome['failed'] is True
    assert outcome['msg'] == 'Cannot read the documents: definition holds no documents (is a templated variable empty?)'
    assert requests == []


@pytest.mark.skipif(not os.path.exists(SYSTEM_PYTHON) or _has_kubernetes(SYSTEM_PYTHON),
                    reason='needs a Python without the kubernetes library (%s)' % SYSTEM_PYTHON)
def test_without_the_kubernetes_library_the_failure_says_what_to_install(tmp_path, server):
    """A host whose Python lacks the library gets Ansible's missing-library message, not a NameError."""
    path = str(tmp_path / 'play.yml')
    task = {'appnet.skupper.site': {'name': 'west', 'namespace': 'west', 'api_host': server.url},
            'ignore_errors': True}
    with open(path, 'w') as handle:
        yaml.safe_dump([{'hosts': 'localhost', 'gather_facts': False, 'tasks': [task]}], handle)
    _rc, report = run_playbook(path, 'localhost,', '-c', 'local', '-e', 'ansible_python_interpreter=' + SYSTEM_PYTHON)
    (outcome,) = [o for _host, _name, o in task_outcomes(report)]
    assert outcome['failed'] is True and outcome['changed'] is False
    assert outcome['msg'].startswith('Failed to import the required Python library (kubernetes)'), outcome['msg']
    assert 'for platform kubernetes' in outcome['msg']
