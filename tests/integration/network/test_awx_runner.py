"""The playbooks run as AWX runs a job: `ansible-runner run` of a private data folder, stdin closed.

The folder has the inventory, extra variables, and the Kubernetes credential as environment variables
(K8S_AUTH_HOST, as AWX's Kubernetes credential injects it; the inventory names no API server). The network is the
mixed one of test_mixed_network.py: west on Kubernetes (the API stand-in and the controller stand-in, test doubles),
east a Linux site on this host.
"""

import glob
import json
import os
import shutil
import subprocess
import sys

import pytest
import yaml

from tests.integration.network.test_mixed_network import cluster, own_router_ports  # noqa: F401 (fixtures)  # pylint: disable=unused-import
from tests.support.playbook import COLLECTIONS, PLAYBOOKS, ROOT

BIN = os.path.dirname(sys.executable)
RUNNER = os.path.join(BIN, 'ansible-runner')

pytestmark = pytest.mark.skipif(not os.path.exists(RUNNER), reason='ansible-runner is not installed '
                                '(requirements-dev.txt)')


def private_data_dir(base, server, data_home, report_dir):
    """The folder AWX would make for a job: inventory, env/extravars, env/envvars, project."""
    os.makedirs(os.path.join(base, 'inventory'))
    os.makedirs(os.path.join(base, 'env'))
    os.makedirs(os.path.join(base, 'project'))
    hosts = {
        'west': {'skupper_platform': 'kubernetes', 'skupper_namespace': 'shop',
                 'skupper_site': {'name': 'west', 'link_access': 'default'}, 'skupper_wait_timeout': 60},
        'east': {'skupper_platform': 'linux', 'skupper_namespace': 'shop', 'skupper_data_home': data_home,
                 'skupper_site': {'name': 'east'}, 'skupper_service_manager': 'process',
                 'skupper_router_binary': os.path.join(ROOT, 'tests', 'support', 'bin', 'skrouterd'),
                 'skupper_skmanage': os.path.join(ROOT, 'tests', 'support', 'bin', 'skmanage'),
                 'skupper_links': [{'to': 'west', 'cost': 3}]},
    }
    common = {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable}
    with open(os.path.join(base, 'inventory', 'hosts.yml'), 'w') as handle:
        yaml.safe_dump({'all': {'vars': common, 'hosts': hosts}}, handle)
    with open(os.path.join(base, 'env', 'extravars'), 'w') as handle:
        yaml.safe_dump({'skupper_verify_retries': 30, 'skupper_verify_delay': 1,
                        'skupper_verify_report_dir': report_dir}, handle)
    # The Kubernetes credential, as AWX injects it; the collection and the tools of this checkout.
    envvars = {'K8S_AUTH_HOST': server.url, 'K8S_AUTH_VERIFY_SSL': 'false',
               'ANSIBLE_COLLECTIONS_PATH': COLLECTIONS, 'ANSIBLE_NOCOLOR': '1', 'ANSIBLE_FORCE_COLOR': '0',
               'PATH': BIN + os.pathsep + os.environ.get('PATH', '/usr/bin:/bin')}
    with open(os.path.join(base, 'env', 'envvars'), 'w') as handle:
        yaml.safe_dump(envvars, handle)
    for name in ('network.yml', 'verify.yml', 'teardown.yml'):
        shutil.copy(os.path.join(PLAYBOOKS, name), os.path.join(base, 'project', name))


def run_job(base, ident, playbook, *cmdline):
    """(status, rc, events) of one job: ansible-runner run with stdin closed."""
    argv = [RUNNER, 'run', base, '-p', playbook, '--ident', ident]
    if cmdline:
        argv += ['--cmdline', ' '.join(cmdline)]
    result = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False, cwd=base,
                            env=dict(os.environ, PATH=BIN + os.pathsep + os.environ.get('PATH', '')))
    artifacts = os.path.join(base, 'artifacts', ident)
    with open(os.path.join(artifacts, 'status')) as handle:
        status = handle.read().strip()
    with open(os.path.join(artifacts, 'rc')) as handle:
        rc = int(handle.read().strip())
    events = []
    for path in sorted(glob.glob(os.path.join(artifacts, 'job_events', '*.json')),
                       key=lambda p: int(os.path.basename(p).split('-')[0])):
        with open(path) as handle:
            events.append(json.load(handle))
    assert result.returncode == rc, result.stderr[-2000:]
    return status, rc, events


def stats(events):
    [final] = [e for e in events if e.get('event') == 'playbook_on_stats']
    return final['event_data']


def failed_events(events):
    return ['%s: %s' % (e['event_data'].get('host'), (e['event_data'].get('res') or {}).get('msg'))
            for e in events if e.get('event') in ('runner_on_failed', 'runner_on_unreachable')
            and not e['event_data'].get('ignore_errors')]


def test_network_verify_teardown_as_awx_jobs(tmp_path, cluster):  # noqa: F811
    server, controller, _router = cluster
    base = str(tmp_path / 'job')
    data_home = str(tmp_path / 'skupper')
    report_dir = str(tmp_path / 'report')
    private_data_dir(base, server, data_home, report_dir)
    try:
        status, rc, events = run_job(base, 'network', 'network.yml')
        assert (status, rc) == ('successful', 0), failed_events(events)
        summary = stats(events)
        assert summary['failures'] == {} and summary['dark'] == {}
        assert set(summary['changed']) == {'east', 'west'}
        assert controller.redemptions('shop', 'east') == 1
        assert os.path.exists(os.path.join(data_home, 'namespaces', 'shop', 'input', 'resources', 'Link-link-west.yaml'))

        status, rc, events = run_job(base, 'network-limit', 'network.yml', '--limit', 'east')
        assert (status, rc) == ('successful', 0), failed_events(events)
        summary = stats(events)
        assert set(summary['ok']) == {'east'} and summary['changed'] == {}
        assert controller.redemptions('shop', 'east') == 1

        status, rc, events = run_job(base, 'verify', 'verify.yml')
        assert (status, rc) == ('successful', 0), failed_events(events)
        assert stats(events)['changed'] == {} or set(stats(events)['changed']) <= {'east', 'west'}
        assert os.path.exists(os.path.join(report_dir, 'network.mmd'))
    finally:
        status, rc, events = run_job(base, 'teardown', 'teardown.yml')
    assert (status, rc) == ('successful', 0), failed_events(events)
    # the router and its runtime are gone; the CAs stay (teardown without skupper_teardown_purge)
    runtime = os.path.join(data_home, 'namespaces', 'shop', 'runtime')
    assert sorted(os.listdir(runtime)) == ['issuers']
