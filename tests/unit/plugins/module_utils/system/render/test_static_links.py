"""Static links: a real TLS handshake with the router's rules, and issue_static_link()."""

import base64
import os
import shutil
import socket
import ssl
import threading

import pytest

from ansible_collections.appnet.skupper.plugins.module_utils.system.render import certs
from ansible_collections.appnet.skupper.plugins.module_utils.system.render import static_links

from tests.unit.plugins.module_utils.system.conftest import read_yaml_stream, resource


def _write(tmp_path, name, data):
    path = os.path.join(str(tmp_path), name)
    with open(path, 'wb') as handle:
        handle.write(data)
    return path


def _server_context(home, profile):
    directory = os.path.join(home, 'runtime', 'certs', profile)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(os.path.join(directory, 'tls.crt'), os.path.join(directory, 'tls.key'))
    context.load_verify_locations(os.path.join(directory, 'ca.crt'))
    context.verify_mode = ssl.CERT_REQUIRED
    return context


def _client_context(tmp_path, secret):
    data = dict((key, base64.b64decode(value)) for key, value in secret['data'].items())
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False  # the router matches the host against DNS SANs itself
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(_write(tmp_path, 'ca.crt', data['ca.crt']))
    context.load_cert_chain(_write(tmp_path, 'tls.crt', data['tls.crt']), _write(tmp_path, 'tls.key', data['tls.key']))
    return context


def handshake(server_context, client_context, host):
    """(server error, client error, host accepted) of a TLS session over a socket pair."""
    server_sock, client_sock = socket.socketpair()
    outcome = {}

    def serve():
        try:
            with server_context.wrap_socket(server_sock, server_side=True) as tls:
                tls.sendall(b'ok')
        except (ssl.SSLError, OSError) as exc:
            outcome['server'] = exc

    thread = threading.Thread(target=serve)
    thread.start()
    accepted = False
    try:
        with client_context.wrap_socket(client_sock) as tls:
            dns_names = [value for key, value in tls.getpeercert().get('subjectAltName', ()) if key == 'DNS']
            accepted = host in dns_names
            tls.recv(2)
    except (ssl.SSLError, OSError) as exc:
        outcome['client'] = exc
    thread.join(10)
    return outcome.get('server'), outcome.get('client'), accepted


def test_every_static_link_passes_the_handshake_and_hostname_check(west, tmp_path):
    result = west.render('west')
    assert result.static_links
    server = _server_context(west.home('west'), 'west')
    for link in result.static_links:
        secret, link_doc = read_yaml_stream(link['path'])
        assert [e['port'] for e in link_doc['spec']['endpoints']] == ['55671', '45671']
        assert all(e['host'] == link['host'] for e in link_doc['spec']['endpoints'])
        server_error, client_error, accepted = handshake(server, _client_context(tmp_path, secret), link['host'])
        assert server_error is None and client_error is None, link
        assert accepted, '%s is not a DNS SAN of the server certificate' % link['host']


def test_a_client_certificate_of_another_site_is_refused(west, tmp_path):
    west_links = west.render('west').static_links
    west.add('north', [resource('Site', 'north', {'linkAccess': 'default'}, 'north')])
    north = west.render('north')
    secret, _link = read_yaml_stream(north.static_links[0]['path'])
    # The client trusts west's CA, so only west refusing north's client certificate can fail the session.
    with open(os.path.join(west.home('west'), 'runtime', 'certs', 'west', 'ca.crt'), 'rb') as handle:
        trusting_west = dict(secret, data=dict(secret['data'], **{'ca.crt': base64.b64encode(handle.read()).decode()}))
    server = _server_context(west.home('west'), 'west')
    server_error, _client_error, accepted = handshake(server, _client_context(tmp_path, trusting_west), '127.0.0.1')
    assert accepted, 'the client accepted west, as it should'
    assert isinstance(server_error, ssl.SSLError) and 'certificate verify failed' in str(server_error), server_error
    # the same session with west's own client certificate succeeds
    own, _link = read_yaml_stream(west_links[0]['path'])
    assert handshake(server, _client_context(tmp_path, own), '127.0.0.1')[:2] == (None, None)


def test_a_host_missing_from_the_dns_sans_is_detected(west, tmp_path):
    result = west.render('west')
    secret, _link = read_yaml_stream(result.static_links[0]['path'])
    _server_error, _client_error, accepted = handshake(_server_context(west.home('west'), 'west'),
                                                       _client_context(tmp_path, secret), '::1')
    assert not accepted


def test_issue_static_link_is_idempotent_and_verifies(west, tmp_path):
    west.render('west')
    home = west.home('west')
    secret, link, changed = static_links.issue_static_link(home, 'east', addresses=['192.168.122.10'])
    assert changed and secret['metadata']['name'] == link['metadata']['name'] == 'link-west'
    assert link['spec']['endpoints'] == [{'host': '192.168.122.10', 'name': 'inter-router', 'port': '55671'},
                                         {'host': '192.168.122.10', 'name': 'edge', 'port': '45671'}]
    again = static_links.issue_static_link(home, 'east', addresses=['192.168.122.10'])
    assert again == (secret, link, False)
    issued = os.path.join(home, 'runtime', 'issued', 'east')
    assert os.stat(issued).st_mode & 0o777 == 0o700
    assert os.stat(os.path.join(issued, 'tls.key')).st_mode & 0o777 == 0o600
    cert = certs.certificate_from_pem(base64.b64decode(secret['data']['tls.crt']))
    assert certs.common_name(cert) == 'east'
    server_error, client_error, accepted = handshake(_server_context(home, 'west'), _client_context(tmp_path, secret),
                                                     '192.168.122.10')
    assert server_error is None and client_error is None and accepted
    named = static_links.issue_static_link(home, 'east', host='west-host', name='to-west', cost=5)
    assert named[1]['metadata']['name'] == 'to-west' and named[1]['spec']['cost'] == 5 and named[2] is False
    assert named[1]['spec']['endpoints'][0]['host'] == 'west-host'


def test_issue_static_link_fails_clearly(host, west):
    with pytest.raises(static_links.StaticLinkError, match='no rendered site'):
        static_links.issue_static_link(host.home('nowhere'), 'east')
    west.render('west')
    with pytest.raises(static_links.StaticLinkError, match='not in the router certificate'):
        static_links.issue_static_link(west.home('west'), 'east', host='10.9.9.9')
    west.add('solo', [resource('Site', 'solo', {}, 'solo')])
    west.render('solo')
    with pytest.raises(static_links.StaticLinkError, match='not enabled for link access'):
        static_links.issue_static_link(west.home('solo'), 'east')


def test_an_issued_link_names_the_site_it_goes_to(west):
    west.render('west')
    _secret, link, _changed = static_links.issue_static_link(west.home('west'), 'east', addresses=['192.168.122.10'])
    assert link['metadata']['annotations'] == {'appnet.skupper/remote-site-name': 'west'}


def test_check_mode_writes_nothing_even_when_the_credentials_would_be_reissued(west):
    from tests.unit.plugins.module_utils.system.conftest import snapshot_tree
    west.render('west')
    home = west.home('west')
    first = static_links.issue_static_link(home, 'east', addresses=['192.168.122.10'])
    assert static_links.issue_static_link(home, 'east', addresses=['192.168.122.10'], check_mode=True) == \
        first[:2] + (False,)
    # another CA for the site (a renewed or replaced one): the issued credentials are no longer current
    shutil.rmtree(os.path.join(home, 'runtime', 'issuers', 'skupper-site-ca'))
    west.render('west')
    before = snapshot_tree(home)
    assert static_links.issue_static_link(home, 'east', addresses=['192.168.122.10'], check_mode=True) == \
        (None, None, True)
    assert snapshot_tree(home) == before
    secret, _link, changed = static_links.issue_static_link(home, 'east', addresses=['192.168.122.10'])
    assert changed and secret['data']['tls.crt'] != first[0]['data']['tls.crt']
