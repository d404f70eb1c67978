"""appnet.skupper.system and appnet.skupper.static_link through ansible-playbook on localhost.

Lifecycle with service_manager=process and the router stand-in (tests/support/bin/skrouterd, a test
double): started -> unchanged -> input change -> reloaded (restarted) -> reloaded (not restarted) ->
stopped -> started -> absent, with check mode before each step touching nothing. Then two sites linked by
a static link, the link Ready through router management, TCP through the link, and preflight failures.
"""

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest
import yaml

from tests.support import router_schema
from tests.support.host_ports import private_network, router_ports_lock
from tests.support.playbook import ROOT, failures, run_playbook, task_outcomes
from tests.support.reference import absent_reason

ROUTER = os.path.join(ROOT, 'tests', 'support', 'bin', 'skrouterd')
SKMANAGE = os.path.join(ROOT, 'tests', 'support', 'bin', 'skmanage')


def snapshot(home):
    """{relative path: (sha256, mode)} of every file under home (pid files excluded: they are not state)."""
    found = {}
    for directory, _dirs, names in os.walk(home):
        for name in names:
            path = os.path.join(directory, name)
            with open(path, 'rb') as handle:
                found[os.path.relpath(path, home)] = (hashlib.sha256(handle.read()).hexdigest(),
                                                      os.stat(path).st_mode & 0o777)
    return found


def write_playbook(path, tasks):
    with open(path, 'w') as handle:
        yaml.safe_dump([{'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}], handle)
    return path


def system_task(data_home, namespace, state, **extra):
    args = dict({'platform': 'linux', 'namespace': namespace, 'state': state, 'data_home': data_home,
                 'service_manager': 'process', 'router_binary': ROUTER}, **extra)
    return {'name': 'system %s' % state, 'appnet.skupper.system': args, 'register': 'result'}


def run_tasks(tmp_path, tasks, *args):
    playbook = write_playbook(str(tmp_path / 'play.yml'), tasks)
    rc, report = run_playbook(playbook, 'localhost,', '-c', 'local', '-e',
                              'ansible_python_interpreter=%s' % sys.executable, *args, prefix=NETWORK['prefix'])
    outcomes = [outcome for _host, _name, outcome in task_outcomes(report)]
    return rc, report, outcomes


def site_tasks(data_home, namespace, site, link_access=None, listeners=(), connectors=()):
    common = {'platform': 'linux', 'namespace': namespace, 'data_home': data_home}
    tasks = [{'appnet.skupper.site': dict(common, name=site, **({'link_access': link_access} if link_access else {}))}]
    tasks += [{'appnet.skupper.listener': dict(common, name=name, routing_key=name, host='127.0.0.1', port=port)}
              for name, port in listeners]
    tasks += [{'appnet.skupper.connector': dict(common, name=name, routing_key=name, host='127.0.0.1', port=port)}
              for name, port in connectors]
    return tasks


def router_pid(home):
    with open(os.path.join(home, 'internal', 'router', 'skrouterd.pid')) as handle:
        return int(handle.read())


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    stat = open('/proc/%d/stat' % pid).read()
    return stat.rsplit(')', 1)[-1].split()[0] != 'Z'


# The network the playbooks of the running test run in (run_tasks): the command prefix of its private network
# namespace (own_network), or [] for the host's.
NETWORK = {'prefix': []}


@pytest.fixture(autouse=True)
def own_network(request):
    """Each test's playbooks, and the routers they start, run in a network namespace of the test's own: no port of
    theirs collides with another test's, so these tests run side by side with the other router tests (without
    root, on the host's network with its router ports held). A test that talks to its routers from this process
    takes host_network instead."""
    if 'host_network' in request.fixturenames:
        yield
        return
    with private_network('appnet-system') as network:
        NETWORK['prefix'] = network.prefix
        try:
            yield
        finally:
            NETWORK['prefix'] = []


@pytest.fixture
def host_network():
    """The host's network, its router ports held while the test runs."""
    with router_ports_lock():
        yield


@pytest.fixture
def data_home(tmp_path):
    path = str(tmp_path / 'skupper')
    yield path
    namespaces = os.path.join(path, 'namespaces')
    for namespace in (os.listdir(namespaces) if os.path.isdir(namespaces) else []):
        pid_file = os.path.join(namespaces, namespace, 'internal', 'router', 'skrouterd.pid')
        if os.path.exists(pid_file):
            try:
                os.killpg(int(open(pid_file).read()), 9)
            except OSError:
                pass


def check_rendered_config(home):
    """Every rendered skrouterd.json must pass the router schema checks (tests/support/router_schema.py)."""
    path = os.path.join(home, 'runtime', 'router', 'skrouterd.json')
    if not os.path.exists(path):
        return
    if not os.path.exists(router_schema.SCHEMA):
        pytest.skip(absent_reason('router', 'skrouter.json'))
    assert router_schema.config_file_problems(path) == []


def site_status(home, site='lc'):
    with open(os.path.join(home, 'runtime', 'resources', 'Site-%s.yaml' % site)) as handle:
        status = yaml.safe_load(handle)['status']
    return status['status'], status['message']


def step(tmp_path, data_home, home, state, expect_changed, expect_restarted=None, **extra):
    """Check mode first (nothing touched, same prediction), then the real run."""
    before = snapshot(home) if os.path.isdir(home) else {}
    rc, report, outcomes = run_tasks(tmp_path, [system_task(data_home, 'lc', state, **extra)], '--check')
    assert rc == 0, failures(report)
    predicted = outcomes[0]
    assert (snapshot(home) if os.path.isdir(home) else {}) == before
    rc, report, outcomes = run_tasks(tmp_path, [system_task(data_home, 'lc', state, **extra)], '--diff')
    assert rc == 0, failures(report)
    result = outcomes[0]
    assert result['changed'] is expect_changed and predicted['changed'] is expect_changed
    if expect_restarted is not None:
        assert result['restarted'] is expect_restarted and predicted['restarted'] is expect_restarted
        assert result['restart_reason'] == predicted['restart_reason']
    check_rendered_config(home)
    return result


def test_lifecycle(tmp_path, data_home):
    home = os.path.join(data_home, 'namespaces', 'lc')
    rc, report, _outcomes = run_tasks(tmp_path, site_tasks(data_home, 'lc', 'lc', 'default',
                                                           listeners=[('backend', 28180)]))
    assert rc == 0, failures(report)

    first = step(tmp_path, data_home, home, 'started', True, True)
    assert first['site_name'] == 'lc' and first['service']['active'] is True
    assert first['restart_reason'] == 'the router is not running'
    assert first['router_config'] == os.path.join(home, 'runtime', 'router', 'skrouterd.json')
    assert site_status(home) == ('Ready', 'OK')
    with open(os.path.join(home, 'internal', 'service.yaml')) as handle:
        assert yaml.safe_load(handle)['manager'] == 'process'
    pid = router_pid(home)
    assert pid_alive(pid)

    again = step(tmp_path, data_home, home, 'started', False, False)
    assert router_pid(home) == pid and again['restart_reason'] is None

    rc, report, _outcomes = run_tasks(tmp_path, site_tasks(data_home, 'lc', 'lc', 'default',
                                                           listeners=[('backend', 28180), ('extra', 28181)]))
    assert rc == 0, failures(report)
    # A listener added to a running router is a live change (check mode predicts it); the stand-in's skmanage is
    # not skupper-router's and cannot make it, so the router is restarted instead, with a warning (the live change
    # itself, with the real router: tests/integration/live).
    reloaded = step(tmp_path, data_home, home, 'reloaded', True)
    assert 'runtime/router/skrouterd.json' in reloaded['changed_files']
    assert reloaded['restarted'] is True
    assert reloaded['restart_reason'] == 'the live change of its listeners and connectors failed'
    assert any('could not be changed on the running router' in warning for warning in reloaded['warnings'])
    assert router_pid(home) != pid and pid_alive(router_pid(home))
    pid = router_pid(home)

    step(tmp_path, data_home, home, 'reloaded', False, False)
    assert router_pid(home) == pid

    stopped = step(tmp_path, data_home, home, 'stopped', True)
    assert stopped['service']['active'] is False and not pid_alive(pid)
    assert site_status(home) == ('Pending', 'the router was stopped (appnet.skupper.system state=stopped)')
    assert stopped['changed_files'] == ['runtime/resources/Site-lc.yaml']
    assert os.path.exists(os.path.join(home, 'runtime', 'router', 'skrouterd.json'))
    step(tmp_path, data_home, home, 'stopped', False)

    step(tmp_path, data_home, home, 'started', True, True)
    assert site_status(home) == ('Ready', 'OK')
    pid = router_pid(home)

    step(tmp_path, data_home, home, 'absent', True)
    assert not pid_alive(pid)
    assert sorted(os.listdir(home)) == ['input', 'runtime']
    assert sorted(os.listdir(os.path.join(home, 'runtime'))) == ['issuers']
    assert os.path.exists(os.path.join(home, 'input', 'resources', 'Site-lc.yaml'))
    step(tmp_path, data_home, home, 'absent', False)


def test_missing_router_fails_before_anything_changes(tmp_path, data_home):
    home = os.path.join(data_home, 'namespaces', 'lc')
    rc, report, _outcomes = run_tasks(tmp_path, site_tasks(data_home, 'lc', 'lc'))
    assert rc == 0, failures(report)
    before = snapshot(home)
    task = system_task(data_home, 'lc', 'started', router_binary=str(tmp_path / 'no-such-skrouterd'))
    rc, _report, outcomes = run_tasks(tmp_path, [task])
    assert rc != 0 and outcomes[0]['failed']
    assert 'no-such-skrouterd' in outcomes[0]['msg'] and 'skupper-router' in outcomes[0]['msg']
    assert snapshot(home) == before


def test_invalid_site_fails_with_nothing_changed(tmp_path, data_home):
    home = os.path.join(data_home, 'namespaces', 'lc')
    resources = os.path.join(home, 'input', 'resources')
    os.makedirs(resources)
    with open(os.path.join(resources, 'Listener-orphan.yaml'), 'w') as handle:
        yaml.safe_dump({'apiVersion': 'skupper.io/v2alpha1', 'kind': 'Listener', 'metadata': {'name': 'orphan'},
                        'spec': {'routingKey': 'x', 'host': '127.0.0.1', 'port': 8080}}, handle)
    before = snapshot(home)
    rc, _report, outcomes = run_tasks(tmp_path, [system_task(data_home, 'lc', 'started')])
    assert rc != 0 and outcomes[0]['failed']
    assert 'no valid site definition' in outcomes[0]['msg']
    assert snapshot(home) == before


class EchoServer(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.sock = socket.create_server(('127.0.0.1', 0))
        self.port = self.sock.getsockname()[1]

    def run(self):
        while True:
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                return
            with conn:
                data = conn.recv(1024)
                conn.sendall(data.upper())


def test_static_link_between_two_sites(tmp_path, data_home, host_network):
    """Site names ending in -<digits> (site-1, db-2024) must be reported as they are, not cut at a dash."""
    echo = EchoServer()
    echo.start()
    listener_port = 28190
    tasks = (site_tasks(data_home, 'west', 'site-1', 'default', connectors=[('echo', echo.port)])
             + site_tasks(data_home, 'east', 'db-2024', listeners=[('echo', listener_port)])
             + [system_task(data_home, 'west', 'started'), system_task(data_home, 'east', 'started')])
    link_tasks = [
        {'appnet.skupper.static_link': {'platform': 'linux', 'namespace': 'west', 'data_home': data_home,
                                        'subject': 'db-2024', 'host': '127.0.0.1'},
         'register': 'issued', 'no_log': True},
        {'appnet.skupper.static_link': {'platform': 'linux', 'namespace': 'west', 'data_home': data_home,
                                        'subject': 'db-2024', 'host': '127.0.0.1'},
         'register': 'again', 'no_log': True},
        {'appnet.skupper.static_link': {'platform': 'linux', 'namespace': 'west', 'data_home': data_home,
                                        'subject': 'db-2024', 'host': '127.0.0.1'},
         'register': 'predicted', 'no_log': True, 'check_mode': True},
        {'ansible.builtin.assert': {'that': ['issued is changed', 'again is not changed', 'predicted is not changed',
                                             'issued.definition == again.definition == predicted.definition']}},
        {'appnet.skupper.resource': {'platform': 'linux', 'namespace': 'east', 'data_home': data_home,
                                     'definition': '{{ issued.definition }}'}, 'no_log': True},
        system_task(data_home, 'east', 'reloaded'),
        {'appnet.skupper.network_info': {'platform': 'linux', 'namespace': 'east', 'data_home': data_home,
                                         'skmanage': SKMANAGE, 'expected_links': ['site-1'], 'require_ready': True},
         'register': 'info', 'retries': 20, 'delay': 1, 'until': 'info is succeeded'},
        {'appnet.skupper.network_info': {'platform': 'linux', 'namespace': 'west', 'data_home': data_home,
                                         'skmanage': SKMANAGE}, 'register': 'west_info'},
    ]
    rc, report, outcomes = run_tasks(tmp_path, tasks + link_tasks)
    assert rc == 0, failures(report)
    for namespace in ('west', 'east'):
        check_rendered_config(os.path.join(data_home, 'namespaces', namespace))
    info, west_info = outcomes[-2], outcomes[-1]
    assert [(l['name'], l['status'], l['remote_site_name']) for l in info['links']] == [
        ('link-site-1', 'Ready', 'site-1')]
    assert info['ready'] is True and info['missing_links'] == []
    assert [peer['site_name'] for peer in info['peers']] == ['site-1']
    # west has no Link to east: it names its peer from the router id alone
    assert [peer['site_name'] for peer in west_info['peers']] == ['db-2024']
    for _attempt in range(50):
        try:
            with socket.create_connection(('127.0.0.1', listener_port), timeout=5) as client:
                client.sendall(b'through the link')
                assert client.recv(1024) == b'THROUGH THE LINK'
                break
        except ConnectionRefusedError:
            threading.Event().wait(0.2)
    else:
        pytest.fail('east listener never bound')
    echo.sock.close()


def started_site(tmp_path, data_home, namespace='lc', **extra):
    rc, report, _outcomes = run_tasks(tmp_path, site_tasks(data_home, namespace, namespace, 'default'))
    assert rc == 0, failures(report)
    rc, report, outcomes = run_tasks(tmp_path, [system_task(data_home, namespace, 'started', **extra)])
    assert rc == 0, failures(report)
    check_rendered_config(os.path.join(data_home, 'namespaces', namespace))
    return outcomes[0]


def wrapper(tmp_path, name, body):
    """A router binary at another path (a test double that runs the stand-in, or fails)."""
    path = tmp_path / name
    path.write_text('#!/bin/sh\n%s\n' % body)
    path.chmod(0o755)
    return str(path)


def test_stopped_and_absent_use_the_recorded_manager(tmp_path, data_home):
    """A site started with the process manager is stopped and removed by it, whatever the task asks for."""
    home = os.path.join(data_home, 'namespaces', 'lc')
    started_site(tmp_path, data_home)
    pid = router_pid(home)
    rc, report, outcomes = run_tasks(tmp_path, [system_task(data_home, 'lc', 'absent', service_manager='systemd')])
    assert rc == 0, failures(report)
    assert outcomes[0]['changed'] is True and outcomes[0]['service']['manager'] == 'process'
    assert not pid_alive(pid) and not os.path.exists(os.path.join(home, 'internal'))


def test_a_changed_router_binary_restarts_the_router(tmp_path, data_home):
    home = os.path.join(data_home, 'namespaces', 'lc')
    started_site(tmp_path, data_home)
    pid = router_pid(home)
    other = wrapper(tmp_path, 'skrouterd-2', 'exec "%s" "$@"' % ROUTER)
    result = step(tmp_path, data_home, home, 'started', True, True, router_binary=other)
    assert result['restart_reason'] == 'how the router is run changed (its command)'
    assert result['changed_files'] == [] and not pid_alive(pid) and pid_alive(router_pid(home))
    step(tmp_path, data_home, home, 'started', False, False, router_binary=other)


def test_a_router_that_does_not_start_fails_with_its_log(tmp_path, data_home):
    home = os.path.join(data_home, 'namespaces', 'lc')
    broken = wrapper(tmp_path, 'skrouterd-broken',
                     '[ "$1" = --version ] && { echo 3.3.0; exit 0; }\necho "fatal: unusable certificate" >&2\nexit 1')
    rc, report, _outcomes = run_tasks(tmp_path, site_tasks(data_home, 'lc', 'lc', 'default'))
    assert rc == 0, failures(report)
    rc, _report, outcomes = run_tasks(tmp_path, [system_task(data_home, 'lc', 'started', router_binary=broken)])
    result = outcomes[0]
    assert rc != 0 and result['failed'] is True and result['changed'] is True
    assert 'the router is not running: the router exited' in result['msg']
    assert 'fatal: unusable certificate' in result['msg']
    assert 'runtime/router/skrouterd.json' in result['changed_files']
    status, message = site_status(home)
    assert status == 'Pending' and message.startswith('the router did not start: ')
    assert not os.path.exists(os.path.join(home, 'internal', 'router', 'skrouterd.pid'))


def test_the_next_start_after_a_killed_supervisor_runs_one_router(tmp_path, data_home):
    home = os.path.join(data_home, 'namespaces', 'lc')
    started_site(tmp_path, data_home)
    supervisor = router_pid(home)
    with open(os.path.join(home, 'internal', 'router', 'skrouterd.child.pid')) as handle:
        orphan = int(handle.read())
    os.kill(supervisor, signal.SIGKILL)
    deadline = time.time() + 10
    while time.time() < deadline and pid_alive(supervisor):
        time.sleep(0.1)
    assert pid_alive(orphan)
    result = step(tmp_path, data_home, home, 'started', True, True)
    assert result['restart_reason'].startswith('the router runs without its supervisor')
    assert not pid_alive(orphan) and pid_alive(router_pid(home))


def test_the_platform_of_a_site_cannot_change(tmp_path, data_home):
    home = os.path.join(data_home, 'namespaces', 'lc')
    started_site(tmp_path, data_home)
    before = snapshot(home)
    rc, _report, outcomes = run_tasks(tmp_path, [system_task(data_home, 'lc', 'started', platform='podman')])
    assert rc != 0 and outcomes[0]['changed'] is False
    assert outcomes[0]['msg'].startswith('existing namespace uses "linux" platform and it cannot change to "podman"')
    assert snapshot(home) == before


def engine_state(engine):
    """'missing', 'broken' (installed, `<engine> info` fails) or 'working'."""
    if shutil.which(engine) is None:
        return 'missing'
    try:
        done = subprocess.run([engine, 'info'], capture_output=True, timeout=60, check=False)
    except subprocess.TimeoutExpired:
        return 'broken'
    return 'working' if done.returncode == 0 else 'broken'


@pytest.mark.parametrize('engine', ['podman', 'docker'])
def test_a_container_engine_that_cannot_run_the_router_fails_before_anything_is_written(tmp_path, data_home, engine):
    state = engine_state(engine)
    if state == 'working':
        pytest.skip('%s works on this host: this test needs one that does not' % engine)
    home = os.path.join(data_home, 'namespaces', 'lc')
    rc, report, _outcomes = run_tasks(tmp_path, site_tasks(data_home, 'lc', 'lc', 'default'))
    assert rc == 0, failures(report)
    before = snapshot(home)
    rc, _report, outcomes = run_tasks(tmp_path, [system_task(data_home, 'lc', 'started', platform=engine)])
    assert rc != 0 and outcomes[0]['failed'] is True and outcomes[0]['changed'] is False
    expected = '%s is not installed' % engine if state == 'missing' else '%s does not work here (%s info exited' % (
        engine, engine)
    assert outcomes[0]['msg'].startswith(expected), outcomes[0]['msg']
    assert snapshot(home) == before
