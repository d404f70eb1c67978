"""appnet.skupper.support_bundle and playbooks/support_bundle.yml on Linux sites with the real router, through
ansible-playbook, in a network namespace of the test's own.

Two Linux sites (process manager): east accepts links; west links to east with a static link (its Secret holds a
private key) and has a listener on a port another program holds. Then east's router is stopped. The playbook
collects both into one folder with an index; each archive holds no private key and no Secret value, and says what is
wrong: east's router is not running, west's link is refused and its listener cannot bind. A check run writes
nothing."""

import json
import os
import socket
import subprocess
import sys
import time

import pytest
import yaml

from tests.integration.support_bundle.bundles import index_of, leaks, members, secret_values_of_home
from tests.support import real_router
from tests.support.host_ports import private_network
from tests.support.playbook import failures, run_playbook, task_outcomes

pytestmark = pytest.mark.timeout(1200)


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@pytest.fixture(scope='module')
def broken_sites(tmp_path_factory):
    """Two sites as above, east stopped; yields (workdir, network, data_home, routers, held port)."""
    router, skmanage = real_router.require()
    workdir = tmp_path_factory.mktemp('bundle-linux')
    data_home = str(workdir / 'skupper')
    with private_network('appnet-bundle') as network:
        with network.inside():
            holder = socket.socket()
            holder.bind(('127.0.0.1', 0))
            holder.listen(1)
            held = holder.getsockname()[1]
            backend_port = free_port()
        try:
            east = {'platform': 'linux', 'namespace': 'east', 'data_home': data_home}
            west = {'platform': 'linux', 'namespace': 'west', 'data_home': data_home}
            system = {'service_manager': 'process', 'router_binary': router}
            tasks = [
                {'name': 'east site', 'appnet.skupper.site': dict(east, name='east', link_access='default')},
                {'name': 'west site', 'appnet.skupper.site': dict(west, name='west')},
                {'name': 'west connector', 'appnet.skupper.connector': dict(
                    west, name='backend', routing_key='backend', host='127.0.0.1', port=backend_port)},
                {'name': 'west listener', 'appnet.skupper.listener': dict(
                    west, name='backend', routing_key='backend', host='127.0.0.1', port=held)},
                {'name': 'east system', 'appnet.skupper.system': dict(east, **system)},
                {'name': 'issue link', 'appnet.skupper.static_link': dict(east, subject='west', name='link-east',
                                                                          host='127.0.0.1'),
                 'register': 'issued', 'no_log': True},
                {'name': 'apply link', 'appnet.skupper.resource': dict(west, definition='{{ issued.definition }}'),
                 'no_log': True},
                {'name': 'west system', 'appnet.skupper.system': dict(west, **system)},
                {'name': 'west linked', 'appnet.skupper.network_info': dict(west, skmanage=skmanage,
                                                                            expected_links=['east'],
                                                                            wait=True, wait_timeout=60)},
                {'name': 'east stopped', 'appnet.skupper.system': dict(east, state='stopped', **system)},
            ]
            path = str(workdir / 'sites.yml')
            with open(path, 'w') as handle:
                yaml.safe_dump([{'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}], handle)
            _rc, report = run_playbook(path, 'localhost,', '-c', 'local', '-e',
                                       'ansible_python_interpreter=%s' % sys.executable, prefix=network.prefix)
            assert failures(report) == [], failures(report)
            outcomes = dict((name, outcome) for _host, name, outcome in task_outcomes(report))
            assert outcomes['west linked']['ready'] is True, outcomes['west linked']['not_ready']
            yield workdir, network, data_home, skmanage, held
        finally:
            stop = str(workdir / 'stop.yml')
            with open(stop, 'w') as handle:
                yaml.safe_dump([{'hosts': 'localhost', 'gather_facts': False, 'tasks': [
                    {'name': 'remove %s' % ns, 'appnet.skupper.system': {
                        'platform': 'linux', 'namespace': ns, 'data_home': data_home, 'state': 'absent'}}
                    for ns in ('west', 'east')]}], handle)
            run_playbook(stop, 'localhost,', '-c', 'local', '-e', 'ansible_python_interpreter=%s' % sys.executable,
                         prefix=network.prefix)
            holder.close()


def inventory(workdir, data_home, skmanage):
    path = str(workdir / 'inventory.yml')
    common = {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable, 'skupper_platform': 'linux',
              'skupper_data_home': data_home, 'skupper_skmanage': skmanage}
    with open(path, 'w') as handle:
        yaml.safe_dump({'all': {'hosts': {'east-host': dict(common, skupper_namespace='east'),
                                          'west-host': dict(common, skupper_namespace='west')}}}, handle)
    return path


def test_the_playbook_collects_every_site_into_one_folder_without_secrets(broken_sites, record_property):
    workdir, network, data_home, skmanage, held = broken_sites
    folder = str(workdir / 'bundles')
    started = time.time()
    rc, report = run_playbook('support_bundle.yml', inventory(workdir, data_home, skmanage),
                              '-e', 'skupper_bundle_dir=%s' % folder, prefix=network.prefix)
    record_property('playbook_seconds', time.time() - started)
    assert rc == 0 and failures(report) == [], failures(report)
    with open(os.path.join(folder, 'index.json')) as handle:
        index = json.load(handle)
    rows = dict((row['host'], row) for row in index['hosts'])
    assert sorted(rows) == ['east-host', 'west-host']
    with open(os.path.join(folder, 'index.md')) as handle:
        markdown = handle.read()
    assert '| east-host | linux | east | east | False |' in markdown

    for host, namespace in (('east-host', 'east'), ('west-host', 'west')):
        row = rows[host]
        assert row['error'] is None and row['site'] == namespace and row['platform'] == 'linux'
        assert os.path.dirname(row['archive']) == folder and os.path.basename(row['archive']).startswith(host + '-')
        found = members(row['archive'])
        secrets = secret_values_of_home(os.path.join(data_home, 'namespaces', namespace))
        assert len(secrets) >= 2  # the site has Secrets and keys: the check below looks for something real
        assert leaks(found, secrets) == []
        inside = index_of(found)
        assert inside['problems'] == row['problems'] and inside['ready'] is False
        assert sorted(inside['files']) == sorted(name for name in found if name != 'index.json')
        assert 'site/input/resources/Site-%s.yaml' % namespace in found
        assert 'site/runtime/router/skrouterd.json' in found
        assert inside['redaction']['replaced'] > 0
    # The copies written on the managed host were removed once fetched.
    bundled = [outcome for _host, name, outcome in task_outcomes(report) if name == 'Support bundle of the site']
    assert len(bundled) == 2
    for outcome in bundled:
        assert outcome['changed'] is True and outcome['remote_archive'] != outcome['archive']
        assert not os.path.exists(os.path.dirname(outcome['remote_archive']))

    east, west = (members(rows[host]['archive']) for host in ('east-host', 'west-host'))
    east_index, west_index = index_of(east), index_of(west)
    # east: its router is stopped, and the bundle says so
    assert 'the router service (process) is not running' in east_index['problems']
    assert any(item['item'] == 'management' and 'not running' in item['reason'] for item in east_index['failed'])
    assert any(text.startswith('site east is Pending') for text in east_index['problems'])
    assert 'logs/router.log' in east  # the log of the stopped router is still read
    # west: its link is refused (east is down) and its listener's port is taken
    assert any(text.startswith('link link-east is Pending: connection refused') for text in west_index['problems'])
    assert any(('listener backend is Pending: cannot listen on 127.0.0.1:%d' % held) in text
               and 'in use' in text for text in west_index['problems']), west_index['problems']
    snapshot = json.loads(west['management/snapshot.json'])
    assert {'router', 'connector', 'connection', 'tcpListener', 'tcpConnector', 'router.address',
            'router.link'} <= set(snapshot)
    assert [c['name'] for c in snapshot['connector'] if c.get('role') == 'inter-router'] == ['link-east']
    router = subprocess.run([real_router.skrouterd(), '--version'], capture_output=True, text=True, check=True)
    assert west_index['versions']['router']['version'] == router.stdout.strip()
    assert json.loads(west['version.json']) == west_index['versions']
    assert json.loads(west['service/state.json'])['active'] is True
    assert west['logs/router.log'].strip()
    status = json.loads(west['status/network_info.json'])
    assert [(link['name'], link['status']) for link in status['links']] == [('link-east', 'Pending')]
    # The Secret of west's link: in the bundle with its keys, each value replaced by the marker.
    secrets = [name for name in west if name.startswith('site/input/resources/Secret-')]
    assert secrets
    secret = yaml.safe_load(west[secrets[0]])
    assert set(secret['data']) >= {'tls.key', 'tls.crt', 'ca.crt'}
    assert set(secret['data'].values()) == {'<redacted>'}
    # A certificate file is described, a key file is the marker.
    keys = [name for name in west if name.endswith('/tls.key')]
    assert keys and all(west[name].startswith(b'<redacted>') for name in keys)
    described = json.loads(west[keys[0][:-len('tls.key')] + 'tls.crt'])
    assert described['certificates'][0]['subject'] and described['certificates'][0]['expired'] is False


def test_check_mode_writes_nothing(broken_sites):
    workdir, network, data_home, skmanage, _held = broken_sites
    folder = str(workdir / 'checked')
    path = str(workdir / 'check.yml')
    with open(path, 'w') as handle:
        yaml.safe_dump([{'hosts': 'localhost', 'gather_facts': False, 'tasks': [
            {'name': 'bundle', 'appnet.skupper.support_bundle': {
                'platform': 'linux', 'namespace': 'west', 'data_home': data_home, 'skmanage': skmanage,
                'dest': folder, 'path': str(workdir)}}]}], handle)
    before = sorted(os.listdir(str(workdir)))
    _rc, report = run_playbook(path, 'localhost,', '-c', 'local', '--check', '-e',
                               'ansible_python_interpreter=%s' % sys.executable, prefix=network.prefix)
    assert failures(report) == []
    outcome = dict((name, outcome) for _host, name, outcome in task_outcomes(report))['bundle']
    assert outcome['changed'] is True and outcome['archive'] is None
    assert 'site/input/resources/Site-west.yaml' in outcome['index']['files']
    assert any(text.startswith('link link-east is Pending') for text in outcome['problems'])
    assert not os.path.exists(folder)
    assert sorted(os.listdir(str(workdir))) == before
