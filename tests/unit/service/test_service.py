"""Service managers: the systemd unit, the container command, the supervised process."""

import os
import shutil
import subprocess
import sys
import time

import pytest

from ansible_collections.appnet.skupper.plugins.module_utils.system import service


def test_systemd_unit_for_root_is_a_system_unit_with_absolute_exec_start(tmp_path):
    manager = service.SystemdService('west', str(tmp_path / 'west'), router='/usr/sbin/skrouterd', site_id='id-1', uid=0)
    assert manager.unit_path == '/etc/systemd/system/skupper-west.service'
    lines = manager.unit_text().splitlines()
    assert 'ExecStart=/usr/sbin/skrouterd -c %s' % os.path.join(str(tmp_path / 'west'), 'runtime', 'router',
                                                                'skrouterd.json') in lines
    assert 'Environment="SKUPPER_SITE_ID=id-1"' in lines
    assert 'Restart=on-failure' in lines and 'WantedBy=multi-user.target' in lines


def test_systemd_unit_for_a_user_goes_to_the_user_unit_directory(tmp_path):
    manager = service.SystemdService('east', str(tmp_path), router='/opt/skrouterd', uid=1000,
                                     env={'XDG_CONFIG_HOME': '/home/alice/.config', 'HOME': '/home/alice'})
    assert manager.unit_path == '/home/alice/.config/systemd/user/skupper-east.service'
    assert 'WantedBy=default.target' in manager.unit_text().splitlines()


@pytest.mark.skipif(shutil.which('systemd-analyze') is None, reason='systemd-analyze is not installed')
def test_systemd_analyze_verifies_the_unit(tmp_path):
    router = tmp_path / 'skrouterd'
    router.write_text('#!/bin/sh\nexit 0\n')
    router.chmod(0o755)
    manager = service.SystemdService('west', str(tmp_path), router=str(router), site_id='id-1', uid=0)
    unit = tmp_path / 'skupper-west.service'
    unit.write_text(manager.unit_text())
    result = subprocess.run(['systemd-analyze', 'verify', '--man=no', str(unit)], capture_output=True, text=True,
                            check=False)
    problems = [line for line in result.stderr.splitlines() if 'skupper-west' in line]
    assert problems == [], result.stderr


def test_container_command_runs_the_router_image_with_host_networking(tmp_path):
    manager = service.ContainerService('west', str(tmp_path), engine='podman', site_id='id-1', uid=1000, gid=1000)
    argv = manager.run_argv()
    assert argv[:2] == ['podman', 'run'] and argv[-1] == service.DEFAULT_IMAGE
    assert ['--name', 'west-skupper-router'] == argv[argv.index('--name'):argv.index('--name') + 2]
    assert '--network' in argv and argv[argv.index('--network') + 1] == 'host'
    assert 'SSL_PROFILE_BASE_PATH=/etc/skupper-router' in argv and 'SKUPPER_SITE_ID=id-1' in argv
    assert '%s:/etc/skupper-router/runtime/certs:z' % os.path.join(str(tmp_path), 'runtime', 'certs') in argv
    assert ['--userns', 'keep-id'] == argv[argv.index('--userns'):argv.index('--userns') + 2]
    docker = service.ContainerService('west', str(tmp_path), engine='docker', uid=0, gid=0).run_argv()
    assert docker[0] == 'docker' and '--userns' not in docker


def test_find_router_names_what_was_tried(tmp_path):
    with pytest.raises(service.ServiceError) as error:
        service.find_router(str(tmp_path / 'missing'))
    assert str(tmp_path / 'missing') in str(error.value) and 'skupper-router' in str(error.value)
    broken = tmp_path / 'broken'
    broken.write_text('#!/bin/sh\necho no >&2\nexit 3\n')
    broken.chmod(0o755)
    with pytest.raises(service.ServiceError) as error:
        service.find_router(str(broken))
    assert 'exited 3' in str(error.value)


def fake_router(tmp_path, body):
    router = tmp_path / 'router'
    router.write_text('#!%s\nimport sys, time\n%s\n' % (sys.executable, body))
    router.chmod(0o755)
    return str(router)


def test_process_service_starts_restarts_on_failure_and_stops(tmp_path):
    home = tmp_path / 'home'
    (home / 'runtime' / 'router').mkdir(parents=True)
    (home / 'runtime' / 'router' / 'skrouterd.json').write_text('[]')
    counter = tmp_path / 'starts'
    router = fake_router(tmp_path, 'open(%r, "a").write("x")\ntime.sleep(3 if len(open(%r).read()) == 1 else 60)\n'
                         'sys.exit(1)' % (str(counter), str(counter)))
    manager = service.ProcessService('ns', str(home), router=router, site_id='id-1')
    assert manager.is_active() is False
    manager.start()
    assert manager.is_active() is True
    deadline = time.time() + 15
    while time.time() < deadline and len(counter.read_text()) < 2:
        time.sleep(0.2)
    assert len(counter.read_text()) == 2, 'the supervisor restarts a router that failed'
    manager.stop()
    assert manager.is_active() is False and not os.path.exists(manager.pid_file)


def test_process_service_reports_a_router_that_dies_at_once(tmp_path):
    home = tmp_path / 'home'
    home.mkdir()
    router = fake_router(tmp_path, 'sys.stderr.write("bad config\\n")\nsys.exit(1)')
    manager = service.ProcessService('ns', str(home), router=router)
    with pytest.raises(service.ServiceError) as error:
        manager.start()
    assert 'bad config' in str(error.value)
    assert manager.is_active() is False
