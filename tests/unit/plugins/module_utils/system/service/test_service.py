"""Service managers: the systemd unit, the container command and files, the supervised process, readiness."""

import grp
import json
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest
import yaml

from ansible_collections.appnet.skupper.plugins.module_utils.system.render import renderer
from ansible_collections.appnet.skupper.plugins.module_utils.system.service import router_service, systemd_service
from ansible_collections.appnet.skupper.plugins.module_utils.system.service import container_service
from ansible_collections.appnet.skupper.plugins.module_utils.system.service.container_service import ContainerService
from ansible_collections.appnet.skupper.plugins.module_utils.system.service.systemd_service import (
    SystemdService, SystemdUnit)

# The checkout: the nearest folder above this file that holds galaxy.yml.
ROOT = str(next(parent for parent in pathlib.Path(os.path.abspath(__file__)).parents
                if (parent / 'galaxy.yml').is_file()))
STANDIN = os.path.join(ROOT, 'tests', 'support', 'bin', 'skrouterd')
needs_analyze = pytest.mark.skipif(shutil.which('systemd-analyze') is None, reason='systemd-analyze is not installed')


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@pytest.fixture
def site_home(tmp_path):
    """A rendered namespace home (no link access) whose local management port is free on this host."""
    home = str(tmp_path / 'skupper' / 'namespaces' / 'ns')
    os.makedirs(os.path.join(home, 'input', 'resources'))
    with open(os.path.join(home, 'input', 'resources', 'Site-ns.yaml'), 'w') as handle:
        yaml.safe_dump({'apiVersion': 'skupper.io/v2alpha1', 'kind': 'Site', 'metadata': {'name': 'ns'}}, handle)
    port = free_port()
    result = renderer.render_site(home, 'ns', port_is_free=lambda candidate: candidate == port, hostname='host',
                                  addresses=['192.0.2.1'])
    return home, result.site_id


def analyze(tmp_path, name, text):
    unit = tmp_path / name
    unit.write_text(text)
    done = subprocess.run(['systemd-analyze', 'verify', '--man=no', str(unit)], capture_output=True, text=True,
                          check=False)
    return [line for line in done.stderr.splitlines() if name in line]


# -- systemd ----------------------------------------------------------------------------------------

def test_systemd_unit_for_root_is_a_system_unit_with_absolute_exec_start(tmp_path):
    manager = SystemdService('west', str(tmp_path / 'west'), router='/usr/sbin/skrouterd', site_id='id-1', uid=0)
    assert manager.unit.path == '/etc/systemd/system/skupper-west.service'
    lines = manager.unit_text().splitlines()
    assert 'ExecStart=/usr/sbin/skrouterd -c %s' % os.path.join(str(tmp_path / 'west'), 'runtime', 'router',
                                                                'skrouterd.json') in lines
    assert 'Environment="SKUPPER_SITE_ID=id-1"' in lines
    assert 'Restart=on-failure' in lines and 'WantedBy=multi-user.target' in lines


def test_systemd_unit_for_a_user_goes_to_the_user_unit_directory(tmp_path):
    manager = SystemdService('east', str(tmp_path), router='/opt/skrouterd', uid=1000,
                             env={'XDG_CONFIG_HOME': '/home/alice/.config', 'HOME': '/home/alice'})
    assert manager.unit.path == '/home/alice/.config/systemd/user/skupper-east.service'
    assert 'WantedBy=default.target' in manager.unit_text().splitlines()


def test_exec_start_paths_are_quoted_and_specifiers_escaped(tmp_path):
    home = str(tmp_path / 'data 100%' / 'namespaces' / 'west')
    manager = SystemdService('west', home, router='/opt/sk router/bin/skrouterd', site_id='id-%i', uid=0)
    lines = manager.unit_text().splitlines()
    config = os.path.join(home, 'runtime', 'router', 'skrouterd.json').replace('%', '%%')
    assert 'ExecStart="/opt/sk router/bin/skrouterd" -c "%s"' % config in lines
    assert 'Environment="SKUPPER_SITE_ID=id-%%i"' in lines


@needs_analyze
def test_systemd_analyze_verifies_the_unit_with_awkward_paths(tmp_path):
    folder = tmp_path / 'sk router 100%'
    folder.mkdir()
    router = folder / 'skrouterd'
    router.write_text('#!/bin/sh\nexit 0\n')
    router.chmod(0o755)
    manager = SystemdService('west', str(folder / 'home'), router=str(router), site_id='id-1', uid=0)
    assert analyze(tmp_path, 'skupper-west.service', manager.unit_text()) == []


def test_a_changed_binary_or_site_id_changes_the_spec(tmp_path):
    one = SystemdService('west', str(tmp_path), router='/usr/sbin/skrouterd', site_id='id-1', uid=0)
    assert one.spec_digest() == SystemdService('west', str(tmp_path), router='/usr/sbin/skrouterd', site_id='id-1',
                                               uid=0).spec_digest()
    assert one.spec_digest() != SystemdService('west', str(tmp_path), router='/opt/skrouterd', site_id='id-1',
                                               uid=0).spec_digest()
    assert one.spec_digest() != SystemdService('west', str(tmp_path), router='/usr/sbin/skrouterd', site_id='id-2',
                                               uid=0).spec_digest()


def test_user_units_warn_when_lingering_is_off(tmp_path, monkeypatch):
    monkeypatch.setattr(systemd_service, 'LINGER_DIR',
                        str(tmp_path / 'linger'))
    unit = SystemdUnit('east', uid=os.getuid() or 1000, env={'HOME': str(tmp_path)})
    warning = unit.linger_warning()
    assert 'lingering is not enabled' in warning and 'loginctl enable-linger' in warning
    (tmp_path / 'linger').mkdir()
    user = warning.split('for user ')[1].split(':')[0]
    (tmp_path / 'linger' / user).write_text('')
    assert unit.linger_warning() is None
    assert SystemdUnit('east', uid=0).linger_warning() is None


class FakeSystemctl(object):
    """A test double for systemctl/journalctl: answers `show` from a script of states, records the calls."""

    def __init__(self, states):
        self.states = list(states)
        self.calls = []

    def __call__(self, argv, timeout=120):
        self.calls.append(argv)
        if argv[0] == 'journalctl':
            return 0, 'skrouterd: fatal: cannot open certificate\n', ''
        if 'show' in argv:
            state = self.states.pop(0) if len(self.states) > 1 else self.states[0]
            return 0, ''.join('%s=%s\n' % item for item in state.items()), ''
        return 0, '', ''


def state(active='active', sub='running', restarts='0', pid='4242'):
    return {'ActiveState': active, 'SubState': sub, 'NRestarts': restarts, 'MainPID': pid, 'Result': 'success'}


def test_systemd_start_waits_for_readiness_and_notices_an_automatic_restart(site_home, monkeypatch):
    home, site_id = site_home
    fake = FakeSystemctl([state(), state(), state(restarts='1', pid='4343')])
    manager = SystemdService('ns', home, router='/usr/sbin/skrouterd', site_id=site_id, uid=0, runner=fake,
                             ready_timeout=5)
    with pytest.raises(router_service.ServiceError) as failure:
        manager.start()
    message = str(failure.value)
    assert 'restarted the router 1 time(s)' in message
    assert 'cannot open certificate' in message  # the journal's tail
    assert ['systemctl', 'start', 'skupper-ns.service'] in fake.calls


def test_systemd_start_reports_a_failed_unit(site_home):
    home, site_id = site_home
    fake = FakeSystemctl([state(), state(active='failed', sub='failed', pid='0')])
    manager = SystemdService('ns', home, router='/usr/sbin/skrouterd', site_id=site_id, uid=0, runner=fake,
                             ready_timeout=5)
    with pytest.raises(router_service.ServiceError, match='skupper-ns.service is failed'):
        manager.start()


# -- containers -------------------------------------------------------------------------------------

def flag(argv, name):
    return argv[argv.index(name) + 1] if name in argv else None


def test_container_command_runs_the_router_image_with_host_networking(tmp_path):
    argv = ContainerService('west', str(tmp_path), engine='podman', site_id='id-1', uid=1000, gid=1000,
                            with_unit=False).run_argv()
    assert argv[:2] == ['podman', 'run'] and argv[-1] == router_service.DEFAULT_IMAGE
    assert flag(argv, '--name') == 'west-skupper-router' and flag(argv, '--network') == 'host'
    assert flag(argv, '--restart') == 'always'
    assert 'SSL_PROFILE_BASE_PATH=/etc/skupper-router' in argv and 'SKUPPER_SITE_ID=id-1' in argv
    assert 'QDROUTERD_CONF=/etc/skupper-router/config/skrouterd.json' in argv
    assert '%s:/etc/skupper-router/runtime/certs:z' % os.path.join(str(tmp_path), 'runtime', 'certs') in argv
    assert '%s:/etc/skupper-router/config:z' % os.path.join(str(tmp_path), 'runtime', 'router') in argv
    assert 'skupper.io/site-id=id-1' in argv and 'application=skupper-v2' in argv


def docker_gid():
    try:
        return grp.getgrnam('docker').gr_gid
    except KeyError:
        return 0


@pytest.mark.parametrize('engine,uid,gid,userns,user', [
    ('podman', 1000, 1001, 'keep-id', '1000:1001'),  # rootless: the host user, mapped to itself
    ('podman', 0, 0, None, '0:0'),  # rootful: root, the owner of the files
    ('docker', 1000, 1001, None, '0:%d' % docker_gid()),  # Skupper's choice for docker, any user
    ('docker', 0, 0, None, '0:%d' % docker_gid()),
])
def test_the_container_user_can_read_the_site_files(tmp_path, engine, uid, gid, userns, user):
    """The image runs as uid 10000, which cannot read 0700 directories of the host user: --user overrides it."""
    argv = ContainerService('west', str(tmp_path), engine=engine, uid=uid, gid=gid, with_unit=False).run_argv()
    assert flag(argv, '--userns') == userns and flag(argv, '--user') == user


def test_container_scripts_and_unit(tmp_path):
    home = str(tmp_path / 'home')
    manager = ContainerService('west', home, engine='podman', site_id='id-1', uid=1000, gid=1000,
                               env={'XDG_RUNTIME_DIR': '/run/user/1000', 'HOME': str(tmp_path)}, with_unit=True)
    start, stop = manager.script_text('start'), manager.script_text('stop')
    assert 'container ls --all --filter label=application=skupper-v2 --filter label=skupper.io/site-id=id-1' in start
    assert start.splitlines()[0] == '#!/bin/sh' and 'start "$container"' in start
    assert 'stop --time 10 "$container"' in stop
    unit = manager.unit_text().splitlines()
    assert 'RequiresMountsFor=/run/user/1000/containers' in unit
    assert 'ExecStart=/bin/sh %s' % os.path.join(home, 'internal', 'scripts', 'start.sh') in unit
    assert 'ExecStop=/bin/sh %s' % os.path.join(home, 'internal', 'scripts', 'stop.sh') in unit
    assert 'RemainAfterExit=yes' in unit and 'WantedBy=default.target' in unit


def test_container_scripts_are_written_0755_and_idempotent(tmp_path):
    home = str(tmp_path / 'home')
    manager = ContainerService('west', home, engine='docker', site_id='id-1', with_unit=False)
    assert manager.install(check_mode=True) is True and not os.path.exists(manager.scripts_dir)
    assert manager.install() is True
    for action in ('start', 'stop'):
        path = os.path.join(home, 'internal', 'scripts', '%s.sh' % action)
        assert os.stat(path).st_mode & 0o777 == 0o755
        assert open(path).read() == manager.script_text(action)
    assert manager.install() is False


@pytest.mark.skipif(shutil.which('sh') is None, reason='no sh')
def test_container_scripts_run_the_engine_on_the_sites_containers(tmp_path):
    """The start script, run by sh against an engine test double, starts exactly the containers it lists."""
    engine = tmp_path / 'podman'
    log = tmp_path / 'calls'
    engine.write_text('#!/bin/sh\necho "$@" >> %s\nif [ "$1" = container ]; then echo ns-skupper-router; fi\n' % log)
    engine.chmod(0o755)
    manager = ContainerService('ns', str(tmp_path / 'home'), engine=str(engine), site_id='id-1', with_unit=False)
    manager.install()
    for action in ('start', 'stop'):
        subprocess.run(['sh', manager.script_path(action)], check=True)
    calls = log.read_text().splitlines()
    assert calls[0].startswith('container ls --all --filter label=application=skupper-v2 '
                               '--filter label=skupper.io/site-id=id-1')
    assert calls[1] == 'start ns-skupper-router' and calls[3] == 'stop --time 10 ns-skupper-router'


@needs_analyze
@pytest.mark.parametrize('engine,uid', [('podman', 1000), ('podman', 0), ('docker', 0)])
def test_systemd_analyze_verifies_the_container_unit(tmp_path, engine, uid):
    manager = ContainerService('west', str(tmp_path / 'home'), engine=engine, site_id='id-1', uid=uid, gid=uid,
                               env={'XDG_RUNTIME_DIR': str(tmp_path), 'HOME': str(tmp_path)}, with_unit=True)
    manager.install(check_mode=True)
    os.makedirs(manager.scripts_dir)
    for action in ('start', 'stop'):
        with open(manager.script_path(action), 'w') as handle:
            handle.write(manager.script_text(action))
    assert analyze(tmp_path, 'skupper-west.service', manager.unit_text()) == []


def test_container_preflight_names_a_missing_engine(tmp_path, monkeypatch):
    monkeypatch.setenv('PATH', str(tmp_path))
    with pytest.raises(router_service.ServiceError, match='podman is not installed'):
        ContainerService('west', str(tmp_path), engine='podman', with_unit=False).preflight()


# -- the router binary ------------------------------------------------------------------------------

def test_find_router_names_what_was_tried(tmp_path):
    with pytest.raises(router_service.ServiceError) as error:
        router_service.find_router(str(tmp_path / 'missing'))
    assert str(tmp_path / 'missing') in str(error.value) and 'skupper-router' in str(error.value)
    broken = tmp_path / 'broken'
    broken.write_text('#!/bin/sh\necho no >&2\nexit 3\n')
    broken.chmod(0o755)
    with pytest.raises(router_service.ServiceError) as error:
        router_service.find_router(str(broken))
    assert 'exited 3' in str(error.value)


def test_find_router_looks_a_bare_name_up_on_path(tmp_path, monkeypatch):
    router = tmp_path / 'my-skrouterd'
    router.write_text('#!/bin/sh\necho 3.3.0\n')
    router.chmod(0o755)
    monkeypatch.setenv('PATH', '%s:%s' % (tmp_path, os.environ.get('PATH', '')))
    assert router_service.find_router('my-skrouterd') == str(router)
    with pytest.raises(router_service.ServiceError, match='not-on-path'):
        router_service.find_router('not-on-path')


# -- the supervised process -------------------------------------------------------------------------

def fake_router(tmp_path, body):
    """A test double for the router: a script that does what body says."""
    router = tmp_path / 'router'
    router.write_text('#!%s\nimport os, sys, time, subprocess\n%s\n' % (sys.executable, body))
    router.chmod(0o755)
    return str(router)


def test_process_service_starts_when_ready_restarts_on_failure_and_stops(site_home, tmp_path):
    home, site_id = site_home
    counter = tmp_path / 'starts'
    # the stand-in, killed 3 s after its first start: the supervisor starts it again
    router = fake_router(tmp_path, 'open(%r, "a").write("x")\n'
                                   'p = subprocess.Popen([%r] + sys.argv[1:])\n'
                                   'if len(open(%r).read()) == 1:\n    time.sleep(3)\n    p.kill()\n    sys.exit(1)\n'
                                   'sys.exit(p.wait())' % (str(counter), STANDIN, str(counter)))
    manager = router_service.ProcessService('ns', home, router=router, site_id=site_id, ready_timeout=20)
    assert manager.is_active() is False
    manager.start()
    assert manager.is_active() is True
    deadline = time.time() + 15
    while time.time() < deadline and len(counter.read_text()) < 2:
        time.sleep(0.2)
    assert len(counter.read_text()) == 2, 'the supervisor restarts a router that failed'
    manager.stop()
    assert manager.is_active() is False and not os.path.exists(manager.pid_file)


def test_process_service_reports_a_router_that_dies_at_once(site_home, tmp_path):
    home, _site_id = site_home
    router = fake_router(tmp_path, 'sys.stderr.write("bad config\\n")\nsys.exit(1)')
    manager = router_service.ProcessService('ns', home, router=router, ready_timeout=20)
    with pytest.raises(router_service.ServiceError) as error:
        manager.start()
    assert 'bad config' in str(error.value)
    assert manager.is_active() is False


@pytest.mark.parametrize('delay', [0.1, 0.15, 0.25, 0.6])
def test_process_service_reports_a_router_that_fails_soon_after_the_start(site_home, tmp_path, delay):
    """The audit's crash loop: a router that exits shortly after each start is never reported as started."""
    home, _site_id = site_home
    router = fake_router(tmp_path, 'time.sleep(%s)\nsys.stderr.write("router failed\\n")\nsys.exit(1)' % delay)
    manager = router_service.ProcessService('ns', home, router=router, ready_timeout=20)
    started = time.time()
    with pytest.raises(router_service.ServiceError) as error:
        manager.start()
    assert 'the router is not running: the router exited' in str(error.value) and 'router failed' in str(error.value)
    assert time.time() - started < 10 and manager.is_active() is False


def test_process_service_reports_a_router_that_never_gets_ready(site_home, tmp_path):
    home, _site_id = site_home
    router = fake_router(tmp_path, 'sys.stderr.write("waiting for nothing\\n")\ntime.sleep(60)')
    manager = router_service.ProcessService('ns', home, router=router, ready_timeout=2)
    with pytest.raises(router_service.ServiceError) as error:
        manager.start()
    message = str(error.value)
    assert 'did not become ready within 2 seconds' in message and 'nothing listens on the management port' in message
    assert 'waiting for nothing' in message and manager.is_active() is False


def test_the_restart_delay_and_the_failures_start_again_after_a_healthy_run(tmp_path):
    """Three quick failures (the delay doubles), then a run past the healthy threshold that fails: restarted
    after the first delay again, one failure in a row."""
    home = str(tmp_path / 'ns')
    counter, seen = tmp_path / 'starts', tmp_path / 'state-seen-by-the-fourth'
    counter.write_text('')
    manager = router_service.ProcessService('ns', home)
    manager.restart_delay, manager.healthy_seconds = 0.1, 2
    # starts 1-3 fail at once; the fourth runs 2.5 s, keeps what the state file says of it, and fails; the fifth
    # exits 0, which ends the supervisor too
    manager.router = fake_router(tmp_path, 'open(%r, "a").write("x")\n'
                                           'starts = len(open(%r).read())\n'
                                           'if starts <= 3:\n    sys.exit(1)\n'
                                           'if starts == 4:\n'
                                           '    time.sleep(2.5)\n'
                                           '    open(%r, "w").write(open(%r).read())\n'
                                           '    sys.exit(1)\n'
                                           'sys.exit(0)' % (str(counter), str(counter), str(seen),
                                                            manager.state_file))
    supervisor = manager.spawn()
    try:
        assert supervisor.wait(timeout=60) == 0
        with open(manager.log_file) as handle:
            assert [line.strip() for line in handle if line.startswith('supervisor: ')] == [
                'supervisor: router exited with 1; restarting in 0.1 s',
                'supervisor: router exited with 1; restarting in 0.2 s',
                'supervisor: router exited with 1; restarting in 0.4 s',
                'supervisor: router exited with 1; restarting in 0.1 s']
        fourth = json.loads(seen.read_text())
        assert (fourth['state'], fourth['failures']) == ('running', 3), fourth
        with open(manager.state_file) as handle:
            fifth = json.load(handle)
        assert (fifth['state'], fifth['failures'], fifth['last_exit']) == ('running', 1, 1), fifth
        assert fifth['router_pid'] != fourth['router_pid'] and len(counter.read_text()) == 5
    finally:
        manager.stop()
    assert manager.is_active() is False


def test_a_router_left_by_a_killed_supervisor_is_not_started_twice(site_home):
    home, site_id = site_home
    manager = router_service.ProcessService('ns', home, router=STANDIN, site_id=site_id, ready_timeout=20)
    manager.start()
    supervisor = int(open(manager.pid_file).read())
    child = int(open(manager.child_pid_file).read())
    os.kill(supervisor, signal.SIGKILL)
    deadline = time.time() + 5
    while time.time() < deadline and os.path.exists('/proc/%d' % supervisor) and \
            open('/proc/%d/stat' % supervisor).read().rsplit(')', 1)[-1].split()[0] != 'Z':
        time.sleep(0.1)
    os.waitpid(supervisor, os.WNOHANG) if supervisor else None
    assert manager.is_active() is True and 'without its supervisor' in manager.degraded()
    manager.start()  # stops the orphan first, or the new router could not bind the ports
    assert not os.path.exists('/proc/%d' % child) or \
        open('/proc/%d/stat' % child).read().rsplit(')', 1)[-1].split()[0] == 'Z'
    assert manager.degraded() is None and int(open(manager.child_pid_file).read()) != child
    manager.stop()
    assert manager.is_active() is False


def test_the_process_spec_follows_the_binary_and_site_id(tmp_path):
    one = router_service.ProcessService('ns', str(tmp_path), router='/usr/sbin/skrouterd', site_id='a')
    assert one.spec_digest() != router_service.ProcessService('ns', str(tmp_path), router='/opt/skrouterd',
                                                              site_id='a').spec_digest()
    assert one.spec_digest() != router_service.ProcessService('ns', str(tmp_path), router='/usr/sbin/skrouterd',
                                                              site_id='b').spec_digest()


# -- the record -------------------------------------------------------------------------------------

def test_the_record_brings_back_the_manager_that_runs_the_router(tmp_path):
    home = str(tmp_path / 'ns')
    manager = router_service.ProcessService('ns', home, router='/usr/sbin/skrouterd', site_id='id-1')
    assert router_service.write_record(home, manager, platform='linux', runtime_digest='d1', spec_digest='s1') is True
    assert os.stat(router_service.record_path(home)).st_mode & 0o777 == 0o600
    record = router_service.read_record(home)
    assert record['manager'] == 'process' and record['runtime_digest'] == 'd1' and record['router'] == \
        '/usr/sbin/skrouterd'
    again = router_service.recorded_manager(record, 'ns', home)
    assert isinstance(again, router_service.ProcessService) and again.pid_file == manager.pid_file
    assert router_service.same_manager(again, manager)
    systemd = SystemdService('ns', home, router='/usr/sbin/skrouterd', site_id='id-1', uid=0)
    assert not router_service.same_manager(systemd, manager)
    router_service.write_record(home, systemd, platform='linux')
    assert isinstance(router_service.recorded_manager(router_service.read_record(home), 'ns', home), SystemdService)
    assert router_service.recorded_manager({}, 'ns', home) is None


# -- container pull policy and engine options ---------------------------------------------------------

class FakeEngine(object):
    """Test double of a container engine command (podman/docker): records each call, answers from its state."""

    def __init__(self, images=(), pull_works=True, run_error=None):
        self.images = set(images)
        self.pull_works = pull_works
        self.run_error = run_error
        self.containers = {}
        self.calls = []

    def __call__(self, argv, timeout=120):
        self.calls.append(argv[1:])
        verb = argv[1:3]
        if verb == ['image', 'inspect']:
            return (0, '[]', '') if argv[3] in self.images else (125, '', 'Error: %s: image not known' % argv[3])
        if argv[1] == 'pull':
            if not self.pull_works:
                return 125, '', 'Error: initializing source docker://%s: pinging container registry: no such host' % argv[2]
            self.images.add(argv[2])
            return 0, '', ''
        if argv[1] == 'run':
            if self.run_error:
                self.containers[argv[argv.index('--name') + 1]] = {'labels': {}}
                return 126, '', self.run_error
            labels = dict(argv[i + 1].split('=', 1) for i, arg in enumerate(argv) if arg == '--label')
            self.containers[argv[argv.index('--name') + 1]] = {'labels': labels}
            return 0, 'id\n', ''
        if verb == ['container', 'inspect']:
            container = self.containers.get(argv[-1])
            if container is None:
                return 125, '', 'no such container'
            if len(argv) > 4 and 'index .Config.Labels' in argv[4]:
                key = argv[4].split('"')[1]
                return 0, container['labels'].get(key, '<no value>') + '\n', ''
            return 0, 'true 0 now\n', ''
        if argv[1] == 'logs':
            return 0, 'setrlimit RLIMIT_NOFILE: Operation not permitted\n', ''
        if argv[1] == 'rm':
            self.containers.pop(argv[-1], None)
            return 0, '', ''
        return 0, '', ''

    def verbs(self):
        return [call[0] if call[0] not in ('image', 'container') else ' '.join(call[:2]) for call in self.calls]


def container_manager(tmp_path, fake, **options):
    manager = ContainerService('west', str(tmp_path), engine='podman', site_id='id-1', uid=0, gid=0, with_unit=False,
                               runner=fake, image='localhost/router:1', **options)
    manager._wait = lambda: None  # readiness is tested with real routers (tests/integration/containers)
    return manager


def test_pull_missing_never_pulls_an_image_the_host_has(tmp_path):
    fake = FakeEngine(images=['localhost/router:1'])
    container_manager(tmp_path, fake).start()
    assert 'pull' not in fake.verbs() and 'run' in fake.verbs()


def test_pull_missing_pulls_an_absent_image_and_names_it_when_the_pull_fails(tmp_path):
    fake = FakeEngine()
    container_manager(tmp_path, fake).start()
    assert ['pull', 'localhost/router:1'] in fake.calls
    fake = FakeEngine(pull_works=False)
    with pytest.raises(router_service.ServiceError,
                       match='cannot pull the router image localhost/router:1 .*no such host'):
        container_manager(tmp_path, fake).start()
    assert 'run' not in fake.verbs()


def test_pull_always_pulls_on_create_only(tmp_path):
    fake = FakeEngine(images=['localhost/router:1'])
    manager = container_manager(tmp_path, fake, pull='always')
    manager.start()
    assert fake.verbs().count('pull') == 1
    manager.restart()  # the same command: restarted as it is, no pull
    assert fake.verbs().count('pull') == 1 and fake.verbs().count('run') == 1 and 'restart' in fake.verbs()


def test_pull_never_with_a_missing_image_fails_in_preflight_naming_it(tmp_path):
    fake = FakeEngine()
    manager = container_manager(tmp_path, fake, pull='never')
    with pytest.raises(router_service.ServiceError,
                       match=r'router image localhost/router:1 is not on this host.*pull is never'):
        manager.preflight()
    assert 'pull' not in fake.verbs() and 'run' not in fake.verbs()


def dead_pid():
    """The pid of a process that has exited (and was reaped)."""
    done = subprocess.Popen([sys.executable, '-c', 'pass'])
    done.wait()
    return done.pid


@pytest.mark.parametrize('answer, says', [
    ((0, 'running|0|0001-01-01T00:00:00Z|%d\n' % os.getpid(), ''), None),
    ((0, 'exited|137|2026-12-07T11:00:00Z|0\n', ''),
     'the router container c is exited (exit code 137, at 2026-12-07T11:00:00Z): the next appnet.skupper.system run '
     'starts it'),
    ((125, '', 'Error: no such container c'),
     'the router container c does not exist (it was removed): the next appnet.skupper.system run creates it again'),
    ((1, '', 'Error: No such object: c'),
     'the router container c does not exist (it was removed): the next appnet.skupper.system run creates it again'),
    ((1, '', 'Cannot connect to the Docker daemon at unix:///d.sock. Is the docker daemon running?'),
     'docker does not answer about the router container c (docker container inspect exited 1: Cannot connect to the '
     'Docker daemon at unix:///d.sock. Is the docker daemon running?)'),
])
def test_the_condition_of_a_container_says_what_happened_to_it(answer, says):
    asked = []

    def engine(argv, timeout=120):
        asked.append(argv)
        return answer
    assert container_service.condition_of('docker', 'c', engine) == says
    assert asked == [['docker', 'container', 'inspect', '--format', container_service.CONDITION_FORMAT, 'c']]


def test_a_container_the_engine_says_runs_whose_process_is_gone_is_lost_and_created_again(tmp_path):
    pid = dead_pid()
    assert container_service.process_gone(str(pid)) and not container_service.process_gone(str(os.getpid()))
    assert not container_service.process_gone('0')
    says = container_service.container_condition('podman', 'c', 0, 'running|0||%d' % pid, '')
    assert says == ('podman says the router container c is running, but its process %d is gone (the engine lost it, '
                    'e.g. its monitor was killed): the next appnet.skupper.system run creates the container again' % pid)

    class LostEngine(FakeEngine):
        def __call__(self, argv, timeout=120):
            if argv[1:3] == ['container', 'inspect'] and len(argv) > 4 and argv[4].startswith('{{.State.Running}}'):
                self.calls.append(argv[1:])
                return 0, 'true %d 0 now\n' % pid, ''
            return super(LostEngine, self).__call__(argv, timeout)
    fake = LostEngine(images=['localhost/router:1'])
    manager = container_manager(tmp_path, fake)
    manager.start()  # created
    calls = len(fake.calls)
    assert manager.is_active() is False
    manager.start()  # the engine says it runs, its process is gone: removed and created again, not "started"
    assert [verb for verb in fake.verbs()[calls:] if verb in ('start', 'restart', 'rm', 'run')] == ['rm', 'run']


def test_run_options_go_before_the_image_and_change_the_run_digest(tmp_path):
    plain = ContainerService('west', str(tmp_path), engine='podman', uid=0, gid=0, with_unit=False, image='img')
    tuned = ContainerService('west', str(tmp_path), engine='podman', uid=0, gid=0, with_unit=False, image='img',
                             run_options={'runtime': 'runc', 'ulimits': ['nofile=4096:4096', 'nproc=4096:4096'],
                                          'args': ['--memory=512m']})
    argv = tuned.run_argv()
    assert argv[-1] == 'img'
    assert argv[-10:-2] == ['--runtime', 'runc', '--ulimit', 'nofile=4096:4096', '--ulimit', 'nproc=4096:4096',
                            '--memory=512m', '--label']
    digest = [a for a in argv if a.startswith('io.appnet-skupper.run-digest=')]
    other = [a for a in plain.run_argv() if a.startswith('io.appnet-skupper.run-digest=')]
    assert len(digest) == 1 and len(other) == 1 and digest != other
    assert plain.spec() != tuned.spec()


@pytest.mark.parametrize('options,message', [
    ({'ulimits': ['nofile']}, 'is not <name>=<soft>'),
    ({'ulimits': ['nofile=lots']}, 'is not <name>=<soft>'),
    ({'args': ['--network=bridge']}, '--network is set by the collection'),
    ({'args': ['--runtime', 'crun']}, '--runtime is set by the collection'),
    ({'runtime': '--privileged'}, 'must be the name or path of an OCI runtime'),
])
def test_bad_run_options_are_refused(tmp_path, options, message):
    with pytest.raises(router_service.ServiceError, match=message):
        ContainerService('west', str(tmp_path), engine='podman', with_unit=False, run_options=options)


def test_a_refused_run_fails_with_the_engine_message_and_the_log_tail_and_leaves_no_container(tmp_path):
    fake = FakeEngine(images=['localhost/router:1'],
                      run_error='Error: OCI runtime error: crun: cgroups in hybrid mode not supported')
    with pytest.raises(router_service.ServiceError) as failure:
        container_manager(tmp_path, fake).start()
    message = str(failure.value)
    assert 'podman run exited 126' in message and 'cgroups in hybrid mode not supported' in message
    assert 'its log ends with:\nsetrlimit RLIMIT_NOFILE' in message
    assert fake.containers == {}


def test_start_recreates_a_stopped_container_whose_command_changed(tmp_path):
    fake = FakeEngine(images=['localhost/router:1'])
    container_manager(tmp_path, fake).start()
    container_manager(tmp_path, fake).start()  # same command: started as it is
    assert fake.verbs().count('run') == 1 and fake.verbs().count('start') == 1
    container_manager(tmp_path, fake, run_options={'ulimits': ['nofile=4096:4096']}).start()
    assert fake.verbs().count('run') == 2 and ['rm', '--force', 'west-skupper-router'] in fake.calls


# -- ports another program holds ------------------------------------------------------------------------

def test_ports_in_use_reads_the_amqp_listener_failures_of_the_router_log_only():
    log = '\n'.join([
        '2026-12-04 19:08:19.420821 +0000 SERVER (error) Listener error on 127.0.0.1:5671: Address already in use '
        '- listen on 127.0.0.1:5671 (proton:io)',
        '2026-12-04 19:08:19.420900 +0000 SERVER (error) Listener error on :55671: Address already in use - listen '
        'on :55671 (proton:io)',
        # A tcpListener's failure (adaptor_listener.c) is the listener's business, not the router's start.
        '2026-12-04 19:08:19.5 +0000 TCP_ADAPTOR (error) Listener backend: proactor listener error on '
        '0.0.0.0:8080: Address already in use (proton:io)',
        '2026-12-04 19:08:19.6 +0000 SERVER (error) Listener error on 127.0.0.1:5672: Connection refused (x)'])
    assert router_service.ports_in_use(log) == [5671, 55671]
    assert router_service.ports_in_use('') == []


class FakeManager(object):
    """A test double of a service manager whose starts fail with PortsInUse for the ports given, in turn."""

    def __init__(self, failures):
        self.failures = list(failures)
        self.calls = []
        self.active = False
        self.site_id = None

    def _run(self, name):
        self.calls.append(name)
        ports = self.failures.pop(0) if self.failures else None
        self.active = True
        if ports:
            raise router_service.PortsInUse('cannot listen on %s' % ports, ports)

    def start(self):
        self._run('start')

    def restart(self):
        self._run('restart')

    def stop(self):
        self.calls.append('stop')
        self.active = False

    def is_active(self):
        return self.active


def rendered(ports, changed=()):
    return renderer.RenderResult(site_id='id', site_name='ns', router_id='ns-id', router_config_path='c',
                                 changed_files=list(changed), allocated_ports=list(ports))


def test_a_start_whose_chosen_port_is_taken_renders_again_without_it_and_starts_again():
    from ansible_collections.appnet.skupper.plugins.module_utils.system import lifecycle as system
    renders = []

    def again(busy):
        renders.append(busy)
        return rendered([5672], ['runtime/router/skrouterd.json'])

    manager = FakeManager([[5671]])
    result = system.start_router(manager, rendered([5671, 55671], ['a']), True, again)
    assert renders == [[5671]]
    assert manager.calls == ['restart', 'stop', 'start']
    assert result.allocated_ports == [5672]
    assert result.changed_files == ['a', 'runtime/router/skrouterd.json']


def test_a_start_whose_port_the_user_chose_is_taken_fails_without_rendering_again():
    from ansible_collections.appnet.skupper.plugins.module_utils.system import lifecycle as system
    manager = FakeManager([[9090]])
    with pytest.raises(router_service.PortsInUse) as caught:
        system.start_router(manager, rendered([5671]), False, lambda busy: pytest.fail('rendered again'))
    assert caught.value.ports == [9090]
    assert manager.calls == ['start', 'stop'] and not manager.active


def test_a_start_gives_up_after_its_attempts_with_every_port_it_tried():
    from ansible_collections.appnet.skupper.plugins.module_utils.system import lifecycle as system
    renders = []
    manager = FakeManager([[5671], [5672], [5673]])

    def again(busy):
        renders.append(busy)
        return rendered([5671 + len(renders)])

    with pytest.raises(router_service.PortsInUse) as caught:
        system.start_router(manager, rendered([5671]), False, again, attempts=3)
    assert renders == [[5671], [5671, 5672]]
    assert caught.value.ports == [5673]
    assert not manager.active
