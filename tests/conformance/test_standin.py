"""The stand-in's own test hooks: request records and counts, fault injection, the command line."""

import json
import os
import pathlib
import signal
import subprocess
import sys
import urllib.request

import kubernetes
import pytest
import urllib3

from tests.conformance.support import API_VERSION, GROUP, JSON_PATCH, STRATEGIC, VERSION, failure, listener

pytestmark = pytest.mark.standin_only
REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_requests_are_recorded_in_audit_verbs(kube, server, namespace):
    server.reset_counts()
    kube.create(namespace, 'listeners', listener('db'))
    kube.get(namespace, 'listeners', 'db')
    kube.custom.list_namespaced_custom_object(GROUP, VERSION, namespace, 'listeners')
    kube.custom.patch_namespaced_custom_object(GROUP, VERSION, namespace, 'listeners', 'db', {'spec': {'port': 1}})
    kube.apply(namespace, 'listeners', 'db', listener('db'), manager='one', force=True)
    kube.custom.delete_namespaced_custom_object(GROUP, VERSION, namespace, 'listeners', 'db')
    assert server.counts() == {'create': 1, 'get': 1, 'list': 1, 'patch': 1, 'apply': 1, 'delete': 1}
    assert [r.verb for r in server.requests] == ['create', 'get', 'list', 'patch', 'apply', 'delete']
    assert server.requests[0].path == f'/apis/{API_VERSION}/namespaces/{namespace}/listeners'


def test_persisted_and_dry_run_flags(kube, server, namespace):
    server.reset_counts()
    kube.apply(namespace, 'listeners', 'db', listener('db'), manager='one')
    kube.apply(namespace, 'listeners', 'db', listener('db'), manager='one')
    kube.apply(namespace, 'listeners', 'db', listener('db', port=1), manager='one', dryRun='All')
    assert [(r.persisted, r.dry_run, r.code) for r in server.requests] == [
        (True, False, 201), (False, False, 200), (False, True, 200)]
    assert server.counts(persisted=True) == {'apply': 1}
    assert server.counts(dry_run=True) == {'apply': 1}


def test_failed_requests_are_recorded_not_persisted(kube, server, namespace):
    failure(kube.get, namespace, 'listeners', 'absent')
    record = server.requests[-1]
    assert (record.verb, record.code, record.persisted) == ('get', 404, False)


def test_counts_over_http(kube, server, namespace):
    server.reset_counts()
    kube.create(namespace, 'listeners', listener('db'))
    with urllib.request.urlopen(server.url + '/_standin/requests') as response:
        report = json.load(response)
    assert report['counts']['create'] == 1 and report['requests'][-1]['verb'] == 'create'
    urllib.request.urlopen(urllib.request.Request(server.url + '/_standin/reset', method='POST')).close()
    assert server.requests == []


def test_fault_429_on_get_is_retried_by_the_client(kube, server, namespace):
    server.inject_fault(429, verb='get', path_prefix=f'/api/v1/namespaces/{namespace}')
    server.reset_counts()
    assert kube.core.read_namespace(namespace).metadata.name == namespace
    assert [(r.code, r.fault) for r in server.requests] == [(429, '429'), (200, None)]


def test_fault_429_has_retry_after(kube, server, namespace):
    server.inject_fault(429, verb='create', path_prefix=f'/apis/{GROUP}')
    status, body, headers = kube.request('POST', f'/apis/{API_VERSION}/namespaces/{namespace}/listeners',
                                         listener('db'))
    assert (status, body['reason'], headers['Retry-After']) == (429, 'TooManyRequests', '0')
    assert kube.create(namespace, 'listeners', listener('db'))['metadata']['name'] == 'db'


@pytest.mark.parametrize('code, reason', [(500, 'InternalError'), (503, 'ServiceUnavailable')])
def test_fault_server_errors(kube, server, namespace, code, reason):
    server.inject_fault(code, verb='get', times=2)
    server.reset_counts()
    for _unused in range(2):
        assert failure(kube.core.read_namespace, namespace)['reason'] == reason
    assert kube.core.read_namespace(namespace).metadata.name == namespace
    assert [r.fault for r in server.requests] == [str(code), str(code), None]


def test_fault_drop_closes_the_connection(kube, server, namespace):
    server.inject_fault('drop', verb='POST')
    with pytest.raises(urllib3.exceptions.HTTPError):
        kube.create(namespace, 'listeners', listener('db'))
    assert server.requests[-1].fault == 'drop'
    assert kube.create(namespace, 'listeners', listener('db'))['metadata']['name'] == 'db'


def test_faults_over_http(kube, server, namespace):
    request = urllib.request.Request(server.url + '/_standin/faults', method='POST',
                                     data=json.dumps({'action': 503, 'verb': 'list'}).encode())
    urllib.request.urlopen(request).close()
    error = failure(kube.custom.list_namespaced_custom_object, GROUP, VERSION, namespace, 'listeners')
    assert error['code'] == 503


def test_command_line_prints_one_line_and_serves(tmp_path):
    process = subprocess.Popen([sys.executable, '-m', 'tests.support.kube_api', '--host', '127.0.0.1', '--port',
                                '0', '--token', 't0ken'], cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True,
                               env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    try:
        line = process.stdout.readline().strip()
        assert line.startswith('kube-api stand-in listening on http://127.0.0.1:')
        config = kubernetes.client.Configuration()
        config.host = line.rsplit(' ', 1)[1]
        config.api_key = {'BearerToken': 'Bearer t0ken'}
        with kubernetes.client.ApiClient(config) as client:
            assert kubernetes.client.CoreV1Api(client).read_namespace('default').metadata.name == 'default'
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(10) == 0


# -- what the stand-in leaves out: no product path uses it, so it is refused, never answered wrongly ---------

NOT_IMPLEMENTED = 'the API server stand-in (a test double) does not implement '


@pytest.mark.parametrize('query,feature', [
    ({'watch': 'true'}, 'watch (watch=true)'),
    ({'labelSelector': 'app=db'}, 'labelSelector'),
    ({'fieldSelector': 'metadata.name=db'}, 'fieldSelector'),
])
def test_watch_and_selectors_are_refused_with_400(kube, namespace, query, feature):
    kube.create(namespace, 'listeners', listener('db'))
    status, body, _unused = kube.request('GET', f'/apis/{API_VERSION}/namespaces/{namespace}/listeners', query=query)
    assert (status, body['kind'], body['reason']) == (400, 'Status', 'BadRequest')
    assert body['message'].startswith(NOT_IMPLEMENTED + feature)


def test_a_selector_on_deletecollection_is_refused_and_deletes_nothing(kube, namespace):
    kube.create(namespace, 'listeners', listener('db'))
    status, body, _unused = kube.request('DELETE', f'/apis/{API_VERSION}/namespaces/{namespace}/listeners',
                                         query={'labelSelector': 'app=other'})
    assert (status, body['reason']) == (400, 'BadRequest') and body['message'].startswith(NOT_IMPLEMENTED)
    assert kube.get(namespace, 'listeners', 'db')['spec']['port'] == 5432


@pytest.mark.parametrize('content_type,path', [
    (JSON_PATCH, 'listener'),
    (JSON_PATCH, 'configmap'),
    (STRATEGIC, 'configmap'),
])
def test_json_and_strategic_patches_are_refused_with_415_and_change_nothing(kube, namespace, content_type, path):
    kube.create(namespace, 'listeners', listener('db'))
    kube.core.create_namespaced_config_map(namespace, {'metadata': {'name': 'cm'}, 'data': {'a': '1'}})
    url = {'listener': f'/apis/{API_VERSION}/namespaces/{namespace}/listeners/db',
           'configmap': f'/api/v1/namespaces/{namespace}/configmaps/cm'}[path]
    body = [{'op': 'add', 'path': '/metadata/labels', 'value': {'x': 'y'}}] if content_type == JSON_PATCH \
        else {'data': {'b': '2'}}
    status, answer, _unused = kube.request('PATCH', url, body, content_type=content_type)
    assert (status, answer['reason']) == (415, 'UnsupportedMediaType')
    assert answer['message'] == NOT_IMPLEMENTED + content_type + ' patches: no product path uses it'
    assert kube.get(namespace, 'listeners', 'db')['metadata'].get('labels') is None
    assert kube.core.read_namespaced_config_map('cm', namespace).data == {'a': '1'}
