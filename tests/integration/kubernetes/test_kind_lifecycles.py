"""The lifecycle of every kind module on platform kubernetes, through ansible-playbook, against the API server
stand-in (tests/support/kube_api, a test double), both ways: in the controller's process and shipped as a module.

The stand-in counts requests, so each operation's cost is asserted: an unchanged apply is exactly one read and no
write; a change is one read and one write; check mode persists nothing; bad input sends nothing. Every step's
registered results are the same both ways.
"""

import pytest

from tests.integration.kubernetes.plays import (
    IN_PROCESS_ONLY, PATHS, counted, get_object, new_namespace, normalized, run)
from tests.support.kube_api import start_server
from tests.support.playbook import failures

KINDS = {
    'site': ('Site', {'link_access': 'default'}, {'link_access': 'none'}, 'linkAccess'),
    'listener': ('Listener', {'routing_key': 'backend', 'host': 'backend', 'port': 8080}, {'port': 9090}, 'port'),
    'connector': ('Connector', {'routing_key': 'backend', 'selector': 'app=backend', 'port': 8080}, {'port': 9090},
                  'port'),
    'link': ('Link', {'tls_credentials': 'link-west', 'endpoints': [
        {'name': 'inter-router', 'host': 'west.example.com', 'port': 55671}]}, {'cost': 3}, 'cost'),
    'router_access': ('RouterAccess', {'tls_credentials': 'ra', 'roles': [{'name': 'inter-router', 'port': 55671}]},
                      {'bind_host': '127.0.0.1'}, 'bindHost'),
    'attached_connector': ('AttachedConnector', {'site_namespace': 'west', 'selector': 'app=db', 'port': 5432},
                           {'port': 5433}, 'port'),
    'attached_connector_binding': ('AttachedConnectorBinding', {'connector_namespace': 'workloads',
                                                                'routing_key': 'db'},
                                   {'routing_key': 'db2'}, 'routingKey'),
}


@pytest.fixture(scope='module')
def server():
    instance = start_server()
    yield instance
    instance.stop()


class Step(object):
    """One step of a kind's lifecycle: the run's rc and failures, the outcomes of the kind's tasks, the requests to
    the kind's namespace (verbs, persisted writes), its object as the API has it after the step, the namespace."""

    def __init__(self, rc, failed, outcomes, verbs, persisted, live, namespace):
        self.rc, self.failed, self.outcomes, self.verbs, self.persisted, self.live, self.namespace = (
            rc, failed, outcomes, verbs, persisted, live, namespace)


def lifecycle_steps(fqcn, task, change):
    """(step, tasks of one kind, ansible-playbook options) of a kind's lifecycle, in order."""
    return [
        ('check', [{fqcn: task}], ('--check',)),
        ('create', [{fqcn: task}], ()),
        ('unchanged', [{fqcn: task}], ()),
        ('change', [{fqcn: dict(task, **change)}], ('--diff',)),
        ('bad input', [{fqcn: dict(task, name='Bad_Name'), 'ignore_errors': True}], ()),
        ('absent', [{fqcn: dict(task, state='absent', wait=True, wait_timeout=10)}, {fqcn: dict(task, state='absent')}],
         ()),
    ]


@pytest.fixture(scope='module')
def lifecycles(tmp_path_factory, server):
    """The lifecycle of every kind module (check mode, create, unchanged, a change with diff, bad input, absent),
    both ways: in the controller's process and shipped as a module (the task variable appnet_skupper_in_process),
    each kind and way in its own namespace. One playbook run per step holds that step's tasks of every kind both
    ways, so the requests of each are still counted on their own. {(way, module): {step: Step}}."""
    tmp_path = tmp_path_factory.mktemp('lifecycles')
    plans = {}
    for path in PATHS:
        for module in sorted(KINDS):
            _kind, options, change, _field = KINDS[module]
            task = dict(options, name='sample', namespace=new_namespace(server), api_host=server.url)
            steps = lifecycle_steps('appnet.skupper.%s' % module, task, change)
            for _step, tasks, _args in steps:
                for item in tasks:
                    item['vars'] = {'appnet_skupper_in_process': path == 'in-process'}
            plans[path, module] = (task['namespace'], steps)
    found = {key: {} for key in plans}
    for index, (step, _tasks, args) in enumerate(lifecycle_steps('', {}, {})):
        tasks = [task for key in sorted(plans) for task in plans[key][1][index][1]]
        server.reset_counts()
        rc, report, outcomes = run(tmp_path, tasks, *args)
        for key in sorted(plans):
            namespace, steps = plans[key]
            count = len(steps[index][1])
            verbs, persisted = counted(server, namespace)
            found[key][step] = Step(rc, failures(report), outcomes[:count], verbs, persisted,
                                    get_object(server, KINDS[key[1]][0], namespace, 'sample'), namespace)
            outcomes = outcomes[count:]
    return found


@IN_PROCESS_ONLY  # each test reads its own way from the fixture, which runs both
@pytest.mark.parametrize('path', PATHS)
@pytest.mark.parametrize('module', sorted(KINDS))
def test_module_lifecycle_and_request_counts(lifecycles, module, path):
    _kind, _options, change, changed_field = KINDS[module]
    steps = lifecycles[path, module]

    check = steps['check']
    assert check.rc == 0, check.failed
    assert check.outcomes[0]['changed'] is True
    assert check.persisted == [] and check.live is None
    assert check.verbs.get('get') == 1 and check.verbs.get('apply') == 1  # the dry-run apply: the API validates

    create = steps['create']
    assert create.rc == 0, create.failed
    assert create.outcomes[0]['changed'] is True and create.outcomes[0]['resource']['metadata']['name'] == 'sample'
    assert create.verbs == {'get': 1, 'apply': 1}
    assert create.live['metadata']['managedFields'][0]['manager'] == 'appnet.skupper'

    unchanged = steps['unchanged']
    assert unchanged.rc == 0 and unchanged.outcomes[0]['changed'] is False
    assert unchanged.verbs == {'get': 1}, 'an unchanged apply is one read and no write'

    changed = steps['change']
    assert changed.rc == 0 and changed.outcomes[0]['changed'] is True
    assert changed.verbs == {'get': 1, 'apply': 1} and len(changed.persisted) == 1
    diff = changed.outcomes[0]['diff']
    new_value = list(change.values())[0]
    assert diff['after']['spec'][changed_field] == new_value
    assert diff['before']['spec'].get(changed_field) != new_value
    assert changed.live['spec'][changed_field] == new_value

    bad = steps['bad input']
    assert bad.outcomes[0]['failed'] is True and "name: 'Bad_Name'" in bad.outcomes[0]['msg']
    assert bad.verbs == {}, 'bad input sends nothing'

    absent = steps['absent']
    assert absent.rc == 0, absent.failed
    assert [o['changed'] for o in absent.outcomes] == [True, False]
    assert absent.live is None


@IN_PROCESS_ONLY
@pytest.mark.parametrize('module', sorted(KINDS))
def test_module_lifecycle_gives_the_same_results_both_ways(lifecycles, module):
    """Every registered result of the lifecycle, in the controller's process and shipped, is the same (apart from
    the namespace and the server's timestamps, uids and versions)."""
    here, shipped = lifecycles['in-process', module], lifecycles['module', module]
    for step in here:
        assert ([normalized(o, here[step].namespace) for o in here[step].outcomes]
                == [normalized(o, shipped[step].namespace) for o in shipped[step].outcomes]), step
