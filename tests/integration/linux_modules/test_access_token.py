"""appnet.skupper.access_token on platform linux against a real HTTPS grant endpoint, through ansible-playbook.

The grant is an AccessGrant of a Kubernetes site served by the API stand-in; the controller stand-in (both test
doubles) fills its status (url, code, ca) and runs the HTTPS redeem endpoint (nonkube-runtime.md section 9).
The Linux site redeems the token: check mode (nothing written, nothing redeemed), first run (redeemed once,
Link and Secret written), second run (unchanged, no second redemption), absent in check mode, absent, absent
again.
"""

import os
import sys
import time

import pytest
import yaml

from kubernetes import client as k8s_client

from tests.integration.linux_modules.conftest import snapshot
from tests.support.controller import Controller
from tests.support.kube_api import start_server
from tests.support.playbook import failures, run_playbook, task_outcomes

RESOURCES = os.path.join('namespaces', 'east', 'input', 'resources')


def custom(server):
    return k8s_client.CustomObjectsApi(k8s_client.ApiClient(k8s_client.Configuration(host=server.url)))


@pytest.fixture(scope='module')
def grant():
    """(controller, token spec) of an AccessGrant `east` on the Kubernetes site west."""
    server = start_server()
    controller = Controller(server.url)
    controller.start()
    api = k8s_client.ApiClient(k8s_client.Configuration(host=server.url))
    k8s_client.CoreV1Api(api).create_namespace({'metadata': {'name': 'west'}})
    objects = custom(server)
    objects.create_namespaced_custom_object('skupper.io', 'v2alpha1', 'west', 'sites', {
        'apiVersion': 'skupper.io/v2alpha1', 'kind': 'Site', 'metadata': {'name': 'west'},
        'spec': {'linkAccess': 'default'}})
    objects.create_namespaced_custom_object('skupper.io', 'v2alpha1', 'west', 'accessgrants', {
        'apiVersion': 'skupper.io/v2alpha1', 'kind': 'AccessGrant', 'metadata': {'name': 'east'},
        'spec': {'redemptionsAllowed': 1}})
    deadline = time.time() + 30
    status = {}
    while time.time() < deadline and not status.get('url'):
        status = objects.get_namespaced_custom_object('skupper.io', 'v2alpha1', 'west', 'accessgrants',
                                                      'east').get('status') or {}
        time.sleep(0.2)
    assert status.get('url') and status.get('code') and status.get('ca'), status
    yield controller, {'url': status['url'], 'code': status['code'], 'ca': status['ca']}
    controller.stop()
    server.stop()


def write_playbook(path, tasks):
    with open(path, 'w') as handle:
        yaml.safe_dump([{'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}], handle)
    return path


def token_task(data_home, token, state='present', **extra):
    args = dict({'platform': 'linux', 'namespace': 'east', 'data_home': data_home, 'name': 'link-west',
                 'state': state}, **extra)
    if state == 'present':
        args.update(token, link_cost=3, annotations={'appnet.skupper/remote-site-name': 'west'})
    return {'name': 'token', 'appnet.skupper.access_token': args, 'no_log': False}


def run(tmp_path, tasks, *args):
    playbook = write_playbook(str(tmp_path / 'play.yml'), tasks)
    rc, report = run_playbook(playbook, 'localhost,', '-c', 'local', '-e',
                              'ansible_python_interpreter=%s' % sys.executable, *args)
    assert rc == 0, failures(report)
    return [outcome for _host, name, outcome in task_outcomes(report) if name == 'token'][0]


def resource_files(data_home):
    prefix = RESOURCES + os.sep
    return dict((path[len(prefix):], entry) for path, entry in snapshot(data_home).items()
                if path.startswith(prefix) and entry[2] is not None)


@pytest.fixture(scope='module')
def runs(grant, tmp_path_factory):
    controller, token = grant
    tmp_path = tmp_path_factory.mktemp('access-token')
    data_home = str(tmp_path / 'skupper')
    site = {'appnet.skupper.site': {'platform': 'linux', 'namespace': 'east', 'data_home': data_home, 'name': 'east'}}
    write_playbook(str(tmp_path / 'site.yml'), [site])
    rc, report = run_playbook(str(tmp_path / 'site.yml'), 'localhost,', '-c', 'local', '-e',
                              'ansible_python_interpreter=%s' % sys.executable)
    assert rc == 0, failures(report)
    state = {'data_home': data_home, 'site_only': resource_files(data_home), 'controller': controller}
    for step, task, args in (
            ('check', token_task(data_home, token), ['--check', '--diff']),
            ('first', token_task(data_home, token), ['--diff']),
            ('second', token_task(data_home, token), ['--diff']),
            ('absent_check', token_task(data_home, token, 'absent'), ['--check']),
            ('absent', token_task(data_home, token, 'absent'), []),
            ('absent_again', token_task(data_home, token, 'absent'), [])):
        state[step] = run(tmp_path, [task], *args)
        state['after_' + step] = resource_files(data_home)
        state['redemptions_' + step] = controller.redemptions('west', 'east')
    return state


def test_check_mode_redeems_nothing_and_writes_nothing(runs):
    check = runs['check']
    assert check['changed'] is True and check['redeemed'] is False
    assert check['status'] == {'status': 'Pending', 'message': 'the token would be redeemed'}
    assert runs['after_check'] == runs['site_only'] and runs['redemptions_check'] == 0


def test_first_run_redeems_once_and_keeps_the_link_and_secret(runs):
    first = runs['first']
    assert first['changed'] is True and first['redeemed'] is True and first['reload_required'] is True
    assert runs['redemptions_first'] == 1
    written = runs['after_first']
    assert sorted(written) == ['Link-link-west.yaml', 'Secret-link-west.yaml', 'Site-east.yaml']
    assert written['Secret-link-west.yaml'][1] == 0o600
    link = yaml.safe_load(written['Link-link-west.yaml'][2])
    assert link['spec']['cost'] == 3 and link['spec']['tlsCredentials'] == 'link-west'
    assert link['metadata']['annotations'] == {'appnet.skupper/remote-site-name': 'west'}
    assert first['resource'] == link and first['link'] == link
    home = os.path.join(runs['data_home'], RESOURCES)
    assert first['resource_files'] == [os.path.join(home, 'Secret-link-west.yaml'),
                                       os.path.join(home, 'Link-link-west.yaml')]
    assert first['status'] == {'status': 'Ready', 'message': 'OK', 'redeemed': True}
    assert first['diff']['before'] == {} and first['diff']['after']['kind'] == 'Link'


def test_second_run_changes_nothing_and_does_not_redeem_again(runs):
    second = runs['second']
    assert second['changed'] is False and second['redeemed'] is False
    assert runs['after_second'] == runs['after_first'] and runs['redemptions_second'] == 1
    assert second['diff']['before'] == second['diff']['after']


def test_absent_removes_what_the_token_gave_check_mode_first(runs):
    assert runs['absent_check']['changed'] is True and runs['after_absent_check'] == runs['after_first']
    absent = runs['absent']
    assert absent['changed'] is True and absent['reload_required'] is True
    assert runs['after_absent'] == runs['site_only']
    assert [os.path.basename(p) for p in absent['resource_files']] == ['Secret-link-west.yaml', 'Link-link-west.yaml']
    again = runs['absent_again']
    assert again['changed'] is False and again['resource_files'] == []
    assert runs['after_absent_again'] == runs['site_only'] and runs['redemptions_absent_again'] == 1
