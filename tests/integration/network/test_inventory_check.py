"""network.yml on a broken inventory fails before anything is written anywhere, with one line per problem.

A Linux site on this host (its data home must stay absent) and a Kubernetes site on the API stand-in (a test
double; its namespace must stay empty). Each broken inventory is a good one with one mistake.
"""

import copy
import os
import sys

import pytest
import yaml

from tests.support.kube_api import start_server
from tests.support.playbook import failures, run_playbook, task_outcomes

from kubernetes import client as k8s_client


@pytest.fixture(scope='module')
def server():
    server = start_server()
    k8s_client.CoreV1Api(k8s_client.ApiClient(k8s_client.Configuration(host=server.url))).create_namespace(
        {'metadata': {'name': 'shop'}})
    yield server
    server.stop()


def good_inventory(server, data_home):
    hosts = {
        'west': {'skupper_platform': 'kubernetes', 'skupper_api_host': server.url, 'skupper_namespace': 'shop',
                 'skupper_site': {'name': 'west', 'link_access': 'default'},
                 'skupper_connectors': [{'name': 'backend', 'host': 'backend', 'port': 8080}]},
        'east': {'skupper_platform': 'linux', 'skupper_namespace': 'shop', 'skupper_data_home': data_home,
                 'skupper_site': {'name': 'east'}, 'skupper_service_manager': 'process',
                 'skupper_listeners': [{'name': 'backend', 'host': '127.0.0.1', 'port': 18080}],
                 'skupper_links': [{'to': 'west'}]},
    }
    # (short waits: should the check let a broken inventory through, the run fails fast rather than waiting)
    common = {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable,
              'skupper_wait_timeout': 5, 'skupper_verify_retries': 1}
    return {'all': {'vars': common, 'hosts': hosts}}


MISTAKES = {
    'link to a host not in the inventory': (
        {'east': {'skupper_links': [{'to': 'wset'}]}},
        'host east: skupper_links[0].to: "wset" is not a host of the inventory (did you mean "west"?)'),
    'two sites with one name': (
        {'east': {'skupper_site': {'name': 'west'}}},
        'host west: skupper_site.name: site name "west" is also the name of the site of host east'),
    'link to a site without link access': (
        {'west': {'skupper_site': {'name': 'west'}}},
        'host east: skupper_links[0].to: site "west" (host west) has no link access'),
    'two sites in one namespace of one host': (
        {'north': {'skupper_platform': 'linux', 'skupper_namespace': 'shop', 'skupper_site': {'name': 'north'},
                   'skupper_data_home': 'DATA_HOME'}},
        'host north: skupper_namespace: namespace "shop" on localhost'),
    'duplicate listener names': (
        {'east': {'skupper_listeners': [{'name': 'backend', 'host': '127.0.0.1', 'port': 18080},
                                        {'name': 'backend', 'host': '127.0.0.1', 'port': 18081}]}},
        'host east: skupper_listeners[1]: name "backend" is used twice in this site (also skupper_listeners[0])'),
    'two listeners on one port of one Linux host': (
        {'north': {'skupper_platform': 'linux', 'skupper_namespace': 'north', 'skupper_site': {'name': 'north'},
                   'skupper_listeners': [{'name': 'other', 'routing_key': 'backend', 'host': '0.0.0.0', 'port': 18080}]}},
        'host north: skupper_listeners[0] (other).port: port 18080 of listener "other" (address 0.0.0.0) collides '
        'with listener "backend" (address 127.0.0.1) of the site of host east on localhost'),
    'listener on a link access port': (
        {'east': {'skupper_router_accesses': [{'name': 'links', 'roles': [{'name': 'inter-router', 'port': 18080}]}]}},
        'host east: skupper_router_accesses[0] (links).roles: port 18080 of router access "links" role inter-router'),
}


def write(inventory, path):
    with open(path, 'w') as handle:
        yaml.safe_dump(inventory, handle)


def objects_in(server, namespace):
    api = k8s_client.CustomObjectsApi(k8s_client.ApiClient(k8s_client.Configuration(host=server.url)))
    found = []
    for plural in ('sites', 'listeners', 'connectors', 'links', 'accessgrants', 'accesstokens'):
        found += api.list_namespaced_custom_object('skupper.io', 'v2alpha1', namespace, plural)['items']
    return found


@pytest.mark.parametrize('check_mode', [False, True], ids=['run', 'check'])
@pytest.mark.parametrize('mistake', sorted(MISTAKES))
def test_a_broken_inventory_fails_before_any_change(tmp_path, server, mistake, check_mode):
    data_home = str(tmp_path / 'skupper')
    inventory = good_inventory(server, data_home)
    changes, line = MISTAKES[mistake]
    for host, values in changes.items():
        values = dict((k, data_home if v == 'DATA_HOME' else v) for k, v in copy.deepcopy(values).items())
        inventory['all']['hosts'].setdefault(host, {}).update(values)
    path = str(tmp_path / 'inventory.yml')
    write(inventory, path)
    rc, report = run_playbook('network.yml', path, *(['--check'] if check_mode else []))
    assert rc != 0
    outcomes = list(task_outcomes(report))
    checks = [o for _h, name, o in outcomes if name.endswith('Inventory of the whole network')]
    assert len(checks) == 1 and checks[0].get('failed'), failures(report)
    assert any(p.startswith(line) for p in checks[0]['problems']), checks[0]['problems']
    assert checks[0]['msg'].startswith('The inventory has %d problem' % len(checks[0]['problems']))
    # nothing ran after the check, on any host, and nothing was written anywhere
    assert [name for _h, name, _o in outcomes][-1].endswith('Inventory of the whole network')
    assert not os.path.exists(data_home)
    assert objects_in(server, 'shop') == []


def test_the_good_inventory_passes_the_check(tmp_path, server):
    path = str(tmp_path / 'inventory.yml')
    write(good_inventory(server, str(tmp_path / 'skupper')), path)
    playbook = str(tmp_path / 'check.yml')
    write([{'hosts': 'all', 'gather_facts': False,
            'tasks': [{'name': 'check', 'appnet.skupper.inventory_check': None, 'run_once': True}]}], playbook)
    rc, report = run_playbook(playbook, path)
    assert rc == 0, failures(report)
    [(host, outcome)] = [(h, o) for h, name, o in task_outcomes(report) if name == 'check']
    assert outcome['problems'] == [] and outcome['inventory_warnings'] == [] and outcome['sites'] == ['east', 'west']
    assert outcome['msg'] == 'The inventory of 2 sites is consistent' and outcome['changed'] is False
