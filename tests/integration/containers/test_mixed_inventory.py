"""A mixed inventory through playbooks/network.yml: a Kubernetes site, a Linux site and a Podman site.

- west: platform kubernetes on the API stand-in with the controller stand-in (test doubles, as in
  tests/integration/network/test_mixed_network.py); its router is the real skrouterd, started with the CA and
  link ports the controller stand-in gave the site, under the router id Skupper gives a router on Kubernetes.
- east: platform linux, the real router under the process manager; links to west with a token (the link role's
  AccessGrant on west, redeemed by east); accepts links (127.0.0.1).
- box: platform podman, the real router in the locally built image (pull never, the engine's run options);
  links to west with a token and to east with a static link; its listeners (TCP and HTTP, `verify`) reach an echo
  and a web server behind east's connectors.

The verify role checks every link Ready with the right remote site and the traffic through box's listeners; the
test then sends real TCP and HTTP through them, runs network.yml again (nothing changes) and teardown.yml (no
container, no router process left).
"""

import os
import secrets
import sys
import time

import pytest
import yaml

from tests.integration.containers.test_container_sites import (EchoServer, WebServer, echo_through, free_port,
                                                               get_through, pid_alive)
from tests.integration.network.test_mixed_network import KubernetesSiteRouter
from tests.support.controller import Controller
from tests.support.host_ports import private_network
from tests.support.kube_api import start_server
from tests.support.playbook import changed_tasks, failures, run_playbook, task_outcomes

from kubernetes import client as k8s_client

# A scenario takes several minutes of playbooks on a busy 2-core machine (and, without a network namespace of its
# own, after waiting its turn for the host's router ports): more than pytest.ini's 15 minutes may pass.
pytestmark = pytest.mark.timeout(1800)


def test_kubernetes_linux_and_podman_sites_through_network_yml(podman, real_router, tmp_path, record_property):
    waited = time.time()
    suffix = secrets.token_hex(3)
    box_ns = 'mx%s-box' % suffix
    container = '%s-skupper-router' % box_ns
    data_home = str(tmp_path / 'skupper')
    path = str(tmp_path / 'inventory.yml')
    # Every router of the scenario, and everything that talks to them from this process (the API and controller
    # stand-ins, the servers behind the connectors, the clients of the listeners), in a network of its own.
    with private_network('appnet-mixed') as network:
        started = time.time()
        record_property('lock_wait_seconds', started - waited)
        with network.inside():
            echo, web = EchoServer(), WebServer('hello from %s' % suffix)
            echo.start()
            server = start_server()
            controller = Controller(server.url)
            controller.start()
            k8s_client.CoreV1Api(k8s_client.ApiClient(k8s_client.Configuration(host=server.url))).create_namespace(
                {'metadata': {'name': 'shop'}})
            workdir = tmp_path / 'west-router'
            workdir.mkdir()
            west_router = KubernetesSiteRouter(server, controller, 'shop', 'west', str(workdir))
            west_router.command = tuple(network.prefix) + (real_router['skrouterd'],)
            west_router.start()
            ports = {'echo': free_port(), 'web': free_port()}
        hosts = {
            'west': {'skupper_platform': 'kubernetes', 'skupper_api_host': server.url, 'skupper_namespace': 'shop',
                     'skupper_site': {'name': 'west', 'link_access': 'default'}, 'skupper_wait_timeout': 60},
            'east': {'skupper_platform': 'linux', 'skupper_namespace': 'mx%s-east' % suffix,
                     'skupper_data_home': data_home, 'skupper_service_manager': 'process',
                     'skupper_router_binary': real_router['skrouterd'], 'skupper_skmanage': real_router['skmanage'],
                     'skupper_site': {'name': 'east', 'link_access': 'default'}, 'skupper_link_host': '127.0.0.1',
                     'skupper_connectors': [
                         {'name': 'echo', 'routing_key': 'echo', 'host': '127.0.0.1', 'port': echo.port},
                         {'name': 'web', 'routing_key': 'web', 'host': '127.0.0.1', 'port': web.port}],
                     'skupper_links': [{'to': 'west'}]},
            'box': {'skupper_platform': 'podman', 'skupper_namespace': box_ns, 'skupper_data_home': data_home,
                    'skupper_router_image': podman.image, 'skupper_image_pull': 'never',
                    'skupper_container_run_options': podman.run_options,
                    'skupper_site': {'name': 'box'},
                    'skupper_listeners': [
                        {'name': 'echo', 'routing_key': 'echo', 'host': '127.0.0.1', 'port': ports['echo'],
                         'verify': True},
                        {'name': 'web', 'routing_key': 'web', 'host': '127.0.0.1', 'port': ports['web'],
                         'verify_http_path': '/'}],
                    'skupper_links': [{'to': 'west'}, {'to': 'east'}]},
        }
        common = {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable,
                  'skupper_verify_retries': 60, 'skupper_verify_delay': 1}
        with open(path, 'w') as handle:
            yaml.safe_dump({'all': {'vars': common, 'hosts': hosts}}, handle)
        try:
            rc, report = run_playbook('network.yml', path, env=podman.env, prefix=network.prefix)
            assert rc == 0, failures(report)
            assert west_router.error is None and west_router.process.poll() is None
            infos = dict((host, outcome) for host, name, outcome in task_outcomes(report)
                         if name.endswith('The site, its expected links and traffic through its listeners are ready'))
            assert sorted(infos) == ['box', 'east', 'west'], sorted(infos)
            assert sorted((l['status'], l['remote_site_name']) for l in infos['box']['links']) == [
                ('Ready', 'east'), ('Ready', 'west')]
            assert [(l['status'], l['remote_site_name']) for l in infos['east']['links']] == [('Ready', 'west')]
            assert all(info['ready'] for info in infos.values())
            with network.inside():
                assert echo_through(ports['echo'])
                assert get_through(ports['web']) == (200, web.text)
            state = podman.inspect(container, '{{.Id}} {{.State.Pid}}').split()
            east_pid_file = os.path.join(data_home, 'namespaces', 'mx%s-east' % suffix, 'internal', 'router',
                                         'skrouterd.child.pid')
            with open(east_pid_file) as handle:
                pids = [int(state[1]), int(handle.read().strip())]

            rc, report = run_playbook('network.yml', path, env=podman.env, prefix=network.prefix)
            assert rc == 0, failures(report)
            assert changed_tasks(report) == []
            assert podman.inspect(container, '{{.Id}}') == state[0]
            record_property('wall_seconds', time.time() - started)
        finally:
            rc, report = run_playbook('teardown.yml', path, env=podman.env, prefix=network.prefix)
            west_router.stop()
            controller.stop()
            server.stop()
            echo.close()
            web.stop()
            podman.run('rm', '--force', container)
        assert rc == 0, failures(report)
        assert not podman.container_exists(container)
        assert [pid for pid in pids if pid_alive(pid)] == []
