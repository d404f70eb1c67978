"""The kind modules and the resource module on platform linux, through real ansible-playbook runs.

One module-scoped sequence of runs (check mode, first run, second run, changed fields, bad input, absent) into
a temporary data home; each test checks one aspect of it.
"""

import base64
import os

import pytest
import yaml

from tests.integration.linux_modules.conftest import run_playbook, snapshot
from tests.support import pki
from tests.support.controller import grants
from tests.support.controller.redeem import RedeemServer

RESOURCES = os.path.join('namespaces', 'west', 'input', 'resources')
TASKS = ['site', 'listener', 'connector', 'link', 'router_access', 'resource']

FIRST = {
    'Site-west.yaml': '''apiVersion: skupper.io/v2alpha1
kind: Site
metadata:
  labels:
    app: demo
  name: west
  namespace: west
spec:
  linkAccess: default
''',
    'Listener-backend.yaml': '''apiVersion: skupper.io/v2alpha1
kind: Listener
metadata:
  name: backend
  namespace: west
spec:
  host: 0.0.0.0
  observer: none
  port: 8080
  routingKey: backend
''',
    'Connector-backend.yaml': '''apiVersion: skupper.io/v2alpha1
kind: Connector
metadata:
  name: backend
  namespace: west
spec:
  host: 127.0.0.1
  port: 9090
  routingKey: backend
''',
    'Link-to-east.yaml': '''apiVersion: skupper.io/v2alpha1
kind: Link
metadata:
  name: to-east
  namespace: west
spec:
  cost: 1
  endpoints:
  - host: east.example.com
    name: inter-router
    port: '55671'
  - host: east.example.com
    name: edge
    port: '45671'
  tlsCredentials: to-east
''',
    'RouterAccess-west-public.yaml': '''apiVersion: skupper.io/v2alpha1
kind: RouterAccess
metadata:
  name: west-public
  namespace: west
spec:
  bindHost: 0.0.0.0
  roles:
  - name: inter-router
    port: 55671
  - name: edge
  subjectAlternativeNames:
  - west.example.com
  - 192.0.2.10
  tlsCredentials: west-public
''',
    'Secret-to-east.yaml': '''apiVersion: v1
data:
  tls.crt: QUJD
kind: Secret
metadata:
  name: to-east
  namespace: west
type: kubernetes.io/tls
''',
    'Listener-from-yaml.yaml': '''apiVersion: skupper.io/v2alpha1
kind: Listener
metadata:
  name: from-yaml
  namespace: west
spec:
  host: 127.0.0.1
  port: 5432
  routingKey: db
''',
}

CHANGES = {'link_access': 'none', 'listener_port': 8081, 'connector_host': 'localhost', 'link_cost': 3,
           'role_port': 55672, 'secret_value': 'REVG'}
# (file, old text, new text) of each change
CHANGED = {
    'Site-west.yaml': ('linkAccess: default', 'linkAccess: none'),
    'Listener-backend.yaml': ('port: 8080', 'port: 8081'),
    'Connector-backend.yaml': ('host: 127.0.0.1', 'host: localhost'),
    'Link-to-east.yaml': ('cost: 1', 'cost: 3'),
    'RouterAccess-west-public.yaml': ('port: 55671\n  - name: edge', 'port: 55672\n  - name: edge'),
    'Secret-to-east.yaml': ('tls.crt: QUJD', 'tls.crt: REVG'),
}


def files(tree):
    prefix = RESOURCES + os.sep
    return dict((path[len(prefix):], entry) for path, entry in tree.items()
                if path.startswith(prefix) and entry[2] is not None)


@pytest.fixture(scope='module')
def runs(tmp_path_factory):
    data_home = tmp_path_factory.mktemp('linux-modules') / 'skupper'
    state = {'data_home': data_home, 'empty': snapshot(data_home)}
    state['check'] = run_playbook('present.yml', data_home, '--check', '--diff')
    state['after_check'] = snapshot(data_home)
    state['first'] = run_playbook('present.yml', data_home, '--diff')
    state['after_first'] = snapshot(data_home)
    state['second'] = run_playbook('present.yml', data_home, '--diff')
    state['after_second'] = snapshot(data_home)
    state['change_check'] = run_playbook('present.yml', data_home, '--check', '--diff', extra_vars=CHANGES)
    state['after_change_check'] = snapshot(data_home)
    state['change'] = run_playbook('present.yml', data_home, '--diff', extra_vars=CHANGES)
    state['after_change'] = snapshot(data_home)
    state['bad'] = run_playbook('bad_input.yml', data_home)
    state['after_bad'] = snapshot(data_home)
    state['absent_check'] = run_playbook('absent.yml', data_home, '--check')
    state['after_absent_check'] = snapshot(data_home)
    state['absent'] = run_playbook('absent.yml', data_home, '--diff')
    state['after_absent'] = snapshot(data_home)
    state['absent_again'] = run_playbook('absent.yml', data_home)
    state['after_absent_again'] = snapshot(data_home)
    return state


def test_check_mode_writes_nothing_and_reports_changes(runs):
    run = runs['check']
    assert run.returncode == 0, run.stdout[-3000:]
    for name in TASKS:
        assert run[name]['changed'] is True, name
    assert runs['after_check'] == runs['empty'] == {}
    site = run['site']
    assert site['diff'] == {'before': {}, 'after': yaml.safe_load(FIRST['Site-west.yaml'])}
    assert site['resource_file'] == os.path.join(str(runs['data_home']), RESOURCES, 'Site-west.yaml')
    assert site['reload_required'] is True


def test_first_run_writes_exactly_the_expected_files(runs):
    run = runs['first']
    assert run.returncode == 0, run.stdout[-3000:]
    for name in TASKS:
        assert run[name]['changed'] is True, name
    written = files(runs['after_first'])
    assert sorted(written) == sorted(FIRST)
    for name, text in FIRST.items():
        assert written[name][2].decode() == text, name
        assert written[name][1] == (0o600 if name.startswith('Secret-') else 0o644), name
    resources_dir = runs['after_first'][RESOURCES]
    assert resources_dir[1] == 0o700
    assert not [p for p in runs['after_first'] if os.path.basename(p).startswith('.')]  # no temporary files left


def test_first_run_diff_and_result(runs):
    run = runs['first']
    for name, file_name in [('site', 'Site-west.yaml'), ('listener', 'Listener-backend.yaml'),
                            ('connector', 'Connector-backend.yaml'), ('link', 'Link-to-east.yaml'),
                            ('router_access', 'RouterAccess-west-public.yaml')]:
        result = run[name]
        assert result['diff'] == {'before': {}, 'after': yaml.safe_load(FIRST[file_name])}, name
        assert result['resource'] == yaml.safe_load(FIRST[file_name]), name
        assert result['status'] == {}
    resource = run['resource']
    assert [(r['kind'], r['name'], r['changed']) for r in resource['results']] == [
        ('Secret', 'to-east', True), ('Listener', 'from-yaml', True)]
    assert resource['reload_required'] is True


def test_second_run_changes_nothing(runs):
    run = runs['second']
    assert run.returncode == 0, run.stdout[-3000:]
    for name in TASKS:
        assert run[name]['changed'] is False, name
        diffs = run[name]['diff'] if isinstance(run[name]['diff'], list) else [run[name]['diff']]
        assert diffs and all(d['before'] == d['after'] for d in diffs), name
    assert runs['after_second'] == runs['after_first']


def test_changed_fields_in_check_mode_write_nothing(runs):
    run = runs['change_check']
    assert run.returncode == 0, run.stdout[-3000:]
    for name in TASKS:
        assert run[name]['changed'] is True, name
    assert runs['after_change_check'] == runs['after_first']


def test_changed_fields_update_the_files_and_show_old_and_new(runs):
    run = runs['change']
    assert run.returncode == 0, run.stdout[-3000:]
    for name in TASKS:
        assert run[name]['changed'] is True, name
    written = files(runs['after_change'])
    assert sorted(written) == sorted(FIRST)
    for name, (old, new) in CHANGED.items():
        assert written[name][2].decode() == FIRST[name].replace(old, new), name
        assert written[name][1] == (0o600 if name.startswith('Secret-') else 0o644), name
    assert written['Listener-from-yaml.yaml'] == files(runs['after_first'])['Listener-from-yaml.yaml']
    assert run['listener']['diff']['before']['spec']['port'] == 8080
    assert run['listener']['diff']['after']['spec']['port'] == 8081
    assert run['site']['diff']['before']['spec'] == {'linkAccess': 'default'}
    assert run['site']['diff']['after']['spec'] == {'linkAccess': 'none'}
    assert run['link']['diff']['before']['spec']['cost'] == 1 and run['link']['diff']['after']['spec']['cost'] == 3
    assert run['connector']['diff']['before']['spec']['host'] == '127.0.0.1'
    assert run['connector']['diff']['after']['spec']['host'] == 'localhost'
    assert run['router_access']['diff']['after']['spec']['roles'][0] == {'name': 'inter-router', 'port': 55672}
    assert [(r['kind'], r['changed']) for r in run['resource']['results']] == [('Secret', True), ('Listener', False)]


# (task, words every message must hold: the option and the value)
BAD = [
    ('name not RFC 1123', ["name: 'West_Site'", 'RFC 1123']),
    ('name longer than 63', ['name: %r' % ('a' * 64), '63 characters']),
    ('namespace not RFC 1123', ["namespace: 'West'", 'RFC 1123']),
    ('port above 65535', ['port: 70000', 'between 1 and 65535']),
    ('port zero', ['port: 0', 'between 1 and 65535']),
    ('link endpoint port out of range', ['endpoints[0].port: 0 ', 'between 1 and 65535']),
    ('role port out of range', ['roles[0].port: 65536', 'between 1 and 65535']),
    ('wrong type', ['port', 'eighty', 'int']),
    ('unknown choice', ['observer', 'http3', 'auto, none, http1, http2']),
    ('unknown role choice', ['name', 'normal', 'inter-router, edge']),
    ('missing required field', ['routing_key']),
    ('missing required field inside a list', ['host', 'endpoints']),
    ('bad host', ["host: 'Bad_Host'", 'host name']),
    ('kubernetes-only field', ['selector: is only used on Kubernetes, not on Linux']),
    ('kubernetes-only site field', ['default_issuer: is only used on Kubernetes, not on Linux']),
    ('connector without host', ['host: required on Linux']),
    ('edge and ha', ['edge and ha: an edge site cannot have HA enabled']),
    ('edge and link access', ['edge and link_access', 'cannot have link access']),
    ('unknown option', ['prot']),
    ('resource unknown field', ['spec.prot: unsupported field']),
    ('resource one bad document of two', ["metadata.name: 'Bad_Name'", 'spec.port: 99999']),
    ('resource kubernetes-only kind', ['AccessGrant: not supported on Linux', 'appnet.skupper.static_link']),
    ('resource other namespace', ["metadata.namespace: 'east' is not the site namespace 'west'"]),
    ('empty required string', ['routing_key: required field is empty']),
    ('empty host', ['host: required field is empty']),
    ('empty credentials name', ["tls_credentials: '' must be a non-empty string"]),
    ('empty namespace', ["namespace: '' must be a non-empty string"]),
    ('annotations not strings', ['annotations: must be a mapping of strings to strings']),
    ('negative cost', ['cost: -3 must be at least 1']),
    ('link access not a choice', ['link_access', 'bogus-value', 'none, default']),
    ('kubernetes link access', ["link_access: 'route' is not one of none, default on Linux"]),
    ('protocol type linux cannot use', ['type', 'udp', 'tcp']),
    ('resource empty required string', ['spec.routingKey: required field is empty']),
    ('resource annotations not strings', ['metadata.annotations: must be a mapping of strings to strings']),
    ('resource secured access', ['SecuredAccess: not supported on Linux', 'appnet.skupper.router_access']),
    ('resource the same document twice', ['Listener l9 (definition[1]): the same Listener as definition[0]']),
    ('resource empty definition', ['definition holds no documents']),
    ('resource empty list', ['definition holds no documents']),
    ('resource directory without documents', ['callback_plugins holds no documents']),
    # options misspelt or of the wrong shape: named, with what is supported
    ('misspelt routing key', ['routing_ky: unsupported option']),
    ('misspelt role option', ['roles[0].prot: unsupported option (supported: name, port)']),
    ('list option given a string', ["endpoints: expected a list of mappings, got 'east.example.com:55671'"]),
    ('list of mappings given strings', ["roles[0]: expected a mapping, got 'inter-router'"]),
    ('router access without tls credentials', ['missing: tls_credentials']),
    ('two roles on one port', ['roles[0] and roles[1]: both have port 55699']),
    ('a role on the default port of the other role', ['roles[0] and roles[1]: both have port 45671',
                                                      'a default where none is given']),
    ('the same role twice', ["roles[0] and roles[1]: both have name 'edge'"]),
    ('listener on the port of a router access', ['port 55672 of listener "on-link-port" (host "127.0.0.1")',
                                                 'router access "west-public" role inter-router']),
    ('router access on the port of a listener', ['port 8081 of router access "west-other" role inter-router',
                                                 'listener "backend"']),
    ('router access on the default port of another router access', [
        'port 45671 of router access "west-other" role edge', 'router access "west-public" role edge']),
    ('second listener on the same host and port', ['port 8081 of listener "backend-two" (host "0.0.0.0")',
                                                   'listener "backend" (host "0.0.0.0")']),
    ('resource router access without tls credentials', ['spec.tlsCredentials: required field is missing']),
    ('resource two roles on one port', ['spec.roles[0] and spec.roles[1]: both have port 55698']),
    ('resource listener on the port of a router access', ['port 55672 of listener "l10"',
                                                          'router access "west-public" role inter-router']),
    ('resource misspelt field', ['spec.routingkey: unsupported field']),
]


@pytest.mark.parametrize('task,words', BAD, ids=[b[0] for b in BAD])
def test_bad_input_fails_with_a_clear_message(runs, task, words):
    result = runs['bad'][task]
    assert result.get('failed') is True, result
    assert result.get('changed') is False
    for word in words:
        assert word in result['msg'], (word, result['msg'])


def test_bad_input_writes_nothing(runs):
    assert runs['bad'].returncode == 0, runs['bad'].stdout[-3000:]  # every failure was expected (ignore_errors)
    assert runs['after_bad'] == runs['after_change']


def test_absent_in_check_mode_removes_nothing(runs):
    run = runs['absent_check']
    assert run.returncode == 0, run.stdout[-3000:]
    for name in TASKS:
        assert run[name]['changed'] is True, name
    assert runs['after_absent_check'] == runs['after_bad']


def test_absent_removes_the_files_then_changes_nothing(runs):
    run = runs['absent']
    assert run.returncode == 0, run.stdout[-3000:]
    for name in TASKS:
        assert run[name]['changed'] is True, name
    assert run['listener']['diff']['after'] == {}
    assert run['listener']['diff']['before']['spec']['port'] == 8081
    assert run['listener']['resource'] == {}
    assert files(runs['after_absent']) == {}
    again = runs['absent_again']
    assert again.returncode == 0
    for name in TASKS:
        assert again[name]['changed'] is False, name
    assert runs['after_absent_again'] == runs['after_absent']


def _check_refused(run, expected, data_home):
    assert run.returncode == 0, run.stdout[-3000:]
    for task, instead in expected.items():
        result = run[task]
        assert result['failed'] is True, result
        assert 'not supported on Linux' in result['msg'] and instead in result['msg'], result['msg']
        assert result['changed'] is False
    assert snapshot(data_home) == {}


def test_attached_kinds_fail_on_linux_and_say_what_to_use(playbook, data_home):
    run = playbook('kube_only.yml', extra_vars={'with_grant': False})
    _check_refused(run, {'attached_connector': 'appnet.skupper.connector with a host instead',
                         'attached_connector_binding': 'appnet.skupper.connector with a host instead'}, data_home)
    assert run['access_grant']['skipped'] is True


def test_access_grant_fails_on_linux_and_says_what_to_use(playbook, data_home):
    run = playbook('kube_only.yml', extra_vars={'with_grant': True})
    _check_refused(run, {'access_grant': 'issue a static link on it with appnet.skupper.static_link'}, data_home)


def test_module_defaults_group(playbook, data_home):
    run = playbook('module_defaults.yml')
    assert run.returncode == 0, run.stdout[-3000:]
    assert run['the defaults reached every module'].get('failed') is not True
    east = os.path.join('namespaces', 'east', 'input', 'resources') + os.sep
    written = sorted(p[len(east):] for p, e in snapshot(data_home).items() if p.startswith(east) and e[2] is not None)
    assert written == ['Connector-db.yaml', 'Listener-db.yaml', 'Site-east.yaml']


ENDPOINTS = [{'name': 'inter-router', 'host': 'east.example.com', 'port': '55671', 'group': 'skupper-router'}]


@pytest.fixture
def grant_endpoint():
    """An HTTPS grant endpoint (the controller stand-in's) that redeems any code; the codes it received."""
    codes = []
    site_ca = pki.make_ca('east-site-ca')

    def redeem(_path, body, headers):
        codes.append(body.decode())
        found = grants.redeem_documents(headers.get('name'), headers.get('subject'), ENDPOINTS, site_ca)
        return 200, grants.redeem_response(found)

    server = RedeemServer(redeem).start()
    yield server, codes
    server.stop()


PEM = '-----BEGIN PRIVATE KEY-----\n{0}LINEONE0123456789\n{0}LINETWO0123456789\n-----END PRIVATE KEY-----\n'


def _b64(text):
    return base64.b64encode(text.encode()).decode()


def test_secret_values_never_in_verbose_output(playbook, data_home, grant_endpoint):
    marker = 'SeCrEtMaRkEr4711'
    server, codes = grant_endpoint
    run = playbook('secrets.yml', '-vvv', '--diff', extra_vars={
        'marker': marker, 'grant_url': server.base_url + '/grant-uid', 'grant_ca': server.ca_pem})
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-3000:]
    assert 'ok: [localhost]' in output or 'changed: [localhost]' in output
    # the values really went through the modules: into the files and to the grant endpoint (once) ...
    written = files(snapshot(data_home))
    assert sorted(written) == ['Link-token.yaml', 'Secret-creds.yaml', 'Secret-pem.yaml', 'Secret-token.yaml',
                               'Site-west.yaml']
    assert marker + 'key2' in written['Secret-creds.yaml'][2].decode()
    assert codes == [marker + 'code']
    pem = yaml.safe_load(written['Secret-pem.yaml'][2])
    assert 'stringData' not in pem
    # stringData is written encoded into data (what Skupper reads); data stays as given
    assert pem['data'] == {'tls.key': _b64(PEM.format(marker)), 'ca.crt': _b64(marker + 'quoted'),
                           'tls.crt': marker + 'plain'}
    for name in ('Secret-creds.yaml', 'Secret-pem.yaml', 'Secret-token.yaml'):
        assert written[name][1] == 0o600, name
    # ... but never into the output (the extra vars line of -vvv aside, which is not the modules' output)
    shown = output.replace('"marker": "%s"' % marker, '')
    assert marker not in shown
    assert 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER' in shown  # the echoed definition, with the values replaced


def test_secret_values_of_a_refused_document_never_in_verbose_output(playbook, data_home):
    marker = 'SeCrEtMaRkEr0815'
    run = playbook('secrets_invalid.yml', '-vvv', extra_vars={'marker': marker})
    assert run['invalid secret document']['failed'] is True
    assert "metadata.name: 'Bad_Name'" in run['invalid secret document']['msg']
    unreadable = run['unreadable YAML']
    assert unreadable['failed'] is True and unreadable['changed'] is False
    column = len('  tls.key: %sKEYMATERIAL:' % marker)  # where the second ':' of the broken line is
    assert unreadable['msg'] == ('Cannot read the documents: definition: YAML syntax error at line 5, column %d: '
                                 'mapping values are not allowed here' % column)
    assert snapshot(data_home) == {}
    assert marker not in run.stdout + run.stderr


def test_a_secret_file_readable_by_others_is_tightened(playbook, data_home):
    path = os.path.join(str(data_home), RESOURCES, 'Secret-creds.yaml')
    assert playbook('secret_mode.yml')['secret']['changed'] is True
    assert os.stat(path).st_mode & 0o777 == 0o600
    os.chmod(path, 0o644)
    content = open(path, 'rb').read()
    warning = '%s holds secrets but had mode 0644: %s 0600'
    check = playbook('secret_mode.yml', '--check')
    assert check['secret']['changed'] is True
    assert warning % (path, 'would set') in ' '.join((check.stdout + check.stderr).split())
    assert os.stat(path).st_mode & 0o777 == 0o644
    fixed = playbook('secret_mode.yml')
    assert fixed['secret']['changed'] is True and fixed['secret']['results'][0]['reload_required'] is False
    assert warning % (path, 'set') in ' '.join((fixed.stdout + fixed.stderr).split())
    assert os.stat(path).st_mode & 0o777 == 0o600 and open(path, 'rb').read() == content
    again = playbook('secret_mode.yml')
    assert again['secret']['changed'] is False and 'holds secrets' not in again.stdout + again.stderr


def test_a_namespace_holds_one_site(playbook, data_home):
    run = playbook('one_site.yml')
    assert run.returncode == 0, run.stdout[-3000:]
    assert run['first site']['changed'] is True and run['first site again']['changed'] is True
    refusal = "namespace 'east' already has the Site 'east' (Site-east.yaml) and a namespace holds one site"
    for task in ('second site', 'second site in check mode', 'second site through resource'):
        assert run[task]['failed'] is True and run[task]['changed'] is False, task
        assert refusal in run[task]['msg'] and 'state=absent' in run[task]['msg'], run[task]['msg']
    both = run['two sites in one definition']
    assert both['failed'] is True and ("namespace 'other' already has the Site 'one' (given before it in this "
                                       "definition) and a namespace holds one site") in both['msg']
    written = sorted(p for p, e in snapshot(data_home).items() if e[2] is not None)
    assert written == [os.path.join('namespaces', 'east', 'input', 'resources', 'Site-east.yaml')]


def test_documents_and_typed_modules_write_one_normal_form(playbook, data_home):
    run = playbook('normalised.yml', '--diff')
    assert run.returncode == 0, run.stdout[-3000:]
    assert run['link with an integer port through resource']['changed'] is True
    assert run['the same link through the typed module']['changed'] is False
    assert run['through resource again']['changed'] is False
    written = files(snapshot(data_home))
    link = yaml.safe_load(written['Link-lk.yaml'][2])
    assert link['spec']['endpoints'] == [{'name': 'inter-router', 'host': 'east.example.com', 'port': '55671'}]
    secret = yaml.safe_load(written['Secret-lk.yaml'][2])
    assert secret['data'] == {'tls.crt': 'Q0VSVA=='} and 'stringData' not in secret
