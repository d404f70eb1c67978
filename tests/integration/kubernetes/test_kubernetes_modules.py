"""The kind modules and appnet.skupper.resource on platform kubernetes, through ansible-playbook, against the API
server stand-in: removed options, conflicts, drift, retries, authentication, the resource module's lifecycle and
CEL refusals (the lifecycle of every kind module: test_kind_lifecycles.py).

The stand-in (tests/support/kube_api, a test double) counts requests, so each operation's cost is
asserted: an unchanged apply is exactly one read and no write; a change is at most one read and one
write; check mode persists nothing; bad input sends nothing. The controller stand-in
(tests/support/controller, a test double) sets statuses for the wait and token tests.
"""

import os
import uuid

import pytest

from tests.integration.kubernetes.plays import BOTH_PATHS, api, counted, get_object, new_namespace, run
from tests.support.kube_api import start_server
from tests.support.playbook import failures
from tests.support.reference import absent_reason, reference_path

from kubernetes import client as k8s_client


@pytest.fixture(scope='module')
def server():
    instance = start_server()
    yield instance
    instance.stop()


def test_removed_option_removes_the_field(tmp_path, server):
    namespace = new_namespace(server)
    task = {'name': 'l', 'namespace': namespace, 'api_host': server.url, 'routing_key': 'k', 'host': 'h',
            'port': 80, 'observer': 'http1'}
    rc, report, _outcomes = run(tmp_path, [{'appnet.skupper.listener': task}])
    assert rc == 0, failures(report)
    del task['observer']
    rc, report, outcomes = run(tmp_path, [{'appnet.skupper.listener': task}, {'appnet.skupper.listener': task}])
    assert rc == 0, failures(report)
    assert [o['changed'] for o in outcomes] == [True, False]
    assert 'observer' not in get_object(server, 'Listener', namespace, 'l')['spec']


def test_missing_namespace_and_conflicts(tmp_path, server):
    rc, _report, outcomes = run(tmp_path, [{'appnet.skupper.listener': {
        'name': 'l', 'namespace': 'does-not-exist', 'api_host': server.url, 'routing_key': 'k', 'host': 'h',
        'port': 80}}])
    assert rc != 0 and 'namespace "does-not-exist" does not exist' in outcomes[0]['msg']

    namespace = new_namespace(server)
    task = {'name': 'l', 'namespace': namespace, 'api_host': server.url, 'routing_key': 'k', 'host': 'h', 'port': 80}
    assert run(tmp_path, [{'appnet.skupper.listener': task}])[0] == 0
    other = {'apiVersion': 'skupper.io/v2alpha1', 'kind': 'Listener', 'metadata': {'name': 'l'}, 'spec': {'port': 81}}
    k8s_client.CustomObjectsApi(api(server)).patch_namespaced_custom_object(
        'skupper.io', 'v2alpha1', namespace, 'listeners', 'l', other, field_manager='other-tool', force=True,
        _content_type='application/apply-patch+yaml')
    server.reset_counts()
    for args in ((), ('--check',)):
        rc, _report, outcomes = run(tmp_path, [{'appnet.skupper.listener': dict(task, port=82, force=False)}],
                                    *args)
        assert rc != 0
        assert 'other-tool' in outcomes[0]['msg'] and 'force: false' in outcomes[0]['msg']
        assert outcomes[0]['changed'] is False
    assert counted(server, namespace)[1] == []
    assert get_object(server, 'Listener', namespace, 'l')['spec']['port'] == 81
    rc, report, outcomes = run(tmp_path, [{'appnet.skupper.listener': dict(task, port=82)}])
    assert rc == 0, failures(report)
    assert get_object(server, 'Listener', namespace, 'l')['spec']['port'] == 82


def test_drift_converges_and_leaves_other_fields_and_status(tmp_path, server):
    """A field changed with kubectl edit (an Update by another manager) is taken back by the next run (one
    GET, one PATCH), while a field the task does not set, its owner and the controller's status stay."""
    namespace = new_namespace(server)
    task = {'name': 'l', 'namespace': namespace, 'api_host': server.url, 'routing_key': 'k', 'host': 'h', 'port': 80}
    assert run(tmp_path, [{'appnet.skupper.listener': task}])[0] == 0
    custom = k8s_client.CustomObjectsApi(api(server))
    custom.patch_namespaced_custom_object(
        'skupper.io', 'v2alpha1', namespace, 'listeners', 'l',
        {'spec': {'port': 8443, 'tlsCredentials': 'edited'}, 'metadata': {'labels': {'team': 'a'}}},
        field_manager='kubectl-edit')
    status = {'status': {'status': 'Ready', 'message': 'OK', 'conditions': [
        {'type': 'Ready', 'status': 'True', 'reason': 'Ready', 'message': 'OK', 'observedGeneration': 2,
         'lastTransitionTime': '2026-01-01T00:00:00Z'}]}}
    custom.patch_namespaced_custom_object_status('skupper.io', 'v2alpha1', namespace, 'listeners', 'l', status,
                                                 field_manager='skupper-controller')
    drifted = get_object(server, 'Listener', namespace, 'l')

    server.reset_counts()
    rc, report, outcomes = run(tmp_path, [{'appnet.skupper.listener': task}], '--check', '--diff')
    assert rc == 0, failures(report)
    assert outcomes[0]['changed'] is True
    assert outcomes[0]['diff']['before']['spec']['port'] == 8443 and outcomes[0]['diff']['after']['spec']['port'] == 80
    assert counted(server, namespace)[1] == []
    assert get_object(server, 'Listener', namespace, 'l') == drifted

    server.reset_counts()
    rc, report, outcomes = run(tmp_path, [{'appnet.skupper.listener': task}, {'appnet.skupper.listener': task}])
    assert rc == 0, failures(report)
    assert [o['changed'] for o in outcomes] == [True, False]
    verbs, persisted = counted(server, namespace)
    assert verbs == {'get': 2, 'apply': 1} and len(persisted) == 1
    live = get_object(server, 'Listener', namespace, 'l')
    assert live['spec']['port'] == 80
    assert live['spec']['tlsCredentials'] == 'edited' and live['metadata']['labels'] == {'team': 'a'}
    assert live['status'] == drifted['status']
    owners = {(m['manager'], m['operation'], m.get('subresource', '')): m['fieldsV1']
              for m in live['metadata']['managedFields']}
    assert 'f:port' in owners[('appnet.skupper', 'Apply', '')]['f:spec']
    edited = owners[('kubectl-edit', 'Update', '')]
    assert set(edited['f:spec']) - {'.'} == {'f:tlsCredentials'} and 'f:team' in edited['f:metadata']['f:labels']
    assert 'f:status' in owners[('skupper-controller', 'Update', 'status')]


def test_retries_then_clear_failure(tmp_path, server):
    namespace = new_namespace(server)
    task = {'name': 'l', 'namespace': namespace, 'api_host': server.url, 'routing_key': 'k', 'host': 'h', 'port': 80}
    server.inject_fault(503, path_prefix='/apis/skupper.io', times=2)
    server.inject_fault('drop', path_prefix='/apis/skupper.io', times=1)
    rc, report, outcomes = run(tmp_path, [{'appnet.skupper.listener': task}])
    assert rc == 0, failures(report)
    assert outcomes[0]['changed'] is True
    server.inject_fault(429, path_prefix='/apis/skupper.io', times=1)
    assert run(tmp_path, [{'appnet.skupper.listener': task}])[0] == 0
    server.inject_fault(500, verb='apply', path_prefix='/apis/skupper.io', times=20)
    server.reset_counts()
    rc, _report, outcomes = run(tmp_path, [{'appnet.skupper.listener': dict(task, port=81)}])
    server.clear_faults()
    assert rc != 0 and 'HTTP 500' in outcomes[0]['msg'] and 'Traceback' not in outcomes[0]['msg']
    attempts = [r for r in server.requests if r.verb == 'apply']
    assert [r.fault for r in attempts] == ['500'] * 5, 'exactly 5 attempts, then a clear failure'
    gaps = [later.at - earlier.at for earlier, later in zip(attempts, attempts[1:])]
    assert all(gap >= minimum for gap, minimum in zip(gaps, (0.25, 0.5, 1.0, 2.0))), 'backoff doubles: %s' % gaps
    assert get_object(server, 'Listener', namespace, 'l')['spec']['port'] == 80


@BOTH_PATHS
def test_https_authentication(tmp_path):
    server = start_server(tls=True, token='s3cr3t-token', client_ca=True)
    try:
        namespace = new_namespace_with(server, 's3cr3t-token')
        base = {'namespace': namespace, 'routing_key': 'k', 'host': 'h', 'port': 80}
        cert, key = (str(path) for path in server.issue_client_cert('tester', directory=str(tmp_path)))
        kubeconfig = server.kubeconfig(str(tmp_path / 'kubeconfig'), token='s3cr3t-token')
        tasks = [
            {'appnet.skupper.listener': dict(base, name='by-token', api_host=server.url, api_key='s3cr3t-token',
                                             ca_cert=server.ca_file)},
            {'appnet.skupper.listener': dict(base, name='no-verify', api_host=server.url, api_key='s3cr3t-token',
                                             validate_certs=False)},
            {'appnet.skupper.listener': dict(base, name='by-cert', api_host=server.url, client_cert=cert,
                                             client_key=key, ca_cert=server.ca_file)},
            {'appnet.skupper.listener': dict(base, name='by-kubeconfig-file', kubeconfig=str(tmp_path / 'kubeconfig'))},
            {'appnet.skupper.listener': dict(base, name='by-kubeconfig-dict', kubeconfig=kubeconfig)},
            {'appnet.skupper.listener': dict(base, name='wrong', api_host=server.url, api_key='wrong',
                                             ca_cert=server.ca_file), 'ignore_errors': True},
        ]
        rc, report, outcomes = run(tmp_path, tasks)
        assert rc == 0, failures(report)
        assert [o.get('changed') for o in outcomes[:5]] == [True] * 5
        assert outcomes[5]['failed'] and 'refused a bearer token' in outcomes[5]['msg']
        assert 's3cr3t-token' not in str(outcomes)
        env = {'K8S_AUTH_HOST': server.url, 'K8S_AUTH_API_KEY': 's3cr3t-token', 'K8S_AUTH_SSL_CA_CERT': server.ca_file}
        rc, report, outcomes = run(tmp_path, [{'appnet.skupper.listener': dict(base, name='by-env')}], env=env)
        assert rc == 0, failures(report)
        assert outcomes[0]['changed'] is True
    finally:
        server.stop()


def new_namespace_with(server, token):
    configuration = k8s_client.Configuration(host=server.url)
    configuration.ssl_ca_cert = server.ca_file
    configuration.api_key = {'authorization': 'Bearer ' + token}
    name = 'ns-' + uuid.uuid4().hex[:8]
    k8s_client.CoreV1Api(k8s_client.ApiClient(configuration)).create_namespace({'metadata': {'name': name}})
    return name


def secret(namespace, value, **metadata):
    return {'apiVersion': 'v1', 'kind': 'Secret', 'metadata': dict(metadata, name='creds', namespace=namespace),
            'stringData': {'password': value}}


def test_resource_lifecycle_and_request_counts(tmp_path, controlled):
    server, _controller = controlled
    namespace = new_namespace(server)
    resource = {'api_host': server.url, 'namespace': namespace}

    def apply(definition, *args, **options):
        return run(tmp_path, [{'appnet.skupper.resource': dict(resource, definition=definition, **options)}], *args)

    server.reset_counts()
    rc, report, outcomes = apply(secret(namespace, 'first-Pa55'), '--check')
    assert rc == 0 and outcomes[0]['changed'] is True, failures(report)
    verbs, persisted = counted(server, namespace)
    assert persisted == [] and verbs == {'get': 1, 'apply': 1} and get_object(server, 'Secret', namespace, 'creds') is None

    rc, report, outcomes = apply(secret(namespace, 'first-Pa55'))
    assert rc == 0 and outcomes[0]['changed'] is True, failures(report)
    live = get_object(server, 'Secret', namespace, 'creds')
    assert live['type'] == 'Opaque', 'the API server defaulted the type'

    # The Secret has no type in the task and Opaque on the server: still unchanged, one read.
    server.reset_counts()
    rc, report, outcomes = apply(secret(namespace, 'first-Pa55'))
    assert rc == 0 and outcomes[0]['changed'] is False, failures(report)
    assert counted(server, namespace) == ({'get': 1}, [])

    server.reset_counts()
    rc, report, outcomes = apply(secret(namespace, 'second-Pa55'), '--diff')
    assert rc == 0 and outcomes[0]['changed'] is True, failures(report)
    assert [r.verb for r in counted(server, namespace)[1]] == ['apply']
    assert 'second-Pa55' not in str(outcomes) and 'first-Pa55' not in str(outcomes)
    diff = outcomes[0]['diff'][0]
    assert diff['after']['data'] == {'password': 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'}

    # A document read back from the server (uid, resourceVersion, managedFields, creationTimestamp) is applied
    # without them: an apply that carried managedFields would be refused (400), a stale resourceVersion 409.
    read_back = get_object(server, 'Secret', namespace, 'creds')
    read_back['metadata']['resourceVersion'] = '1'
    read_back['data'] = {'password': 'dGhpcmQ='}
    rc, report, outcomes = apply(read_back)
    assert rc == 0 and outcomes[0]['changed'] is True, failures(report)
    assert get_object(server, 'Secret', namespace, 'creds')['data'] == {'password': 'dGhpcmQ='}
    rc, report, outcomes = apply(read_back)
    assert rc == 0 and outcomes[0]['changed'] is False, failures(report)

    # Bad input: refused by the client (nothing sent); the task's message names it.
    server.reset_counts()
    rc, _report, outcomes = apply(dict(secret(namespace, 'x'), kind='Sekret'))
    assert rc != 0 and 'Sekret' in outcomes[0]['msg'] and counted(server, namespace) == ({}, [])

    # Wait to Ready.
    rc, report, outcomes = run(tmp_path, [
        {'appnet.skupper.site': dict(resource, name='here', wait=True)},
        {'appnet.skupper.connector': dict(resource, name='db', routing_key='db', host='db', port=5432)},
        {'appnet.skupper.resource': dict(resource, wait=True, wait_timeout=20, definition={
            'apiVersion': 'skupper.io/v2alpha1', 'kind': 'Listener', 'metadata': {'name': 'db'},
            'spec': {'routingKey': 'db', 'host': 'db', 'port': 5432}})}])
    assert rc == 0, failures(report)
    assert outcomes[2]['results'][0]['status']['status'] == 'Ready'

    rc, report, outcomes = run(tmp_path, [
        {'appnet.skupper.resource': dict(resource, definition=secret(namespace, 'x'), state='absent', wait=True)},
        {'appnet.skupper.resource': dict(resource, definition=secret(namespace, 'x'), state='absent')}])
    assert rc == 0, failures(report)
    assert [o['changed'] for o in outcomes] == [True, False]
    assert get_object(server, 'Secret', namespace, 'creds') is None


@pytest.mark.skipif(not os.path.isdir(reference_path('crds')), reason=absent_reason('crds'))
def test_a_refusal_by_a_cel_rule_of_the_api_server_reaches_the_task_message(tmp_path, controlled):
    """The strategy of a MultiKeyListener cannot change: a CEL rule of Skupper's CRD (the reference CRDs; the
    CRDs generated from the model, served without them, carry no CEL rules)."""
    server, _controller = controlled
    namespace = new_namespace(server)
    resource = {'api_host': server.url, 'namespace': namespace}
    multikey = {'apiVersion': 'skupper.io/v2alpha1', 'kind': 'MultiKeyListener', 'metadata': {'name': 'm'},
                'spec': {'host': 'm', 'port': 80, 'strategy': {'priority': {'routingKeys': ['a']}}}}
    assert run(tmp_path, [{'appnet.skupper.resource': dict(resource, definition=multikey)}])[0] == 0
    multikey['spec']['strategy'] = {'weighted': {'routingKeys': {'a': 1}}}
    server.reset_counts()
    rc, _report, outcomes = run(tmp_path, [{'appnet.skupper.resource': dict(resource, definition=multikey)}])
    assert rc != 0 and outcomes[0]['changed'] is False
    assert outcomes[0]['msg'].startswith('MultiKeyListener "m" is invalid: spec.strategy: ')
    assert 'strategy is immutable' in outcomes[0]['msg'] and 'Traceback' not in outcomes[0]['msg']
    assert counted(server, namespace)[1] == [], 'refused: nothing stored'
