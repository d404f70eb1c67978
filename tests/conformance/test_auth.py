"""Authentication of the stand-in: HTTPS with its own CA, bearer tokens, client certificates, kubeconfig files."""

import json

import kubernetes
import pytest

from tests.support.kube_api import start_server

pytestmark = pytest.mark.standin_only


@pytest.fixture(scope='module')
def secured():
    server = start_server(tls=True, token='s3cret', client_ca=True)
    yield server
    server.stop()


def _client(tmp_path, server, context=None, **credentials):
    path = tmp_path / 'kubeconfig'
    server.kubeconfig(path, **credentials)
    return kubernetes.config.new_client_from_config(config_file=str(path), context=context)


def _list_namespaces(client):
    with client:
        return [n.metadata.name for n in kubernetes.client.CoreV1Api(client).list_namespace().items]


def test_https_with_token_from_kubeconfig(tmp_path, secured):
    assert 'default' in _list_namespaces(_client(tmp_path, secured))
    assert secured.url.startswith('https://127.0.0.1:')


def test_anonymous_context_is_unauthorized(tmp_path, secured):
    with pytest.raises(kubernetes.client.ApiException) as caught:
        _list_namespaces(_client(tmp_path, secured, context='stand-in-anonymous'))
    assert caught.value.status == 401 and '"reason": "Unauthorized"' in caught.value.body


def test_wrong_token_is_unauthorized(tmp_path, secured):
    with pytest.raises(kubernetes.client.ApiException) as caught:
        _list_namespaces(_client(tmp_path, secured, token='wrong'))
    assert caught.value.status == 401


def test_client_certificate_authenticates(tmp_path, secured):
    cert, key = secured.issue_client_cert('alice', tmp_path)
    config = kubernetes.client.Configuration()
    config.host, config.ssl_ca_cert, config.cert_file, config.key_file = secured.url, secured.ca_file, cert, key
    assert 'default' in _list_namespaces(kubernetes.client.ApiClient(config))


def test_kubeconfig_dict_has_both_contexts(tmp_path, secured):
    config = secured.kubeconfig(tmp_path / 'kc', namespace='west')
    assert config['current-context'] == 'stand-in'
    assert {c['name']: c['context']['namespace'] for c in config['contexts']} == {
        'stand-in': 'west', 'stand-in-anonymous': 'west'}
    assert config['clusters'][0]['cluster'] == {'server': secured.url, 'certificate-authority': secured.ca_file}
    assert (tmp_path / 'kc').stat().st_mode & 0o777 == 0o600


def test_untrusted_client_is_refused_by_tls(secured):
    config = kubernetes.client.Configuration()
    config.host = secured.url
    config.retries = 0
    with pytest.raises(Exception) as caught:
        _list_namespaces(kubernetes.client.ApiClient(config))
    assert 'CERTIFICATE_VERIFY_FAILED' in str(caught.value)


def test_plain_http_server_needs_no_credentials(tmp_path):
    with start_server() as server:
        assert server.url.startswith('http://') and 'default' in _list_namespaces(_client(tmp_path, server))


def test_read_only_token_reads_but_may_not_write(tmp_path):
    """RBAC on the stand-in: a token bound to get/list/watch only gets kube's 403 Forbidden for writes."""
    server = start_server(read_only_token='reader-token')
    try:
        config = kubernetes.client.Configuration(host=server.url)
        config.api_key = {'authorization': 'Bearer reader-token'}
        with kubernetes.client.ApiClient(config) as client:
            custom = kubernetes.client.CustomObjectsApi(client)
            assert custom.list_namespaced_custom_object('skupper.io', 'v2alpha1', 'default', 'listeners')['items'] == []
            with pytest.raises(kubernetes.client.ApiException) as caught:
                custom.create_namespaced_custom_object('skupper.io', 'v2alpha1', 'default', 'listeners', {
                    'apiVersion': 'skupper.io/v2alpha1', 'kind': 'Listener', 'metadata': {'name': 'l'},
                    'spec': {'routingKey': 'k', 'host': 'h', 'port': 1}})
        body = json.loads(caught.value.body)
        assert (caught.value.status, body['reason']) == (403, 'Forbidden')
        assert body['message'] == ('listeners.skupper.io is forbidden: User "system:serviceaccount:default:reader" '
                                   'cannot create resource "listeners" in API group "skupper.io" in the namespace '
                                   '"default"')
        assert body['details'] == {'group': 'skupper.io', 'kind': 'listeners'}
        assert server.counts(persisted=True) == {}
    finally:
        server.stop()


def test_bearer_scheme_is_case_insensitive(secured):
    """kube reads `Authorization: bearer <token>` too: the kubernetes client's in-cluster configuration sends it."""
    for scheme, expected in (('bearer', 200), ('BEARER', 200), ('Bearer', 200), ('Basic', 401)):
        config = kubernetes.client.Configuration(host=secured.url)
        config.ssl_ca_cert = secured.ca_file
        config.api_key = {'authorization': '%s s3cret' % scheme}
        with kubernetes.client.ApiClient(config) as client:
            assert _status_of(kubernetes.client.CoreV1Api(client).list_namespace) == expected, scheme


def _status_of(call):
    try:
        call()
    except kubernetes.client.ApiException as exc:
        return exc.status
    return 200
