"""Loading and validation (§2, §3 and the checks Skupper misses): every rule, nothing written on failure."""

import os

import pytest

from ansible_collections.appnet.skupper.plugins.module_utils.system.store import paths
from ansible_collections.appnet.skupper.plugins.module_utils.system.render.site_state import (
    SiteStateError, load_site_state)
from ansible_collections.appnet.skupper.plugins.module_utils.system.store.resource_files import load_runtime_resources

from tests.support import fault_figures
from tests.unit.plugins.module_utils.system.conftest import resource, snapshot_tree, write_input

FAULTS = {'input-file-of-a-wrong-kind': 'test_multi_document_json_and_nested_files_and_unknown_kinds'}

LINK_SPEC = {'endpoints': [{'name': 'inter-router', 'host': '10.0.0.1', 'port': '55671'}],
             'tlsCredentials': 'creds'}
SECRET = resource('Secret', 'creds', api='v1', data={'ca.crt': 'Y2E=', 'tls.crt': 'Y3J0', 'tls.key': 'a2V5'})


def _listener(name, port=8080, host='0.0.0.0', **spec):
    return resource('Listener', name, dict({'host': host, 'port': port, 'routingKey': name}, **spec))


CASES = [
    ('bad site name', [resource('Site', 'West', {})], 'invalid site name: invalid name "West"'),
    ('long name', [resource('Site', 'w' * 64, {})], 'must be no more than 63 characters'),
    ('edge ha', [resource('Site', 'west', {'edge': True, 'ha': True})], 'edge sites cannot have HA enabled'),
    ('edge link access', [resource('Site', 'west', {'edge': True, 'linkAccess': 'default'})],
     'an edge site cannot have link access'),
    ('edge router access', [resource('Site', 'west', {'edge': True}),
                            resource('RouterAccess', 'ra', {'roles': [{'name': 'inter-router', 'port': 1234}]})],
     'is an edge site'),
    ('reserved router access', [resource('RouterAccess', 'skupper-local', {'roles': [{'name': 'edge'}]})],
     'the name is reserved'),
    ('no roles', [resource('RouterAccess', 'ra', {'roles': []})], 'invalid router access: ra - roles are required'),
    ('normal role', [resource('RouterAccess', 'ra', {'roles': [{'name': 'normal', 'port': 1234}]})],
     'invalid role: normal (valid roles: [edge inter-router])'),
    ('duplicate router access ports', [
        resource('RouterAccess', 'ra', {'roles': [{'name': 'inter-router', 'port': 7000}]}),
        resource('RouterAccess', 'rb', {'roles': [{'name': 'edge', 'port': 7000}]})], 'collides with router access'),
    ('links without secrets', [resource('Link', 'l', LINK_SPEC)], 'unable to process links (no secrets found'),
    ('link secret missing', [resource('Link', 'l', dict(LINK_SPEC, tlsCredentials='other')), SECRET],
     'invalid link "l" - secret "other" not found'),
    ('link without endpoint for role', [resource('Link', 'l', dict(LINK_SPEC, endpoints=[
        {'name': 'edge', 'host': 'h', 'port': '1'}])), SECRET], 'no endpoint for role "inter-router"'),
    ('listener host and port', [resource('Listener', 'b', {'routingKey': 'b'})],
     'invalid listener: b - host and port are required'),
    ('listener host', [_listener('b', host='Bad_Host')], 'invalid listener host: Bad_Host'),
    ('listener port range', [_listener('b', port=70000)], 'not a port number (1-65535)'),
    ('listener clash', [_listener('a'), _listener('b')], 'port 8080 is already mapped for host "0.0.0.0"'),
    ('listener vs router access', [_listener('a', port=7000),
                                   resource('RouterAccess', 'ra', {'roles': [{'name': 'edge', 'port': 7000}]})],
     'collides with'),
    ('listener routing key', [resource('Listener', 'b', {'host': 'h', 'port': 1})],
     'routingKey is missing for listener: b'),
    ('listener type', [_listener('b', type='udp')], 'type "udp" is not supported'),
    ('kubernetes-only listener field', [_listener('b', exposePodsByName=True)],
     'spec.exposePodsByName: is only used on Kubernetes, not on Linux'),
    ('kubernetes-only connector field', [resource('Connector', 'c', {'host': 'h', 'port': 1, 'routingKey': 'c',
                                                                     'selector': 'app=c'})],
     'spec.selector: is only used on Kubernetes, not on Linux'),
    ('kubernetes-only site field', [resource('Site', 'west', {'serviceAccount': 'sa'})],
     'spec.serviceAccount: is only used on Kubernetes, not on Linux'),
    ('kubernetes link access', [resource('Site', 'west', {'linkAccess': 'loadbalancer'})],
     "'loadbalancer' is for Kubernetes only"),
    ('connector host', [resource('Connector', 'c', {'port': 1, 'routingKey': 'c'})],
     'connector host and port are required (connector: "c")'),
    ('connector routing key', [resource('Connector', 'c', {'host': 'h', 'port': 1})],
     'routingKey is missing for connector: c'),
    ('connector tls without ca', [resource('Connector', 'c', {'host': 'h', 'port': 1, 'routingKey': 'c',
                                                              'tlsCredentials': 'x'})], 'needs ca.crt'),
    ('mkl strategy', [resource('MultiKeyListener', 'm', {'host': 'h', 'port': 2, 'strategy': {}})],
     'exactly one of strategy.priority and strategy.weighted'),
    ('bad token name', [resource('AccessToken', 'Tok', {'url': 'u', 'code': 'c', 'ca': 'x'})],
     'invalid access token name'),
    ('second site', [resource('Site', 'other', {})], 'multiple sites found'),
    ('other namespace', [resource('Listener', 'b', {'host': 'h', 'port': 1, 'routingKey': 'b'}, 'east')],
     'namespace must be "west", but sources are defined using "east"'),
    ('duplicate names', [_listener('b'), dict(_listener('b', port=9), _file='again.yaml')], 'is already defined in'),
]


@pytest.mark.parametrize('docs,expected', [(c[1], c[2]) for c in CASES], ids=[c[0] for c in CASES])
def test_invalid_input_is_refused_and_nothing_is_written(host, docs, expected):
    home = host.home('west')
    if not any(d['kind'] == 'Site' and d['metadata']['name'] != 'other' for d in docs):
        write_input(home, resource('Site', 'west', {}))
    for doc in docs:
        doc = dict(doc)
        write_input(home, doc, doc.pop('_file', None))
    before = snapshot_tree(home)
    with pytest.raises(SiteStateError) as failure:
        host.render('west')
    assert expected in str(failure.value)
    assert snapshot_tree(home) == before


def test_every_problem_is_reported_with_its_file(host):
    home = host.home('west')
    write_input(home, resource('Site', 'west', {}))
    write_input(home, resource('Listener', 'a', {'routingKey': 'a'}))
    write_input(home, resource('Connector', 'c', {'host': 'h', 'port': 1}))
    with pytest.raises(SiteStateError) as failure:
        load_site_state(home, 'west')
    lines = str(failure.value).splitlines()
    assert any(line.startswith('Listener-a.yaml: ') for line in lines)
    assert any(line.startswith('Connector-c.yaml: ') for line in lines)


def test_documents_without_namespace_belong_to_the_target(host):
    home = host.home('east')
    write_input(home, resource('Site', 'east', {}))
    state = load_site_state(home, 'east')
    assert state.site['metadata']['namespace'] == 'east'


def test_multi_document_json_and_nested_files_and_unknown_kinds(host):
    home = host.home('west')
    directory = os.path.join(paths.input_resources_dir(home), 'nested')
    os.makedirs(directory)
    with open(os.path.join(directory, 'all.yml'), 'w') as handle:
        handle.write('{"apiVersion": "skupper.io/v2alpha1", "kind": "Site", "metadata": {"name": "west"}}\n---\n'
                     'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n---\n'
                     'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {a: b}\n')
    with pytest.raises(SiteStateError) as failure:
        load_site_state(home, 'west')
    # Skupper ignores the Deployment with a warning; here the render fails naming the file
    assert failure.value.problems == [
        "nested/all.yml: cannot be read as a Skupper resource: apiVersion 'apps/v1', kind 'Deployment' (a system "
        "site reads AccessGrant, AccessToken, Certificate, ConfigMap, Connector, Link, Listener, MultiKeyListener, "
        "RouterAccess, Secret, SecuredAccess, Site); fix the file or remove it"]
    with open(os.path.join(directory, 'all.yml'), 'w') as handle:
        handle.write('{"apiVersion": "skupper.io/v2alpha1", "kind": "Site", "metadata": {"name": "west"}}\n---\n'
                     'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {a: b}\n')
    state = load_site_state(home, 'west')
    assert state.site_name == 'west' and list(state.config_maps) == ['cm']
    assert state.warnings == []
    fault_figures.record('input-file-of-a-wrong-kind', rounds=1, updates_lost=None, duplicates=None, corrupted=None)


@pytest.mark.parametrize('text,words', [
    ('apiVersion: skupper.io/v1alpha1\nkind: Listener\nmetadata: {name: l}\n'
     'spec: {routingKey: a, host: 0.0.0.0, port: 8090}\n',
     "Listener-l.yaml: cannot be read as a Skupper resource: Listener needs apiVersion 'skupper.io/v2alpha1', "
     "got 'skupper.io/v1alpha1'"),
    ('apiVersion: skupper.io/v2alpha1\nkind: Listner\nmetadata: {name: l}\n'
     'spec: {routingKey: a, host: 0.0.0.0, port: 8090}\n',
     "Listener-l.yaml: cannot be read as a Skupper resource: apiVersion 'skupper.io/v2alpha1', kind 'Listner'"),
    ('apiVersion: skupper.io/v2alpha1\nkind: Listener\nmetadata: {name: l}\n'
     'spec: {routingkey: a, host: 0.0.0.0, port: 8090}\n',
     'Listener-l.yaml: Listener "l": spec.routingkey: unsupported field'),
    ('apiVersion: skupper.io/v2alpha1\nkind: AttachedConnector\nmetadata: {name: l}\n'
     'spec: {siteNamespace: a, selector: a=b, port: 8080}\n',
     'Listener-l.yaml: AttachedConnector is not used on a system site'),
])
def test_a_file_that_is_not_a_skupper_resource_fails_the_render_naming_it(west, text, words):
    west.render('west')
    with open(os.path.join(paths.input_resources_dir(west.home('west')), 'Listener-l.yaml'), 'w') as handle:
        handle.write(text)
    before = snapshot_tree(west.root)
    with pytest.raises(SiteStateError) as failure:
        west.render('west')
    assert any(words in problem for problem in failure.value.problems), failure.value.problems
    assert snapshot_tree(west.root) == before


def test_yaml_errors_and_missing_site(host):
    home = host.home('west')
    write_input(home, resource('Listener', 'b', {'host': 'h', 'port': 1, 'routingKey': 'b'}))
    with pytest.raises(SiteStateError, match='no valid site definition has been found'):
        load_site_state(home, 'west')
    with open(os.path.join(paths.input_resources_dir(home), 'broken.yaml'), 'w') as handle:
        handle.write('a: [\n')
    with pytest.raises(SiteStateError, match='error loading "broken.yaml": error decoding yaml'):
        load_site_state(home, 'west')
    with pytest.raises(SiteStateError, match='No sources found'):
        load_site_state(host.home('empty'), 'empty')


def test_load_runtime_resources_after_a_render(west):
    west.render('west')
    runtime = load_runtime_resources(west.home('west'))
    assert runtime['Site']['west']['status']['status'] == 'Ready'
    assert sorted(runtime['RouterAccess']) == ['skupper-local', 'west']
    assert load_runtime_resources(west.home('none')) == {}


def test_paths():
    assert paths.data_home(uid=0, env={}) == '/var/lib/skupper'
    assert paths.data_home(uid=1000, env={'XDG_DATA_HOME': '/x'}) == '/x/skupper'
    assert paths.data_home(uid=1000, env={'HOME': '/home/a'}) == '/home/a/.local/share/skupper'
    assert paths.namespace_home('', data_home='/d') == '/d/namespaces/default'
    assert paths.namespaces_dir(data_home='/d') == '/d/namespaces'


def _link_files(home, folder, files):
    directory = os.path.join(home, 'input', 'certs', folder)
    os.makedirs(directory)
    for name, data in files.items():
        with open(os.path.join(directory, name), 'wb') as handle:
            handle.write(data)


def test_link_credentials_from_input_certs_without_a_secret(host):
    """The reference: on a system site a Link's tlsCredentials name a folder under input/certs/ as well."""
    home = host.home('west')
    write_input(home, resource('Site', 'west', {}))
    write_input(home, resource('Link', 'l', LINK_SPEC))
    given = {'ca.crt': b'ca', 'tls.crt': b'crt', 'tls.key': b'key'}
    _link_files(home, 'creds', given)
    host.render('west')
    profile = os.path.join(home, 'runtime', 'certs', 'creds-profile')
    for name, data in given.items():
        with open(os.path.join(profile, name), 'rb') as handle:
            assert handle.read() == data
    assert os.stat(os.path.join(profile, 'tls.key')).st_mode & 0o077 == 0


def test_input_certs_of_a_link_win_over_its_secret_and_must_be_complete(host):
    home = host.home('west')
    write_input(home, resource('Site', 'west', {}))
    write_input(home, resource('Link', 'l', LINK_SPEC))
    write_input(home, SECRET)
    _link_files(home, 'creds', {'ca.crt': b'from files', 'tls.crt': b'crt'})
    before = snapshot_tree(home)
    with pytest.raises(SiteStateError) as failure:
        host.render('west')
    assert 'invalid link "l" - input/certs/creds/ does not contain required files: tls.key' in str(failure.value)
    assert snapshot_tree(home) == before
    with open(os.path.join(home, 'input', 'certs', 'creds', 'tls.key'), 'wb') as handle:
        handle.write(b'key')
    host.render('west')
    with open(os.path.join(home, 'runtime', 'certs', 'creds-profile', 'ca.crt'), 'rb') as handle:
        assert handle.read() == b'from files'


def test_a_kubernetes_kind_in_input_is_copied_with_a_warning_as_skupper_does(host):
    """Whole Kubernetes kinds in input/resources (a SecuredAccess) are copied to the runtime state, as Skupper's
    renderer does (an input written for Kubernetes still renders), with a warning; the modules and `resource`
    refuse them on system sites (tests/unit/plugins/module_utils/model/test_reference_platforms.py)."""
    home = host.home('west')
    write_input(home, resource('Site', 'west', {}))
    write_input(home, resource('SecuredAccess', 's', {'selector': {'a': 'b'}, 'ports': [{'name': 'p', 'port': 1}]}))
    state = load_site_state(home, 'west')
    assert state.warnings == ['SecuredAccess-s.yaml: SecuredAccess "s" is not used on a linux site and is only copied '
                              'to the runtime state']
