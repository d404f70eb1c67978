"""Podman and Docker sites for real: the router image in a real engine, next to a Linux site, with the real router.

One scenario per engine (podman here; docker with a private dockerd in test_docker_sites.py, so that the two run
side by side; see conftest.py), through ansible-playbook:

1. A container site `box` (platform podman|docker, host network, the locally built router image with pull=never
   and the engine's run options) and a Linux site `host` (the process manager) on this host. box links to host
   with a static link issued by host; TCP (an echo server) and HTTP (a web server) answer through box's
   listeners from host's connectors; network_info is Ready on both (box: link Ready to host; host: box a peer);
   network_info runs skmanage inside box's container.
2. A reload with nothing changed changes nothing and keeps the container (same id, same start time).
3. A reload after a new listener changes the running router live, through its management (skmanage in the
   container): the same container (id and start time), the same link connection at both ends (no flap), a TCP
   connection through an existing listener kept, the new listener serving; check mode predicts it. A change of
   the run options re-creates the container (new id). Check mode with another image name predicts a restart and pulls nothing;
   pull=never with an image the host lacks fails naming it, before anything changes.
4. Stop: the container stops, network_info says the router is not running; start: Ready again, traffic again.
5. The other way, by token redemption: box accepts links; host redeems an AccessToken of a grant server that
   issues links to box (a test double of a grant server: real HTTPS, certificates of box's real site CA) and
   links to box; TCP and HTTP answer through host's listeners from box's connectors.
6. Absent on both: no container (engine), and neither the container's router nor host's router process is left
   (by PID).

The wall time of each scenario is printed at the end of the run (conftest.py).
"""

import contextlib
import http.server
import json
import os
import secrets
import socket
import threading
import time
import urllib.request

import pytest
import yaml

from tests.support import pki
from tests.support.echo_server import EchoServer, echoes
from tests.support.controller import grants
from tests.support.controller.redeem import RedeemServer
from tests.support.host_ports import private_network
from tests.support.playbook import failures, run_playbook, task_outcomes

# A scenario takes several minutes of playbooks on a busy 2-core machine (and, without a network namespace of its
# own, after waiting its turn for the host's router ports): more than pytest.ini's 15 minutes may pass.
pytestmark = pytest.mark.timeout(1800)


class WebServer(object):
    """An HTTP server on 127.0.0.1 answering GET with a text of its own."""

    def __init__(self, text):
        body = text.encode()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header('Content-Type', 'text/plain')
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.port = self.server.server_address[1]
        self.text = text
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class SystemSiteGrantServer(object):
    """A test double of a grant server for a system site: redeems one code into a Secret (a client certificate
    signed by the site's real CA, runtime/issuers/skupper-site-ca) and a Link to the site's link endpoints."""

    def __init__(self, home):
        self.home = home
        self.code = secrets.token_urlsafe(18)
        self.redemptions = 0
        self.server = RedeemServer(self.redeem).start()

    def token(self):
        return {'url': '%s/%s' % (self.server.base_url, secrets.token_hex(8)), 'code': self.code,
                'ca': self.server.ca_pem}

    def endpoints(self):
        links = os.path.join(self.home, 'runtime', 'links')
        for name in sorted(os.listdir(links)):
            if name.endswith('-127.0.0.1.yaml'):
                with open(os.path.join(links, name)) as handle:
                    for document in yaml.safe_load_all(handle):
                        if document and document.get('kind') == 'Link':
                            return document['spec']['endpoints']
        raise AssertionError('no static link to 127.0.0.1 in %s' % links)

    def redeem(self, _path, body, headers):
        if body.decode(errors='replace') != self.code:
            return 403, 'Invalid code'
        issuer = os.path.join(self.home, 'runtime', 'issuers', 'skupper-site-ca')
        with open(os.path.join(issuer, 'tls.crt')) as cert, open(os.path.join(issuer, 'tls.key')) as key:
            ca = pki.KeyPair(cert.read(), key.read())
        self.redemptions += 1
        name = headers.get('name') or 'link'
        documents = grants.redeem_documents(name, headers.get('subject') or name, self.endpoints(), ca)
        return 200, grants.redeem_response(documents)

    def stop(self):
        self.server.stop()


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def echo_through(port, deadline=60):
    """The echo server's answer through the listener on port (retried: it binds once the network knows a
    connector for its key)."""
    message = b'ping through skupper %d\n' % port
    end, last = time.time() + deadline, None
    while time.time() < end:
        try:
            with socket.create_connection(('127.0.0.1', port), timeout=5) as client:
                client.sendall(message)
                answer = client.recv(100)
                if answer == message:
                    return answer
                last = 'answer %r' % answer
        except OSError as exc:
            last = exc
        time.sleep(1)
    raise AssertionError('no echo through port %d within %d s: %s' % (port, deadline, last))


def get_through(port, deadline=60):
    end, last = time.time() + deadline, None
    while time.time() < end:
        try:
            with urllib.request.urlopen('http://127.0.0.1:%d/' % port, timeout=5) as answer:
                return answer.status, answer.read().decode()
        except OSError as exc:
            last = exc
        time.sleep(1)
    raise AssertionError('no HTTP answer through port %d within %d s: %s' % (port, deadline, last))


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie is not running any more.
    try:
        with open('/proc/%d/stat' % pid) as handle:
            return handle.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except OSError:
        return False


class Scenario(object):
    """The two sites of one run: playbooks, names and what the tests read back."""

    def __init__(self, engine, real_router, workdir, network):
        self.engine, self.router, self.workdir, self.network = engine, real_router, workdir, network
        self.suffix = secrets.token_hex(3)
        self.data_home = os.path.join(workdir, 'skupper')
        self.box_ns, self.host_ns = 'ct%s-box' % self.suffix, 'ct%s-host' % self.suffix
        self.container = '%s-skupper-router' % self.box_ns
        self.box = {'platform': engine.name, 'namespace': self.box_ns, 'data_home': self.data_home}
        self.host = {'platform': 'linux', 'namespace': self.host_ns, 'data_home': self.data_home}
        self.box_system = dict(self.box, router_image=engine.image, pull='never',
                               container_run_options=engine.run_options)
        self.host_system = dict(self.host, service_manager='process', router_binary=real_router['skrouterd'])
        self.count = 0

    def home(self, namespace):
        return os.path.join(self.data_home, 'namespaces', namespace)

    # The ports, and the clients of the listeners, of the scenario's network.
    def free_port(self):
        with self.network.inside():
            return free_port()

    def echo_through(self, port):
        with self.network.inside():
            return echo_through(port)

    def get_through(self, port):
        with self.network.inside():
            return get_through(port)

    def play(self, tasks, check=False):
        """Run the tasks on localhost; {task name: outcome} (names must be unique)."""
        self.count += 1
        path = os.path.join(self.workdir, 'play-%02d.yml' % self.count)
        with open(path, 'w') as handle:
            yaml.safe_dump([{'hosts': 'localhost', 'gather_facts': False,
                             'vars': {'ansible_connection': 'local',
                                      'ansible_python_interpreter': '{{ ansible_playbook_python }}'},
                             'tasks': tasks}], handle)
        args = ['--check'] if check else []
        _rc, report = run_playbook(path, 'localhost,', *args, env=self.engine.env, prefix=self.network.prefix)
        return dict((name, outcome) for _host, name, outcome in task_outcomes(report)), failures(report)

    def info_tasks(self, box_expected=(), host_expected=(), box_peers=(), host_peers=()):
        """network_info of both sites, asked until ready and until each knows the peers given (a router learns the
        routers of the network over a link a moment after the link is up: a site that has no link of its own, only
        one to it, is ready before its peer is known)."""
        def until(register, peers):
            return ' and '.join(['%s is succeeded' % register] + [
                '%r in %s.peers | map(attribute="site_name")' % (peer, register) for peer in peers])
        return [
            {'name': 'box info', 'appnet.skupper.network_info': dict(self.box, expected_links=list(box_expected),
                                                                     require_ready=True),
             'register': 'box_info', 'retries': 45, 'delay': 1, 'until': until('box_info', box_peers)},
            {'name': 'host info', 'appnet.skupper.network_info': dict(self.host, skmanage=self.router['skmanage'],
                                                                      expected_links=list(host_expected),
                                                                      require_ready=True),
             'register': 'host_info', 'retries': 45, 'delay': 1, 'until': until('host_info', host_peers)},
        ]

    def link_connections(self):
        """{'box': ..., 'host': ...}: the (identity, container, dir) of each site's inter-router connections, from
        its router's management (box: skmanage in its container); a link that flaps comes back with new ones."""
        from ansible_collections.appnet.skupper.plugins.module_utils.system.service import router_queries
        found = {}
        with self.network.inside():
            target = router_queries.management_target(self.home(self.host_ns))
            found['host'] = router_queries.query(target, 'connection', self.router['skmanage'])
        box_home = self.home(self.box_ns)
        inside = router_queries.in_container(router_queries.management_target(box_home), box_home)
        with self.network.inside():  # a host-network container's exec is on the caller's network
            done = self.engine.run('exec', self.container, 'skmanage', 'query', '--type=%s'
                                   % router_queries.full_type('connection'), *router_queries.connection_options(inside))
        assert done.returncode == 0, done.stdout + done.stderr
        found['box'] = json.loads(done.stdout)
        return dict((site, set((item['identity'], item.get('container'), item.get('dir')) for item in items
                               if item.get('role') in ('inter-router', 'edge'))) for site, items in found.items())

    def container_state(self):
        """(id, started at, pid) of box's container, or None when there is none."""
        text = self.engine.inspect(self.container, '{{.Id}}|{{.State.StartedAt}}|{{.State.Pid}}|{{.State.Running}}')
        if text is None:
            return None
        cid, started, pid, running = text.split('|')
        return {'id': cid, 'started': started, 'pid': int(pid), 'running': running == 'true'}


@contextlib.contextmanager
def scenario_network(engine):
    """The network of a scenario (tests/support/host_ports.py): the private dockerd's, else one of its own (the
    host's, with the host's router ports held, where there can be none)."""
    if engine.network is not None and engine.network.name:
        yield engine.network
        return
    with private_network('appnet-%s' % engine.name) as network:
        yield network


def peers(info):
    return sorted(peer.get('site_name') for peer in info['peers'])


def run_scenario(engine, real_router, workdir, record_property):
    waited = time.time()
    with scenario_network(engine) as network:
        started = time.time()  # the scenario's wall time starts once it has its network (or the host's ports)
        record_property('lock_wait_seconds', started - waited)
        s = Scenario(engine, real_router, workdir, network)
        with network.inside():
            echo, web = EchoServer(), WebServer('hello from %s' % s.suffix)
        echo.start()
        grant_server = None
        try:
            # -- 1. box links to host with a static link; traffic through box's listeners -------------------
            ports = {'echo': s.free_port(), 'web': s.free_port(), 'echo2': s.free_port()}
            outcomes, failed = s.play([
                {'name': 'host site', 'appnet.skupper.site': dict(s.host, name='host', link_access='default')},
                {'name': 'box site', 'appnet.skupper.site': dict(s.box, name='box')},
                {'name': 'host echo connector', 'appnet.skupper.connector': dict(
                    s.host, name='echo', routing_key='echo', host='127.0.0.1', port=echo.port)},
                {'name': 'host web connector', 'appnet.skupper.connector': dict(
                    s.host, name='web', routing_key='web', host='127.0.0.1', port=web.port)},
                {'name': 'box echo listener', 'appnet.skupper.listener': dict(
                    s.box, name='echo', routing_key='echo', host='127.0.0.1', port=ports['echo'])},
                {'name': 'box web listener', 'appnet.skupper.listener': dict(
                    s.box, name='web', routing_key='web', host='127.0.0.1', port=ports['web'])},
                {'name': 'host system', 'appnet.skupper.system': s.host_system, 'register': 'host_system'},
                {'name': 'issue link', 'appnet.skupper.static_link': dict(s.host, subject='box', name='link-host',
                                                                          host='127.0.0.1'),
                 'register': 'issued', 'no_log': True},
                {'name': 'apply link', 'appnet.skupper.resource': dict(s.box, definition='{{ issued.definition }}'),
                 'no_log': True},
                {'name': 'box system', 'appnet.skupper.system': s.box_system},
            ] + s.info_tasks(box_expected=['host'], box_peers=['host'], host_peers=['box']))
            assert failed == [], failed
            assert outcomes['box system']['service']['manager'] == 'container'
            assert outcomes['box system']['service']['active'] is True
            box_info, host_info = outcomes['box info'], outcomes['host info']
            assert [(l['name'], l['status'], l['remote_site_name']) for l in box_info['links']] == [
                ('link-host', 'Ready', 'host')]
            assert box_info['site']['status'] == 'Ready' and host_info['site']['status'] == 'Ready'
            assert 'box' in peers(host_info) and 'host' in peers(box_info)
            # the network from the container site: the host's site as its router tells it through the link (the
            # router and site entities; the links from the routing table, through the engine), the router's version
            # from the router in the container
            sites = dict((site['name'], site) for site in box_info['sites'])
            assert set(sites) == {'box', 'host'} and sites['box']['self']
            assert (sites['host']['id'], sites['host']['platform']) == (host_info['site']['id'], 'linux')
            assert [link['remote_site_name'] for link in sites['host']['links']] == ['box']
            assert box_info['versions']['router'] and box_info['versions']['collection']
            assert s.echo_through(ports['echo'])
            assert s.get_through(ports['web']) == (200, web.text)
            host_pid_file = outcomes['host system']['service']['child_pid_file']
            with open(host_pid_file) as handle:
                host_pid = int(handle.read().strip())
            first = s.container_state()
            assert first['running'] and pid_alive(first['pid'])
            router_pids = {first['pid']}
            record_property('static_link_seconds', time.time() - started)

            # -- 2. a reload with nothing changed keeps the container as it is --------------------------------
            reload = dict(s.box_system, state='reloaded')
            outcomes, failed = s.play([{'name': 'reload', 'appnet.skupper.system': reload}])
            assert failed == [], failed
            assert outcomes['reload']['changed'] is False and outcomes['reload']['restarted'] is False
            assert s.container_state() == first

            # -- 3. a new listener is made live in the running container (its router's management): the same
            #       container (id, start time), the same link connection at both ends, a connection through an
            #       existing listener kept, the new listener serving; a change of the run options re-creates it
            links = s.link_connections()
            assert len(links['box']) == 1 and len(links['host']) == 1, links
            with network.inside():
                kept = socket.create_connection(('127.0.0.1', ports['echo']), timeout=10)
            with kept:
                assert echoes(kept, b'before the new listener\n')
                outcomes, failed = s.play([
                    {'name': 'listener', 'appnet.skupper.listener': dict(
                        s.box, name='echo2', routing_key='echo', host='127.0.0.1', port=ports['echo2'])}])
                assert failed == [], failed
                live = {'created': ['tcpListener listener/echo2'], 'deleted': [], 'updated': []}
                outcomes, failed = s.play([{'name': 'predict', 'appnet.skupper.system': reload}], check=True)
                assert failed == [], failed
                assert (outcomes['predict']['changed'], outcomes['predict']['restarted'],
                        outcomes['predict']['reconfigured']) == (True, False, live)
                live_started = time.time()
                outcomes, failed = s.play([{'name': 'reload', 'appnet.skupper.system': reload}])
                record_property('live_change_play_seconds', time.time() - live_started)
                assert failed == [], failed
                assert (outcomes['reload']['changed'], outcomes['reload']['restarted'],
                        outcomes['reload']['reconfigured']) == (True, False, live), outcomes['reload']
                assert s.container_state() == first
                assert s.echo_through(ports['echo2'])
                assert echoes(kept, b'after the new listener\n')
                assert s.link_connections() == links
            restarted = s.container_state()
            outcomes, failed = s.play([{'name': 'again', 'appnet.skupper.system': reload}])
            assert failed == [] and (outcomes['again']['changed'], outcomes['again']['restarted']) == (False, False)

            other_image = 'localhost/appnet-skupper/not-on-this-host:%s' % s.suffix
            outcomes, failed = s.play([{'name': 'other image', 'appnet.skupper.system': dict(
                s.box_system, router_image=other_image, pull='missing', state='reloaded')}], check=True)
            assert failed == [], failed
            assert outcomes['other image']['changed'] is True and outcomes['other image']['restarted'] is True
            assert engine.run('image', 'inspect', other_image).returncode != 0  # check mode pulled nothing
            assert s.container_state() == restarted

            outcomes, failed = s.play([{'name': 'never', 'appnet.skupper.system': dict(
                s.box_system, router_image=other_image, pull='never', state='reloaded'), 'ignore_errors': True}])
            assert outcomes['never']['failed'] is True and outcomes['never']['changed'] is False
            assert 'router image %s is not on this host' % other_image in outcomes['never']['msg']
            assert s.container_state() == restarted

            labelled = dict(s.box_system, state='reloaded', container_run_options=dict(
                engine.run_options, args=['--label', 'appnet-test=%s' % s.suffix]))
            outcomes, failed = s.play([{'name': 'run options', 'appnet.skupper.system': labelled}])
            assert failed == [], failed
            assert outcomes['run options']['restarted'] is True
            recreated = s.container_state()
            assert recreated['id'] != first['id'] and recreated['running']
            assert engine.inspect(s.container, '{{ index .Config.Labels "appnet-test" }}') == s.suffix
            router_pids.add(recreated['pid'])
            outcomes, failed = s.play([{'name': 'again', 'appnet.skupper.system': labelled}])
            assert failed == [] and outcomes['again']['changed'] is False
            assert s.container_state() == recreated
            assert s.echo_through(ports['echo'])

            # -- 4. stop, then start ----------------------------------------------------------------------
            outcomes, failed = s.play([
                {'name': 'stop', 'appnet.skupper.system': dict(labelled, state='stopped')},
                {'name': 'stopped info', 'appnet.skupper.network_info': s.box},
            ])
            assert failed == [], failed
            assert outcomes['stop']['changed'] is True
            stopped = s.container_state()
            assert stopped is not None and not stopped['running'] and not pid_alive(recreated['pid'])
            info = outcomes['stopped info']
            assert info['site']['status'] != 'Ready' and info['ready'] is False
            assert 'not running' in (info['site']['reason'] or ''), info['site']
            outcomes, failed = s.play([{'name': 'start', 'appnet.skupper.system': dict(labelled, state='started')}]
                                      + s.info_tasks(box_expected=['host']))
            assert failed == [], failed
            assert outcomes['start']['restarted'] is True
            again = s.container_state()
            assert again['id'] == recreated['id'] and again['running']  # started as it was, not re-created
            router_pids.add(again['pid'])
            assert s.get_through(ports['web']) == (200, web.text)
            record_property('reload_stop_start_seconds', time.time() - started)

            # -- 5. the other way: host redeems a token for box --------------------------------------------
            back = {'echo': s.free_port(), 'web': s.free_port()}
            outcomes, failed = s.play([
                {'name': 'drop static link', 'appnet.skupper.resource': dict(
                    s.box, state='absent', definition=[
                        {'apiVersion': 'skupper.io/v2alpha1', 'kind': 'Link', 'metadata': {'name': 'link-host'}}])},
                {'name': 'box accepts links', 'appnet.skupper.site': dict(s.box, name='box', link_access='default')},
                {'name': 'box echo connector', 'appnet.skupper.connector': dict(
                    s.box, name='echo-back', routing_key='echo-back', host='127.0.0.1', port=echo.port)},
                {'name': 'box web connector', 'appnet.skupper.connector': dict(
                    s.box, name='web-back', routing_key='web-back', host='127.0.0.1', port=web.port)},
                {'name': 'host echo listener', 'appnet.skupper.listener': dict(
                    s.host, name='echo-back', routing_key='echo-back', host='127.0.0.1', port=back['echo'])},
                {'name': 'host web listener', 'appnet.skupper.listener': dict(
                    s.host, name='web-back', routing_key='web-back', host='127.0.0.1', port=back['web'])},
                {'name': 'box reload', 'appnet.skupper.system': labelled},
            ])
            assert failed == [], failed
            assert outcomes['box reload']['restarted'] is True
            with network.inside():
                grant_server = SystemSiteGrantServer(s.home(s.box_ns))
            outcomes, failed = s.play([
                {'name': 'redeem', 'appnet.skupper.access_token': dict(
                    s.host, name='link-box', annotations={'appnet.skupper/remote-site-name': 'box'},
                    **grant_server.token()), 'no_log': True},
                {'name': 'host reload', 'appnet.skupper.system': dict(s.host_system, state='reloaded')},
            ] + s.info_tasks(host_expected=['box'], box_peers=['host']))
            assert failed == [], failed
            assert grant_server.redemptions == 1
            host_info, box_info = outcomes['host info'], outcomes['box info']
            assert [(l['name'], l['status'], l['remote_site_name']) for l in host_info['links']] == [
                ('link-box', 'Ready', 'box')]
            assert box_info['links'] == [] and 'host' in peers(box_info)
            assert s.echo_through(back['echo'])
            assert s.get_through(back['web']) == (200, web.text)
            with open(host_pid_file) as handle:
                host_pids = {host_pid, int(handle.read().strip())}
            router_pids.add(s.container_state()['pid'])
            record_property('token_link_seconds', time.time() - started)

            # -- 6. absent: nothing left --------------------------------------------------------------------
            outcomes, failed = s.play([
                {'name': 'box absent', 'appnet.skupper.system': dict(labelled, state='absent')},
                {'name': 'host absent', 'appnet.skupper.system': dict(s.host_system, state='absent')},
            ])
            assert failed == [], failed
            assert outcomes['box absent']['changed'] is True and outcomes['host absent']['changed'] is True
            assert not engine.container_exists(s.container)
            assert [pid for pid in sorted(router_pids | host_pids) if pid_alive(pid)] == []
        finally:
            if grant_server is not None:
                grant_server.stop()
            echo.close()
            web.stop()
            engine.run('rm', '--force', s.container)
            if os.path.isdir(s.home(s.host_ns)):
                s.play([{'name': 'cleanup', 'appnet.skupper.system': dict(s.host_system, state='absent'),
                         'ignore_errors': True}])
    wall = time.time() - started
    record_property('wall_seconds', wall)
    record_property('image_seconds', engine.image_seconds)
    print('%s scenario: %.1f s (image %.1f s)' % (engine.name, wall, engine.image_seconds))


def test_podman_site_with_a_linux_site(podman, real_router, tmp_path, record_property):
    run_scenario(podman, real_router, str(tmp_path), record_property)


def refused_run(engine, workdir):
    """A run the engine refuses (an OCI runtime it does not have) fails with its message; no container is left."""
    with scenario_network(engine) as network:
        s = Scenario(engine, {'skrouterd': None, 'skmanage': None}, workdir, network)
        bad = dict(s.box_system, container_run_options=dict(engine.run_options,
                                                            runtime='no-such-runtime-%s' % s.suffix))
        outcomes, _failed = s.play([
            {'name': 'box site', 'appnet.skupper.site': dict(s.box, name='box')},
            {'name': 'box system', 'appnet.skupper.system': bad, 'ignore_errors': True},
        ])
    message = outcomes['box system']['msg']
    assert outcomes['box system']['failed'] is True
    assert 'cannot run the router container %s (%s run exited' % (s.container, engine.name) in message
    assert 'no-such-runtime-%s' % s.suffix in message  # the engine's own words name the runtime
    assert not engine.container_exists(s.container)


def test_a_refused_run_fails_with_the_engine_message_and_leaves_nothing(podman, tmp_path):
    refused_run(podman, str(tmp_path))
