"""Tests of the Skupper controller stand-in (tests/support/controller) and tests/support/pki.py.

The first part checks the pure rules and the real HTTPS redeem endpoint on its own; the second part
runs the controller against the Kubernetes API stand-in over HTTP, end to end.
"""

import base64
import datetime
import http.client
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse

import pytest
import yaml
from kubernetes import client

from tests.support import pki
from tests.support.controller import Controller, grants, network, redeem
from tests.support.controller import status as st


# -- pure rules ----------------------------------------------------------------------------------

@pytest.mark.parametrize('text, seconds', [('15m', 900), ('1h30m', 5400), ('90s', 90), ('1.5h', 5400),
                                           ('250ms', 0.25), ('-2m', -120), ('0', 0)])
def test_go_durations_are_parsed(text, seconds):
    assert st.parse_go_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize('text', ['', '15', 'm', '1x', '1h 2m', None])
def test_invalid_go_durations_are_refused(text):
    with pytest.raises(ValueError):
        st.parse_go_duration(text)


def _obj(generation=3, conditions=None):
    return {'metadata': {'name': 'x', 'generation': generation}, 'status': {'conditions': conditions or []}}


def test_missing_required_condition_makes_pending_not_type():
    status = st.build_status(_obj(), {'Configured': st.ready_state()}, ('Configured', 'Matched'))
    assert (status['status'], status['message']) == ('Pending', 'Not Matched')
    ready = next(c for c in status['conditions'] if c['type'] == 'Ready')
    assert (ready['status'], ready['reason'], ready['observedGeneration']) == ('False', 'Pending', 3)


def test_first_false_condition_gives_its_reason_and_message():
    status = st.build_status(_obj(), {'Configured': st.error_state('boom'), 'Matched': st.pending_state('later')},
                             ('Configured', 'Matched'))
    assert (status['status'], status['message']) == ('Error', 'boom')


def test_all_required_conditions_true_is_ready_ok():
    status = st.build_status(_obj(), {'Processed': st.ready_state(), 'Resolved': st.ready_state()},
                             ('Processed', 'Resolved'), {'url': 'https://x', 'code': None})
    assert (status['status'], status['message'], status['url']) == ('Ready', 'OK', 'https://x')
    assert 'code' not in status
    assert {c['type'] for c in status['conditions']} == {'Processed', 'Resolved', 'Ready'}


def test_transition_time_kept_while_status_unchanged_and_moved_on_change():
    old = {'type': 'Matched', 'status': 'False', 'reason': 'Pending', 'message': 'm',
           'lastTransitionTime': '2020-01-01T00:00:00Z', 'observedGeneration': 1}
    same = st.build_status(_obj(conditions=[dict(old)]), {'Matched': st.pending_state('other')}, ('Matched',))
    changed = st.build_status(_obj(conditions=[dict(old)]), {'Matched': st.ready_state()}, ('Matched',))
    assert same['conditions'][0]['lastTransitionTime'] == '2020-01-01T00:00:00Z'
    assert same['conditions'][0]['observedGeneration'] == 3
    assert changed['conditions'][0]['lastTransitionTime'] != '2020-01-01T00:00:00Z'


def test_status_difference_ignores_transition_times_only():
    one = {'status': 'Ready', 'conditions': [{'type': 'A', 'lastTransitionTime': '2020-01-01T00:00:00Z'}]}
    two = {'status': 'Ready', 'conditions': [{'type': 'A', 'lastTransitionTime': '2024-01-01T00:00:00Z'}]}
    assert not st.status_differs(one, two)
    assert st.status_differs(one, dict(two, status='Pending'))


def _grant(created, window=None, allowed=None, redemptions=None):
    grant = {'metadata': {'name': 'g', 'creationTimestamp': st.rfc3339(created)}, 'spec': {}, 'status': {}}
    if window:
        grant['spec']['expirationWindow'] = window
    if allowed:
        grant['spec']['redemptionsAllowed'] = allowed
    if redemptions is not None:
        grant['status']['redemptions'] = redemptions
    return grant


def test_grant_expiry_defaults_to_ten_minutes_as_skuppers_controller_does():
    created = datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)
    assert grants.expiration_time(_grant(created)) == created + datetime.timedelta(minutes=10)
    assert grants.expiration_time(_grant(created, '1h30m')) == created + datetime.timedelta(minutes=90)


@pytest.mark.parametrize('grant_args, code, expected', [
    (dict(window='1s'), 'right', (404, 'No such claim')),
    (dict(window='1h', redemptions=1), 'right', (404, 'No such access granted')),
    (dict(window='1h', allowed=3, redemptions=2), 'wrong', (403, 'Redemption of access token refused')),
])
def test_grant_server_refusals(grant_args, code, expected):
    created = st.now() - datetime.timedelta(seconds=5)
    with pytest.raises(grants.RedeemRefused) as refused:
        grants.check_redeemable(_grant(created, **grant_args), code, 'right')
    assert (refused.value.http_status, refused.value.message) == expected


def test_redeemable_grant_passes():
    grants.check_redeemable(_grant(st.now(), '1h', allowed=2, redemptions=1), 'right', 'right')


def test_random_codes_are_24_alphanumerics():
    codes = {grants.random_code() for _unused in range(5)}
    assert len(codes) == 5 and all(len(code) == 24 and code.isalnum() for code in codes)


ENDPOINTS = [{'name': 'inter-router', 'host': '127.0.0.1', 'port': '40001', 'group': 'skupper-router'},
             {'name': 'edge', 'host': '127.0.0.1', 'port': '40002', 'group': 'skupper-router'}]


def test_redeem_documents_are_a_client_secret_and_a_link():
    ca = pki.make_ca('skupper-site-ca')
    secret, link = grants.redeem_documents('to-west', 'site-uid-1', ENDPOINTS, ca)
    data = pki.decode_secret_data(secret['data'])
    assert (secret['kind'], secret['type'], secret['metadata']['name']) == ('Secret', 'kubernetes.io/tls', 'to-west')
    assert pki.is_signed_by(data['tls.crt'], ca.cert_pem) and data['ca.crt'] == ca.cert_pem
    assert pki.common_name(data['tls.crt']) == 'site-uid-1'
    assert link['apiVersion'] == 'skupper.io/v2alpha1' and link['spec'] == {'endpoints': ENDPOINTS,
                                                                            'tlsCredentials': 'to-west'}


def test_one_link_per_endpoint_group_numbered_from_one():
    more = ENDPOINTS + [dict(ENDPOINTS[0], group='ra2', port='40003')]
    docs = grants.redeem_documents('l', 's', more, pki.make_ca('ca'))
    assert [doc['metadata']['name'] for doc in docs] == ['l', 'l-1', 'l-2']
    assert docs[1]['spec']['endpoints'][0]['group'] != 'ra2' and docs[2]['spec']['endpoints'][0]['group'] == 'ra2'
    assert {doc['spec']['tlsCredentials'] for doc in docs[1:]} == {'l'}


def test_signature_check_rejects_another_ca():
    ca, other = pki.make_ca('one'), pki.make_ca('two')
    leaf = pki.issue_certificate(ca, 'c', client=True)
    assert pki.is_signed_by(leaf.cert_pem, ca.cert_pem)
    assert not pki.is_signed_by(leaf.cert_pem, other.cert_pem)
    assert not pki.is_signed_by('not a certificate', ca.cert_pem)


def _site(namespace, ca, port='40001'):
    return network.SiteInfo(namespace, namespace + '-site', namespace + '-uid',
                            [dict(ENDPOINTS[0], port=port)], ca.cert_pem)


def test_link_states():
    ca = pki.make_ca('west-ca')
    west = _site('west', ca)
    good = {'tls.crt': pki.issue_certificate(ca, 'east', client=True).cert_pem}
    bad = {'tls.crt': pki.issue_certificate(pki.make_ca('x'), 'east', client=True).cert_pem}
    link = {'metadata': {'name': 'l'}, 'spec': {'tlsCredentials': 's', 'endpoints': [ENDPOINTS[0]]}}
    elsewhere = {'metadata': {'name': 'l'}, 'spec': {'tlsCredentials': 's',
                                                     'endpoints': [dict(ENDPOINTS[0], port='55671')]}}
    assert network.evaluate_link(link, good, [west]) == (True, 'OK', west)
    assert network.evaluate_link(link, None, [west]).message == 'secret "s" not found'
    assert network.evaluate_link(elsewhere, good, [west]).message == 'no site listens on 127.0.0.1:55671'
    assert network.evaluate_link(link, bad, [west]).message == "certificate not signed by the remote site's CA"


def test_networks_are_transitive_and_undirected():
    nets = network.networks(['a', 'b', 'c', 'd'], [('a', 'b'), ('c', 'b')])
    assert nets['a'] == nets['c'] == frozenset('abc') and nets['d'] == frozenset('d')


# -- the HTTPS redeem endpoint on its own ------------------------------------------------------

@pytest.fixture
def redeem_server():
    calls = []

    def decide(path, body, headers):
        calls.append((path, body, headers.get('name'), headers.get('subject')))
        return (200, 'kind: Secret\n---\nkind: Link\n') if body == b'good' else (403, 'nope')

    server = redeem.RedeemServer(decide).start()
    server.calls = calls
    yield server
    server.stop()


def _request(server, method, path, body=None, ca_pem=None, maximum_tls=None):
    context = ssl.create_default_context(cadata=ca_pem or server.ca_pem)
    if maximum_tls:
        context.maximum_version = maximum_tls
    connection = http.client.HTTPSConnection('127.0.0.1', server.port, context=context, timeout=5)
    try:
        connection.request(method, path, body=body)
        response = connection.getresponse()
        return response.status, response.read().decode(), connection.sock.version()
    finally:
        connection.close()


def test_redeem_endpoint_only_accepts_post(redeem_server):
    assert _request(redeem_server, 'GET', '/ns/g')[:2] == (405, 'Only POST is supported')
    assert _request(redeem_server, 'PUT', '/ns/g', b'x')[:2] == (405, 'Only POST is supported')
    assert redeem_server.calls == []


def test_redeem_endpoint_speaks_tls13_only_with_its_own_ca(redeem_server):
    status, _unused, version = _request(redeem_server, 'POST', '/ns/g', b'good')
    assert status == 200 and version == 'TLSv1.3'
    with pytest.raises(ssl.SSLError):  # Skupper's grant server is TLS 1.3 only, so is the stand-in
        _request(redeem_server, 'POST', '/ns/g', b'good', maximum_tls=ssl.TLSVersion.TLSv1_2)
    assert len(redeem_server.calls) == 1
    with pytest.raises(ssl.SSLCertVerificationError):
        _request(redeem_server, 'POST', '/ns/g', b'good', ca_pem=pki.make_ca('other').cert_pem)


def test_redeem_client_requires_tls13_like_skuppers(tmp_path):
    """The controller stand-in redeems as Skupper's controller does: minimum TLS 1.3 (nonkube-runtime.md 9)."""
    ca = pki.make_ca('old-server-ca')
    pair = pki.issue_certificate(ca, '127.0.0.1', hosts=['127.0.0.1'], server=True)
    (tmp_path / 'tls.crt').write_text(pair.cert_pem)
    (tmp_path / 'tls.key').write_text(pair.key_pem)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(str(tmp_path / 'tls.crt'), str(tmp_path / 'tls.key'))
    listener = context.wrap_socket(socket.create_server(('127.0.0.1', 0)), server_side=True)
    outcome = []
    accepting = threading.Thread(target=_answer_once, args=(listener, outcome), daemon=True)
    accepting.start()
    try:
        with pytest.raises(redeem.RedeemError, match='failed to redeem token'):
            redeem.redeem_token('https://127.0.0.1:%d/uid' % listener.getsockname()[1], 'code', ca.cert_pem, 'n', 's')
    finally:
        accepting.join(5)
        listener.close()
    assert outcome and isinstance(outcome[0], ssl.SSLError), 'the handshake failed: %r' % outcome


def _answer_once(listener, outcome):
    """A TLS 1.2 server that would redeem: it answers 200 with a Secret to any client it can talk to."""
    try:
        connection, _unused = listener.accept()
    except (OSError, ssl.SSLError) as exc:
        outcome.append(exc)
        return
    with connection:
        connection.recv(65536)
        connection.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nkind: Secret\n')
        outcome.append('answered')


def test_redeem_client_posts_code_name_and_subject(redeem_server):
    url = redeem_server.base_url + '/uid-1'
    docs = redeem.redeem_token(url, 'good', redeem_server.ca_pem, 'my-token', 'site-uid')
    assert [doc['kind'] for doc in docs] == ['Secret', 'Link']
    assert redeem_server.calls == [('/uid-1', b'good', 'my-token', 'site-uid')]
    with pytest.raises(redeem.RedeemError, match=r'^Received HTTP Response 403: nope$'):
        redeem.redeem_token(url, 'bad', redeem_server.ca_pem, 'my-token', 'site-uid')
    with pytest.raises(redeem.RedeemError, match='scheme must be https'):
        redeem.redeem_token(url.replace('https', 'http'), 'good', redeem_server.ca_pem, 'n', 's')


# -- end to end against the Kubernetes API stand-in --------------------------------------------

GROUP, VERSION = 'skupper.io', 'v2alpha1'
PLURALS = {'Site': 'sites', 'Listener': 'listeners', 'Connector': 'connectors', 'Link': 'links',
           'AccessGrant': 'accessgrants', 'AccessToken': 'accesstokens', 'RouterAccess': 'routeraccesses',
           'AttachedConnector': 'attachedconnectors', 'AttachedConnectorBinding': 'attachedconnectorbindings'}


class Cluster:
    """Test helper: create and read objects on the API stand-in with the real kubernetes client."""

    def __init__(self, url):
        configuration = client.Configuration()
        configuration.host = url
        self.api_client = client.ApiClient(configuration)
        self.custom = client.CustomObjectsApi(self.api_client)
        self.core = client.CoreV1Api(self.api_client)

    def namespace(self, name):
        self.core.create_namespace({'apiVersion': 'v1', 'kind': 'Namespace', 'metadata': {'name': name}})

    def create(self, kind, namespace, name, spec):
        body = {'apiVersion': GROUP + '/' + VERSION, 'kind': kind, 'metadata': {'name': name}, 'spec': spec}
        return self.custom.create_namespaced_custom_object(GROUP, VERSION, namespace, PLURALS[kind], body)

    def get(self, kind, namespace, name):
        return self.custom.get_namespaced_custom_object(GROUP, VERSION, namespace, PLURALS[kind], name)

    def patch_spec(self, kind, namespace, name, spec):
        return self.custom.patch_namespaced_custom_object(GROUP, VERSION, namespace, PLURALS[kind], name,
                                                          {'spec': spec})

    def status(self, kind, namespace, name):
        return self.get(kind, namespace, name).get('status') or {}

    def secret(self, namespace, name):
        secret = self.core.read_namespaced_secret(name, namespace)
        return secret.type, pki.decode_secret_data(secret.data)


@pytest.fixture
def cluster():
    kube_api = pytest.importorskip('tests.support.kube_api', reason='the Kubernetes API stand-in is not there yet')
    server = kube_api.start_server()
    cluster = Cluster(server.url)
    cluster.url = server.url
    yield cluster
    cluster.api_client.close()
    server.stop()


@pytest.fixture
def controller(cluster):
    controller = Controller(cluster.url)
    yield controller
    controller.stop()


def _conditions(status):
    return {c['type']: (c['status'], c['reason'], c['message']) for c in status.get('conditions') or []}


def _west_with_grant(cluster, controller, **grant_spec):
    cluster.namespace('west')
    cluster.create('Site', 'west', 'west', {'linkAccess': 'default'})
    cluster.create('AccessGrant', 'west', 'grant', dict({'redemptionsAllowed': 1}, **grant_spec))
    controller.reconcile_once()
    return cluster.status('AccessGrant', 'west', 'grant')


def _post(url, ca_pem, code, name='to-west', subject='east-uid', method='POST'):
    parsed = urllib.parse.urlsplit(url)
    context = ssl.create_default_context(cadata=ca_pem)
    connection = http.client.HTTPSConnection(parsed.hostname, parsed.port, context=context, timeout=5)
    try:
        connection.request(method, parsed.path, body=code.encode() if code is not None else None,
                           headers={'name': name, 'subject': subject})
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def test_site_gets_a_ca_secret_endpoints_and_ready(cluster, controller):
    cluster.namespace('west')
    site = cluster.create('Site', 'west', 'west', {'linkAccess': 'default'})
    controller.reconcile_once()
    secret_type, data = cluster.secret('west', 'skupper-site-ca')
    assert secret_type == 'kubernetes.io/tls' and set(data) == {'tls.crt', 'tls.key', 'ca.crt'}
    status = cluster.status('Site', 'west', 'west')
    assert (status['status'], status['message'], status['defaultIssuer']) == ('Ready', 'OK', 'skupper-site-ca')
    assert {t: c[0] for t, c in _conditions(status).items()} == {
        'Configured': 'True', 'Running': 'True', 'Resolved': 'True', 'Ready': 'True'}
    generation = cluster.get('Site', 'west', 'west')['metadata'].get('generation', 1)
    assert {c['observedGeneration'] for c in status['conditions']} == {generation}
    assert [(e['name'], e['host'], e['group']) for e in status['endpoints']] == [
        ('inter-router', '127.0.0.1', 'skupper-router'), ('edge', '127.0.0.1', 'skupper-router')]
    assert controller.site_ports('west') == {
        ('skupper-router', e['name']): int(e['port']) for e in status['endpoints']}
    assert status['sitesInNetwork'] == 1
    assert status['network'] == [{'id': site['metadata']['uid'], 'name': 'west', 'namespace': 'west',
                                  'platform': 'kubernetes', 'version': status['controller']['version']}]
    assert status['controller']['name'] == 'skupper-controller'


def test_site_without_link_access_needs_no_resolution(cluster, controller):
    cluster.namespace('east')
    cluster.create('Site', 'east', 'east', {})
    controller.reconcile_once()
    status = cluster.status('Site', 'east', 'east')
    assert status['status'] == 'Ready' and 'Resolved' not in _conditions(status) and 'endpoints' not in status


def test_statuses_are_not_rewritten_when_nothing_changes(cluster, controller):
    _west_with_grant(cluster, controller)
    cluster.create('Listener', 'west', 'backend', {'routingKey': 'backend', 'host': 'backend', 'port': 8080})
    controller.reconcile_once()
    kinds = [('Site', 'west'), ('AccessGrant', 'grant'), ('Listener', 'backend')]
    before = {kind: cluster.get(kind, 'west', name)['metadata']['resourceVersion'] for kind, name in kinds}
    controller.reconcile_once()
    controller.reconcile_once()
    after = {kind: cluster.get(kind, 'west', name)['metadata']['resourceVersion'] for kind, name in kinds}
    assert after == before


def test_grant_status_has_url_code_ca_and_expiry(cluster, controller):
    status = _west_with_grant(cluster, controller, expirationWindow='1h30m')
    grant = cluster.get('AccessGrant', 'west', 'grant')
    assert status['url'] == '%s/%s' % (controller.redeem_url, grant['metadata']['uid'])
    assert status['url'].startswith('https://127.0.0.1:')
    assert len(status['code']) == 24 and status['code'].isalnum()
    assert status['ca'] == controller.redeem_ca and status['ca'].startswith('-----BEGIN CERTIFICATE-----')
    assert status['redemptions'] == 0
    created = st.parse_rfc3339(grant['metadata']['creationTimestamp'])
    assert st.parse_rfc3339(status['expirationTime']) - created == datetime.timedelta(minutes=90)
    assert (status['status'], _conditions(status)['Processed'][0], _conditions(status)['Resolved'][0]) == (
        'Ready', 'True', 'True')
    controller.reconcile_once()
    assert cluster.status('AccessGrant', 'west', 'grant')['code'] == status['code']


def test_grant_code_follows_spec_code(cluster, controller):
    _west_with_grant(cluster, controller, code='first-code')
    assert cluster.status('AccessGrant', 'west', 'grant')['code'] == 'first-code'
    cluster.patch_spec('AccessGrant', 'west', 'grant', {'code': 'second-code'})
    controller.reconcile_once()
    assert cluster.status('AccessGrant', 'west', 'grant')['code'] == 'second-code'


def test_grant_waits_for_a_site_with_link_access(cluster, controller):
    cluster.namespace('east')
    cluster.create('Site', 'east', 'east', {})
    cluster.create('AccessGrant', 'east', 'grant', {})
    controller.reconcile_once()
    status = cluster.status('AccessGrant', 'east', 'grant')
    assert status['status'] == 'Pending' and 'link access' in status['message'] and 'url' not in status


def test_redeem_over_https_returns_secret_and_link_chained_to_the_site_ca(cluster, controller):
    status = _west_with_grant(cluster, controller)
    code, body = _post(status['url'], status['ca'], status['code'])
    assert code == 200
    secret, link = yaml.safe_load_all(body)
    _unused, site_ca = cluster.secret('west', 'skupper-site-ca')
    data = {k: base64.b64decode(v).decode() for k, v in secret['data'].items()}
    assert (secret['apiVersion'], secret['kind'], secret['type']) == ('v1', 'Secret', 'kubernetes.io/tls')
    assert secret['metadata']['name'] == 'to-west' and pki.common_name(data['tls.crt']) == 'east-uid'
    assert pki.is_signed_by(data['tls.crt'], site_ca['tls.crt']) and data['ca.crt'] == site_ca['tls.crt']
    site_endpoints = cluster.status('Site', 'west', 'west')['endpoints']
    assert (link['kind'], link['metadata']['name'], link['spec']) == (
        'Link', 'to-west', {'endpoints': site_endpoints, 'tlsCredentials': 'to-west'})
    assert cluster.status('AccessGrant', 'west', 'grant')['redemptions'] == 1
    assert controller.redemptions('west', 'grant') == 1
    assert _post(status['url'], status['ca'], status['code']) == (404, 'No such access granted')


def test_redeem_refusals(cluster, controller):
    status = _west_with_grant(cluster, controller)
    assert _post(status['url'], status['ca'], 'wrong-code') == (403, 'Redemption of access token refused')
    assert _post(status['url'], status['ca'], None, method='GET') == (405, 'Only POST is supported')
    assert _post(status['url'] + '-unknown', status['ca'], status['code']) == (404, 'No such claim')
    assert controller.redemptions('west', 'grant') == 0


def test_expired_grant_is_no_such_claim(cluster, controller):
    status = _west_with_grant(cluster, controller, expirationWindow='1s')
    expires = st.parse_rfc3339(status['expirationTime'])
    while st.now() <= expires:
        time.sleep(0.05)
    assert _post(status['url'], status['ca'], status['code']) == (404, 'No such claim')


def _token_spec(grant_status):
    return {'url': grant_status['url'], 'code': grant_status['code'], 'ca': grant_status['ca']}


def _linked_west_east(cluster, controller):
    grant_status = _west_with_grant(cluster, controller)
    cluster.namespace('east')
    cluster.create('Site', 'east', 'east', {})
    cluster.create('AccessToken', 'east', 'to-west', dict(_token_spec(grant_status), linkCost=3))
    controller.reconcile_once()
    return grant_status


def test_token_redeemed_into_a_ready_link(cluster, controller):
    _linked_west_east(cluster, controller)
    token = cluster.status('AccessToken', 'east', 'to-west')
    assert (token['redeemed'], token['status'], _conditions(token)['Redeemed'][0]) == (True, 'Ready', 'True')
    east_site = cluster.get('Site', 'east', 'east')
    _unused, data = cluster.secret('east', 'to-west')
    assert pki.common_name(data['tls.crt']) == east_site['metadata']['uid']
    link = cluster.get('Link', 'east', 'to-west')
    assert link['spec']['tlsCredentials'] == 'to-west' and link['spec']['cost'] == 3
    west_site = cluster.get('Site', 'west', 'west')
    assert (link['status']['status'], link['status']['remoteSiteName'], link['status']['remoteSiteId']) == (
        'Ready', 'west', west_site['metadata']['uid'])
    assert cluster.status('Site', 'east', 'east')['sitesInNetwork'] == 2
    west_network = cluster.status('Site', 'west', 'west')['network']
    assert [record['name'] for record in west_network] == ['east', 'west']
    assert west_network[0]['links'] == [{'name': 'to-west', 'remoteSiteId': west_site['metadata']['uid'],
                                         'remoteSiteName': 'west', 'operational': True}]


def test_redeemed_token_is_not_retried_and_a_spent_grant_fails_the_next(cluster, controller):
    grant_status = _linked_west_east(cluster, controller)
    cluster.create('AccessToken', 'east', 'again', _token_spec(grant_status))
    controller.reconcile_once()
    controller.reconcile_once()
    failed = cluster.status('AccessToken', 'east', 'again')
    assert (failed['status'], failed['message']) == ('Error', 'Received HTTP Response 404: No such access granted')
    assert 'redeemed' not in failed and _conditions(failed)['Redeemed'][:2] == ('False', 'Error')
    assert controller.redemptions('west', 'grant') == 1
    assert cluster.status('AccessToken', 'east', 'to-west')['redeemed'] is True


def test_link_pending_reasons(cluster, controller):
    _linked_west_east(cluster, controller)
    endpoints = cluster.get('Link', 'east', 'to-west')['spec']['endpoints']
    cluster.create('Link', 'east', 'no-secret', {'endpoints': endpoints, 'tlsCredentials': 'missing'})
    cluster.create('Link', 'east', 'nowhere', {'tlsCredentials': 'to-west', 'endpoints': [
        {'name': 'inter-router', 'host': '127.0.0.1', 'port': '1', 'group': 'skupper-router'}]})
    controller.reconcile_once()
    no_secret = cluster.status('Link', 'east', 'no-secret')
    assert (no_secret['status'], no_secret['message']) == ('Pending', 'secret "missing" not found')
    assert cluster.status('Link', 'east', 'nowhere')['message'] == 'no site listens on 127.0.0.1:1'
    assert 'remoteSiteName' not in no_secret


def test_link_with_a_foreign_certificate_is_not_operational(cluster, controller):
    _linked_west_east(cluster, controller)
    foreign = pki.issue_certificate(pki.make_ca('foreign'), 'east', client=True)
    data = pki.tls_secret_data(foreign.cert_pem, foreign.key_pem, foreign.cert_pem)
    cluster.core.replace_namespaced_secret('to-west', 'east', {'metadata': {'name': 'to-west'},
                                                               'type': 'kubernetes.io/tls', 'data': data})
    controller.reconcile_once()
    link = cluster.status('Link', 'east', 'to-west')
    assert (link['status'], link['message']) == ('Pending', "certificate not signed by the remote site's CA")
    assert cluster.status('Site', 'east', 'east')['sitesInNetwork'] == 1


def test_listener_and_connector_match_across_the_link(cluster, controller):
    _linked_west_east(cluster, controller)
    cluster.create('Listener', 'east', 'backend', {'routingKey': 'backend', 'host': 'backend', 'port': 8080})
    cluster.create('Connector', 'west', 'backend', {'routingKey': 'backend', 'selector': 'app=backend',
                                                    'port': 8080})
    cluster.create('Listener', 'east', 'lonely', {'routingKey': 'nobody', 'host': 'lonely', 'port': 9090})
    controller.reconcile_once()
    listener = cluster.status('Listener', 'east', 'backend')
    connector = cluster.status('Connector', 'west', 'backend')
    assert (listener['status'], listener['hasMatchingConnector']) == ('Ready', True)
    assert (connector['status'], connector['hasMatchingListener'], connector['selectedPods']) == ('Ready', True, [])
    lonely = cluster.status('Listener', 'east', 'lonely')
    assert (lonely['status'], lonely['message']) == ('Pending', 'No matching connectors')
    assert _conditions(lonely)['Configured'][0] == 'True' and 'hasMatchingConnector' not in lonely


def test_router_access_gets_endpoints(cluster, controller):
    cluster.namespace('west')
    cluster.create('Site', 'west', 'west', {})
    cluster.create('RouterAccess', 'west', 'extra', {'tlsCredentials': 'extra', 'roles': [
        {'name': 'inter-router', 'port': 55671}, {'name': 'edge', 'port': 45671}]})
    controller.reconcile_once()
    status = cluster.status('RouterAccess', 'west', 'extra')
    assert status['status'] == 'Ready'
    assert [(e['name'], e['host'], e['group']) for e in status['endpoints']] == [
        ('inter-router', '127.0.0.1', 'extra'), ('edge', '127.0.0.1', 'extra')]
    assert cluster.status('Site', 'west', 'west')['endpoints'] == status['endpoints']


def test_attached_connector_and_binding_match_a_listener(cluster, controller):
    cluster.namespace('west')
    cluster.namespace('workload')
    cluster.create('Site', 'west', 'west', {})
    cluster.create('Listener', 'west', 'db', {'routingKey': 'db', 'host': 'db', 'port': 5432})
    cluster.create('AttachedConnectorBinding', 'west', 'db', {'connectorNamespace': 'workload', 'routingKey': 'db'})
    cluster.create('AttachedConnector', 'workload', 'db', {'siteNamespace': 'west', 'selector': 'app=db',
                                                           'port': 5432})
    controller.reconcile_once()
    binding = cluster.status('AttachedConnectorBinding', 'west', 'db')
    attached = cluster.status('AttachedConnector', 'workload', 'db')
    assert (binding['status'], binding['hasMatchingListener']) == ('Ready', True)
    assert (attached['status'], attached['selectedPods']) == ('Ready', [])
    assert cluster.status('Listener', 'west', 'db')['status'] == 'Ready'


def test_background_thread_reconciles(cluster):
    with Controller(cluster.url, ['west'], poll_interval=0.05) as controller:
        cluster.namespace('west')
        cluster.create('Site', 'west', 'west', {'linkAccess': 'default'})
        deadline = time.monotonic() + 5
        while cluster.status('Site', 'west', 'west').get('status') != 'Ready' and time.monotonic() < deadline:
            time.sleep(0.05)
        assert cluster.status('Site', 'west', 'west')['status'] == 'Ready'
        assert controller.last_error is None


def test_command_line_prints_one_ready_line(cluster):
    process = subprocess.Popen([sys.executable, '-m', 'tests.support.controller', '--api', cluster.url],
                               stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
    finally:
        process.terminate()
        process.wait(10)
    assert line.startswith('controller stand-in ready:') and 'https://127.0.0.1:' in line
