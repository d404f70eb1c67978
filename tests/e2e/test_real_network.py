"""End to end on the real Skupper router: three Linux sites on network-namespace hosts over SSH.

playbooks/network.yml builds sites west (link access; connectors to an HTTP server and a TCP echo server on
west), east (an HTTP listener) and north (a TCP listener), links east and north to west with static links,
and verifies them. Everything is read from the real routers with network_info: links Ready with the remote
site's name and id, listeners bound, connectors matched by the listeners of the other sites (before any
traffic, and still after it). Then: a second run changes
nothing; a reload that moves east's listener to another port, answering at once; a listener port that is
taken, reported by system and network_info; west stopped and started again; teardown, after which no router
process of the run is left (by PID). Every router log is read at the end: no `(error)` line except the one the
port conflict provokes.

Needs the real router (tests/support/real_router.py: `make test` builds it and sets SKUPPER_ROUTER_BIN) and
network namespaces with sshd (root); skipped with the reason otherwise, and under CI=true a missing router
fails the test.
"""

import os
import signal
import subprocess
import sys

import pytest
import yaml

from tests.support import real_router, router_schema
from tests.support.netns_hosts import NetnsHosts, available
from tests.support.playbook import failures, run_playbook, task_outcomes
from tests.support.reference import absent_reason

HTTP_PORT, ECHO_PORT = 19090, 19091
EAST_PORT, EAST_NEW_PORT, NORTH_PORT, TAKEN_PORT = 18080, 18082, 18081, 18083
NAMESPACE = 'shop'
# The error lines the tests provoke on purpose. North's listener on a port that another process holds. And the
# links (inter-router port 55671) while a router at one end is restarted (reload) or stopped: the router that
# dials logs its refused attempts, and the router that stops (SIGTERM) drops its TLS connections without closing
# them, which its peer logs. An error on any other connection (the management port 5671 included) is not expected.
LINK_ERRORS = [r'Connection to \S+:55671 failed', r'Connection from \S+ \(to \S*:55671\) failed']
EXPECTED_ERRORS = {'west': LINK_ERRORS, 'east': LINK_ERRORS,
                   'north': LINK_ERRORS + [r'Listener .*(Address already in use|%d)' % TAKEN_PORT]}

UNAVAILABLE = available()
pytestmark = pytest.mark.skipif(UNAVAILABLE is not None, reason='no network namespace hosts: %s' % UNAVAILABLE)

ECHO_SERVER = '''
import socket, sys, threading
server = socket.create_server(('127.0.0.1', int(sys.argv[1])))
def echo(conn):
    with conn:
        while True:
            data = conn.recv(65536)
            if not data:
                return
            conn.sendall(data)
while True:
    threading.Thread(target=echo, args=(server.accept()[0],), daemon=True).start()
'''
TCP_CLIENT = '''
import socket, sys
with socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=10) as client:
    client.sendall(b'ping through skupper\\n')
    print(client.recv(100).decode(), end='')
'''
HTTP_CLIENT = ('import sys, urllib.request; '
               'print(urllib.request.urlopen("http://127.0.0.1:%s/" % sys.argv[1], timeout=10).read().decode(), end="")')
HOLD_PORT = 'import socket, sys, time; s = socket.create_server(("127.0.0.1", int(sys.argv[1]))); time.sleep(3600)'


def layout(east_port=EAST_PORT, north_port=NORTH_PORT):
    return {
        'west': {'skupper_site': {'name': 'west', 'link_access': 'default'},
                 'skupper_connectors': [{'name': 'backend', 'host': '127.0.0.1', 'port': HTTP_PORT},
                                        {'name': 'echo', 'host': '127.0.0.1', 'port': ECHO_PORT}]},
        'east': {'skupper_site': {'name': 'east'},
                 'skupper_listeners': [{'name': 'backend', 'host': '127.0.0.1', 'port': east_port,
                                        'verify_http_path': '/'}],
                 'skupper_links': [{'to': 'west'}]},
        'north': {'skupper_site': {'name': 'north'},
                  'skupper_listeners': [{'name': 'echo', 'host': '127.0.0.1', 'port': north_port,
                                         'verify': north_port != TAKEN_PORT}],
                  'skupper_links': [{'to': 'west'}]},
    }


class Network:
    """The hosts, the inventory and what the tests learn on the way."""

    def __init__(self, hosts, workdir, skrouterd, skmanage):
        self.hosts, self.workdir = hosts, workdir
        self.skrouterd, self.skmanage = skrouterd, skmanage
        self.inventory = os.path.join(workdir, 'inventory.yml')
        self.logs = {}

    def write_inventory(self, **ports):
        common = {'ansible_python_interpreter': sys.executable, 'skupper_platform': 'linux',
                  'skupper_service_manager': 'process', 'skupper_router_binary': self.skrouterd,
                  'skupper_skmanage': self.skmanage, 'skupper_verify_retries': 30, 'skupper_verify_delay': 1}
        hosts = {}
        for host in self.hosts.hosts:
            hosts[host.name] = dict(self.hosts.inventory_vars(host), skupper_namespace=NAMESPACE,
                                    skupper_data_home=self.data_home(host.name), **layout(**ports)[host.name])
        with open(self.inventory, 'w') as handle:
            yaml.safe_dump({'all': {'vars': common, 'hosts': hosts}}, handle)

    def data_home(self, name):
        return os.path.join(self.hosts[name].workdir, 'skupper')

    def site_home(self, name):
        return os.path.join(self.data_home(name), 'namespaces', NAMESPACE)

    def router_log(self, name):
        return os.path.join(self.site_home(name), 'internal', 'router', 'skrouterd.log')

    def router_pids(self, name):
        """The PIDs of the router of site name and of its supervisor (the process service's pid files)."""
        pids = []
        for pid_file in ('skrouterd.child.pid', 'skrouterd.pid'):
            with open(os.path.join(self.site_home(name), 'internal', 'router', pid_file)) as handle:
                pids.append(int(handle.read().split()[0]))
        return pids

    def keep_router_logs(self):
        """Copy every router log (teardown removes internal/, where they are) into self.logs."""
        for name in ('west', 'east', 'north'):
            if os.path.exists(self.router_log(name)):
                with open(self.router_log(name), errors='replace') as handle:
                    self.logs[name] = handle.read()

    def run_in(self, name, *argv):
        return subprocess.run(self.hosts[name].exec_argv(sys.executable, *argv), capture_output=True, text=True,
                              timeout=60, check=False)

    def play(self, name, tasks):
        """Run tasks on host name in a playbook of their own; (rc, report)."""
        path = os.path.join(self.workdir, 'play-%s.yml' % name)
        with open(path, 'w') as handle:
            yaml.safe_dump([{'hosts': name, 'gather_facts': False, 'tasks': tasks}], handle)
        return run_playbook(path, self.inventory)

    def network_info(self, name):
        rc, report = self.play(name, [{'name': 'info', 'appnet.skupper.network_info': {
            'platform': 'linux', 'namespace': NAMESPACE, 'data_home': self.data_home(name),
            'skmanage': self.skmanage}}])
        assert rc == 0, failures(report)
        return next(outcome for _host, task, outcome in task_outcomes(report) if task == 'info')

    def system(self, name, state):
        rc, report = self.play(name, [{'name': 'system', 'appnet.skupper.system': {
            'platform': 'linux', 'namespace': NAMESPACE, 'data_home': self.data_home(name), 'state': state,
            'service_manager': 'process', 'router_binary': self.skrouterd}}])
        assert rc == 0, failures(report)
        return next(outcome for _host, task, outcome in task_outcomes(report) if task == 'system')


def running(pid):
    """Whether pid is a live process (not a zombie: PID 1 here does not reap the orphans it inherits)."""
    try:
        with open('/proc/%d/stat' % pid) as handle:
            return handle.read().rsplit(')', 1)[-1].split()[0] != 'Z'
    except OSError:
        return False


def verified(report):
    """{host: network_info result} of the verify role's task in a report."""
    return dict((host, outcome) for host, _name, outcome in task_outcomes(report)
                if 'links' in outcome and 'ready' in outcome)


def by_name(items):
    return dict((item['name'], item) for item in items)


@pytest.fixture(scope='module')
def network(tmp_path_factory):
    skrouterd, skmanage = real_router.require()
    workdir = str(tmp_path_factory.mktemp('e2e-netns'))
    with NetnsHosts(['west', 'east', 'north'], workdir) as hosts:
        servers = [hosts['west'].serve_http(os.path.join(workdir, 'backend'), HTTP_PORT,
                                            'hello from the backend behind west\n')]
        servers.append(subprocess.Popen(hosts['west'].exec_argv(sys.executable, '-c', ECHO_SERVER, str(ECHO_PORT)),
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        net = Network(hosts, workdir, skrouterd, skmanage)
        net.write_inventory()
        try:
            yield net
        finally:
            net.keep_router_logs()
            run_playbook('teardown.yml', net.inventory)
            for server in servers:
                server.terminate()
                server.wait(10)
        assert sorted(net.logs) == ['east', 'north', 'west']
        errors = dict((name, real_router.error_lines(text.splitlines(), EXPECTED_ERRORS.get(name, ())))
                      for name, text in net.logs.items())
        assert errors == {'west': [], 'east': [], 'north': []}


def test_network_comes_up_with_links_ready_to_the_remote_site_named_and_identified(network):
    rc, report = run_playbook('network.yml', network.inventory)
    assert rc == 0, failures(report)
    infos = verified(report)
    west_id = infos['west']['site']['id']
    assert west_id and infos['west']['site']['status'] == 'Ready'
    for site in ('east', 'north'):
        assert [(link['status'], link['remote_site_name'], link['remote_site_id'], link['host'])
                for link in infos[site]['links']] == [('Ready', 'west', west_id, network.hosts['west'].address)]
    assert {peer['site_name'] for peer in infos['west']['peers']} == {'east', 'north'}
    # each listener is bound: the router found the connector for its routing key at west
    for site, name in (('east', 'backend'), ('north', 'echo')):
        listener = by_name(infos[site]['listeners'])[name]
        assert (listener['status'], listener['matched'], listener['reason']) == ('Ready', True, None)
    # west's connectors are matched before any traffic: their listeners are at east and north, whose routers
    # network_info asked over the network
    assert {name: (item['status'], item['matched'], item['reason'])
            for name, item in by_name(infos['west']['connectors']).items()} == {
        'backend': ('Ready', True, None), 'echo': ('Ready', True, None)}


def test_every_rendered_router_config_passes_the_router_schema(network):
    if not os.path.exists(router_schema.SCHEMA):
        pytest.skip(absent_reason('router', 'skrouter.json'))
    for name in ('west', 'east', 'north'):
        config = os.path.join(network.site_home(name), 'runtime', 'router', 'skrouterd.json')
        assert router_schema.config_file_problems(config) == [], name


def test_tcp_and_http_go_through_the_listeners_of_two_sites(network):
    answer = network.run_in('east', '-c', HTTP_CLIENT, str(EAST_PORT))
    assert answer.stdout == 'hello from the backend behind west\n', answer.stderr
    answer = network.run_in('north', '-c', TCP_CLIENT, str(NORTH_PORT))
    assert answer.stdout == 'ping through skupper\n', answer.stderr


def test_connectors_are_matched_once_their_listeners_carried_traffic(network):
    info = network.network_info('west')
    connectors = by_name(info['connectors'])
    assert {name: (item['status'], item['matched']) for name, item in connectors.items()} == {
        'backend': ('Ready', True), 'echo': ('Ready', True)}


def test_second_run_changes_nothing(network):
    rc, report = run_playbook('network.yml', network.inventory)
    assert rc == 0, failures(report)
    assert [task for host, task, outcome in task_outcomes(report) if outcome.get('changed')] == []


def test_a_reload_that_moves_a_listener_returns_once_the_new_port_answers(network):
    routers = network.router_pids('east')
    network.write_inventory(east_port=EAST_NEW_PORT)
    rc, report = run_playbook('network.yml', network.inventory, '--limit', 'east', '-e', 'skupper_verify=false')
    assert rc == 0, failures(report)
    outcomes = [outcome for host, task, outcome in task_outcomes(report) if outcome.get('reconfigured')]
    assert [outcome['restarted'] for outcome in outcomes] == [False]
    assert [task for host, task, outcome in task_outcomes(report) if outcome.get('restarted')] == []
    # the listener moved on the running router, through management: no restart, no warning
    reconfigured = outcomes[0]['reconfigured']
    assert 'tcpListener listener/backend' in reconfigured['created'] + reconfigured['updated'], outcomes[0]
    assert outcomes[0].get('warnings', []) == []
    assert network.router_pids('east') == routers
    # no wait, no retry: system returned once the router had bound the new port
    answer = network.run_in('east', '-c', HTTP_CLIENT, str(EAST_NEW_PORT))
    assert answer.stdout == 'hello from the backend behind west\n', answer.stderr
    assert 'refused' in network.run_in('east', '-c', HTTP_CLIENT, str(EAST_PORT)).stderr
    listener = by_name(network.network_info('east')['listeners'])['backend']
    assert (listener['port'], listener['status']) == (EAST_NEW_PORT, 'Ready')


def test_a_listener_port_that_is_taken_is_reported(network):
    holder = subprocess.Popen(network.hosts['north'].exec_argv(sys.executable, '-c', HOLD_PORT, str(TAKEN_PORT)))
    try:
        network.write_inventory(east_port=EAST_NEW_PORT, north_port=TAKEN_PORT)
        rc, report = run_playbook('network.yml', network.inventory, '--limit', 'north', '-e', 'skupper_verify=false')
        assert rc == 0, failures(report)
        changed = [outcome for host, task, outcome in task_outcomes(report) if outcome.get('reconfigured')]
        assert len(changed) == 1 and changed[0]['restarted'] is False
        assert any('listener echo cannot listen on 127.0.0.1:%d' % TAKEN_PORT in warning
                   and 'in use' in warning for warning in changed[0].get('warnings', [])), changed[0]
        listener = by_name(network.network_info('north')['listeners'])['echo']
        assert listener['status'] == 'Pending' and listener['matched'] is True
        assert listener['reason'].startswith('cannot listen on 127.0.0.1:%d: ' % TAKEN_PORT)
        assert 'in use' in listener['reason']
    finally:
        holder.send_signal(signal.SIGTERM)
        holder.wait(10)
    network.write_inventory(east_port=EAST_NEW_PORT)
    rc, report = run_playbook('network.yml', network.inventory, '--limit', 'north', '-e', 'skupper_verify=false')
    assert rc == 0, failures(report)
    assert by_name(network.network_info('north')['listeners'])['echo']['status'] == 'Ready'


def test_west_stopped_then_started_again(network):
    before = network.router_pids('west')
    assert network.system('west', 'stopped')['changed'] is True
    assert [pid for pid in before if running(pid)] == []
    link = network.network_info('east')['links'][0]
    assert link['status'] == 'Pending' and link['reason']
    assert network.system('west', 'started')['changed'] is True
    rc, report = run_playbook('verify.yml', network.inventory)
    assert rc == 0, failures(report)
    assert [(link['status'], link['remote_site_name']) for link in verified(report)['east']['links']] == [
        ('Ready', 'west')]


def test_teardown_leaves_no_router_process(network):
    pids = dict((name, network.router_pids(name)) for name in ('west', 'east', 'north'))
    assert all(running(pid) for group in pids.values() for pid in group)
    network.keep_router_logs()
    rc, report = run_playbook('teardown.yml', network.inventory)
    assert rc == 0, failures(report)
    assert dict((name, [pid for pid in group if running(pid)]) for name, group in pids.items()) \
        == {'west': [], 'east': [], 'north': []}
