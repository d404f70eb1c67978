"""Fidelity of the router stand-in (tests/support/fake_skrouterd.py, a test double): it must refuse what the real
router refuses, check host names as the router does, and accept the local management client only when up.

These tests are about the stand-in, not the collection: they keep the other tests honest.
"""

import copy
import json
import os
import socket
import subprocess
import sys
import time

import pytest

from ansible_collections.appnet.skupper.plugins.module_utils.system.service import readiness, router_queries
from tests.support import fake_skrouterd, pki, router_schema
from tests.support.reference import ENV, absent_reason

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STANDIN = os.path.join(ROOT, 'tests', 'support', 'bin', 'skrouterd')
needs_schema = pytest.mark.skipif(not os.path.exists(router_schema.SCHEMA), reason=absent_reason('router', 'skrouter.json'))


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as handle:
        handle.write(text)
    return path


@pytest.fixture
def site(tmp_path):
    """A minimal Skupper-style config with the local management listener, and its client credentials."""
    ca = pki.make_ca('skupper-local-ca')
    server = pki.issue_certificate(ca, '127.0.0.1', ['127.0.0.1', 'localhost'], server=True)
    client = pki.issue_certificate(ca, 'skupper-local-client', client=True)
    certs = {}
    for name, pair in (('skupper-local-server', server), ('skupper-local-client', client)):
        certs[name] = {'certFile': write(str(tmp_path / name / 'tls.crt'), pair.cert_pem),
                       'privateKeyFile': write(str(tmp_path / name / 'tls.key'), pair.key_pem),
                       'caCertFile': write(str(tmp_path / name / 'ca.crt'), ca.cert_pem)}
    port = free_port()
    entities = [
        ['router', {'id': 'west-0f9c2d0e', 'mode': 'interior', 'helloMaxAgeSeconds': '3',
                    'metadata': '{"id":"0f9c2d0e-0000","version":"2.1.0","platform":"linux"}'}],
        ['sslProfile', dict(certs['skupper-local-server'], name='skupper-local-server')],
        ['listener', {'name': 'skupper-local-normal', 'role': 'normal', 'host': '127.0.0.1', 'port': port,
                      'sslProfile': 'skupper-local-server', 'saslMechanisms': 'EXTERNAL', 'authenticatePeer': True}],
        ['address', {'prefix': 'mc', 'distribution': 'multicast'}],
        ['log', {'module': 'ROUTER_CORE', 'enable': 'error+'}],
        ['site', {'name': 'west-0f9c2d0e', 'platform': 'linux', 'namespace': 'west', 'version': '2.1.0'}],
    ]
    target = router_queries.ManagementTarget(port, certs['skupper-local-client']['certFile'],
                                             certs['skupper-local-client']['privateKeyFile'],
                                             certs['skupper-local-client']['caCertFile'])
    return {'dir': tmp_path, 'entities': entities, 'target': target, 'ca': ca}


def run_standin(tmp_path, entities, env=None, timeout=10):
    path = write(str(tmp_path / 'skrouterd.json'), json.dumps(entities))
    return subprocess.run([sys.executable, STANDIN, '-c', path], capture_output=True, text=True, timeout=timeout,
                          env=dict(os.environ, **(env or {})), check=False)


def changed(entities, entity_type, edit):
    result = copy.deepcopy(entities)
    for current_type, attrs in result:
        if current_type == entity_type:
            edit(attrs)
            return result
    result.append([entity_type, edit({}) or {}])
    return result


# (what the real router refuses, the config change, words of the refusal)
REFUSED = [
    ('listenerAddress without its required value',
     lambda e: e + [['listenerAddress', {'name': 'mk/a', 'address': 'a', 'listener': 'multiAddress/mk'}]],
     "Missing required attribute 'value'"),
    ('log without its required module', lambda e: e + [['log', {'enable': 'info+'}]],
     "Missing required attribute 'module'"),
    ('a role that is not in the enum', lambda e: changed(e, 'listener', lambda a: a.update(role='inter-routerX')),
     'invalid value for attribute role'),
    ('an observer that is not in the enum',
     lambda e: e + [['tcpListener', {'name': 'listener/x', 'host': '127.0.0.1', 'port': '1', 'address': 'x',
                                     'observer': 'bogus'}]], 'invalid value for attribute observer'),
    ('an integer attribute that is not a number', lambda e: changed(e, 'router', lambda a: a.update(helloMaxAgeSeconds='x')),
     'invalid value for attribute helloMaxAgeSeconds'),
    ('a connector naming an sslProfile that does not exist',
     lambda e: e + [['connector', {'name': 'link-x', 'role': 'inter-router', 'host': '127.0.0.1', 'port': '1',
                                   'sslProfile': 'nope'}]], "sslProfile 'nope' not found"),
    ('an unknown attribute', lambda e: changed(e, 'listener', lambda a: a.update(colour='blue')),
     "Unknown attribute 'colour'"),
    ('an unknown entity type', lambda e: e + [['bridge', {'name': 'b'}]], "Unknown entity type 'bridge'"),
    ('an entity name used by two types', lambda e: changed(e, 'site', lambda a: a.update(name='skupper-local-server')),
     "duplicates unique attribute 'name'"),
]


@needs_schema
@pytest.mark.parametrize('case,edit,words', REFUSED, ids=[r[0] for r in REFUSED])
def test_standin_refuses_what_the_router_refuses(site, case, edit, words):
    done = run_standin(site['dir'], edit(site['entities']))
    assert done.returncode == 1, (case, done.stderr)
    assert 'configuration error' in done.stderr and words in done.stderr, done.stderr


@needs_schema
def test_the_router_coercions_are_accepted(site):
    """What the real router's schema converts (boolean words, numeric strings, enum indexes) must not be refused."""
    entities = changed(site['entities'], 'listener', lambda a: a.update(authenticatePeer='yes', port=str(a['port'])))
    assert router_schema.schema_problems(entities, strict=False) == []
    assert router_schema.schema_problems(entities, strict=True) != []


def test_without_the_schema_the_standin_says_so_and_still_checks_references(site, tmp_path):
    entities = site['entities'] + [['connector', {'name': 'link-x', 'role': 'inter-router', 'host': '127.0.0.1',
                                                  'port': '1', 'sslProfile': 'nope'}]]
    done = run_standin(site['dir'], entities, env={ENV: str(tmp_path / 'no-reference')})
    assert done.returncode == 1
    assert 'WARNING' in done.stderr and 'skrouter.json is absent' in done.stderr
    assert "sslProfile 'nope' not found" in done.stderr


def test_the_management_listener_accepts_the_local_client_once_up(site):
    path = write(str(site['dir'] / 'skrouterd.json'), json.dumps(site['entities']))
    assert readiness.probe(site['target'], timeout=1).startswith('nothing listens')
    process = subprocess.Popen([sys.executable, STANDIN, '-c', path], stderr=subprocess.PIPE, text=True)
    try:
        ready, why = readiness.wait_until_ready(site['target'], lambda: None if process.poll() is None else 'exited',
                                                timeout=20)
        assert ready, why
        other = pki.make_ca('other-ca')
        stranger = pki.issue_certificate(other, 'stranger', client=True)
        target = site['target']._replace(certificate=write(str(site['dir'] / 's' / 'tls.crt'), stranger.cert_pem),
                                         key=write(str(site['dir'] / 's' / 'tls.key'), stranger.key_pem))
        # The real router sends a TLS alert (the probe reports a TLS failure); the stand-in closes the connection.
        reason = readiness.probe(target)
        assert reason is not None and 'closed the connection without answering' in reason, reason
    finally:
        process.terminate()
        process.wait(10)


def test_a_router_that_stops_during_the_wait_is_reported(site):
    """wait_until_ready() gives up as soon as the router it waits for is gone."""
    started = time.time()
    ready, why = readiness.wait_until_ready(site['target'], lambda: 'the router exited with 1', timeout=30)
    assert (ready, why) == (False, 'the router exited with 1') and time.time() - started < 5


@pytest.mark.parametrize('host,pattern,matches', [
    ('west.example.com', 'WEST.Example.COM', True),
    ('a.example.com', '*.example.com', True),
    ('a.b.example.com', '*.example.com', False),
    ('example.com', '*.example.com', False),
    ('foo.example.com', 'f*.example.com', True),
    ('bar.example.com', 'f*.example.com', False),
    ('west-1.example.com', '*-1.example.com', True),
    ('127.0.0.1', '127.0.0.1', True),
    ('127.0.0.2', '127.0.0.1', False),
])
def test_host_names_are_matched_as_the_router_does(host, pattern, matches):
    assert fake_skrouterd.name_matches(host, pattern) is matches


def test_ip_entries_are_never_used_and_the_common_name_is_a_fallback():
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    ca = pki.make_ca('ca')

    def der(common_name, hosts):
        pem = pki.issue_certificate(ca, common_name, hosts, server=True).cert_pem
        return x509.load_pem_x509_certificate(pem.encode()).public_bytes(serialization.Encoding.DER)

    only_ip = der('west', ['192.0.2.10'])  # pki writes an IP host as an IP SAN only
    assert not fake_skrouterd.host_matches('192.0.2.10', only_ip)
    assert fake_skrouterd.host_matches('WEST', only_ip)  # the common name
    assert fake_skrouterd.host_matches('west.example.com', der('x', ['*.example.com']))
