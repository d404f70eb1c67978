"""End to end with the real Skupper router: three Linux sites on this host, linked, with TCP traffic.

Needs the real `skrouterd` and `skmanage` (tests/support/real_router.py: `make test` and `make e2e` build them
from source and set SKUPPER_ROUTER_BIN). Skipped with the reason otherwise; under CI=true it fails instead.
Every router log is checked at the end: no `(error)` line.

Sites west (link access), east and north run in three Skupper namespaces of one data home with
distinct ports; east and north link to west with static links addressed to 127.0.0.1; an echo server
behind west's connector answers a TCP client connected to east's listener; network_info reports the
links Ready with remote site west. A second run of the playbook changes nothing.
"""

import os
import socket
import sys
import threading

import pytest
import yaml

from tests.support import real_router, router_schema
from tests.support.reference import absent_reason
from tests.support.host_ports import router_ports_lock
from tests.support.playbook import changed_tasks, failures, run_playbook, task_outcomes

ECHO_PORT = 29090
LISTENER_PORTS = {'east': 28080, 'north': 28081}


ROUTER, SKMANAGE = real_router.skrouterd(), real_router.skmanage()


@pytest.fixture(scope='module', autouse=True)
def router_tools():
    """The real router (skip without it; fail under CI=true)."""
    return real_router.require()


class EchoServer(threading.Thread):
    """A TCP echo server on 127.0.0.1 (the workload behind west's connector)."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.sock = socket.create_server(('127.0.0.1', port))

    def run(self):
        while True:
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.echo, args=(conn,), daemon=True).start()

    @staticmethod
    def echo(conn):
        with conn:
            while True:
                data = conn.recv(65536)
                if not data:
                    return
                conn.sendall(data)


def inventory(data_home, path):
    common = {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable,
              'skupper_platform': 'linux', 'skupper_data_home': data_home, 'skupper_service_manager': 'process',
              'skupper_router_binary': ROUTER, 'skupper_skmanage': SKMANAGE,
              'skupper_verify_retries': 30, 'skupper_verify_delay': 1}
    hosts = {
        'west': {'skupper_namespace': 'e2e-west', 'skupper_site': {'name': 'west', 'link_access': 'default'},
                 'skupper_link_host': '127.0.0.1',
                 'skupper_connectors': [{'name': 'echo', 'host': '127.0.0.1', 'port': ECHO_PORT}]},
    }
    for name, port in LISTENER_PORTS.items():
        hosts[name] = {'skupper_namespace': 'e2e-' + name, 'skupper_site': {'name': name},
                       'skupper_listeners': [{'name': 'echo', 'host': '127.0.0.1', 'port': port, 'verify': True}],
                       'skupper_links': [{'to': 'west'}]}
    with open(path, 'w') as handle:
        yaml.safe_dump({'all': {'vars': common, 'hosts': hosts}}, handle)


@pytest.fixture(scope='module')
def network(tmp_path_factory):
    workdir = tmp_path_factory.mktemp('e2e')
    path = str(workdir / 'inventory.yml')
    inventory(str(workdir / 'skupper'), path)
    with router_ports_lock():
        echo = EchoServer(ECHO_PORT)
        echo.start()
        try:
            yield path, str(workdir / 'skupper')
        finally:
            run_playbook('teardown.yml', path)
            echo.sock.close()
    logs = sorted(str(p) for p in (workdir / 'skupper').glob('namespaces/*/internal/router/skrouterd.log'))
    assert len(logs) == 3
    assert {log: real_router.error_lines(log) for log in logs} == {log: [] for log in logs}


def test_network_with_real_routers(network):
    path, data_home = network
    rc, report = run_playbook('network.yml', path)
    assert rc == 0, failures(report)
    infos = dict((host, outcome) for host, _name, outcome in task_outcomes(report)
                 if 'links' in outcome and 'ready' in outcome)
    for site in LISTENER_PORTS:
        assert [(l['status'], l['remote_site_name']) for l in infos[site]['links']] == [('Ready', 'west')]
    for port in LISTENER_PORTS.values():
        with socket.create_connection(('127.0.0.1', port), timeout=10) as client:
            client.sendall(b'ping through skupper\n')
            assert client.recv(100) == b'ping through skupper\n'


def test_rendered_configs_pass_the_router_schema(network):
    _path, data_home = network
    if not os.path.exists(router_schema.SCHEMA):
        pytest.skip(absent_reason('router', 'skrouter.json'))
    for site in ['west'] + list(LISTENER_PORTS):
        config = os.path.join(data_home, 'namespaces', 'e2e-' + site, 'runtime', 'router', 'skrouterd.json')
        assert router_schema.config_file_problems(config) == [], site


def test_second_run_changes_nothing(network):
    path, _data_home = network
    rc, report = run_playbook('network.yml', path)
    assert rc == 0, failures(report)
    assert changed_tasks(report) == []
