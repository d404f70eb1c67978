"""A Kubernetes API that misbehaves at chosen requests (the API stand-in's fault plan, tests/support/kube_api):
what is safe to send again is (k8s/retry.py), with the pauses it asks for; the rest fails naming the object, the
request and the status; and a multi-document apply that failed half-way is completed by the next run with nothing
applied twice (counted in the stand-in's request records, and in the objects' generation and resourceVersion).

The collection's client runs over the real `kubernetes` client and real sockets against the stand-in (a test
double); the modules run in real playbooks.
"""

import pytest

from ansible_collections.appnet.skupper.plugins.module_utils.backend import BackendError
from ansible_collections.appnet.skupper.plugins.module_utils.k8s import auth, client, retry
from tests.integration.kubernetes.plays import collection_records, get_object, new_namespace, run
from tests.support import fault_figures
from tests.support.kube_api import start_server
from tests.support.playbook import failures

FAULTS = {
    'k8s-api-500-mid-apply': 'test_a_multi_document_apply_failed_half_way_is_completed_by_the_rerun_with_nothing_applied_twice',
    'k8s-api-409-mid-apply': 'test_a_multi_document_apply_failed_half_way_is_completed_by_the_rerun_with_nothing_applied_twice',
    'k8s-api-reset-mid-apply': 'test_a_multi_document_apply_failed_half_way_is_completed_by_the_rerun_with_nothing_applied_twice',
    'k8s-api-lost-answers-and-429': 'test_a_multi_document_apply_through_lost_answers_and_429s_writes_each_object_once',
    'k8s-api-create-answer-lost': 'test_a_create_whose_answer_was_lost_is_looked_up_not_sent_again',
    'k8s-api-apply-answered-too-late': 'test_an_apply_answered_later_than_the_client_waits_is_sent_again_once',
}

API = 'skupper.io/v2alpha1'
NAMES = ('a', 'b', 'c', 'd')


@pytest.fixture(scope='module')
def server():
    instance = start_server()
    yield instance
    instance.stop()


def kube_client(server, sleeps, timeout=client.REQUEST_TIMEOUT):
    """The collection's KubeClient, recording its pauses instead of sleeping."""
    return client.KubeClient(auth.get_api_client({'api_host': server.url}), sleep=sleeps.append, timeout=timeout)


def listener(namespace, name, port=80):
    return {'apiVersion': API, 'kind': 'Listener', 'metadata': {'name': name, 'namespace': namespace},
            'spec': {'routingKey': 'k-' + name, 'host': name, 'port': port}}


def path(namespace, name=None):
    return '/apis/%s/namespaces/%s/listeners%s' % (API, namespace, '/' + name if name else '')


def writes(server, namespace):
    """{object name: number of requests that changed it} (creates, patches, applies that were persisted)."""
    counted = {}
    for record in collection_records(server):
        if record.path.startswith(path(namespace) + '/') and record.persisted:
            name = record.path.rsplit('/', 1)[1]
            counted[name] = counted.get(name, 0) + 1
        elif record.path == path(namespace) and record.persisted:
            counted['(create)'] = counted.get('(create)', 0) + 1
    return counted


def lost_and_duplicated(server, namespace, names=NAMES, port=80):
    """(objects missing or not as asked, extra writes and generations beyond the first) of a namespace."""
    found = {name: get_object(server, 'Listener', namespace, name) for name in names}
    lost = sum(1 for obj in found.values() if obj is None or obj['spec']['port'] != port)
    extra = sum(count - 1 for count in writes(server, namespace).values() if count > 1)
    extra += sum(obj['metadata']['generation'] - 1 for obj in found.values() if obj)
    return lost, extra


# -- the client: what is sent again ---------------------------------------------------------------------------

def test_an_apply_whose_answer_was_lost_is_sent_again_and_changes_nothing_twice(server):
    namespace, sleeps = new_namespace(server), []
    kube = kube_client(server, sleeps)
    server.reset_counts()
    server.inject_fault('lost', verb='apply', path_prefix=path(namespace, 'a'))
    applied = kube.apply(listener(namespace, 'a'))
    assert applied['metadata']['generation'] == 1
    assert [(r.fault, r.persisted) for r in server.requests] == [('lost', True), (None, False)]
    assert sleeps == [retry.FIRST_DELAY]


def test_an_apply_answered_later_than_the_client_waits_is_sent_again_once(server):
    namespace, sleeps = new_namespace(server), []
    kube = kube_client(server, sleeps, timeout=(5, 0.3))
    server.reset_counts()
    server.inject_fault('delay', verb='apply', path_prefix=path(namespace, 'a'), seconds=1.0)
    assert kube.apply(listener(namespace, 'a'))['metadata']['generation'] == 1
    assert [(r.fault, r.persisted) for r in server.requests] == [('delay', True), (None, False)]
    assert sleeps == [retry.FIRST_DELAY]
    fault_figures.record('k8s-api-apply-answered-too-late', 1, *lost_and_duplicated(server, namespace, ['a']),
                         corrupted=None)
    assert get_object(server, 'Listener', namespace, 'a')['metadata']['generation'] == 1


def test_a_create_whose_answer_was_lost_is_looked_up_not_sent_again(server):
    namespace, sleeps = new_namespace(server), []
    kube = kube_client(server, sleeps)
    server.reset_counts()
    server.inject_fault('lost', verb='create', path_prefix=path(namespace))
    created = kube.create(listener(namespace, 'a'))
    assert created['metadata']['name'] == 'a' and created['metadata']['generation'] == 1
    assert [(r.verb, r.fault, r.persisted) for r in server.requests] == [('create', 'lost', True), ('get', None, False)]
    assert sleeps == []
    fault_figures.record('k8s-api-create-answer-lost', 1, *lost_and_duplicated(server, namespace, ['a']),
                         corrupted=None)


def test_a_create_reset_before_it_was_carried_out_is_looked_up_then_sent_again(server):
    namespace, sleeps = new_namespace(server), []
    kube = kube_client(server, sleeps)
    server.reset_counts()
    server.inject_fault('reset', verb='create', path_prefix=path(namespace))
    assert kube.create(listener(namespace, 'a'))['metadata']['name'] == 'a'
    assert [(r.verb, r.fault, r.persisted) for r in server.requests] == [
        ('create', 'reset', False), ('get', None, False), ('create', None, True)]


def test_a_create_answered_with_a_server_error_is_not_sent_again(server):
    namespace, sleeps = new_namespace(server), []
    server.reset_counts()
    server.inject_fault(500, verb='create', path_prefix=path(namespace))
    with pytest.raises(BackendError) as error:
        kube_client(server, sleeps).create(listener(namespace, 'a'))
    assert [r.verb for r in server.requests] == ['create'] and sleeps == []
    message = error.value.message
    assert message.startswith('Listener "a" in namespace %s: POST %s answered HTTP 500 ' % (namespace, path(namespace)))
    assert error.value.details == {'request': 'POST ' + path(namespace), 'http_status': 500}


def test_a_create_answered_429_or_503_waits_as_asked_then_is_sent_again(server):
    namespace, sleeps = new_namespace(server), []
    server.reset_counts()
    server.inject_fault(429, verb='create', path_prefix=path(namespace), retry_after=1)
    server.inject_fault(503, verb='create', path_prefix=path(namespace))
    assert kube_client(server, sleeps).create(listener(namespace, 'a'))['metadata']['generation'] == 1
    assert [(r.fault, r.persisted) for r in server.requests] == [('429', False), ('503', False), (None, True)]
    assert sleeps == [1.0, 2 * retry.FIRST_DELAY], 'Retry-After 1, then the doubled backoff'


def test_a_conflict_is_not_retried_and_names_the_object_request_and_status(server):
    namespace, sleeps = new_namespace(server), []
    server.reset_counts()
    server.inject_fault(409, verb='apply', path_prefix=path(namespace, 'a'))
    with pytest.raises(BackendError) as error:
        kube_client(server, sleeps).apply(listener(namespace, 'a'))
    assert len(server.requests) == 1 and sleeps == []
    assert error.value.message.startswith('Listener "a" in namespace %s: PATCH %s answered HTTP 409 Conflict from '
                                          % (namespace, path(namespace, 'a')))
    assert get_object(server, 'Listener', namespace, 'a') is None


def test_a_delete_whose_answer_was_lost_reports_the_deletion(server):
    namespace, sleeps = new_namespace(server), []
    kube = kube_client(server, sleeps)
    kube.apply(listener(namespace, 'a'))
    server.reset_counts()
    server.inject_fault('lost', verb='delete', path_prefix=path(namespace, 'a'))
    assert kube.delete('Listener', namespace, 'a') is True, 'the first DELETE did it; the second found it gone'
    assert [(r.fault, r.code) for r in server.requests] == [('lost', 0), (None, 404)]
    assert kube.delete('Listener', namespace, 'a') is False


def test_server_errors_on_an_apply_stop_after_the_last_attempt_with_the_attempts_named(server):
    namespace, sleeps = new_namespace(server), []
    server.inject_fault(500, verb='apply', path_prefix=path(namespace, 'a'), times=client.ATTEMPTS)
    with pytest.raises(BackendError) as error:
        kube_client(server, sleeps).apply(listener(namespace, 'a'))
    assert sleeps == [0.25, 0.5, 1.0, 2.0]
    assert '(attempt %d, not retried further)' % client.ATTEMPTS in error.value.message
    assert 'PATCH %s answered HTTP 500' % path(namespace, 'a') in error.value.message


# -- the resource module: a multi-document apply that failed half-way ------------------------------------------

def _resource_task(server, namespace, port=80):
    return {'appnet.skupper.resource': {'namespace': namespace, 'api_host': server.url,
                                        'definition': [listener(namespace, name, port) for name in NAMES]}}


def _versions(server, namespace):
    found = {name: get_object(server, 'Listener', namespace, name) for name in NAMES}
    return {name: (obj['metadata']['generation'], obj['metadata']['resourceVersion']) if obj else None
            for name, obj in found.items()}


@pytest.mark.parametrize('fault', [500, 409, 'reset'])
def test_a_multi_document_apply_failed_half_way_is_completed_by_the_rerun_with_nothing_applied_twice(
        tmp_path, server, fault):
    """One round per failing document (the first, a middle one): the fault answers every attempt at it, the run
    fails there, the re-run completes; each object is written once over both runs."""
    lost = duplicates = 0
    for failing in ('a', 'c'):
        namespace = new_namespace(server)
        before = list(NAMES[:NAMES.index(failing)])
        server.reset_counts()
        server.inject_fault(fault, verb='PATCH', path_prefix=path(namespace, failing), times=client.ATTEMPTS)
        rc, _report, outcomes = run(tmp_path, [_resource_task(server, namespace)])
        server.clear_faults()
        assert rc != 0
        message = outcomes[0]['msg']
        if fault == 'reset':
            assert message.startswith('Listener "%s" in namespace %s: cannot reach the Kubernetes API at %s after %d '
                                      'attempts (PATCH %s): ' % (failing, namespace, server.url, client.ATTEMPTS,
                                                                 path(namespace, failing)))
        else:
            assert message.startswith('Listener "%s" in namespace %s: PATCH %s answered HTTP %d '
                                      % (failing, namespace, path(namespace, failing), fault))
        assert outcomes[0]['changed'] is bool(before) and [r['name'] for r in outcomes[0]['results']] == before
        first = _versions(server, namespace)
        assert [name for name in NAMES if first[name]] == before and all(first[name][0] == 1 for name in before)
        attempts = [r for r in collection_records(server) if r.path == path(namespace, failing) and r.method == 'PATCH']
        assert len(attempts) == (1 if fault == 409 else client.ATTEMPTS)

        rc, report, outcomes = run(tmp_path, [_resource_task(server, namespace)])
        assert rc == 0, failures(report)
        assert [(r['name'], r['changed']) for r in outcomes[0]['results']] == [(n, n not in before) for n in NAMES]
        second = _versions(server, namespace)
        assert all(second[name] == first[name] for name in before), 'what the first run applied was not written again'
        assert {name: second[name][0] for name in NAMES} == dict.fromkeys(NAMES, 1)
        assert writes(server, namespace) == dict.fromkeys(NAMES, 1), 'each object written once over both runs'
        round_lost, round_duplicates = lost_and_duplicated(server, namespace)
        lost, duplicates = lost + round_lost, duplicates + round_duplicates
    fault_figures.record('k8s-api-%s-mid-apply' % fault, 2, lost, duplicates, corrupted=None)


def test_a_multi_document_apply_through_lost_answers_and_429s_writes_each_object_once(tmp_path, server):
    namespace = new_namespace(server)
    server.reset_counts()
    server.inject_fault('lost', verb='PATCH', path_prefix=path(namespace, 'b'))
    server.inject_fault(429, verb='PATCH', path_prefix=path(namespace, 'c'), retry_after=1)
    server.inject_fault(503, verb='GET', path_prefix=path(namespace, 'd'))
    rc, report, outcomes = run(tmp_path, [_resource_task(server, namespace)])
    assert rc == 0, failures(report)
    assert [(r['name'], r['changed']) for r in outcomes[0]['results']] == [(name, True) for name in NAMES]
    assert writes(server, namespace) == dict.fromkeys(NAMES, 1)
    assert {name: version[0] for name, version in _versions(server, namespace).items()} == dict.fromkeys(NAMES, 1)
    c = [r for r in collection_records(server) if r.path == path(namespace, 'c') and r.method == 'PATCH']
    assert [r.fault for r in c] == ['429', None] and c[1].at - c[0].at >= 1.0, 'Retry-After: 1 was honoured'
    fault_figures.record('k8s-api-lost-answers-and-429', 1, *lost_and_duplicated(server, namespace), corrupted=None)
