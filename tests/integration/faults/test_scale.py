"""Scale: a Linux site with 200 listeners and 200 connectors, made through the site role (one task for
all of them), renders, starts the real router and serves; check mode and a second run change nothing. Figures
are printed (run with -s), never asserted."""

import os
import socket
import sys
import time

import pytest
import yaml

from tests.integration.faults.support import EchoServer, real_router, router_processes, serves
from tests.support import fault_figures
from tests.support.playbook import changed_tasks, failures, run_playbook, task_outcomes

COUNT = int(os.environ.get('APPNET_SCALE_COUNT', '200'))


def _free_ports(count):
    sockets = []
    try:
        for _index in range(count):
            sock = socket.socket()
            sock.bind(('127.0.0.1', 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


@pytest.fixture(scope='module')
def big_site(tmp_path_factory):
    router = real_router()
    root = tmp_path_factory.mktemp('scale')
    echo = EchoServer()
    echo.start()
    ports = _free_ports(COUNT)
    data_home = str(root / 'skupper')
    host = {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable,
            'skupper_platform': 'linux', 'skupper_namespace': 'scale', 'skupper_data_home': data_home,
            'skupper_service_manager': 'process', 'skupper_router_binary': router,
            'skupper_site': {'name': 'scale', 'link_access': 'none'},
            'skupper_connectors': [{'name': 'c%03d' % i, 'routing_key': 'k%03d' % i, 'host': '127.0.0.1',
                                    'port': echo.port} for i in range(COUNT)],
            'skupper_listeners': [{'name': 'l%03d' % i, 'routing_key': 'k%03d' % i, 'host': '127.0.0.1',
                                   'port': ports[i]} for i in range(COUNT)]}
    inventory = root / 'inventory.yml'
    inventory.write_text(yaml.safe_dump({'all': {'hosts': {'scale': host}}}))
    playbook = root / 'site.yml'
    playbook.write_text(yaml.safe_dump([{'hosts': 'all', 'gather_facts': False,
                                         'roles': [{'role': 'appnet.skupper.site'}]}]))
    runs, times = {}, {}
    for label, extra in (('first', ['--diff']), ('check', ['--check', '--diff']), ('second', [])):
        started = time.time()
        runs[label] = run_playbook(str(playbook), str(inventory), *extra)
        times[label] = time.time() - started
    config = os.path.join(data_home, 'namespaces', 'scale', 'runtime', 'router', 'skrouterd.json')
    yield {'runs': runs, 'times': times, 'ports': ports, 'config': config, 'data_home': data_home,
           'inventory': str(inventory), 'root': root}
    stop = root / 'stop.yml'
    stop.write_text(yaml.safe_dump([{'hosts': 'all', 'gather_facts': False, 'tasks': [{
        'appnet.skupper.system': {'platform': 'linux', 'namespace': 'scale', 'data_home': data_home,
                                  'state': 'stopped'}}]}]))
    run_playbook(str(stop), str(inventory))
    echo.close()
    assert router_processes(config) == []


FAULTS = {'scale-200-listeners-200-connectors': 'test_the_role_makes_the_big_site_in_one_task_and_it_serves'}
NOT_FAULTS = ('test_check_mode_and_a_second_run_change_nothing',)


def _resource_tasks(report):
    return [(name, outcome) for _host, name, outcome in task_outcomes(report) if not outcome.get('skipped') and
            name.endswith(('Listeners', 'Connectors', 'Connectors and listeners',
                           'applied, rendered and (re)started when it changed'))]


def test_the_role_makes_the_big_site_in_one_task_and_it_serves(big_site):
    returncode, report = big_site['runs']['first']
    assert returncode == 0, failures(report)
    tasks = _resource_tasks(report)
    assert len(tasks) == 1, [name for name, _o in tasks]
    outcome = tasks[0][1]
    # one task: the Site and every listener and connector
    assert outcome['changed'] is True and sorted(r['kind'] for r in outcome['results']) == \
        ['Connector'] * COUNT + ['Listener'] * COUNT + ['Site']
    with open(big_site['config']) as handle:
        entities = [entry[0] for entry in yaml.safe_load(handle)]
    assert entities.count('tcpListener') == COUNT and entities.count('tcpConnector') == COUNT
    sample = big_site['ports'][::max(1, COUNT // 10)] + [big_site['ports'][-1]]
    started = time.time()
    unserved = [port for port in sample if not serves(port)]
    assert unserved == []
    if COUNT == 200:  # the table's row is of 200 + 200 (APPNET_SCALE_COUNT may ask for another size)
        fault_figures.record('scale-200-listeners-200-connectors', rounds=1, updates_lost=len(unserved),
                             duplicates=None, corrupted=None)
    rss = 0
    for pid in router_processes(big_site['config']):
        with open('/proc/%d/status' % pid) as handle:
            for line in handle:
                if line.startswith('VmRSS:') and 'skrouterd' in open('/proc/%d/cmdline' % pid).read():
                    rss = int(line.split()[1]) // 1024
    print('\nscale: %d listeners + %d connectors through the site role: first run %.1f s, check %.1f s, '
          'second run %.1f s; %d sampled listeners served in %.1f s; router RSS %d MB'
          % (COUNT, COUNT, big_site['times']['first'], big_site['times']['check'], big_site['times']['second'],
             len(sample), time.time() - started, rss))


def test_check_mode_and_a_second_run_change_nothing(big_site):
    for label in ('check', 'second'):
        returncode, report = big_site['runs'][label]
        assert returncode == 0, failures(report)
        assert changed_tasks(report) == [], (label, changed_tasks(report))
