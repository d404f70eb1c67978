"""Core objects: namespaces, secrets and config maps."""

import base64
import uuid

import pytest

from tests.conformance.support import failure


def test_namespace_create_get_list_delete(kube):
    # A unique name: a real cluster keeps a deleted namespace Terminating for a while.
    name = f'conformance-ns-{uuid.uuid4().hex[:10]}'
    created = kube.core.create_namespace({'metadata': {'name': name}})
    try:
        assert created.status.phase == 'Active'
        assert created.metadata.labels['kubernetes.io/metadata.name'] == name
        assert kube.core.read_namespace(name).metadata.uid == created.metadata.uid
        assert name in [n.metadata.name for n in kube.core.list_namespace().items]
    finally:
        status, deleted, _unused = kube.request('DELETE', f'/api/v1/namespaces/{name}')
    assert status == 200 and deleted['status']['phase'] == 'Terminating'


def test_namespace_name_must_be_a_dns_label(kube):
    error = failure(kube.core.create_namespace, {'metadata': {'name': 'Bad.Name'}})
    assert error['code'] == 422 and error['reason'] == 'Invalid'
    assert error['message'].startswith('Namespace "Bad.Name" is invalid: metadata.name: Invalid value: "Bad.Name"')
    assert error['details']['causes'][0]['field'] == 'metadata.name'


@pytest.mark.standin_only
def test_deleting_a_namespace_deletes_its_objects(kube):
    kube.core.create_namespace({'metadata': {'name': 'conformance-doomed'}})
    kube.core.create_namespaced_config_map('conformance-doomed', {'metadata': {'name': 'cm'}, 'data': {'a': 'b'}})
    kube.core.delete_namespace('conformance-doomed')
    assert failure(kube.core.read_namespaced_config_map, 'cm', 'conformance-doomed')['code'] == 404
    assert failure(kube.core.read_namespace, 'conformance-doomed')['code'] == 404


def test_create_in_missing_namespace_is_namespace_not_found(kube):
    body = failure(kube.core.create_namespaced_secret, 'conformance-missing', {'metadata': {'name': 's'}})
    assert body['code'] == 404
    assert body['message'] == 'namespaces "conformance-missing" not found'
    assert body['reason'] == 'NotFound' and body['details'] == {'name': 'conformance-missing', 'kind': 'namespaces'}


def test_secret_string_data_is_folded_into_base64_data(kube, namespace):
    secret = kube.core.create_namespaced_secret(namespace, {
        'metadata': {'name': 'creds'}, 'data': {'a': base64.b64encode(b'one').decode()},
        'stringData': {'b': 'two'}})
    assert secret.string_data is None and secret.type == 'Opaque'
    assert {k: base64.b64decode(v) for k, v in secret.data.items()} == {'a': b'one', 'b': b'two'}


def test_secret_data_must_be_base64(kube, namespace):
    status, body, _unused = kube.request('POST', f'/api/v1/namespaces/{namespace}/secrets',
                                         {'apiVersion': 'v1', 'kind': 'Secret', 'metadata': {'name': 'bad'},
                                          'data': {'key': 'not base64!'}})
    assert status == 400 and body['reason'] == 'BadRequest'
    assert 'illegal base64 data' in body['message']


def test_secret_data_keys_must_be_config_keys(kube, namespace):
    error = failure(kube.core.create_namespaced_secret, namespace,
                    {'metadata': {'name': 'bad-key'}, 'stringData': {'no spaces': 'x'}})
    assert error['code'] == 422 and 'a valid config key must consist of alphanumeric' in error['message']


def test_config_map_replace_and_get(kube, namespace):
    kube.core.create_namespaced_config_map(namespace, {'metadata': {'name': 'settings'}, 'data': {'a': '1'}})
    replaced = kube.core.replace_namespaced_config_map('settings', namespace,
                                                       {'metadata': {'name': 'settings'}, 'data': {'b': '2'}})
    assert replaced.data == {'b': '2'}
    assert kube.core.read_namespaced_config_map('settings', namespace).data == {'b': '2'}


def test_delete_config_map_answers_success_status(kube, namespace):
    kube.core.create_namespaced_config_map(namespace, {'metadata': {'name': 'gone'}})
    status, body, _unused = kube.request('DELETE', f'/api/v1/namespaces/{namespace}/configmaps/gone')
    assert status == 200 and body['kind'] == 'Status' and body['status'] == 'Success'
    assert body['details']['name'] == 'gone' and body['details']['kind'] == 'configmaps'


def test_secret_not_found_status(kube, namespace):
    status, body, _unused = kube.request('GET', f'/api/v1/namespaces/{namespace}/secrets/absent')
    assert status == 404
    assert body == {'kind': 'Status', 'apiVersion': 'v1', 'metadata': {}, 'status': 'Failure',
                    'message': 'secrets "absent" not found', 'reason': 'NotFound',
                    'details': {'name': 'absent', 'kind': 'secrets'}, 'code': 404}


def test_list_secrets_in_all_namespaces(kube, namespace):
    kube.core.create_namespaced_secret(namespace, {'metadata': {'name': 'everywhere'}})
    names = {(s.metadata.namespace, s.metadata.name) for s in kube.core.list_secret_for_all_namespaces().items}
    assert (namespace, 'everywhere') in names


def test_server_side_apply_of_a_secret(kube, namespace):
    body = {'apiVersion': 'v1', 'kind': 'Secret', 'metadata': {'name': 'applied'}, 'stringData': {'k': 'v'}}
    path = f'/api/v1/namespaces/{namespace}/secrets/applied'
    status, created, _unused = kube.request('PATCH', path, body, {'fieldManager': 'one'}, 'application/apply-patch+yaml')
    assert status == 201 and base64.b64decode(created['data']['k']) == b'v' and created['type'] == 'Opaque'
    status, again, _unused = kube.request('PATCH', path, body, {'fieldManager': 'one'}, 'application/apply-patch+yaml')
    assert status == 200 and again['metadata']['resourceVersion'] == created['metadata']['resourceVersion']


def test_server_side_apply_of_a_namespace_label(kube, namespace):
    body = {'apiVersion': 'v1', 'kind': 'Namespace', 'metadata': {'name': namespace, 'labels': {'team': 'a'}}}
    status, applied, _unused = kube.request('PATCH', f'/api/v1/namespaces/{namespace}', body, {'fieldManager': 'one'},
                                            'application/apply-patch+yaml')
    assert status == 200 and applied['metadata']['labels']['team'] == 'a'
    assert applied['metadata']['labels']['kubernetes.io/metadata.name'] == namespace
