"""A Kubernetes site and a Linux site in one inventory: the token handoff of the link role, and the link verified.

Site west runs on Kubernetes (the API stand-in with the controller stand-in, both test doubles); site
east is a Linux site on this host. The link role issues an AccessGrant on west (delegated to west's
inventory host), and east redeems the token over HTTPS itself (nonkube-runtime.md section 9), keeping the
Link and Secret it gets as resource files. A second run issues nothing new.

West's router is a router stand-in (a test double) started as soon as the controller stand-in has given
the site its CA and link ports: it listens on those ports with a server certificate of west's CA, under
the router id Skupper gives a router on Kubernetes (<site>-<router pod name>). So the verify role checks
for real that east's link is Ready with the remote site west.
"""

import base64
import json
import os
import subprocess
import sys
import threading
import time

import pytest
import yaml

from ansible_collections.appnet.skupper.plugins.module_utils.system.render import certs
from tests.support import router_schema
from tests.support.controller import Controller
from tests.support.host_ports import router_ports_lock
from tests.support.kube_api import start_server
from tests.support.playbook import ROOT, changed_tasks, failures, run_playbook, task_outcomes

from kubernetes import client as k8s_client

STANDIN = os.path.join(ROOT, 'tests', 'support', 'bin', 'skrouterd')
# What Skupper on Kubernetes names the router: <site>-${HOSTNAME}, the pod of the skupper-router deployment.
WEST_ROUTER_ID = 'west-skupper-router-6d8f7c9b4-x7k2p'


class KubernetesSiteRouter(threading.Thread):
    """Starts the router stand-in of the Kubernetes site once the controller stand-in has set the site up.

    command: the router to run with `-c <config>` (the stand-in; tests/integration/containers runs the real one)."""

    command = (sys.executable, STANDIN)

    def __init__(self, server, controller, namespace, site, workdir):
        super().__init__(daemon=True)
        self.api = k8s_client.ApiClient(k8s_client.Configuration(host=server.url))
        self.controller, self.namespace, self.site, self.workdir = controller, namespace, site, workdir
        self.process, self.error, self.stopping = None, None, threading.Event()

    def run(self):
        try:
            while not self.stopping.is_set():
                ports = self.controller.site_ports(self.namespace)
                if ('skupper-router', 'inter-router') in ports:
                    self.process = self.start_router(ports)
                    return
                time.sleep(0.2)
        except Exception as exc:  # reported by the test
            self.error = exc

    def start_router(self, ports):
        secret = k8s_client.CoreV1Api(self.api).read_namespaced_secret('skupper-site-ca', self.namespace)
        data = dict((key, base64.b64decode(value)) for key, value in secret.data.items())
        ca = certs.ca_from_pem('skupper-site-ca', data['tls.crt'], data['tls.key'], 'the site CA of the stand-in')
        site = k8s_client.CustomObjectsApi(self.api).get_namespaced_custom_object(
            'skupper.io', 'v2alpha1', self.namespace, 'sites', self.site)
        directory = os.path.join(self.workdir, 'skupper-site-server')
        certs.write_files(directory, certs.create_leaf(ca, 'skupper-site-server', ['127.0.0.1'], client=False,
                                                       server=True))
        profile = {'certFile': os.path.join(directory, 'tls.crt'), 'privateKeyFile': os.path.join(directory, 'tls.key'),
                   'caCertFile': os.path.join(directory, 'ca.crt')}
        entities = [['router', {'id': WEST_ROUTER_ID, 'mode': 'interior', 'helloMaxAgeSeconds': '3',
                                'metadata': json.dumps({'id': site['metadata']['uid'], 'version': '2.1.0',
                                                        'platform': 'kubernetes'})}],
                    ['sslProfile', dict(profile, name='skupper-site-server')]]
        for role in ('inter-router', 'edge'):
            entities.append(['listener', {'name': 'skupper-%s' % role, 'role': role, 'host': '127.0.0.1',
                                          'port': ports[('skupper-router', role)], 'sslProfile': 'skupper-site-server',
                                          'saslMechanisms': 'EXTERNAL', 'authenticatePeer': True}])
        config = os.path.join(self.workdir, 'skrouterd.json')
        with open(config, 'w') as handle:
            json.dump(entities, handle)
        log = open(os.path.join(self.workdir, 'skrouterd.log'), 'ab')
        return subprocess.Popen(list(self.command) + ['-c', config], stdout=log, stderr=log)

    def stop(self):
        self.stopping.set()
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)


@pytest.fixture(autouse=True)
def own_router_ports():
    with router_ports_lock():
        yield


@pytest.fixture
def cluster(tmp_path):
    server = start_server()
    controller = Controller(server.url)
    controller.start()
    k8s_client.CoreV1Api(k8s_client.ApiClient(k8s_client.Configuration(host=server.url))).create_namespace(
        {'metadata': {'name': 'shop'}})
    workdir = tmp_path / 'west-router'
    workdir.mkdir()
    router = KubernetesSiteRouter(server, controller, 'shop', 'west', str(workdir))
    router.start()
    yield server, controller, router
    router.stop()
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
    common = {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable,
              'skupper_verify_retries': 30, 'skupper_verify_delay': 1}
    with open(path, 'w') as handle:
        yaml.safe_dump({'all': {'vars': common, 'hosts': hosts}}, handle)


def test_linux_site_redeems_a_kubernetes_token_once_and_links_to_it(tmp_path, cluster):
    server, controller, router = cluster
    data_home = str(tmp_path / 'skupper')
    path = str(tmp_path / 'inventory.yml')
    inventory(path, server, data_home)
    try:
        rc, report = run_playbook('network.yml', path)
        assert rc == 0, failures(report)
        assert router.error is None and router.process is not None and router.process.poll() is None
        resources = os.path.join(data_home, 'namespaces', 'shop', 'input', 'resources')
        with open(os.path.join(resources, 'Link-link-west.yaml')) as handle:
            link = yaml.safe_load(handle)
        assert link['spec']['tlsCredentials'] == 'link-west' and link['spec']['cost'] == 4
        assert link['metadata']['annotations'] == {'appnet.skupper/remote-site-name': 'west'}
        infos = dict((host, outcome) for host, _name, outcome in task_outcomes(report)
                     if 'links' in outcome and 'ready' in outcome and 'missing_links' in outcome)
        assert [(l['name'], l['status'], l['remote_site_name']) for l in infos['east']['links']] == [
            ('link-west', 'Ready', 'west')]
        assert [(p['router_id'], p['site_name']) for p in infos['east']['peers']] == [(WEST_ROUTER_ID, 'west')]
        assert infos['east']['ready'] is True and infos['west']['ready'] is True
        ports = controller.site_ports('shop')
        assert {int(e['port']) for e in link['spec']['endpoints']} <= set(ports.values())
        assert os.stat(os.path.join(resources, 'Secret-link-west.yaml')).st_mode & 0o777 == 0o600
        assert controller.redemptions('shop', 'east') == 1
        config = os.path.join(data_home, 'namespaces', 'shop', 'runtime', 'router', 'skrouterd.json')
        with open(config) as handle:
            assert '"link-west"' in handle.read()
        if os.path.exists(router_schema.SCHEMA):
            assert router_schema.config_file_problems(config) == []

        rc, report = run_playbook('network.yml', path)
        assert rc == 0, failures(report)
        assert changed_tasks(report) == []
        assert controller.redemptions('shop', 'east') == 1, 'a linked pair is never linked again'
    finally:
        run_playbook('teardown.yml', path)
