"""What a Podman or Docker site survives (issue 18), with the real engines, the router image and the real router.

A container site `box` links to a Linux site `host` (a static link issued by host); then, one after the other, the
router container is killed (`<engine> kill`), removed (`<engine> rm --force`), and its engine goes away under it
(docker: the test's private dockerd stopped and started again; podman has no daemon: the container's monitor, conmon,
and its router process are killed, so that podman still says the container runs). After each fault network_info
says what happened (the site is not ready, with the engine's account of the container), the next
appnet.skupper.system run says why it (re)starts the router and brings the site back: the link Ready again, one
container of the site, the site's files whole. Last, a new site with `pull: never` and an image the host lacks fails
before anything is written, naming the image and how to load it.

Docker in test_docker_faults.py (its private dockerd, conftest.py), so that the two engines run side by side.
"""

import os
import time

import pytest
import yaml

from tests.integration.containers.test_container_sites import Scenario, pid_alive, scenario_network
from tests.support import fault_figures

# As test_container_sites.py: a scenario may take more than pytest.ini's 15 minutes on a busy 2-core machine.
pytestmark = pytest.mark.timeout(1800)

FAULTS = {
    'podman-router-container-killed': 'test_podman_container_faults',
    'podman-router-container-removed': 'test_podman_container_faults',
    'podman-engine-lost-the-container': 'test_podman_container_faults',
    'podman-image-missing-pull-never': 'test_podman_container_faults',
}


def site_files_whole(home):
    """The YAML files of the site that do not parse (a file cut short by a fault)."""
    broken = []
    for top, _dirs, names in os.walk(home):
        for name in names:
            if name.endswith('.yaml'):
                try:
                    with open(os.path.join(top, name)) as handle:
                        list(yaml.safe_load_all(handle))
                except yaml.YAMLError:
                    broken.append(os.path.join(top, name))
    return broken


def site_containers(s):
    """The containers of box's site (by Skupper's label)."""
    done = s.engine.run('container', 'ls', '--all', '--quiet', '--filter', 'label=application=skupper-v2',
                        '--filter', 'name=%s' % s.container)
    return done.stdout.split()


def lose_the_container(s):
    """Podman has no daemon to restart: its conmon and the router process killed, as an engine that went away under
    the container would leave it (podman keeps saying it runs)."""
    conmon = int(s.engine.inspect(s.container, '{{.State.ConmonPid}}'))
    router = s.container_state()['pid']
    for pid in (conmon, router):
        os.kill(pid, 9)
    deadline = time.time() + 30
    while pid_alive(router) and time.time() < deadline:  # (SIGKILL is delivered, and the process reaped, a moment later)
        time.sleep(0.1)
    assert not pid_alive(router)
    assert s.container_state()['running'], 'podman noticed: the fault is not the one meant'


def fault_actions(engine):
    """(fault id, what to do to box's container, what network_info and system then say) for the engine."""
    restart = ('%s-engine-restarted' % engine.name, lambda s: engine.restart(), None) if engine.restart else \
        ('podman-engine-lost-the-container', lose_the_container, 'but its process')
    return [
        ('%s-router-container-killed' % engine.name, lambda s: engine.run('kill', s.container, check=True),
         'is exited (exit code 137'),
        ('%s-router-container-removed' % engine.name, lambda s: engine.run('rm', '--force', s.container, check=True),
         'does not exist (it was removed)'),
        restart,
    ]


def run_faults(engine, real_router, workdir):
    with scenario_network(engine) as network:
        s = Scenario(engine, real_router, workdir, network)
        reload = dict(s.box_system, state='reloaded')
        try:
            outcomes, failed = s.play([
                {'name': 'host site', 'appnet.skupper.site': dict(s.host, name='host', link_access='default')},
                {'name': 'box site', 'appnet.skupper.site': dict(s.box, name='box')},
                {'name': 'host system', 'appnet.skupper.system': s.host_system},
                {'name': 'issue link', 'appnet.skupper.static_link': dict(s.host, subject='box', name='link-host',
                                                                          host='127.0.0.1'),
                 'register': 'issued', 'no_log': True},
                {'name': 'apply link', 'appnet.skupper.resource': dict(s.box, definition='{{ issued.definition }}'),
                 'no_log': True},
                {'name': 'box system', 'appnet.skupper.system': s.box_system},
            ] + s.info_tasks(box_expected=['host'], box_peers=['host'], host_peers=['box']))
            assert failed == [], failed
            for fault, act, says in fault_actions(engine):
                act(s)
                outcomes, failed = s.play([{'name': 'info', 'appnet.skupper.network_info': s.box}])
                assert failed == [], (fault, failed)
                info = outcomes['info']
                if says is not None:
                    assert info['ready'] is False and info['site']['status'] != 'Ready', (fault, info['site'])
                    assert says in info['site']['reason'], (fault, info['site'])
                    assert s.container in info['site']['reason'], (fault, info['site'])
                outcomes, failed = s.play([{'name': 'system', 'appnet.skupper.system': reload}]
                                          + s.info_tasks(box_expected=['host'], box_peers=['host'], host_peers=['box']))
                assert failed == [], (fault, failed)
                system = outcomes['system']
                if says is not None:
                    assert system['restarted'] is True and says in system['restart_reason'], (fault, system)
                assert system['service']['active'] is True, (fault, system)
                assert [(l['name'], l['status'], l['remote_site_name']) for l in outcomes['box info']['links']] == [
                    ('link-host', 'Ready', 'host')], fault
                assert 'box' in [peer['site_name'] for peer in outcomes['host info']['peers']], fault
                containers = site_containers(s)
                broken = site_files_whole(s.home(s.box_ns))
                assert len(containers) == 1 and broken == [], (fault, containers, broken)
                links = [name for name in os.listdir(os.path.join(s.home(s.box_ns), 'input', 'resources'))
                         if name.startswith('Link-')]
                fault_figures.record(fault, rounds=1, updates_lost=0, duplicates=len(containers) - 1 + len(links) - 1,
                                     corrupted=len(broken))

            # A new site, pull: never, an image the host lacks: nothing written, nothing run.
            missing = 'localhost/appnet-skupper/not-on-this-host:%s' % s.suffix
            fresh = dict(s.box_system, namespace='%s-new' % s.box_ns, router_image=missing, state='started',
                         definition=[{'apiVersion': 'skupper.io/v2alpha1', 'kind': 'Site', 'metadata': {'name': 'new'},
                                      'spec': {}}])
            outcomes, _failed = s.play([{'name': 'never', 'appnet.skupper.system': fresh, 'ignore_errors': True}])
            never = outcomes['never']
            assert never['failed'] is True and never['changed'] is False, never
            assert 'router image %s is not on this host' % missing in never['msg'], never
            assert '%s load -i' % engine.name in never['msg'] and 'make router-image' in never['msg'], never
            assert not os.path.exists(s.home(fresh['namespace'])), os.listdir(os.path.dirname(s.home(s.box_ns)))
            assert not engine.container_exists('%s-skupper-router' % fresh['namespace'])
            fault_figures.record('%s-image-missing-pull-never' % engine.name, rounds=1, updates_lost=0, duplicates=0,
                                 corrupted=0)
        finally:
            outcomes, _failed = s.play([
                {'name': 'box absent', 'appnet.skupper.system': dict(reload, state='absent'), 'ignore_errors': True},
                {'name': 'host absent', 'appnet.skupper.system': dict(s.host_system, state='absent'),
                 'ignore_errors': True}])
            engine.run('rm', '--force', s.container)


def test_podman_container_faults(podman, real_router, tmp_path):
    run_faults(podman, real_router, str(tmp_path))
