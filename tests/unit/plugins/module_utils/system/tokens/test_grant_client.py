"""redeem_access_token() against the grant redeem endpoint of the controller stand-in (real HTTPS)."""

import datetime
import socket
import ssl

import pytest

from ansible_collections.appnet.skupper.plugins.module_utils.system.tokens import grant_client
from tests.support import pki
from tests.support.controller import grants
from tests.support.controller import redeem as redeem_endpoint

CODE = 'c0de1234567890abcdefghij'
SITE_CA = pki.make_ca('west-site-ca')
ENDPOINTS = [{'name': 'inter-router', 'host': 'west.example.com', 'port': '55671', 'group': 'skupper-router'},
             {'name': 'edge', 'host': 'west.example.com', 'port': '45671', 'group': 'skupper-router'}]


class GrantServer:
    """One AccessGrant behind the stand-in's HTTPS endpoint; records every request it receives."""

    def __init__(self, redemptions_allowed=1, window='15m', response=None):
        created = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=1)
        self.grant = {'metadata': {'name': 'grant', 'creationTimestamp': created.strftime('%Y-%m-%dT%H:%M:%SZ')},
                      'spec': {'redemptionsAllowed': redemptions_allowed, 'expirationWindow': window},
                      'status': {'redemptions': 0}}
        self.response = response
        self.requests = []
        self.server = redeem_endpoint.RedeemServer(self.decide).start()

    def decide(self, path, body, headers):
        self.requests.append({'path': path, 'body': body, 'name': headers.get('name'),
                              'subject': headers.get('subject')})
        if self.response:
            return self.response
        try:
            grants.check_redeemable(self.grant, body.decode(), CODE)
        except grants.RedeemRefused as refused:
            return refused.http_status, refused.message
        self.grant['status']['redemptions'] += 1
        documents = grants.redeem_documents(headers.get('name'), headers.get('subject'), ENDPOINTS, SITE_CA)
        return 200, grants.redeem_response(documents)

    def token(self, name='to-west', code=CODE, ca=None, url=None):
        return {'apiVersion': 'skupper.io/v2alpha1', 'kind': 'AccessToken', 'metadata': {'name': name},
                'spec': {'url': url or self.server.base_url + '/grant-uid', 'code': code,
                         'ca': self.server.ca_pem if ca is None else ca}}


@pytest.fixture
def grant_server(request):
    server = GrantServer(**getattr(request, 'param', {}))
    yield server
    server.server.stop()


def test_success_returns_secret_then_link(grant_server):
    docs = grant_client.redeem_access_token(grant_server.token(), 'east')
    assert [doc['kind'] for doc in docs] == ['Secret', 'Link']
    secret, link = docs
    data = pki.decode_secret_data(secret['data'])
    assert pki.common_name(data['tls.crt']) == 'east' and pki.is_signed_by(data['tls.crt'], SITE_CA.cert_pem)
    assert link['spec']['tlsCredentials'] == secret['metadata']['name'] == 'to-west'
    assert grant_server.requests == [{'path': '/grant-uid', 'body': CODE.encode(), 'name': 'to-west',
                                      'subject': 'east'}]


def test_wrong_code_is_refused_with_a_hint(grant_server):
    with pytest.raises(grant_client.RedeemError) as failure:
        grant_client.redeem_access_token(grant_server.token(code='wrong'), 'east')
    assert str(failure.value).startswith('Received HTTP Response 403: Redemption of access token refused (')
    assert 'code' in str(failure.value)


def test_exhausted_grant_says_issue_a_new_token(grant_server):
    grant_client.redeem_access_token(grant_server.token(), 'east')
    with pytest.raises(grant_client.RedeemError) as failure:
        grant_client.redeem_access_token(grant_server.token(), 'east')
    message = str(failure.value)
    assert message.startswith('Received HTTP Response 404: No such access granted')
    assert 'issue a new token' in message


@pytest.mark.parametrize('grant_server', [{'window': '1s'}], indirect=True)
def test_expired_grant_is_unknown_or_expired(grant_server):
    with pytest.raises(grant_client.RedeemError, match=r'^Received HTTP Response 404: No such claim \(.*expired'):
        grant_client.redeem_access_token(grant_server.token(), 'east')


def test_token_with_another_ca_fails_tls_and_redeems_nothing(grant_server):
    other_ca = pki.make_ca('someone-else').cert_pem
    with pytest.raises(grant_client.RedeemError, match=r'^TLS: the grant server https://127\.0\.0\.1:\d+/grant-uid is not '
                                                       r'trusted.*nothing was redeemed'):
        grant_client.redeem_access_token(grant_server.token(ca=other_ca), 'east')
    assert grant_server.requests == []


def test_tls_12_minimum_is_the_default_and_13_can_be_required(grant_server):
    docs = grant_client.redeem_access_token(grant_server.token(), 'east', ssl_min_version=ssl.TLSVersion.TLSv1_3)
    assert docs[0]['kind'] == 'Secret'
    assert grant_client.tls_context(grant_server.server.ca_pem).minimum_version == ssl.TLSVersion.TLSv1_2


@pytest.mark.parametrize('grant_server', [{'response': (302, 'moved')}], indirect=True)
def test_redirects_are_not_followed(grant_server):
    with pytest.raises(grant_client.RedeemError, match=r'^Received HTTP Response 302: moved \(redirects are not followed'):
        grant_client.redeem_access_token(grant_server.token(), 'east')


@pytest.mark.parametrize('grant_server', [{'response': (200, 'kind: Secret\nmetadata: {name: t}\ntype: x\n'
                                                             'data: {tls.crt: YQ==, tls.key: YQ==, ca.crt: YQ==}\n')}],
                         indirect=True)
def test_a_response_without_link_fails(grant_server):
    with pytest.raises(grant_client.RedeemError, match='returned no Link'):
        grant_client.redeem_access_token(grant_server.token(), 'east')


@pytest.mark.parametrize('spec,message', [
    ({'url': 'https://h/x', 'code': 'c', 'ca': ''}, '^token does not have a CA$'),
    ({'url': 'http://127.0.0.1:1/x', 'code': 'c', 'ca': 'pem'}, '^token url scheme must be https'),
    ({'url': 'https://h:99999/x', 'code': 'c', 'ca': 'pem'}, '^could not parse token url'),
    ({'url': 'https://h/x', 'code': 'c', 'ca': 'not a pem'}, 'not a valid PEM certificate'),
])
def test_preconditions(spec, message):
    with pytest.raises(grant_client.RedeemError, match=message):
        grant_client.redeem_access_token({'metadata': {'name': 't'}, 'spec': spec}, 'east')


def test_unreachable_port_names_the_url():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    token = {'metadata': {'name': 't'}, 'spec': {'url': 'https://127.0.0.1:%d/g' % port, 'code': 'c',
                                                 'ca': SITE_CA.cert_pem}}
    with pytest.raises(grant_client.RedeemError, match=r'https://127\.0\.0\.1:%d/g: connection refused' % port):
        grant_client.redeem_access_token(token, 'east')
