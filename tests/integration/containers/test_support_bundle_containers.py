"""appnet.skupper.support_bundle on Podman and Docker sites: the router image in a real engine (the engines of
conftest.py: the host's podman, a private dockerd), through ansible-playbook.

A container site with a listener and a connector: its bundle holds the container's state, its log, the management
snapshot asked with skmanage inside the container and the router's version, and no private key or Secret value.
Then the container is stopped: the bundle says the router is not running, and why management could not be asked."""

import json
import os
import time

import pytest

from tests.integration.containers.test_container_sites import Scenario, scenario_network
from tests.integration.support_bundle.bundles import index_of, leaks, members, secret_values_of_home

pytestmark = pytest.mark.timeout(1200)


def bundle_task(s, name, folder):
    return {'name': name, 'appnet.skupper.support_bundle': dict(s.box, dest=folder), 'register': name}


def run_bundle_scenario(engine, real_router, workdir, record_property):
    with scenario_network(engine) as network:
        s = Scenario(engine, real_router, workdir, network)
        folder = os.path.join(str(workdir), 'bundles')
        listener_port, backend_port = s.free_port(), s.free_port()
        try:
            outcomes, failed = s.play([
                {'name': 'box site', 'appnet.skupper.site': dict(s.box, name='box', link_access='default')},
                {'name': 'box connector', 'appnet.skupper.connector': dict(
                    s.box, name='backend', routing_key='backend', host='127.0.0.1', port=backend_port)},
                {'name': 'box listener', 'appnet.skupper.listener': dict(
                    s.box, name='backend', routing_key='backend', host='127.0.0.1', port=listener_port)},
                {'name': 'box system', 'appnet.skupper.system': s.box_system},
            ])
            assert failed == [], failed
            started = time.time()
            outcomes, failed = s.play([bundle_task(s, 'running', folder)])
            record_property('bundle_seconds', time.time() - started)
            assert failed == [], failed
            home = s.home(s.box_ns)
            secrets = secret_values_of_home(home)
            assert secrets
            found = members(outcomes['running']['archive'])
            assert leaks(found, secrets) == []
            index = index_of(found)
            assert index['platform'] == engine.name and index['site'] == 'box'
            assert [item['item'] for item in index['failed']] == []
            state = json.loads(found['service/state.json'])
            assert state['manager'] == 'container' and state['active'] is True
            assert state['container']['running'] is True and state['container']['container'] == s.container
            assert found['logs/router.log'].strip()
            snapshot = json.loads(found['management/snapshot.json'])
            assert [(item['address'], int(item['port'])) for item in snapshot['tcpConnector']] == [('backend', backend_port)]
            assert [item['address'] for item in snapshot['tcpListener']] == ['backend']
            assert index['versions']['router']['version']
            assert index['versions'][engine.name]
            assert 'site/runtime/router/skrouterd.json' in found

            # broken: the container is stopped
            outcomes, failed = s.play([
                {'name': 'stop', 'appnet.skupper.system': dict(s.box_system, state='stopped')},
                bundle_task(s, 'stopped', folder)])
            assert failed == [], failed
            found = members(outcomes['stopped']['archive'])
            assert leaks(found, secrets) == []
            index = index_of(found)
            assert 'the router service (container) is not running' in index['problems']
            assert any(text.startswith('site box is Pending: the router container %s is not running' % s.container)
                       for text in index['problems']), index['problems']
            failed_items = dict((item['item'], item['reason']) for item in index['failed'])
            assert 'not running' in failed_items['management']
            assert json.loads(found['service/state.json'])['container']['running'] is False
            archives = sorted(os.listdir(folder))
            assert len(archives) == 2 and all(name.startswith('localhost-skupper-dump-box-') for name in archives)
        finally:
            s.play([{'name': 'absent', 'appnet.skupper.system': dict(s.box_system, state='absent')}])


def test_podman_site_bundle(podman, real_router, tmp_path, record_property):
    run_bundle_scenario(podman, real_router, tmp_path, record_property)


def test_docker_site_bundle(docker, real_router, tmp_path, record_property):
    run_bundle_scenario(docker, real_router, tmp_path, record_property)
