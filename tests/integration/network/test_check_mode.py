"""network.yml --check (AWX's "Check" job type) over a mixed network: a Kubernetes site (the API stand-in and the
controller stand-in, test doubles) and a Linux site on this host, as in test_mixed_network.py.

Not built yet: the check run passes, predicts a change on every site (sites, the link, the runtime) and writes
nothing: no object in the cluster, no data home, no lock. Built: a check run reports changed=0 and touches no file;
with a new listener in the inventory it predicts the listener and the router's new runtime, and writes nothing.
"""

import copy
import hashlib
import os
import shutil

import yaml

from tests.integration.network.test_mixed_network import cluster, inventory, own_router_ports  # noqa: F401 (fixtures)  # pylint: disable=unused-import
from tests.support.playbook import changed_tasks, failures, run_playbook, task_outcomes

from kubernetes import client as k8s_client

EAST_SITE = 'east / appnet.skupper.site : Linux, Podman or Docker site applied, rendered and (re)started when it changed'


def skupper_objects(server, namespace):
    api = k8s_client.CustomObjectsApi(k8s_client.ApiClient(k8s_client.Configuration(host=server.url)))
    found = []
    for plural in ('sites', 'listeners', 'connectors', 'links', 'accessgrants', 'accesstokens', 'routeraccesses'):
        found += ['%s/%s' % (plural, o['metadata']['name'])
                  for o in api.list_namespaced_custom_object('skupper.io', 'v2alpha1', namespace, plural)['items']]
    return sorted(found)


def snapshot(directory):
    """{relative path: (mode, sha256)} of every file and folder under directory."""
    result = {}
    for root, dirs, files in os.walk(directory):
        for name in dirs + files:
            path = os.path.join(root, name)
            digest = None
            if os.path.isfile(path):
                with open(path, 'rb') as handle:
                    digest = hashlib.sha256(handle.read()).hexdigest()
            result[os.path.relpath(path, directory)] = (os.lstat(path).st_mode, digest,
                                                        os.lstat(path).st_mtime_ns)
    return result


def test_check_mode_on_an_empty_then_a_built_network(tmp_path, cluster):  # noqa: F811
    server, controller, _router = cluster
    data_home = str(tmp_path / 'skupper')
    path = str(tmp_path / 'inventory.yml')
    inventory(path, server, data_home)
    try:
        rc, report = run_playbook('network.yml', path, '--check')
        assert rc == 0, failures(report)
        changed = changed_tasks(report)
        assert {c.split(' / ')[0] for c in changed} == {'east', 'west'}
        # west (Kubernetes): its Site; east (Linux): its resources and the render, one task; east's link to west.
        assert 'west / appnet.skupper.site : Site and router accesses' in changed
        assert EAST_SITE in changed
        # the link: access_grant predicts the grant on west (dry run), nothing issued, no fake task
        assert 'east / appnet.skupper.link : Grants on the Kubernetes targets' in changed
        predicted = [outcome for host, name, outcome in task_outcomes(report)
                     if host == 'east' and name.endswith('Grants on the Kubernetes targets')]
        assert [(r['changed'], r.get('failed', False)) for r in predicted[0]['results']] == [(True, False)]
        assert not [name for _host, name, _outcome in task_outcomes(report) if 'Check mode' in name]
        assert not os.path.exists(data_home)
        assert skupper_objects(server, 'shop') == []
        assert controller.redemptions('shop', 'east') == 0

        report_dir = str(tmp_path / 'report')
        rc, report = run_playbook('network.yml', path, '-e', 'skupper_verify_report_dir=%s' % report_dir)
        assert rc == 0, failures(report)
        # the verify role drew the network it verified
        with open(os.path.join(report_dir, 'network.mmd')) as handle:
            mermaid = handle.read()
        assert 'site_east ==>|"link-west<br/>Ready, cost 4"| site_west' in mermaid
        assert 'notready' not in mermaid.split('classDef notready')[1].strip().split('\n', 1)[-1]
        if shutil.which('dot'):
            with open(os.path.join(report_dir, 'network.svg')) as handle:
                assert '<svg' in handle.read()
        before = snapshot(data_home)
        objects = skupper_objects(server, 'shop')

        rc, report = run_playbook('network.yml', path, '--check')
        assert rc == 0, failures(report)
        assert changed_tasks(report) == []
        assert snapshot(data_home) == before
        assert skupper_objects(server, 'shop') == objects
        assert controller.redemptions('shop', 'east') == 1

        with open(path) as handle:
            changed_inventory = yaml.safe_load(handle)
        east = changed_inventory['all']['hosts']['east']
        east['skupper_listeners'] = [{'name': 'backend', 'host': '127.0.0.1', 'port': 18181}]
        changed_path = str(tmp_path / 'inventory-changed.yml')
        with open(changed_path, 'w') as handle:
            yaml.safe_dump(copy.deepcopy(changed_inventory), handle)
        rc, report = run_playbook('network.yml', changed_path, '--check')
        assert rc == 0, failures(report)
        changed = changed_tasks(report)
        assert EAST_SITE in changed
        east_site = [outcome for host, name, outcome in task_outcomes(report)
                     if host == 'east' and EAST_SITE.endswith(name)][0]
        # the listener is the one document that would change, and the router's new runtime with it
        assert [(r['kind'], r['name']) for r in east_site['results'] if r['changed']] == [('Listener', 'backend')]
        assert east_site['changed_files'] and not east_site['created']
        assert [c for c in changed if c.startswith('west')] == []
        assert snapshot(data_home) == before
    finally:
        run_playbook('teardown.yml', path)
