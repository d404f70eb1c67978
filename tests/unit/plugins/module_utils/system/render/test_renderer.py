"""render_site(): the worked example of nonkube-runtime.md §13 as golden files, stability, dry runs, ports."""

import base64
import os

import pytest
import yaml

from ansible_collections.appnet.skupper.plugins.module_utils.system.render import renderer
from ansible_collections.appnet.skupper.plugins.module_utils.system.render import static_links
from ansible_collections.appnet.skupper.plugins.module_utils.system.render.site_state import SiteStateError

from tests.unit.plugins.module_utils.system.conftest import (EAST_HOST, EAST_ID, GOLDEN, NOW, WEST_HOST, WEST_ID,
                                                             check_schema, load_json, read_yaml_stream, resource,
                                                             snapshot_tree, write_input)

WEST_BASE = '/home/alice/.local/share/skupper/namespaces/west'
EAST_BASE = '/home/bob/.local/share/skupper/namespaces/east'


def _redacted_resources(home):
    """runtime/resources as one text, without values that change with key material or issue time."""
    directory = os.path.join(home, 'runtime', 'resources')
    parts = []
    for name in sorted(os.listdir(directory)):
        doc = yaml.safe_load(open(os.path.join(directory, name)))
        if doc.get('kind') == 'Secret':
            doc['data'] = dict((key, '<redacted>') for key in doc.get('data') or {})
        if doc.get('kind') == 'Certificate' and 'expiration' in (doc.get('status') or {}):
            doc['status']['expiration'] = '<issue time + 5 years>'
        parts.append('# %s\n%s' % (name, yaml.safe_dump(doc, sort_keys=True)))
    return ''.join(parts)


def _file_listing(home):
    lines = []
    for relative, (_data, mode) in sorted(snapshot_tree(home).items()):
        if not relative.startswith('input/'):
            lines.append('%s %s' % (oct(mode), relative))
    return '\n'.join(lines) + '\n'


def _compare_golden(name, text):
    path = os.path.join(GOLDEN, name)
    if os.environ.get('UPDATE_GOLDEN'):
        with open(path, 'w') as handle:
            handle.write(text)
    with open(path) as handle:
        assert text == handle.read(), 'golden file %s differs (UPDATE_GOLDEN=1 rewrites it)' % name


def _render_east(host, west_link_file):
    docs = read_yaml_stream(west_link_file)
    home = host.add('east', [
        resource('Site', 'east', {}, 'east', ),
        resource('Connector', 'backend', {'host': '127.0.0.1', 'port': 9090, 'routingKey': 'backend'}, 'east'),
        resource('Listener', 'database', {'host': '127.0.0.1', 'port': 15432, 'routingKey': 'database'}, 'east'),
    ] + docs)
    site = yaml.safe_load(open(os.path.join(home, 'input/resources/Site-east.yaml')))
    site['metadata']['uid'] = EAST_ID
    write_input(home, site)
    return host.render('east', EAST_HOST, path_base=EAST_BASE)


def test_west_matches_the_golden_files(west):
    result = west.render('west', path_base=WEST_BASE)
    home = west.home('west')
    assert result.site_id == WEST_ID and result.router_id == 'west-0f9c2d0e'
    _compare_golden('west-skrouterd.json', open(result.router_config_path).read())
    _compare_golden('west-resources.txt', _redacted_resources(home))
    _compare_golden('west-files.txt', _file_listing(home))
    assert [(link['host'], os.path.basename(link['path'])) for link in result.static_links] == [
        ('192.168.122.10', 'link-west-192.168.122.10.yaml'), ('west-host', 'link-west-west-host.yaml'),
        ('127.0.0.1', 'link-west-127.0.0.1.yaml')]
    check_schema(load_json(result.router_config_path))


def test_east_with_a_link_matches_the_golden_files(west):
    west.render('west')
    result = _render_east(west, os.path.join(west.home('west'), 'runtime/links/link-west-192.168.122.10.yaml'))
    home = west.home('east')
    _compare_golden('east-skrouterd.json', open(result.router_config_path).read())
    _compare_golden('east-resources.txt', _redacted_resources(home))
    _compare_golden('east-files.txt', _file_listing(home))
    assert result.static_links == []
    check_schema(load_json(result.router_config_path))
    profile = os.path.join(home, 'runtime/certs/link-west-profile')
    secret = yaml.safe_load(open(os.path.join(home, 'input/resources/Secret-link-west.yaml')))
    for key in ('ca.crt', 'tls.crt', 'tls.key'):
        assert open(os.path.join(profile, key), 'rb').read() == base64.b64decode(secret['data'][key])
    assert sorted(os.listdir(profile)) == ['ca.crt', 'tls.crt', 'tls.key']


def test_second_render_changes_nothing_and_keeps_every_byte(west):
    first = west.render('west')
    before = snapshot_tree(west.home('west'))
    second = west.render('west', now=None)
    assert second.changed_files == []
    assert snapshot_tree(west.home('west')) == before
    assert second.runtime_digest == first.runtime_digest
    assert second.site_id == first.site_id and second.router_id == first.router_id


def test_site_id_is_generated_once_and_read_back_from_the_router_config(host):
    from tests.unit.plugins.module_utils.system.conftest import west_documents
    host.add('west', west_documents(uid=None))
    first = host.render('west')
    second = host.render('west')
    assert first.site_id == second.site_id and len(first.site_id) == 36
    assert first.router_id == 'west-' + first.site_id[:8]
    assert second.changed_files == []


def test_dry_run_writes_nothing_and_reports_what_would_change(west):
    before = snapshot_tree(west.home('west'))
    result = west.render('west', dry_run=True)
    assert snapshot_tree(west.home('west')) == before
    assert 'runtime/issuers/skupper-site-ca/tls.key' in result.changed_files
    assert 'runtime/router/skrouterd.json' in result.changed_files
    west.render('west')
    assert west.render('west', dry_run=True).changed_files == []


def test_deleted_listener_and_link_access_remove_stale_files(west):
    west.render('west')
    home = west.home('west')
    os.unlink(os.path.join(home, 'input/resources/Listener-backend.yaml'))
    site = yaml.safe_load(open(os.path.join(home, 'input/resources/Site-west.yaml')))
    site['spec'] = {}
    write_input(home, site)
    result = west.render('west')
    assert 'runtime/resources/Listener-backend.yaml' in result.changed_files
    assert 'runtime/links/link-west-west-host.yaml' in result.changed_files
    assert not os.path.exists(os.path.join(home, 'runtime/resources/Listener-backend.yaml'))
    assert not os.path.exists(os.path.join(home, 'runtime/links')) or os.listdir(os.path.join(home, 'runtime/links')) == []
    assert not os.path.exists(os.path.join(home, 'runtime/certs/west'))
    assert os.path.exists(os.path.join(home, 'runtime/issuers/skupper-site-ca/tls.key'))
    assert result.static_links == []


def test_ports_are_chosen_once_and_not_shared_between_namespaces(host):
    from tests.unit.plugins.module_utils.system.conftest import west_documents
    host.add('west', west_documents())
    busy = {5671, 55671}
    west = host.render('west', port_is_free=lambda port: port not in busy)
    config = load_json(west.router_config_path)
    ports = dict((a['name'], a['port']) for t, a in config if t == 'listener')
    assert ports == {'skupper-local-normal': 5672, 'west-inter-router': 55672, 'west-edge': 45671}
    again = host.render('west', port_is_free=lambda port: False)  # our own router holds them now
    assert again.changed_files == []
    host.add('north', [resource('Site', 'north', {'linkAccess': 'default'}, 'north')])
    north = host.render('north')
    north_ports = dict((a['name'], a['port']) for t, a in load_json(north.router_config_path) if t == 'listener')
    assert north_ports == {'skupper-local-normal': 5671, 'north-inter-router': 55671, 'north-edge': 45672}


def test_container_platforms_use_the_ssl_profile_base_path(west):
    result = west.render('west', platform='podman')
    profiles = [a for t, a in load_json(result.router_config_path) if t == 'sslProfile']
    assert profiles and all(a['certFile'].startswith('${SSL_PROFILE_BASE_PATH}/runtime/certs/') for a in profiles)
    assert open(os.path.join(west.home('west'), 'internal/platform.yaml')).read() == 'platform: podman\n'


def test_settings_cost_and_connector_tls(west):
    home = west.home('west')
    site = yaml.safe_load(open(os.path.join(home, 'input/resources/Site-west.yaml')))
    site['spec']['settings'] = {'router-logging': 'debug', 'routerDataConnections': '4'}
    write_input(home, site)
    os.makedirs(os.path.join(home, 'input/certs/db-tls'))
    ca_pem = open(os.path.join(_rendered_ca(west), 'tls.crt'), 'rb').read()
    open(os.path.join(home, 'input/certs/db-tls/ca.crt'), 'wb').write(ca_pem)
    write_input(home, resource('Connector', 'db', {'host': 'db.example', 'port': 5433, 'routingKey': 'db',
                                                   'tlsCredentials': 'db-tls', 'verifyHostname': True}, 'west'))
    result = west.render('west')
    config = load_json(result.router_config_path)
    check_schema(config)
    router = [a for t, a in config if t == 'router'][0]
    assert router['dataConnectionCount'] == '4'
    logs = dict((a['module'], a['enable']) for t, a in config if t == 'log')
    assert logs == {'DEFAULT': 'debug+', 'ROUTER_CORE': 'debug+'}
    connector = [a for t, a in config if t == 'tcpConnector' and a['name'] == 'connector/db@db.example'][0]
    assert connector['sslProfile'] == 'db-tls-profile' and connector['verifyHostname'] is True
    profile = [a for t, a in config if t == 'sslProfile' and a['name'] == 'db-tls-profile'][0]
    assert set(profile) == {'name', 'caCertFile'}
    assert open(profile['caCertFile'], 'rb').read() == ca_pem


def _rendered_ca(host):
    host.render('west')
    return os.path.join(host.home('west'), 'runtime/issuers/skupper-service-ca')


def test_link_cost_and_token_link_cost_are_honoured(west):
    west.render('west')
    docs = read_yaml_stream(os.path.join(west.home('west'), 'runtime/links/link-west-127.0.0.1.yaml'))
    secret, link = docs
    home = west.add('east', [resource('Site', 'east', {}, 'east'), secret])
    link['spec']['cost'] = 7
    write_input(home, link)
    second = dict(link, metadata={'name': 'tok-1'}, spec=dict(link['spec']))
    del second['spec']['cost']
    write_input(home, second)
    write_input(home, resource('AccessToken', 'tok', {'url': 'https://x:1/', 'code': 'c', 'ca': 'pem',
                                                      'linkCost': 3}, 'east'))
    result = west.render('east', EAST_HOST)
    costs = dict((a['name'], a['cost']) for t, a in load_json(result.router_config_path) if t == 'connector')
    assert costs == {'link-west': 7, 'tok-1': 3}
    token = yaml.safe_load(open(os.path.join(home, 'runtime/resources/AccessToken-tok.yaml')))
    assert token['status']['redeemed'] is True


def test_edge_site_links_use_the_edge_endpoint(west):
    west.render('west')
    secret, link = read_yaml_stream(os.path.join(west.home('west'), 'runtime/links/link-west-127.0.0.1.yaml'))
    west.add('edgy', [resource('Site', 'edgy', {'edge': True}, 'edgy'), secret, link])
    result = west.render('edgy', EAST_HOST)
    config = load_json(result.router_config_path)
    check_schema(config)
    assert [a['mode'] for t, a in config if t == 'router'] == ['edge']
    assert [(a['role'], a['port']) for t, a in config if t == 'connector'] == [('edge', '45671')]


def test_invalid_input_raises_before_anything_is_written(west):
    west.render('west')
    home = west.home('west')
    write_input(home, resource('Listener', 'clash', {'host': '127.0.0.1', 'port': 5671, 'routingKey': 'x'}, 'west'))
    before = snapshot_tree(home)
    with pytest.raises(SiteStateError) as failure:
        west.render('west')
    assert 'Listener-clash.yaml' in str(failure.value) and 'local management port' in str(failure.value)
    assert snapshot_tree(home) == before


def test_multi_key_listener_renders_listener_addresses(west):
    home = west.home('west')
    write_input(home, resource('MultiKeyListener', 'mkl', {'host': '127.0.0.1', 'port': 9999, 'strategy': {
        'priority': {'routingKeys': ['a', 'b']}}}, 'west'))
    config = load_json(west.render('west').router_config_path)
    check_schema(config)
    addresses = [(a['name'], a['value']) for t, a in config if t == 'listenerAddress']
    assert addresses == [('mkl/a', 1), ('mkl/b', 0)]


def test_static_link_hosts_skip_wildcards_and_link_local():
    access = {'metadata': {'name': 'ra'}, 'spec': {'subjectAlternativeNames': ['0.0.0.0', '::', 'ra.example']}}
    hosts = static_links.link_hosts(access, 'h', ['10.0.0.5', 'fe80::1', '::1', '10.0.0.6'])
    assert hosts == ['10.0.0.5', 'h', '10.0.0.6', 'ra.example', '127.0.0.1']
    access['spec']['bindHost'] = '10.0.0.6'
    assert static_links.link_hosts(access, 'h', ['10.0.0.5']) == ['10.0.0.6']


def test_render_result_fields(west):
    result = west.render('west')
    assert isinstance(result, renderer.RenderResult)
    assert result.changed_files == sorted(result.changed_files)
    assert len(result.runtime_digest) == 64
    assert WEST_HOST['hostname'] in [link['host'] for link in result.static_links]


def test_the_platform_of_a_namespace_cannot_change(west):
    west.render('west')
    before = snapshot_tree(west.home('west'))
    with pytest.raises(SiteStateError) as failure:
        west.render('west', platform='podman')
    assert str(failure.value).startswith('existing namespace uses "linux" platform and it cannot change to "podman"')
    assert 'state=absent' in str(failure.value)
    assert snapshot_tree(west.home('west')) == before
    os.unlink(os.path.join(west.home('west'), 'internal', 'platform.yaml'))
    with pytest.raises(SiteStateError, match='unable to determine current platform used in namespace "west"'):
        west.render('west', platform='linux')


def _site_status(home):
    return yaml.safe_load(open(os.path.join(home, 'runtime/resources/Site-west.yaml')))['status']


def test_the_site_is_running_only_while_the_router_is(west):
    from ansible_collections.appnet.skupper.plugins.module_utils.system.render import runtime_status
    home = west.home('west')
    west.render('west', router_running=False)
    status = _site_status(home)
    assert (status['status'], status['message']) == ('Pending', 'the router is not running')
    running = [c for c in status['conditions'] if c['type'] == 'Running']
    assert [(c['status'], c['message']) for c in running] == [('False', 'the router is not running')]
    assert status['endpoints'], 'the endpoints stay'
    # the system module marks it Running once the router is ready: the same bytes a render would write
    assert runtime_status.set_router_running(home, True, now=NOW, dry_run=True) == 'runtime/resources/Site-west.yaml'
    assert _site_status(home) == status
    assert runtime_status.set_router_running(home, True, now=NOW) == 'runtime/resources/Site-west.yaml'
    assert (_site_status(home)['status'], _site_status(home)['message']) == ('Ready', 'OK')
    assert west.render('west', router_running=True).changed_files == []
    assert runtime_status.set_router_running(home, True, now=NOW) is None
    assert runtime_status.set_router_running(home, False, 'stopped by the test', now=NOW) is not None
    assert _site_status(home)['message'] == 'stopped by the test'


def test_sockets_of_other_namespaces_are_refused_and_avoided(host):
    from tests.unit.plugins.module_utils.system.conftest import west_documents
    host.add('west', west_documents())  # a listener on 0.0.0.0:8080
    host.render('west')
    before = snapshot_tree(host.home('west'))
    host.add('north', [resource('Site', 'north', {}, 'north'),
                       resource('Listener', 'web', {'host': '127.0.0.1', 'port': 8080, 'routingKey': 'web'}, 'north')])
    with pytest.raises(SiteStateError) as failure:
        host.render('north')
    assert 'port 8080 of listener "web" (host "127.0.0.1") collides with listener "backend" of namespace "west" ' \
           '(host "0.0.0.0")' in str(failure.value)
    assert not os.path.exists(os.path.join(host.home('north'), 'runtime'))
    assert snapshot_tree(host.home('west')) == before
    # a port another namespace's listener binds is never chosen for a router access
    host.add('east', [resource('Site', 'east', {'linkAccess': 'default'}, 'east'),
                      resource('Listener', 'odd', {'host': '0.0.0.0', 'port': 55672, 'routingKey': 'odd'}, 'east')])
    east = dict((a['name'], a['port']) for t, a in load_json(host.render('east').router_config_path) if t == 'listener')
    assert east == {'skupper-local-normal': 5672, 'east-inter-router': 55673, 'east-edge': 45672}
    host.add('south', [resource('Site', 'south', {'linkAccess': 'default'}, 'south')])
    south = dict((a['name'], a['port']) for t, a in load_json(host.render('south').router_config_path) if t == 'listener')
    assert south == {'skupper-local-normal': 5673, 'south-inter-router': 55674, 'south-edge': 45673}
