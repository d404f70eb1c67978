"""A Kubernetes site and a Linux site in one inventory: the token handoff of the link role.

Site west runs on Kubernetes (the API stand-in with the controller stand-in, both test doubles); site
east is a Linux site on this host. The link role issues an AccessGrant on west (delegated to west's
inventory host), and east redeems the token over HTTPS itself (nonkube-runtime.md section 9), keeping the
Link and Secret it gets as resource files. A second run issues nothing new. The link cannot become
Ready here (no router runs for the Kubernetes site), so verification is off.
"""

import os
import sys

import pytest
import yaml

from tests.support.controller import Controller
from tests.support.kube_api import start_server
from tests.support.playbook import ROOT, changed_tasks, failures, run_playbook

from kubernetes import client as k8s_client


@pytest.fixture
def cluster():
    server = start_server()
    controller = Controller(server.url)
    controller.start()
    k8s_client.CoreV1Api(k8s_client.ApiClient(k8s_client.Configuration(host=server.url))).create_namespace(
        {'metadata': {'name': 'shop'}})
    yield server, controller
    controller.stop()
    server.stop()


def inventory(path, server, data_home):
    hosts = {
        'west': {'skupper_platform': 'kubernetes', 'skupper_api_host': server.url, 'skupper_namespace': 'shop',
                 'skupper_site': {'name': 'west', 'link_access': 'default'}, 'skupper_wait_timeout': 30},
        'east': {'skupper_platform': 'linux', 'skupper_namespace': 'shop', 'skupper_data_home': data_home,
                 'skupper_site': {'name': 'east'}, 'skupper_service_manager': 'process',
                 'skupper_router_binary': os.path.join(ROOT, 'tests', 'support', 'bin', 'skrouterd'),
                 'skupper_skmanage': os.path.join(ROOT, 'tests', 'support', 'bin', 'skmanage'),
                 'skupper_links': [{'to': 'west', 'cost': 4}]},
    }
    common = {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable, 'skupper_verify': False}
    with open(path, 'w') as handle:
        yaml.safe_dump({'all': {'vars': common, 'hosts': hosts}}, handle)


def test_linux_site_redeems_a_kubernetes_token_once(tmp_path, cluster):
    server, controller = cluster
    data_home = str(tmp_path / 'skupper')
    path = str(tmp_path / 'inventory.yml')
    inventory(path, server, data_home)
    try:
        rc, report = run_playbook('network.yml', path)
        assert rc == 0, failures(report)
        resources = os.path.join(data_home, 'namespaces', 'shop', 'input', 'resources')
        with open(os.path.join(resources, 'Link-link-west.yaml')) as handle:
            link = yaml.safe_load(handle)
        assert link['spec']['tlsCredentials'] == 'link-west' and link['spec']['cost'] == 4
        ports = controller.site_ports('shop')
        assert {int(e['port']) for e in link['spec']['endpoints']} <= set(ports.values())
        assert os.stat(os.path.join(resources, 'Secret-link-west.yaml')).st_mode & 0o777 == 0o600
        assert controller.redemptions('shop', 'east') == 1
        with open(os.path.join(data_home, 'namespaces', 'shop', 'runtime', 'router', 'skrouterd.json')) as handle:
            assert '"link-west"' in handle.read()

        rc, report = run_playbook('network.yml', path)
        assert rc == 0, failures(report)
        assert changed_tasks(report) == []
        assert controller.redemptions('shop', 'east') == 1, 'a linked pair is never linked again'
    finally:
        run_playbook('teardown.yml', path)
