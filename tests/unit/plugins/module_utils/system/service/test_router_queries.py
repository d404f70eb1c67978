"""router_queries.py with the skmanage/skstat test doubles against a tiny mutual-TLS server in this test.

The server speaks the one-line JSON protocol of tests/support/fake_skrouterd.py and answers with the
real router outputs of ../shared/reference/router/samples (east).
"""

import json
import os
import pathlib
import socketserver
import ssl
import subprocess
import sys
import threading

import pytest
import yaml

from ansible_collections.appnet.skupper.plugins.module_utils.system.service import router_queries
from tests.support import pki
from tests.support.reference import absent_reason, reference_path

# The checkout: the nearest folder above this file that holds galaxy.yml.
ROOT = str(next(parent for parent in pathlib.Path(os.path.abspath(__file__)).parents
                if (parent / 'galaxy.yml').is_file()))
BIN = os.path.join(ROOT, 'tests', 'support', 'bin')
SAMPLES = reference_path('router', 'samples')
pytestmark = pytest.mark.skipif(not os.path.isdir(SAMPLES), reason=absent_reason('router', 'samples'))


PREFIX = 'io.skupper.router.'


def east_answer(entity_type):
    """What the real router answers: by full type name only (a short name gives []); router.address, which has
    no sample, is an empty table; a type the router does not know is an error with its message."""
    if not entity_type.startswith(PREFIX):
        return []
    short = entity_type[len(PREFIX):]
    path = os.path.join(SAMPLES, 'east-query-%s.json' % short)
    if short == 'router.address':
        return []
    if not os.path.exists(path):
        return {'error': "No such entity type '%s'" % entity_type}
    with open(path) as handle:
        return json.load(handle)


def remote_answer(entity_type, router):
    """A query sent on to another router (skmanage -r): west's answer, when router is west's id."""
    path = os.path.join(SAMPLES, 'west-query-%s.json' % entity_type[len(PREFIX):])
    if router == 'west-1700000000-default' and entity_type.startswith(PREFIX) and os.path.exists(path):
        with open(path) as handle:
            return json.load(handle)
    return {'error': 'no route to %s for %s' % (router, entity_type)}


class _Handler(socketserver.StreamRequestHandler):
    def handle(self):
        request = json.loads(self.rfile.readline())
        self.server.seen.append((request, self.connection.getpeercert()))
        answer = remote_answer(request['type'], request['router']) if request.get('router') else \
            east_answer(request['type'])
        self.wfile.write((json.dumps(answer) + '\n').encode())


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as handle:
        handle.write(text)


@pytest.fixture(scope='module')
def router(tmp_path_factory):
    """A management listener with mutual TLS and a site home whose skupper-local client may use it."""
    folder = tmp_path_factory.mktemp('router')
    ca = pki.make_ca('skupper-local-ca')
    server = pki.issue_certificate(ca, 'skupper-local-server', ['127.0.0.1', 'localhost'], server=True)
    client = pki.issue_certificate(ca, 'skupper-local-client', client=True)
    for name, pair in (('server', server), ('client', client)):
        write(str(folder / name / 'tls.crt'), pair.cert_pem)
        write(str(folder / name / 'tls.key'), pair.key_pem)
    write(str(folder / 'ca.crt'), ca.cert_pem)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(folder / 'server' / 'tls.crt'), str(folder / 'server' / 'tls.key'))
    context.load_verify_locations(str(folder / 'ca.crt'))
    context.verify_mode = ssl.CERT_REQUIRED
    tcp = socketserver.ThreadingTCPServer(('127.0.0.1', 0), _Handler)
    tcp.daemon_threads = True
    tcp.socket = context.wrap_socket(tcp.socket, server_side=True)
    tcp.seen = []
    threading.Thread(target=tcp.serve_forever, daemon=True).start()
    home = str(folder / 'home')
    port = tcp.server_address[1]
    write(os.path.join(home, 'runtime', 'resources', 'RouterAccess-skupper-local.yaml'), yaml.safe_dump(
        {'apiVersion': 'skupper.io/v2alpha1', 'kind': 'RouterAccess', 'metadata': {'name': 'skupper-local'},
         'spec': {'roles': [{'name': 'normal', 'port': port}], 'tlsCredentials': 'skupper-local-server'}}))
    # the Link to west as static_link issues it: it names its remote site (the samples' router ids are of no
    # form a real router uses, so only this fact says where link-west goes)
    write(os.path.join(home, 'runtime', 'resources', 'Link-link-west.yaml'), yaml.safe_dump(
        {'apiVersion': 'skupper.io/v2alpha1', 'kind': 'Link',
         'metadata': {'name': 'link-west', 'annotations': {'appnet.skupper/remote-site-name': 'west'}},
         'spec': {'cost': 1, 'endpoints': [{'name': 'inter-router', 'host': '127.0.0.1', 'port': '55671'}],
                  'tlsCredentials': 'link-west'}}))
    certs = os.path.join(home, 'runtime', 'certs', 'skupper-local-client')
    write(os.path.join(certs, 'tls.crt'), client.cert_pem)
    write(os.path.join(certs, 'tls.key'), client.key_pem)
    write(os.path.join(certs, 'ca.crt'), ca.cert_pem)
    tcp.home, tcp.folder = home, folder
    yield tcp
    tcp.shutdown()
    tcp.server_close()


def tool(name):
    return os.path.join(BIN, name)


def test_standin_fidelity_skmanage_stand_in_prints_what_the_real_tool_prints(router):
    """Fidelity of the skmanage test double (not the collection): the tests below rely on its output being real."""
    target = router_queries.management_target(router.home)
    argv = [tool('skmanage'), 'query', '--type=io.skupper.router.connector'] + router_queries.connection_options(target)
    output = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    with open(os.path.join(SAMPLES, 'east-query-connector.json')) as handle:
        assert output == handle.read()
    request, peer = router.seen[-1]
    assert request == {'operation': 'QUERY', 'type': 'io.skupper.router.connector'}
    assert dict(item[0] for item in peer['subject'])['commonName'] == 'skupper-local-client'


def test_query_site_collects_every_entity_type(router):
    state = router_queries.query_site(router.home, tool('skmanage'))
    assert state['router'][0]['id'] == 'east-1700000000-default'
    assert [item['name'] for item in state['connector']] == ['link-west', 'link-nowhere']
    assert set(state) == set(router_queries.SITE_ENTITY_TYPES) | {router_queries.REMOTE_ROUTERS, router_queries.REMOTE_STATE}
    count = len(router_queries.SITE_ENTITY_TYPES)
    asked = [request['type'] for request, _peer in router.seen[-count - 2:-2]]
    assert asked == ['io.skupper.router.' + name for name in router_queries.SITE_ENTITY_TYPES]
    # every other router of the network (here west, at the other end of the up link) is asked for its router and
    # site entities, through the network (skmanage -r)
    assert [request for request, _peer in router.seen[-2:]] == [
        {'operation': 'QUERY', 'type': 'io.skupper.router.router', 'router': 'west-1700000000-default'},
        {'operation': 'QUERY', 'type': 'io.skupper.router.site', 'router': 'west-1700000000-default'}]
    assert list(state[router_queries.REMOTE_ROUTERS]) == ['west-1700000000-default']
    assert json.loads(state[router_queries.REMOTE_ROUTERS]['west-1700000000-default']['metadata'])['id']
    assert sorted(state[router_queries.REMOTE_STATE]['west-1700000000-default']) == ['router', 'site']


def test_an_unknown_entity_type_fails_with_the_router_message(router):
    with pytest.raises(router_queries.ManagementError, match="No such entity type 'io.skupper.router.bogus'"):
        router_queries.query(router_queries.management_target(router.home), 'bogus', tool('skmanage'))


def test_a_client_without_the_site_certificate_is_refused(router):
    other = pki.make_ca('other-ca')
    stranger = pki.issue_certificate(other, 'stranger', client=True)
    write(str(router.folder / 'stranger' / 'tls.crt'), stranger.cert_pem)
    write(str(router.folder / 'stranger' / 'tls.key'), stranger.key_pem)
    target = router_queries.management_target(router.home)._replace(
        certificate=str(router.folder / 'stranger' / 'tls.crt'), key=str(router.folder / 'stranger' / 'tls.key'))
    with pytest.raises(router_queries.ManagementError) as failure:
        router_queries.query(target, 'router', tool('skmanage'), timeout=5)
    assert failure.value.reason == 'tls'
    assert failure.value.message.startswith('TLS failure talking to the router on port %d with the skupper-local-client '
                                            'credentials: ConnectionException' % target.port)


def test_router_not_running_and_tool_missing(router, tmp_path):
    target = router_queries.management_target(router.home)._replace(port=1)
    with pytest.raises(router_queries.ManagementError, match='^the router is not running on port 1 ') as failure:
        router_queries.query(target, 'router', tool('skmanage'))
    assert failure.value.reason == 'refused'
    with pytest.raises(router_queries.ManagementError, match='skupper-router package') as failure:
        router_queries.query(target, 'router', 'skmanage-that-does-not-exist')
    assert failure.value.reason == 'missing'
    with pytest.raises(router_queries.ManagementError, match='render and start the site first'):
        router_queries.management_target(str(tmp_path))


def test_network_info_module_on_linux(router, tmp_path):
    data_home = str(tmp_path / 'data')
    os.makedirs(os.path.join(data_home, 'namespaces'))
    os.symlink(router.home, os.path.join(data_home, 'namespaces', 'east'))
    args = {'ANSIBLE_MODULE_ARGS': {'platform': 'linux', 'namespace': 'east', 'data_home': data_home,
                                    'skmanage': tool('skmanage'), 'expected_links': ['west'],
                                    'require_ready': True}}
    module = os.path.join(ROOT, 'plugins', 'modules', 'network_info.py')
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, '.build', 'collections'))
    done = subprocess.run([sys.executable, module], input=json.dumps(args), capture_output=True, text=True, env=env, check=False)
    result = json.loads(done.stdout)
    assert result['failed'] is True and result['changed'] is False
    assert 'link link-nowhere is Pending: connection refused by 127.0.0.1:55999' in result['msg']
    assert [(link['name'], link['status']) for link in result['links']] == [('link-west', 'Ready'),
                                                                            ('link-nowhere', 'Pending')]
    assert result['missing_links'] == [] and result['site']['router_id'] == 'east-1700000000-default'


def fake_engine(tmp_path, home, container='east-skupper-router'):
    """A test double for podman: `podman exec <container> <tool> ...` runs the tool of tests/support/bin with the
    container's certificate paths mapped back to the host; a stopped container fails as podman does."""
    engine = tmp_path / 'podman'
    engine.write_text('''#!%s
import os, subprocess, sys
args = sys.argv[1:]
if args[:2] != ['exec', %r]:
    sys.stderr.write('Error: no container with name or ID "%%s" found: no such container\\n' %% args[1])
    sys.exit(125)
with open(%r, 'a') as log:
    log.write(' '.join(args) + '\\n')
tool = os.path.join(%r, args[2])
mapped = [a.replace('/etc/skupper-router/runtime/certs', %r) for a in args[3:]]
sys.exit(subprocess.call([tool] + mapped))
''' % (sys.executable, container, str(tmp_path / 'calls'), BIN, os.path.join(home, 'runtime', 'certs')))
    engine.chmod(0o755)
    return str(engine)


def test_podman_sites_are_asked_with_the_tools_in_the_router_container(router, tmp_path):
    engine = fake_engine(tmp_path, router.home)
    state = router_queries.query_site(router.home, container=(engine, 'east-skupper-router'),
                                      entity_types=('router', 'connector'))
    assert state['router'][0]['id'] == 'east-1700000000-default'
    calls = (tmp_path / 'calls').read_text().splitlines()
    assert calls[0].startswith('exec east-skupper-router skmanage query --type=io.skupper.router.router -b '
                               'amqps://127.0.0.1:')
    assert '--ssl-certificate /etc/skupper-router/runtime/certs/skupper-local-client/tls.crt' in calls[0]
    assert '--ssl-trustfile /etc/skupper-router/runtime/certs/skupper-local-client/ca.crt' in calls[0]
    with pytest.raises(router_queries.ManagementError) as failure:
        router_queries.query_site(router.home, container=(engine, 'west-skupper-router'))
    assert failure.value.reason == 'refused'
    assert failure.value.message.startswith('the router container west-skupper-router is not running')


@pytest.mark.parametrize('output', [
    'Error: no container with name or ID "ns-skupper-router" found: no such container',
    'Error: can only create exec sessions on running containers: container state improper',
    'Error: OCI runtime error: runc: exec failed: cannot exec in a stopped container',
    'Error response from daemon: Container 0123 is not running',
])
def test_an_engine_that_cannot_exec_in_the_router_container_means_the_router_is_not_running(output):
    target = router_queries.ManagementTarget(5671, 'c', 'k', 't')
    failure = router_queries.tool_failure(['skmanage', 'query'], target, output, 255, prefix=['podman', 'exec', 'ns-skupper-router'])
    assert failure.reason == 'refused'
    assert failure.message.startswith('the router container ns-skupper-router is not running (podman exec): ')
