"""A whole network from an inventory, over real SSH: three Linux hosts (network namespaces with sshd).

playbooks/network.yml builds sites west (link access), east and north, links east and north to west
with static links issued on west, verifies every link is Ready (router management) and sends an HTTP
GET through east's listener to a backend behind west's connector. A second run changes nothing;
teardown.yml removes the sites. The router is the real one when SKUPPER_ROUTER_BIN names it (`make test` sets it;
skmanage is taken from beside it), else the stand-in (tests/support/bin/skrouterd, a test double).
"""

import base64
import os
import subprocess
import sys

import pytest
import yaml

from tests.support import real_router, router_schema
from tests.support.netns_hosts import NetnsHosts, available
from tests.support.playbook import ROOT, changed_tasks, failures, run_playbook, task_outcomes
from tests.support.reference import absent_reason

SUPPORT_BIN = os.path.join(ROOT, 'tests', 'support', 'bin')
BACKEND_PORT = 19090
LISTENER_PORT = 18080

UNAVAILABLE = available()
pytestmark = pytest.mark.skipif(UNAVAILABLE is not None, reason='no network namespace hosts: %s' % UNAVAILABLE)


def router_binary():
    return os.environ.get('SKUPPER_ROUTER_BIN') or os.path.join(SUPPORT_BIN, 'skrouterd')


def skmanage_binary():
    """skmanage of the router that runs: SKUPPER_SKMANAGE_BIN, else the real one beside SKUPPER_ROUTER_BIN (as
    tests/e2e finds it), else the stand-in's."""
    if os.environ.get('SKUPPER_ROUTER_BIN'):
        found = real_router.skmanage()
        if found:
            return found
    return os.environ.get('SKUPPER_SKMANAGE_BIN') or os.path.join(SUPPORT_BIN, 'skmanage')


def write_inventory(hosts, path):
    common = {
        'ansible_python_interpreter': sys.executable,
        'skupper_platform': 'linux',
        'skupper_service_manager': 'process',
        'skupper_router_binary': router_binary(),
        'skupper_skmanage': skmanage_binary(),
        'skupper_verify_retries': 20,
        'skupper_verify_delay': 1,
    }
    layout = {
        'west': {'skupper_site': {'name': 'west', 'link_access': 'default'},
                 'skupper_connectors': [{'name': 'backend', 'host': '127.0.0.1', 'port': BACKEND_PORT}]},
        'east': {'skupper_site': {'name': 'east'},
                 'skupper_listeners': [{'name': 'backend', 'host': '127.0.0.1', 'port': LISTENER_PORT,
                                        'verify_http_path': '/'}],
                 'skupper_links': [{'to': 'west', 'cost': 2}]},
        'north': {'skupper_site': {'name': 'north'},
                  'skupper_listeners': [{'name': 'backend', 'host': '127.0.0.1', 'port': LISTENER_PORT, 'verify': True}],
                  'skupper_links': [{'to': 'west'}]},
    }
    inventory = {'all': {'vars': common, 'hosts': {}}}
    for host in hosts.hosts:
        host_vars = dict(hosts.inventory_vars(host), skupper_namespace='shop',
                         skupper_data_home=os.path.join(host.workdir, 'skupper'), **layout[host.name])
        inventory['all']['hosts'][host.name] = host_vars
    with open(path, 'w') as handle:
        yaml.safe_dump(inventory, handle)


@pytest.fixture(scope='module')
def network(tmp_path_factory):
    workdir = str(tmp_path_factory.mktemp('netns'))
    with NetnsHosts(['west', 'east', 'north'], workdir) as hosts:
        backend = hosts['west'].serve_http(os.path.join(workdir, 'backend'), BACKEND_PORT,
                                           'hello from the backend behind west\n')
        inventory = os.path.join(workdir, 'inventory.yml')
        write_inventory(hosts, inventory)
        try:
            yield hosts, inventory
        finally:
            run_playbook('teardown.yml', inventory)
            backend.terminate()


def http_get_in(host, port):
    code = ('import urllib.request;print(urllib.request.urlopen("http://127.0.0.1:%d/", timeout=5).read().decode(), end="")'
            % port)
    return subprocess.run(host.exec_argv(sys.executable, '-c', code), capture_output=True, text=True, check=False)


def test_network_builds_links_and_carries_traffic(network):
    hosts, inventory = network
    rc, report = run_playbook('network.yml', inventory)
    assert rc == 0, failures(report)
    stats = report['stats']
    assert set(stats) == {'west', 'east', 'north'}
    assert all(s['changed'] > 0 for s in stats.values())
    east_home = os.path.join(hosts['east'].workdir, 'skupper', 'namespaces', 'shop')
    with open(os.path.join(east_home, 'input', 'resources', 'Link-link-west.yaml')) as handle:
        link = yaml.safe_load(handle)
    assert link['spec']['cost'] == 2
    assert {e['host'] for e in link['spec']['endpoints']} == {hosts['west'].address}
    assert os.stat(os.path.join(east_home, 'input', 'resources', 'Secret-link-west.yaml')).st_mode & 0o777 == 0o600
    answer = http_get_in(hosts['east'], LISTENER_PORT)
    assert answer.stdout == 'hello from the backend behind west\n', answer.stderr


def test_every_rendered_router_config_passes_the_schema(network):
    hosts, _inventory = network
    if not os.path.exists(router_schema.SCHEMA):
        pytest.skip(absent_reason('router', 'skrouter.json'))
    for host in hosts.hosts:
        config = os.path.join(host.workdir, 'skupper', 'namespaces', 'shop', 'runtime', 'router', 'skrouterd.json')
        assert router_schema.config_file_problems(config) == [], host.name


def test_second_run_changes_nothing(network):
    _hosts, inventory = network
    rc, report = run_playbook('network.yml', inventory)
    assert rc == 0, failures(report)
    assert changed_tasks(report) == []


def test_verify_reports_links_ready_with_remote_site(network):
    _hosts, inventory = network
    rc, report = run_playbook('verify.yml', inventory)
    assert rc == 0, failures(report)
    infos = dict((host, outcome) for host, _name, outcome in task_outcomes(report)
                 if 'links' in outcome and 'ready' in outcome)
    assert {(l['name'], l['status'], l['remote_site_name']) for l in infos['east']['links']} == {
        ('link-west', 'Ready', 'west')}
    assert {(l['name'], l['status'], l['remote_site_name']) for l in infos['north']['links']} == {
        ('link-west', 'Ready', 'west')}


def test_one_site_knows_the_whole_network(network):
    """network_info on north alone names every site of the network with its id, platform, namespace, version and
    links (west's router told north's through the network), west's endpoints, and the versions."""
    if not os.environ.get('SKUPPER_ROUTER_BIN'):
        pytest.skip('the routing table of the whole network (router.node) and the management of routers beyond the '
                    'links are the real router\'s (SKUPPER_ROUTER_BIN); the stand-in knows its own links only')
    hosts, inventory = network
    rc, report = run_playbook('verify.yml', inventory)
    assert rc == 0, failures(report)
    infos = dict((host, outcome) for host, _name, outcome in task_outcomes(report)
                 if 'links' in outcome and 'ready' in outcome)
    north, west = infos['north'], infos['west']
    sites = dict((site['name'], site) for site in north['sites'])
    assert set(sites) == {'west', 'east', 'north'}
    assert [name for name, site in sites.items() if site['self']] == ['north']
    for name in ('west', 'east', 'north'):
        assert sites[name]['id'] == infos[name]['site']['id'] and sites[name]['id']
        assert sites[name]['router_id'] == infos[name]['site']['router_id']
        assert (sites[name]['platform'], sites[name]['namespace']) == ('linux', 'shop')
        assert sites[name]['version'] == north['site']['version'] and north['site']['version']
    # east's link to west, as east's router tells it to north through west
    assert [(link['name'], link['status'], link['remote_site_name']) for link in sites['east']['links']] == [
        ('link-west', 'Ready', 'west')]
    assert {item['routing_key']: item['connectors'] for item in sites['west']['services']} == {
        'backend': ['127.0.0.1:%d' % BACKEND_PORT]}
    assert {item['routing_key']: item['listeners'] for item in sites['east']['services']} == {'backend': ['backend']}
    # west's endpoints (link access) and the RouterAccess behind them
    assert {(e['name'], e['host'], e['group']) for e in west['site']['endpoints']} >= {
        ('west-inter-router', hosts['west'].address, 'skupper-router')}
    accesses = [item for item in west['resources'] if item['kind'] == 'RouterAccess']
    assert accesses and all(item['status'] == 'Ready' and item['endpoints'] for item in accesses)
    certificates = dict((item['name'], item) for item in west['resources'] if item['kind'] == 'Certificate')
    assert certificates['west']['status'] == 'Ready' and certificates['west']['expiration']
    assert north['versions']['router'] and north['versions']['router'] in subprocess.run(
        [router_binary(), '--version'], capture_output=True, text=True, check=True).stdout
    assert north['versions']['collection']


RELOAD_AND_ASK = """
- hosts: east
  gather_facts: false
  module_defaults:
    group/appnet.skupper.skupper:
      namespace: shop
      platform: linux
      data_home: "{{ skupper_data_home }}"
  tasks:
    - name: Reload east
      appnet.skupper.system:
        state: reloaded
        service_manager: process
        router_binary: "{{ skupper_router_binary }}"
    - name: Ask east
      appnet.skupper.network_info:
        skmanage: "{{ skupper_skmanage }}"
        expected_links: [west]
        wait: true
        wait_timeout: 60
        require_ready: true
"""


def test_a_link_reads_its_credentials_from_input_certs(network):
    """The reference's rule of system sites: a Link's tlsCredentials name a folder input/certs/<name>/ (ca.crt,
    tls.crt, tls.key) as well as a Secret. East's link to west loses its Secret document and gets the same
    credentials as files, and its rendered link credentials are removed: the reload renders them from the files (it
    failed before: no Secret for the link) and the link is up; then the Secret is back."""
    hosts, inventory = network
    home = os.path.join(hosts['east'].workdir, 'skupper', 'namespaces', 'shop')
    secret_file = os.path.join(home, 'input', 'resources', 'Secret-link-west.yaml')
    with open(secret_file) as handle:
        secret_text = handle.read()
    secret = yaml.safe_load(secret_text)
    folder = os.path.join(home, 'input', 'certs', 'link-west')
    os.makedirs(folder, mode=0o700)
    for name, value in secret['data'].items():
        with open(os.path.join(folder, name), 'wb') as handle:
            handle.write(base64.b64decode(value))
    os.remove(secret_file)
    profile = os.path.join(home, 'runtime', 'certs', 'link-west-profile')
    for name in os.listdir(profile):
        os.remove(os.path.join(profile, name))
    playbook = os.path.join(hosts['east'].workdir, 'reload-and-ask.yml')
    with open(playbook, 'w') as handle:
        handle.write(RELOAD_AND_ASK)
    try:
        rc, report = run_playbook(playbook, inventory, '--limit', 'east')
        assert rc == 0, failures(report)
        outcomes = dict((name, outcome) for _host, name, outcome in task_outcomes(report))
        info = outcomes['Ask east']
        assert [(link['name'], link['status'], link['remote_site_name']) for link in info['links']] == [
            ('link-west', 'Ready', 'west')]
        for name in ('ca.crt', 'tls.crt', 'tls.key'):
            with open(os.path.join(profile, name), 'rb') as mine, open(os.path.join(folder, name), 'rb') as given:
                assert mine.read() == given.read(), name
    finally:
        with open(secret_file, 'w') as handle:
            handle.write(secret_text)
        os.chmod(secret_file, 0o600)
        for name in os.listdir(folder):
            os.remove(os.path.join(folder, name))
        os.rmdir(folder)
