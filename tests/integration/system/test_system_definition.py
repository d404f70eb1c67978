"""appnet.skupper.system with a definition: a whole Linux site applied, rendered and started in one module run, on
the real router, through ansible-playbook on localhost.

One module-scoped sequence of runs into one data home; each test checks one aspect of it:
check mode on nothing (changes nothing, predicts the change), the first run, a second run (changed=false), check mode
on the built site, a listener port changed (diff, live change, no restart), a bad document (nothing changed, even the
other documents of the definition), a Secret in the definition (never in the -vvv output), and state=stopped with a
definition (refused).
"""

import base64
import os
import socket
import sys

import pytest
import yaml

from tests.integration.system.test_system_lifecycle import router_pid, write_playbook
from tests.integration.system.test_system_lifecycle import snapshot as all_files
from tests.support import pki, real_router
from tests.support.host_ports import router_ports_lock
from tests.support.playbook import run_playbook, task_outcomes

NAMESPACE = 'whole'
FAR_CA = pki.make_ca('far-ca')
LINK_CREDENTIALS = pki.issue_certificate(FAR_CA, 'whole', client=True)


def snapshot(home):
    """The site's files but the running router's own (its log, pid and supervisor state files change as it runs)."""
    return dict((path, entry) for path, entry in all_files(home).items()
                if not path.startswith(os.path.join('internal', 'router') + os.sep))


def free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def documents(listener_port, connector_port, link_port):
    return [
        {'apiVersion': 'skupper.io/v2alpha1', 'kind': 'Site', 'metadata': {'name': 'whole'},
         'spec': {'linkAccess': 'default'}},
        {'apiVersion': 'skupper.io/v2alpha1', 'kind': 'Listener', 'metadata': {'name': 'front'},
         'spec': {'routingKey': 'front', 'host': '127.0.0.1', 'port': listener_port}},
        {'apiVersion': 'skupper.io/v2alpha1', 'kind': 'Connector', 'metadata': {'name': 'front'},
         'spec': {'routingKey': 'front', 'host': '127.0.0.1', 'port': connector_port}},
        {'apiVersion': 'skupper.io/v2alpha1', 'kind': 'Link', 'metadata': {
            'name': 'to-far', 'annotations': {'appnet.skupper/remote-site-name': 'far'}},
         'spec': {'cost': 2, 'tlsCredentials': 'to-far',
                  'endpoints': [{'name': 'inter-router', 'host': '127.0.0.1', 'port': str(link_port)}]}},
        # The Link's credentials: a client certificate of another site's CA (that site is not there: the link stays
        # Pending, which is fine here).
        {'apiVersion': 'v1', 'kind': 'Secret', 'metadata': {'name': 'to-far'}, 'type': 'kubernetes.io/tls',
         'data': pki.tls_secret_data(LINK_CREDENTIALS.cert_pem, LINK_CREDENTIALS.key_pem, FAR_CA.cert_pem)},
    ]


@pytest.fixture(scope='module')
def runs(tmp_path_factory):
    """{label: (rc, outcome of the system task, stdout)} of the sequence, and the namespace home."""
    skrouterd, _skmanage = real_router.require()
    root = tmp_path_factory.mktemp('definition')
    data_home = str(root / 'skupper')
    home = os.path.join(data_home, 'namespaces', NAMESPACE)
    listener_port, connector_port, new_port, link_port = free_port(), free_port(), free_port(), free_port()
    found = {}

    def run(label, definition, *args, state='reloaded'):
        task = {'name': 'system', 'register': 'result', 'appnet.skupper.system': {
            'platform': 'linux', 'namespace': NAMESPACE, 'state': state, 'data_home': data_home,
            'service_manager': 'process', 'router_binary': skrouterd, 'definition': definition}}
        playbook = write_playbook(str(root / ('%s.yml' % label)), [task])
        rc, report = run_playbook(playbook, 'localhost,', '-c', 'local', '-e',
                                  'ansible_python_interpreter=%s' % sys.executable, *args)
        outcome = [o for _host, _name, o in task_outcomes(report)][0]
        found[label] = (rc, outcome, snapshot(home) if os.path.isdir(home) else {})
        return found[label]

    site = documents(listener_port, connector_port, link_port)
    with router_ports_lock():
        try:
            run('check on nothing', site, '--check', '--diff')
            run('first', site)
            run('second', site, '-vvv')
            run('check on the built site', site, '--check')
            run('listener port changed', documents(new_port, connector_port, link_port), '--diff')
            bad = documents(new_port, connector_port, link_port)
            bad[1]['spec']['port'] = 70000
            bad[2]['spec']['port'] = free_port()
            run('bad document', bad)
            clash = documents(new_port, connector_port, link_port)
            same = free_port()
            clash += [{'apiVersion': 'skupper.io/v2alpha1', 'kind': 'Listener', 'metadata': {'name': name},
                       'spec': {'routingKey': name, 'host': '127.0.0.1', 'port': same}} for name in ('one', 'two')]
            run('two new listeners on one port', clash)
            run('stopped with a definition', site, state='stopped')
            yield found, home, (listener_port, new_port)
        finally:
            run('stop', None, state='stopped')


def test_check_mode_on_nothing_writes_nothing_and_predicts_a_new_site(runs):
    found, home, _ports = runs
    rc, outcome, tree = found['check on nothing']
    assert rc == 0, outcome
    assert outcome['changed'] is True and outcome['created'] is True and outcome['restarted'] is True
    assert tree == {}
    assert [(r['kind'], r['name'], r['changed']) for r in outcome['results']] == [
        ('Site', 'whole', True), ('Listener', 'front', True), ('Connector', 'front', True), ('Link', 'to-far', True),
        ('Secret', 'to-far', True)]
    # the diff has each document and the runtime
    assert len(outcome['diff']) == 6


def test_the_first_run_writes_renders_starts_and_returns_what_the_next_phases_need(runs):
    found, home, (listener_port, _new) = runs
    rc, outcome, tree = found['first']
    assert rc == 0, outcome
    assert outcome['changed'] is True and outcome['restarted'] is True
    assert outcome['restart_reason'] == 'the router is not running'
    assert outcome['links'] == [{'name': 'to-far', 'cost': 2, 'remote_site_name': 'far'}]
    assert outcome['listeners'] == [{'name': 'front', 'routing_key': 'front', 'host': '127.0.0.1',
                                     'port': listener_port}]
    assert [c['name'] for c in outcome['connectors']] == ['front']
    for name in ('Site-whole.yaml', 'Listener-front.yaml', 'Connector-front.yaml', 'Link-to-far.yaml'):
        assert os.path.join('input', 'resources', name) in tree
    assert os.path.join('runtime', 'router', 'skrouterd.json') in tree


def test_a_second_run_and_a_check_run_change_nothing(runs):
    found, _home, _ports = runs
    first_tree = found['first'][2]
    for label in ('second', 'check on the built site'):
        rc, outcome, tree = found[label]
        assert rc == 0, outcome
        assert outcome['changed'] is False, label
        assert not any(r['changed'] for r in outcome['results'])
        assert outcome['restarted'] is False
    assert found['second'][2] == found['check on the built site'][2]
    assert set(found['second'][2]) == set(first_tree)


def test_a_listener_change_is_applied_live_with_its_diff(runs):
    found, home, (listener_port, new_port) = runs
    rc, outcome, _tree = found['listener port changed']
    assert rc == 0, outcome
    assert outcome['changed'] is True and outcome['restarted'] is False, outcome['restart_reason']
    assert outcome['reconfigured']['updated'] == ['tcpListener listener/front']
    assert [r['name'] for r in outcome['results'] if r['changed']] == ['front']
    listener_diff = [d for d in outcome['diff'] if d.get('before_header', '').endswith('/Listener/front')][0]
    assert listener_diff['before']['spec']['port'] == listener_port
    assert listener_diff['after']['spec']['port'] == new_port


def test_a_bad_document_fails_before_anything_is_written(runs):
    found, _home, _ports = runs
    rc, outcome, tree = found['bad document']
    assert rc != 0
    assert outcome['changed'] is False
    assert 'Listener front' in outcome['msg'] and 'port' in outcome['msg']
    assert tree == found['listener port changed'][2]


def test_a_secret_of_the_definition_never_shows_and_is_kept_private(runs):
    found, _home, _ports = runs
    rc, outcome, tree = found['second']
    assert rc == 0, outcome
    assert tree[os.path.join('input', 'resources', 'Secret-to-far.yaml')][1] == 0o600
    shown = yaml.safe_dump(outcome)
    assert 'definition' in outcome['invocation']['module_args']
    key_line = LINK_CREDENTIALS.key_pem.strip().splitlines()[1]
    assert key_line not in shown
    assert base64.b64encode(LINK_CREDENTIALS.key_pem.encode()).decode()[:60] not in shown


def test_documents_that_clash_with_each_other_are_refused_before_anything_is_written(runs):
    """Each listener alone is fine with the site's files; together they bind one port twice: the render the module
    runs in memory before it writes finds it."""
    found, _home, _ports = runs
    rc, outcome, tree = found['two new listeners on one port']
    assert rc != 0 and outcome['changed'] is False
    assert 'one' in outcome['msg'] and 'two' in outcome['msg'], outcome['msg']
    assert tree == found['bad document'][2]


def test_a_definition_with_state_stopped_is_refused(runs):
    found, home, _ports = runs
    rc, outcome, tree = found['stopped with a definition']
    assert rc != 0 and outcome['changed'] is False
    assert outcome['msg'] == 'definition is applied with state=started or state=reloaded, not stopped'
    assert tree == found['bad document'][2]
    assert router_pid(home)


def test_a_deferred_first_start_renders_without_starting_then_the_next_run_starts(runs, tmp_path):
    """defer_first_start (the site role sets it for a new site with links): the router of a site that never ran is
    not started, and the Site status says why; the next run without it starts the router once. (It runs while the
    module's fixture holds the host's router ports: a second hold in one process would wait for itself.)"""
    skrouterd, _skmanage = real_router.require()
    data_home = str(tmp_path / 'skupper')
    home = os.path.join(data_home, 'namespaces', 'later')
    site = [{'apiVersion': 'skupper.io/v2alpha1', 'kind': 'Site', 'metadata': {'name': 'later'}, 'spec': {}}]

    def run(label, **extra):
        task = {'name': 'system', 'appnet.skupper.system': dict({
            'platform': 'linux', 'namespace': 'later', 'state': 'reloaded', 'data_home': data_home,
            'service_manager': 'process', 'router_binary': skrouterd, 'definition': site}, **extra)}
        rc, report = run_playbook(write_playbook(str(tmp_path / ('%s.yml' % label)), [task]), 'localhost,', '-c',
                                  'local', '-e', 'ansible_python_interpreter=%s' % sys.executable)
        return rc, [o for _host, _name, o in task_outcomes(report)][0]

    try:
        rc, deferred = run('deferred', defer_first_start=True)
        assert rc == 0, deferred
        assert deferred['changed'] is True and deferred['deferred'] is True and deferred['restarted'] is False
        assert not os.path.exists(os.path.join(home, 'internal', 'router', 'skrouterd.pid'))
        with open(os.path.join(home, 'runtime', 'resources', 'Site-later.yaml')) as handle:
            assert 'not started yet' in handle.read()
        rc, started = run('started')
        assert rc == 0, started
        assert started['deferred'] is False and started['restarted'] is True
        assert started['restart_reason'] == 'the router is not running'
        assert router_pid(home)
        # once it ran, the option changes nothing: an unchanged site stays as it is
        rc, again = run('again', defer_first_start=True)
        assert rc == 0 and again['changed'] is False and again['deferred'] is False
    finally:
        run('stop', state='stopped', definition=None)
