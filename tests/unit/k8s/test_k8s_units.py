"""Kubernetes backend pieces without a server: auth options, managed fields, grants, error translation."""

import datetime
import json

import pytest

from kubernetes.client.rest import ApiException

from ansible_collections.appnet.skupper.plugins.module_utils.backend import BackendError
from ansible_collections.appnet.skupper.plugins.module_utils.k8s import auth, backend, client, tokens

KUBECONFIG = {
    'apiVersion': 'v1', 'kind': 'Config', 'current-context': 'one',
    'clusters': [{'name': 'c1', 'cluster': {'server': 'https://one.example:6443'}},
                 {'name': 'c2', 'cluster': {'server': 'https://two.example:6443', 'insecure-skip-tls-verify': True}}],
    'users': [{'name': 'u1', 'user': {'token': 'token-one'}}, {'name': 'u2', 'user': {'token': 'token-two'}}],
    'contexts': [{'name': 'one', 'context': {'cluster': 'c1', 'user': 'u1'}},
                 {'name': 'two', 'context': {'cluster': 'c2', 'user': 'u2'}}],
}


def bearer(config):
    return config.auth_settings()['BearerToken']['value']


def test_kubeconfig_dict_and_context():
    config = auth.build_configuration({'kubeconfig': KUBECONFIG})
    assert config.host == 'https://one.example:6443'
    assert bearer(config) == 'Bearer token-one'
    config = auth.build_configuration({'kubeconfig': KUBECONFIG, 'context': 'two'})
    assert config.host == 'https://two.example:6443' and config.verify_ssl is False


def test_kubeconfig_file_and_explicit_options_override(tmp_path):
    path = tmp_path / 'config'
    path.write_text(json.dumps(KUBECONFIG))
    config = auth.build_configuration({'kubeconfig': str(path), 'api_host': 'https://override:443', 'api_key': 'x',
                                       'ca_cert': '/ca.pem', 'validate_certs': False, 'proxy': 'http://proxy:3128'})
    assert (config.host, bearer(config), config.ssl_ca_cert, config.verify_ssl, config.proxy) == (
        'https://override:443', 'Bearer x', '/ca.pem', False, 'http://proxy:3128')
    assert config.retries is False


def test_no_way_to_the_api_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv('KUBECONFIG', str(tmp_path / 'missing'))
    monkeypatch.delenv('KUBERNETES_SERVICE_HOST', raising=False)
    with pytest.raises(BackendError) as error:
        auth.build_configuration({})
    assert 'kubeconfig or api_host' in error.value.message
    with pytest.raises(BackendError) as error:
        auth.build_configuration({'kubeconfig': str(tmp_path / 'nope')})
    assert 'does not exist' in error.value.message


def test_owned_fields_dropped_by_the_desired_document():
    live = {'metadata': {'managedFields': [
        {'manager': 'appnet.skupper', 'operation': 'Apply', 'fieldsV1': {
            'f:spec': {'f:port': {}, 'f:observer': {}, 'f:endpoints': {'k:{"name":"edge"}': {'.': {}}}}}},
        {'manager': 'other', 'operation': 'Apply', 'fieldsV1': {'f:spec': {'f:host': {}}}}]}}
    desired = {'spec': {'port': 1, 'endpoints': [{'name': 'edge'}]}}
    assert backend.dropped_fields(live, desired) == ['spec.observer']
    assert backend.dropped_fields(live, {'spec': {'port': 1, 'observer': 'auto', 'endpoints': []}}) == []


def test_secret_string_data_is_encoded():
    secret = backend.secret_with_data({'kind': 'Secret', 'stringData': {'a': 'x'}, 'data': {'b': 'eQ=='}})
    assert secret == {'kind': 'Secret', 'data': {'a': 'eA==', 'b': 'eQ=='}}


def test_ready_rules():
    assert backend.is_ready({'status': {'status': 'Ready'}})
    assert backend.is_ready({'status': {'conditions': [{'type': 'Ready', 'status': 'True'}]}})
    assert not backend.is_ready({'status': {'status': 'Pending', 'conditions': [{'type': 'Ready', 'status': 'False'}]}})


def test_grant_usability():
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    grant = {'spec': {'redemptionsAllowed': 2}, 'status': {'url': 'u', 'redemptions': 1,
                                                           'expirationTime': '2026-01-01T00:10:00Z'}}
    assert tokens.why_unusable(grant, now) is None
    grant['status']['redemptions'] = 2
    assert 'used up' in tokens.why_unusable(grant, now)
    grant['status'].update(redemptions=0, expirationTime='2025-12-31T23:59:00Z')
    assert 'expired' in tokens.why_unusable(grant, now)
    assert tokens.why_unusable({'status': {}}, now) is None


class FakeApi:
    def __init__(self):
        self.configuration = type('C', (), {'host': 'https://api:6443', 'api_key': {'authorization': 'Bearer t'},
                                            'cert_file': None})()


def api_exception(status, body):
    error = ApiException(status=status, reason='reason')
    error.body = json.dumps(body)
    return error


def test_error_translation():
    kube = client.KubeClient(FakeApi())
    missing = kube.error(api_exception(404, {'message': 'namespaces "x" not found', 'details': {'kind': 'namespaces'}}),
                         'Listener', 'l', 'x')
    assert missing.message.startswith('namespace "x" does not exist')
    invalid = kube.error(api_exception(422, {'message': 'bad', 'details': {'causes': [
        {'field': 'spec.port', 'message': 'must be of type integer'}]}}), 'Listener', 'l', 'x')
    assert invalid.message == 'Listener "l" is invalid: spec.port: must be of type integer'
    conflict = kube.error(api_exception(409, {'message': 'Apply failed with 1 conflict: conflict with "kubectl"',
                                              'details': {'causes': [{'field': '.spec.port',
                                                                      'message': 'conflict with "kubectl"'}]}}),
                          'Listener', 'l', 'x')
    assert 'kubectl' in conflict.message and 'force: true' in conflict.message
    refused = kube.error(api_exception(401, {'message': 'Unauthorized'}), 'Listener', 'l', 'x')
    assert 'refused a bearer token' in refused.message


def test_kubeconfig_secrets_are_masked():
    module = type('M', (), {'params': {'kubeconfig': KUBECONFIG}, 'no_log_values': set()})()
    auth.protect_kubeconfig(module)
    assert module.no_log_values == {'token-one', 'token-two'}
