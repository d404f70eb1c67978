"""Kubernetes backend pieces without a server: auth options, managed fields, grants, error translation."""

import datetime
import json

import pytest
import yaml

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
    assert 'kubectl' in conflict.message and 'force: false' in conflict.message
    refused = kube.error(api_exception(401, {'message': 'Unauthorized'}), 'Listener', 'l', 'x')
    assert 'refused a bearer token' in refused.message


def test_kubeconfig_secrets_are_masked():
    module = type('M', (), {'params': {'kubeconfig': KUBECONFIG}, 'no_log_values': set()})()
    auth.protect_kubeconfig(module)
    assert module.no_log_values == {'token-one', 'token-two'}


# -- status of the current generation ----------------------------------------------------------------

def _listener(generation, observed, status='Ready'):
    condition = {'type': 'Ready', 'status': 'True' if status == 'Ready' else 'False', 'observedGeneration': observed}
    return {'metadata': {'generation': generation},
            'status': {'status': status, 'message': 'OK', 'conditions': [
                {'type': 'Matched', 'status': 'True', 'observedGeneration': 1}, condition]}}


def test_a_status_of_an_older_generation_is_not_ready():
    assert backend.is_ready(_listener(2, 2))
    assert not backend.is_ready(_listener(3, 2)), 'Ready for generation 2 says nothing about generation 3'
    assert backend.is_ready(_listener(3, 3)), 'Skupper leaves conditions it did not touch at older generations'
    assert 'no status yet for generation 3' in backend.not_ready_text(_listener(3, 2))
    assert 'for generation 2' in backend.not_ready_text(_listener(3, 2))


def test_a_status_without_observed_generation_counts_as_it_is():
    assert backend.is_ready({'metadata': {'generation': 5}, 'status': {'status': 'Ready'}})
    assert backend.observed_generation({'status': {'conditions': [{'type': 'A', 'observedGeneration': 4},
                                                                  {'type': 'B', 'observedGeneration': 6}]}}) == 6


def test_apply_body_has_no_server_metadata_and_no_status():
    read_back = {'apiVersion': 'v1', 'kind': 'Secret', 'status': {'x': 1}, 'data': {'a': 'eA=='},
                 'metadata': {'name': 's', 'labels': {'a': 'b'}, 'finalizers': ['f'], 'uid': 'u', 'generation': 2,
                              'resourceVersion': '7', 'creationTimestamp': 't', 'managedFields': [{}],
                              'selfLink': '/x', 'deletionTimestamp': 't', 'deletionGracePeriodSeconds': 0}}
    assert backend.apply_body(read_back) == {'apiVersion': 'v1', 'kind': 'Secret', 'data': {'a': 'eA=='}, 'metadata': {
        'name': 's', 'labels': {'a': 'b'}, 'finalizers': ['f']}}


class Clock(object):
    """A fake clock for waits: sleep() moves time; reads are counted by the backend's client."""

    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def time(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


class NeverReady(object):
    def __init__(self):
        self.reads = 0

    def get(self, kind, namespace, name):
        self.reads += 1
        return {'metadata': {'name': name, 'generation': 1}, 'status': {'status': 'Pending', 'message': 'later'}}


def test_a_wait_ends_at_its_timeout_not_a_sleep_later():
    clock, client = Clock(), NeverReady()
    kube = backend.KubernetesBackend(client, 'ns', sleep=clock.sleep, clock=clock.time)
    with pytest.raises(BackendError) as error:
        kube.wait_ready('Listener', 'l', 5, 2)
    assert clock.sleeps == [2, 2, 1] and clock.now == 5, 'the last sleep is cut to the deadline'
    assert client.reads == 4, 'the last read is at the deadline'
    assert 'was not ready after 5 s: status Pending: later' in error.value.message


# -- kubeconfig files ---------------------------------------------------------------------------------

@pytest.mark.parametrize('content, expected', [
    ('just-a-hostname\n', 'is not a kubeconfig: it holds str'),
    ('clusters: [unclosed\n', 'is not valid YAML'),
    ('', 'is not a kubeconfig: it holds nothing'),
    ('clusters: {a: b}\n', 'clusters must be a list'),
])
def test_a_malformed_kubeconfig_is_a_clear_error(tmp_path, content, expected):
    path = tmp_path / 'config'
    path.write_text(content)
    with pytest.raises(BackendError) as error:
        auth.build_configuration({'kubeconfig': str(path)})
    assert expected in error.value.message and str(path) in error.value.message


def test_a_kubeconfig_that_is_a_directory_is_a_clear_error(tmp_path):
    with pytest.raises(BackendError) as error:
        auth.build_configuration({'kubeconfig': str(tmp_path)})
    assert error.value.message.startswith('cannot read the kubeconfig %s: ' % tmp_path)


def test_a_broken_cluster_entry_is_a_clear_error(tmp_path):
    path = tmp_path / 'config'
    broken = dict(KUBECONFIG, clusters=[{'name': 'c1', 'cluster': {'server': 'https://one.example:6443',
                                                                   'certificate-authority-data': 'not base64!'}}])
    path.write_text(json.dumps(broken))
    with pytest.raises(BackendError) as error:
        auth.build_configuration({'kubeconfig': str(path)})
    assert error.value.message.startswith('cannot use the kubeconfig')


def _split_kubeconfig(tmp_path):
    """KUBECONFIG split in two files: the first sets current-context two, the second one."""
    first = {'apiVersion': 'v1', 'kind': 'Config', 'current-context': 'two', 'clusters': [KUBECONFIG['clusters'][1]],
             'users': [KUBECONFIG['users'][1]], 'contexts': [KUBECONFIG['contexts'][1]]}
    second = dict(KUBECONFIG)
    (tmp_path / 'a').write_text(json.dumps(first))
    (tmp_path / 'b').write_text(json.dumps(second))
    return '%s:%s:%s' % (tmp_path / 'a', tmp_path / 'missing', tmp_path / 'b')


def test_a_kubeconfig_path_list_is_merged_like_kubectl(tmp_path, monkeypatch):
    paths = _split_kubeconfig(tmp_path)
    config = auth.build_configuration({'kubeconfig': paths})
    assert config.host == 'https://two.example:6443', 'current-context: the first file that sets it wins'
    config = auth.build_configuration({'kubeconfig': paths, 'context': 'one'})
    assert (config.host, bearer(config)) == ('https://one.example:6443', 'Bearer token-one')
    monkeypatch.setenv('KUBECONFIG', paths)
    monkeypatch.delenv('KUBERNETES_SERVICE_HOST', raising=False)
    config = auth.build_configuration({'context': 'one'})
    assert config.host == 'https://one.example:6443', 'KUBECONFIG: every file of the list, not only the first'


def test_a_kubeconfig_list_of_missing_files_is_a_clear_error(tmp_path):
    with pytest.raises(BackendError) as error:
        auth.build_configuration({'kubeconfig': '%s:%s' % (tmp_path / 'x', tmp_path / 'y')})
    assert error.value.message == 'kubeconfig %s, %s does not exist' % (tmp_path / 'x', tmp_path / 'y')


# -- requests ----------------------------------------------------------------------------------------

def test_every_request_has_a_timeout():
    kube = client.KubeClient.from_params({'api_host': 'http://127.0.0.1:1'})
    assert kube.timeout == client.REQUEST_TIMEOUT == (10, 60)


def test_forbidden_names_a_missing_permission_not_bad_credentials():
    kube = client.KubeClient(FakeApi())
    denied = kube.error(api_exception(403, {'message': 'listeners.skupper.io "l" is forbidden: User "u" cannot patch '
                                                       'resource "listeners"'}), 'Listener', 'l', 'ns')
    assert 'HTTP 403 Forbidden, a missing permission' in denied.message and 'RBAC' in denied.message
    assert 'cannot patch resource "listeners"' in denied.message and 'refused' not in denied.message


def test_one_api_client_per_connection_settings(tmp_path, monkeypatch):
    """The same effective settings share a client (and its connection pool); other settings, another
    environment or a rewritten kubeconfig get their own."""
    monkeypatch.setattr(auth, '_CLIENTS', {})
    monkeypatch.setenv('KUBECONFIG', str(tmp_path / 'none'))
    first = auth.get_api_client({'api_host': 'https://a:6443', 'api_key': 'one'})
    assert auth.get_api_client({'api_host': 'https://a:6443', 'api_key': 'one'}) is first
    assert auth.get_api_client({'api_host': 'https://a:6443', 'api_key': 'two'}) is not first
    assert auth.get_api_client({'api_host': 'https://b:6443', 'api_key': 'one'}) is not first
    path = tmp_path / 'kubeconfig'
    path.write_text(yaml.safe_dump(KUBECONFIG))
    from_file = auth.get_api_client({'kubeconfig': str(path)})
    assert auth.get_api_client({'kubeconfig': str(path)}) is from_file
    changed = dict(KUBECONFIG, **{'current-context': 'two'})
    path.write_text(yaml.safe_dump(changed) + '\n# rewritten\n')
    assert auth.get_api_client({'kubeconfig': str(path)}) is not from_file
    monkeypatch.setenv('KUBECONFIG', str(path))
    by_environment = auth.get_api_client({})
    monkeypatch.setenv('KUBECONFIG', str(tmp_path / 'other'))
    (tmp_path / 'other').write_text(yaml.safe_dump(KUBECONFIG))
    assert auth.get_api_client({}) is not by_environment
