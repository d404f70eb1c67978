"""wait on Kubernetes, through ansible-playbook, against the API and controller stand-ins (test doubles).

Every kind module waits until its resource is Ready for its current spec; a change is never reported ready on
the status of the spec it replaced; a wait that times out fails with the last status and still reports the
write it followed; objects that are being deleted are left to finish.
"""

import threading

from tests.integration.kubernetes.plays import api, counted, get_object, new_namespace, run
from tests.support.playbook import failures

from kubernetes import client as k8s_client


def options(server, namespace, **values):
    return dict({'api_host': server.url, 'namespace': namespace, 'wait_timeout': 20, 'wait_sleep': 1}, **values)


def ready_condition(status):
    return [c for c in status['conditions'] if c['type'] == 'Ready'][0]


def assert_ready_for_its_generation(outcome):
    assert outcome['status']['status'] == 'Ready', outcome['status']
    assert ready_condition(outcome['status'])['observedGeneration'] == outcome['resource']['metadata']['generation']


def test_every_kind_module_waits_until_ready(tmp_path, controlled):
    server, _controller = controlled
    west, east, workloads = new_namespace(server), new_namespace(server), new_namespace(server)
    tokens = tmp_path / 'token.json'
    rc, report, _outcomes = run(tmp_path, [
        {'appnet.skupper.site': options(server, west, name='west', link_access='default', wait=True)},
        {'appnet.skupper.site': options(server, east, name='east', wait=True)},
        {'appnet.skupper.access_grant': options(server, west, name='east'), 'register': 'grant'},
        {'ansible.builtin.copy': {'content': '{{ grant.token | to_json }}', 'dest': str(tokens)}, 'no_log': True},
        {'appnet.skupper.access_token': options(server, east, name='east', wait=True, **{
            key: "{{ (lookup('file', '%s') | from_json).spec.%s }}" % (tokens, key) for key in ('url', 'code', 'ca')})},
        # Listeners for the connectors below to match (they are changed, and waited for, after them).
        {'appnet.skupper.listener': options(server, east, name='db', routing_key='db', host='db', port=5432)},
        {'appnet.skupper.listener': options(server, east, name='pods', routing_key='pods', host='pods', port=8080)},
    ])
    assert rc == 0, failures(report)
    redeemed = get_object(server, 'Link', east, 'east')
    modules = [
        ('site', options(server, workloads, name='workloads', link_access='default')),
        ('router_access', options(server, west, name='west-ra', tls_credentials='west-ra',
                                  roles=[{'name': 'inter-router', 'port': 55672}])),
        ('connector', options(server, west, name='db', routing_key='db', host='db', port=5432)),
        ('listener', options(server, east, name='db', routing_key='db', host='db', port=5433)),
        # A second Link with the redeemed link's endpoints and credentials.
        ('link', options(server, east, name='second', tls_credentials='east', endpoints=[
            {key: endpoint[key] for key in ('name', 'host', 'port')} for endpoint in redeemed['spec']['endpoints']])),
        ('attached_connector_binding', options(server, west, name='pods', connector_namespace=workloads,
                                               routing_key='pods')),
        ('attached_connector', options(server, workloads, name='pods', site_namespace=west, selector='app=pods',
                                       port=8080)),
        ('listener', options(server, east, name='pods', routing_key='pods', host='pods', port=8081)),
    ]
    rc, report, outcomes = run(tmp_path, [{'appnet.skupper.' + module: dict(task, wait=True)}
                                          for module, task in modules])
    assert rc == 0, failures(report)
    for (module, _task), outcome in zip(modules, outcomes):
        assert outcome['changed'] is True, module
        assert_ready_for_its_generation(outcome)


def test_a_change_is_ready_only_on_the_status_of_its_own_generation(tmp_path, controlled):
    """Listener db is Ready; its routing key changes to one no connector has. The first read after the write still
    shows the old Ready status (the controller is paused): the wait must not take it."""
    server, controller = controlled
    west = new_namespace(server)
    listener = options(server, west, name='db', routing_key='db', host='db', port=5432)
    rc, report, _outcomes = run(tmp_path, [
        {'appnet.skupper.site': options(server, west, name='west', wait=True)},
        {'appnet.skupper.connector': options(server, west, name='db', routing_key='db', host='db', port=5432)},
        {'appnet.skupper.listener': dict(listener, wait=True)}])
    assert rc == 0, failures(report)

    controller.pause()
    resume = threading.Timer(2.0, controller.resume)
    resume.start()
    try:
        changed = dict(listener, routing_key='nomatch', wait=True, wait_timeout=6)
        rc, _report, outcomes = run(tmp_path, [{'appnet.skupper.listener': changed}])
    finally:
        resume.join()
        controller.resume()
    live = get_object(server, 'Listener', west, 'db')
    assert live['metadata']['generation'] == 2 and ready_condition(live['status'])['observedGeneration'] == 2
    assert live['status']['status'] == 'Pending' and live['status']['message'] == 'No matching connectors'
    assert rc != 0, 'the Ready status of generation 1 is not the status of generation 2'
    assert outcomes[0]['changed'] is True
    assert 'status Pending: No matching connectors' in outcomes[0]['msg']

    controller.pause()
    resume = threading.Timer(2.0, controller.resume)
    resume.start()
    try:
        rc, report, outcomes = run(tmp_path, [{'appnet.skupper.listener': dict(listener, wait=True)}])
    finally:
        resume.join()
        controller.resume()
    assert rc == 0, failures(report)
    assert_ready_for_its_generation(outcomes[0])
    assert outcomes[0]['resource']['metadata']['generation'] == 3
    assert outcomes[0]['status'] == get_object(server, 'Listener', west, 'db')['status']


def test_a_wait_that_times_out_names_the_last_status_and_reports_the_write(tmp_path, controlled):
    server, _controller = controlled
    west = new_namespace(server)
    rc, report, _outcomes = run(tmp_path, [{'appnet.skupper.site': options(server, west, name='west', wait=True)}])
    assert rc == 0, failures(report)
    server.reset_counts()
    connector = options(server, west, name='lonely', routing_key='nobody', host='db', port=5432, wait=True,
                        wait_timeout=2, wait_sleep=1)
    rc, _report, outcomes = run(tmp_path, [{'appnet.skupper.connector': connector}])
    assert rc != 0
    assert outcomes[0]['msg'] == ('Connector "lonely" in namespace %s was not ready after 2 s: status Pending: No '
                                  'matching listeners; conditions not true: Matched=False (No matching listeners), '
                                  'Ready=False (No matching listeners)' % west)
    assert outcomes[0]['changed'] is True, 'the Connector was written before the wait failed'
    assert [r.verb for r in counted(server, west, ['Connector'])[1]] == ['apply']
    assert get_object(server, 'Connector', west, 'lonely') is not None
    verbs = counted(server, west, ['Connector'])[0]
    assert 2 <= verbs['get'] <= 5, 'reads every wait_sleep until the timeout, the last one at the timeout'


def test_objects_being_deleted_are_left_to_finish(tmp_path, controlled):
    server, _controller = controlled
    west = new_namespace(server)
    custom = k8s_client.CustomObjectsApi(api(server))
    custom.create_namespaced_custom_object('skupper.io', 'v2alpha1', west, 'listeners', {
        'apiVersion': 'skupper.io/v2alpha1', 'kind': 'Listener',
        'metadata': {'name': 'held', 'finalizers': ['appnet.test/hold']},
        'spec': {'routingKey': 'k', 'host': 'h', 'port': 80}})
    listener = options(server, west, name='held', routing_key='k', host='h', port=80)

    server.reset_counts()
    rc, report, outcomes = run(tmp_path, [{'appnet.skupper.listener': dict(listener, state='absent')},
                                          {'appnet.skupper.listener': dict(listener, state='absent')}])
    assert rc == 0, failures(report)
    assert [o['changed'] for o in outcomes] == [True, False], 'deleting a terminating object changes nothing'
    assert [r.verb for r in counted(server, west)[1]] == ['delete'], 'one DELETE, not one per run'
    assert get_object(server, 'Listener', west, 'held')['metadata']['deletionTimestamp']

    rc, _report, outcomes = run(tmp_path, [{'appnet.skupper.listener': dict(listener, port=81)}])
    assert rc != 0 and outcomes[0]['changed'] is False
    assert 'is being deleted' in outcomes[0]['msg'] and 'appnet.test/hold' in outcomes[0]['msg']
    assert get_object(server, 'Listener', west, 'held')['spec']['port'] == 80

    rc, _report, outcomes = run(tmp_path, [{'appnet.skupper.listener': dict(listener, state='absent', wait=True,
                                                                            wait_timeout=2)}])
    assert rc != 0 and outcomes[0]['changed'] is False
    assert 'still exists after 2 s (finalizers: appnet.test/hold)' in outcomes[0]['msg']

    release = threading.Timer(1.5, custom.patch_namespaced_custom_object,
                              ('skupper.io', 'v2alpha1', west, 'listeners', 'held', {'metadata': {'finalizers': None}}))
    release.start()
    try:
        rc, report, outcomes = run(tmp_path, [{'appnet.skupper.listener': dict(listener, state='absent', wait=True)}])
    finally:
        release.join()
    assert rc == 0, failures(report)
    assert outcomes[0]['changed'] is False and outcomes[0]['resource'] == {}
    assert get_object(server, 'Listener', west, 'held') is None


def test_a_failed_wait_for_absence_reports_the_delete(tmp_path, controlled):
    server, _controller = controlled
    west = new_namespace(server)
    kept = {'apiVersion': 'skupper.io/v2alpha1', 'kind': 'Connector',
            'metadata': {'name': 'kept', 'finalizers': ['appnet.test/hold']},
            'spec': {'routingKey': 'k', 'host': 'h', 'port': 80}}
    k8s_client.CustomObjectsApi(api(server)).create_namespaced_custom_object('skupper.io', 'v2alpha1', west,
                                                                             'connectors', kept)
    rc, _report, outcomes = run(tmp_path, [{'appnet.skupper.connector': options(
        server, west, name='kept', routing_key='k', host='h', port=80, state='absent', wait=True, wait_timeout=2)}])
    assert rc != 0 and outcomes[0]['changed'] is True, 'the DELETE was sent: the task changed something'
    assert 'still exists after 2 s' in outcomes[0]['msg']
