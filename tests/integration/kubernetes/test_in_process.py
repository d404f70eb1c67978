"""Which way a Kubernetes task runs: in the controller's process, or its module shipped as always.

The Kubernetes suite runs in-process, and a representative set of it both ways (conftest.execution_path); these
tests show which way a task took (ansible-playbook -vvv prints the module's EXEC, or the in-process line), that both
give the same result, and that what the in-process path reads from the task (its `environment:`, module_defaults)
is the task's.
"""

import os
import subprocess
import sys
import sysconfig
import uuid

import pytest

from tests.integration.kubernetes.plays import (
    BOTH_PATHS, IN_PROCESS_ONLY, counted, get_object, new_namespace, normalized, run, run_verbose)
from tests.support.kube_api import start_server
from tests.support.playbook import failures, run_playbook

IN_PROCESS = 'in the controller process (no module shipped)'
SHIPPED = 'EXEC /bin/sh -c'
WHY_SHIPPED = 'appnet.skupper: appnet.skupper.listener ships its module (not run in the controller process):'


@pytest.fixture(scope='module')
def server():
    instance = start_server()
    yield instance
    instance.stop()


def listener(server, namespace, **extra):
    return dict({'name': 'l-' + uuid.uuid4().hex[:6], 'namespace': namespace, 'api_host': server.url,
                 'routing_key': 'k', 'host': 'h', 'port': 80}, **extra)


@BOTH_PATHS
def test_the_path_a_task_takes(tmp_path, server, execution_path):
    namespace = new_namespace(server)
    rc, output = run_verbose(tmp_path, [{'appnet.skupper.listener': listener(server, namespace)}], '-vvv')
    assert rc == 0, output
    if execution_path == 'in-process':
        assert IN_PROCESS in output and SHIPPED not in output
    else:
        assert SHIPPED in output and IN_PROCESS not in output


@IN_PROCESS_ONLY
@pytest.mark.parametrize('case', ['become', 'async', 'linux', 'opted out', 'another python'])
def test_tasks_that_run_their_module(tmp_path, server, execution_path, case):
    """become, async, platform linux, a Python that is not the controller's (another virtualenv of the same
    interpreter) and appnet_skupper_in_process: false ship the module, and say why."""
    namespace = new_namespace(server)
    task = {'appnet.skupper.listener': listener(server, namespace)}
    if case == 'become':
        task.update(become=True, become_method='su', become_user='root')
    elif case == 'async':
        task.update({'async': 30, 'poll': 1})
    elif case == 'linux':
        task['appnet.skupper.listener'] = dict(task['appnet.skupper.listener'], platform='linux',
                                               data_home=str(tmp_path / 'data'))
        del task['appnet.skupper.listener']['api_host']
    elif case == 'opted out':
        task['vars'] = {'appnet_skupper_in_process': False}
    # run_verbose's own -e sets the controller's Python; a later -e wins.
    python = sys.executable
    if case == 'another python':
        python = str(venv_with_the_controllers_packages(tmp_path / 'venv') / 'bin' / 'python3')
    rc, output = run_verbose(tmp_path, [task], '-vvv', '-e', '{"ansible_python_interpreter": "%s"}' % python)
    assert rc == 0, output
    assert SHIPPED in output and IN_PROCESS not in output
    assert WHY_SHIPPED in output


def venv_with_the_controllers_packages(path):
    """Another Python environment of the same interpreter, which sees the packages of this one (a .pth file): its
    module runs, but the task cannot tell that it would import what the controller imports."""
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(path)], check=True)
    site_packages = subprocess.run([str(path / 'bin' / 'python3'), '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'],
                                   check=True, capture_output=True, text=True).stdout.strip()
    paths = sorted({sysconfig.get_paths()['purelib'], sysconfig.get_paths()['platlib']})
    with open(os.path.join(site_packages, 'controller.pth'), 'w') as handle:
        handle.write(''.join(entry + '\n' for entry in paths))
    return path


@IN_PROCESS_ONLY
def test_the_controllers_python_under_its_other_name(tmp_path, server, execution_path):
    """bin/python and bin/python3 of the controller's virtualenv are one Python: the task runs in process."""
    name = 'python' if os.path.basename(sys.executable) != 'python' else 'python3'
    python = os.path.join(os.path.dirname(sys.executable), name)
    assert python != sys.executable and os.path.samefile(python, sys.executable)
    namespace = new_namespace(server)
    task = listener(server, namespace)
    rc, output = run_verbose(tmp_path, [{'appnet.skupper.listener': task}], '-vvv',
                             '-e', '{"ansible_python_interpreter": "%s"}' % python)
    assert rc == 0, output
    assert IN_PROCESS in output and SHIPPED not in output and WHY_SHIPPED not in output
    assert get_object(server, 'Listener', namespace, task['name'])['spec']['port'] == 80


@IN_PROCESS_ONLY
def test_why_the_module_is_shipped_shows_with_v(tmp_path, server, execution_path):
    """With -v, a Kubernetes task on the controller that ships its module says why, in one line."""
    namespace = new_namespace(server)
    rc, output = run_verbose(tmp_path, [{'appnet.skupper.listener': listener(server, namespace),
                                         'vars': {'appnet_skupper_in_process': False}}], '-v')
    assert rc == 0, output
    lines = [line for line in output.splitlines() if WHY_SHIPPED in line]
    assert lines == ['<localhost> %s appnet_skupper_in_process is false' % WHY_SHIPPED], output


@IN_PROCESS_ONLY
def test_same_result_both_ways(tmp_path, server, execution_path, monkeypatch):
    """The registered results of the same tasks (create with diff, check mode on a change, unchanged, a bad
    input) are the same in the controller's process and shipped, apart from the server's timestamps."""
    outcomes = {}
    for path in ('true', 'false'):
        monkeypatch.setenv('APPNET_SKUPPER_IN_PROCESS', path)
        namespace = new_namespace(server)
        task = listener(server, namespace, name='same')
        rc, report, found = run(tmp_path, [
            {'appnet.skupper.listener': task, 'diff': True},
            {'appnet.skupper.listener': dict(task, port=81), 'check_mode': True, 'diff': True},
            {'appnet.skupper.listener': task},
            {'appnet.skupper.listener': dict(task, port='not a port'), 'ignore_errors': True},
            {'appnet.skupper.listener': dict(task, unknown_option=1), 'ignore_errors': True},
        ])
        assert rc == 0, failures(report)
        outcomes[path] = [normalized(outcome, namespace) for outcome in found]
    assert outcomes['true'] == outcomes['false']
    assert [o.get('changed') for o in outcomes['true']] == [True, True, False, False, False]
    assert 'unknown_option' in outcomes['true'][4]['msg']


@IN_PROCESS_ONLY
def test_task_environment_and_module_defaults(tmp_path, server, execution_path):
    """K8S_AUTH_HOST from a task's environment reaches that task only; module_defaults (the action group) apply."""
    namespace = new_namespace(server)
    task = listener(server, namespace)
    del task['api_host']
    rc, report, outcomes = run(tmp_path, [
        {'appnet.skupper.listener': task, 'environment': {'K8S_AUTH_HOST': server.url}},
        {'appnet.skupper.listener': dict(task, port=81), 'ignore_errors': True},
    ], env={'KUBECONFIG': str(tmp_path / 'no-kubeconfig')})
    assert rc == 0, failures(report)
    assert outcomes[0]['changed'] is True
    assert outcomes[1].get('failed') and 'no Kubernetes API to talk to' in outcomes[1]['msg']
    assert get_object(server, 'Listener', namespace, task['name'])['spec']['port'] == 80

    play = tmp_path / 'defaults.yml'
    play.write_text('- hosts: localhost\n  gather_facts: false\n  module_defaults:\n'
                    '    group/appnet.skupper.skupper:\n      api_host: %s\n      namespace: %s\n'
                    '  tasks:\n    - appnet.skupper.listener: {name: d, routing_key: k, host: h, port: 80}\n'
                    % (server.url, namespace))
    server.reset_counts()
    rc, report = run_playbook(str(play), 'localhost,', '-c', 'local', '-e', 'ansible_python_interpreter=' + sys.executable)
    assert rc == 0, failures(report)
    verbs, persisted = counted(server, namespace)
    assert verbs == {'get': 1, 'apply': 1} and len(persisted) == 1
    assert get_object(server, 'Listener', namespace, 'd')['spec']['port'] == 80


@IN_PROCESS_ONLY
def test_secrets_stay_hidden_in_process(tmp_path, server, execution_path):
    """-vvv shows neither the api_key option nor a Secret's data given to appnet.skupper.resource."""
    namespace = new_namespace(server)
    secret = {'apiVersion': 'v1', 'kind': 'Secret', 'metadata': {'name': 's', 'namespace': namespace},
              'stringData': {'password': 'swordfish-%s' % uuid.uuid4().hex}}
    rc, output = run_verbose(tmp_path, [
        {'appnet.skupper.resource': {'definition': secret, 'api_host': server.url, 'api_key': 'sekret-api-key'},
         'diff': True}], '-vvv')
    assert rc == 0, output
    assert IN_PROCESS in output
    assert secret['stringData']['password'] not in output and 'sekret-api-key' not in output
