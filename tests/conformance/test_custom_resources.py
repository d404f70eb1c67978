"""Custom resources of the Skupper CRDs: CRUD verbs, bookkeeping, patches, finalizers, the status subresource."""

import uuid

import kubernetes
import pytest

from tests.conformance.support import API_VERSION, GROUP, MERGE, STRATEGIC, VERSION, failure, listener


def _path(namespace, name=None, plural='listeners', sub=None):
    path = f'/apis/{API_VERSION}/namespaces/{namespace}/{plural}'
    return '/'.join([path] + [part for part in (name, sub) if part])


def test_create_answers_201_with_bookkeeping(kube, namespace):
    status, body, _unused = kube.request('POST', _path(namespace), listener('db'))
    metadata = body['metadata']
    assert status == 201 and body['kind'] == 'Listener' and body['apiVersion'] == API_VERSION
    assert uuid.UUID(metadata['uid']).version == 4
    assert metadata['creationTimestamp'].endswith('Z') and len(metadata['creationTimestamp']) == 20
    assert metadata['generation'] == 1 and int(metadata['resourceVersion']) > 0
    assert metadata['namespace'] == namespace


def test_create_twice_is_already_exists(kube, namespace):
    kube.create(namespace, 'listeners', listener('db'))
    error = failure(kube.create, namespace, 'listeners', listener('db'))
    assert (error['code'], error['reason']) == (409, 'AlreadyExists')
    assert error['message'] == 'listeners.skupper.io "db" already exists'
    assert error['details'] == {'name': 'db', 'group': GROUP, 'kind': 'listeners'}


def test_get_missing_is_not_found_status(kube, namespace):
    error = failure(kube.get, namespace, 'listeners', 'absent')
    assert error == {'kind': 'Status', 'apiVersion': 'v1', 'metadata': {}, 'status': 'Failure',
                     'message': 'listeners.skupper.io "absent" not found', 'reason': 'NotFound',
                     'details': {'name': 'absent', 'group': GROUP, 'kind': 'listeners'}, 'code': 404}


def test_list_keeps_kind_and_sorts_by_name(kube, namespace):
    for name in ('b', 'a'):
        kube.create(namespace, 'listeners', listener(name))
    listing = kube.custom.list_namespaced_custom_object(GROUP, VERSION, namespace, 'listeners')
    assert listing['kind'] == 'ListenerList' and listing['apiVersion'] == API_VERSION
    assert int(listing['metadata']['resourceVersion']) > 0
    assert [(i['kind'], i['apiVersion'], i['metadata']['name']) for i in listing['items']] == [
        ('Listener', API_VERSION, 'a'), ('Listener', API_VERSION, 'b')]


def test_cluster_wide_list(kube, namespace):
    kube.create(namespace, 'listeners', listener('everywhere'))
    listing = kube.custom.list_cluster_custom_object(GROUP, VERSION, 'listeners')
    assert (namespace, 'everywhere') in {(i['metadata']['namespace'], i['metadata']['name'])
                                         for i in listing['items']}


def test_list_pages_with_limit_and_continue(kube, namespace):
    for name in ('a', 'b', 'c'):
        kube.create(namespace, 'listeners', listener(name))
    first = kube.custom.list_namespaced_custom_object(GROUP, VERSION, namespace, 'listeners', limit=2)
    rest = kube.custom.list_namespaced_custom_object(GROUP, VERSION, namespace, 'listeners', limit=2,
                                                     _continue=first['metadata']['continue'])
    assert [i['metadata']['name'] for i in first['items'] + rest['items']] == ['a', 'b', 'c']
    assert not rest['metadata'].get('continue')


def test_resource_version_increases_with_every_write(kube, namespace):
    created = kube.create(namespace, 'listeners', listener('db'))
    patched = kube.custom.patch_namespaced_custom_object(GROUP, VERSION, namespace, 'listeners', 'db',
                                                         {'spec': {'port': 1}})
    status = kube.custom.patch_namespaced_custom_object_status(GROUP, VERSION, namespace, 'listeners', 'db',
                                                               {'status': {'status': 'Ready'}})
    versions = [int(o['metadata']['resourceVersion']) for o in (created, patched, status)]
    assert versions == sorted(set(versions))


def test_replace_with_stale_resource_version_conflicts(kube, namespace):
    created = kube.create(namespace, 'listeners', listener('db'))
    kube.custom.patch_namespaced_custom_object(GROUP, VERSION, namespace, 'listeners', 'db', {'spec': {'port': 2}})
    error = failure(kube.custom.replace_namespaced_custom_object, GROUP, VERSION, namespace, 'listeners', 'db',
                    dict(created, spec=dict(created['spec'], port=3)))
    assert (error['code'], error['reason']) == (409, 'Conflict')
    assert error['message'] == ('Operation cannot be fulfilled on listeners.skupper.io "db": the object has been '
                                'modified; please apply your changes to the latest version and try again')


def test_replace_with_current_version_bumps_generation(kube, namespace):
    created = kube.create(namespace, 'listeners', listener('db'))
    replaced = kube.custom.replace_namespaced_custom_object(GROUP, VERSION, namespace, 'listeners', 'db',
                                                            dict(created, spec=dict(created['spec'], port=6)))
    assert replaced['spec']['port'] == 6 and replaced['metadata']['generation'] == 2
    assert replaced['metadata']['uid'] == created['metadata']['uid']


def test_replace_without_resource_version_is_invalid(kube, namespace):
    kube.create(namespace, 'listeners', listener('db'))
    error = failure(kube.custom.replace_namespaced_custom_object, GROUP, VERSION, namespace, 'listeners', 'db',
                    listener('db', port=7))
    assert error['code'] == 422
    assert error['details']['causes'][0]['field'] == 'metadata.resourceVersion'


def test_replace_missing_is_not_found(kube, namespace):
    body = listener('absent', resourceVersion='1')
    error = failure(kube.custom.replace_namespaced_custom_object, GROUP, VERSION, namespace, 'listeners', 'absent',
                    body)
    assert error['code'] == 404 and error['reason'] == 'NotFound'


def test_merge_patch_merges_and_null_removes(kube, namespace):
    body = listener('db')
    body['spec']['settings'] = {'a': '1', 'b': '2'}
    kube.create(namespace, 'listeners', body)
    status, patched, _unused = kube.request('PATCH', _path(namespace, 'db'),
                                            {'spec': {'port': 9, 'settings': {'a': None, 'c': '3'}}}, content_type=MERGE)
    assert status == 200
    assert patched['spec'] == {'host': 'db', 'port': 9, 'routingKey': 'db', 'settings': {'b': '2', 'c': '3'}}


def test_strategic_merge_patch_is_unsupported_for_custom_resources(kube, namespace):
    kube.create(namespace, 'listeners', listener('db'))
    status, body, _unused = kube.request('PATCH', _path(namespace, 'db'), {'spec': {'port': 1}}, content_type=STRATEGIC)
    assert (status, body['reason']) == (415, 'UnsupportedMediaType')


def test_patch_missing_is_not_found(kube, namespace):
    status, body, _unused = kube.request('PATCH', _path(namespace, 'absent'), {'spec': {'port': 1}}, content_type=MERGE)
    assert (status, body['reason']) == (404, 'NotFound')


def test_delete_answers_success_status_and_removes(kube, namespace):
    created = kube.create(namespace, 'listeners', listener('db'))
    answer = kube.custom.delete_namespaced_custom_object(GROUP, VERSION, namespace, 'listeners', 'db')
    assert answer['kind'] == 'Status' and answer['status'] == 'Success'
    assert answer['details'] == {'name': 'db', 'group': GROUP, 'kind': 'listeners', 'uid': created['metadata']['uid']}
    assert failure(kube.get, namespace, 'listeners', 'db')['code'] == 404


def test_delete_missing_is_not_found(kube, namespace):
    error = failure(kube.custom.delete_namespaced_custom_object, GROUP, VERSION, namespace, 'listeners', 'absent')
    assert error['code'] == 404


def test_finalizers_hold_deletion_until_removed(kube, namespace):
    kube.create(namespace, 'listeners', listener('db', finalizers=['appnet.test/hold']))
    held = kube.custom.delete_namespaced_custom_object(GROUP, VERSION, namespace, 'listeners', 'db')
    assert held['metadata']['deletionTimestamp'] and held['metadata']['finalizers'] == ['appnet.test/hold']
    still_there = kube.get(namespace, 'listeners', 'db')
    assert still_there['metadata']['deletionTimestamp'] == held['metadata']['deletionTimestamp']
    kube.custom.patch_namespaced_custom_object(GROUP, VERSION, namespace, 'listeners', 'db',
                                               {'metadata': {'finalizers': None}})
    assert failure(kube.get, namespace, 'listeners', 'db')['code'] == 404


@pytest.fixture
def releases_finalizers(kube, namespace):
    """Removes the finalizers of listener db after the test, so that its namespace can go (a real cluster keeps a
    namespace Terminating while an object in it has finalizers)."""
    yield
    try:
        kube.custom.patch_namespaced_custom_object(GROUP, VERSION, namespace, 'listeners', 'db',
                                                   {'metadata': {'finalizers': None}})
    except kubernetes.client.ApiException as exc:
        if exc.status != 404:
            raise


def test_no_new_finalizers_while_deleting(kube, namespace, releases_finalizers):
    kube.create(namespace, 'listeners', listener('db', finalizers=['appnet.test/hold']))
    kube.custom.delete_namespaced_custom_object(GROUP, VERSION, namespace, 'listeners', 'db')
    error = failure(kube.custom.patch_namespaced_custom_object, GROUP, VERSION, namespace, 'listeners', 'db',
                    {'metadata': {'finalizers': ['appnet.test/hold', 'appnet.test/more']}})
    assert (error['code'], error['reason']) == (422, 'Invalid')
    cause = error['details']['causes'][0]
    assert (cause['reason'], cause['field']) == ('FieldValueForbidden', 'metadata.finalizers')
    assert 'no new finalizers can be added if the object is being deleted' in cause['message']
    assert kube.get(namespace, 'listeners', 'db')['metadata']['finalizers'] == ['appnet.test/hold']


def test_removing_the_last_finalizer_answers_with_the_updated_object(kube, namespace, releases_finalizers):
    kube.create(namespace, 'listeners', listener('db', finalizers=['appnet.test/a', 'appnet.test/b']))
    kube.custom.delete_namespaced_custom_object(GROUP, VERSION, namespace, 'listeners', 'db')
    one_left = kube.custom.patch_namespaced_custom_object(GROUP, VERSION, namespace, 'listeners', 'db',
                                                          {'metadata': {'finalizers': ['appnet.test/b']}})
    assert one_left['metadata']['finalizers'] == ['appnet.test/b']
    status, last, _unused = kube.request('PATCH', _path(namespace, 'db'), {'metadata': {'finalizers': None}},
                                         content_type=MERGE)
    assert status == 200 and last['metadata'].get('finalizers') in (None, [])
    assert last['metadata']['deletionTimestamp'] == one_left['metadata']['deletionTimestamp']
    assert failure(kube.get, namespace, 'listeners', 'db')['code'] == 404


def test_generation_changes_only_with_spec(kube, namespace):
    kube.create(namespace, 'listeners', listener('db'))
    labelled = kube.custom.patch_namespaced_custom_object(GROUP, VERSION, namespace, 'listeners', 'db',
                                                          {'metadata': {'labels': {'a': 'b'}}})
    assert labelled['metadata']['generation'] == 1
    changed = kube.custom.patch_namespaced_custom_object(GROUP, VERSION, namespace, 'listeners', 'db',
                                                         {'spec': {'port': 1}})
    assert changed['metadata']['generation'] == 2


def test_status_is_dropped_on_create(kube, namespace):
    body = dict(listener('db'), status={'status': 'Ready'})
    assert 'status' not in kube.create(namespace, 'listeners', body)


def test_main_resource_writes_ignore_status(kube, namespace):
    kube.create(namespace, 'listeners', listener('db'))
    kube.custom.patch_namespaced_custom_object_status(GROUP, VERSION, namespace, 'listeners', 'db',
                                                      {'status': {'status': 'Ready'}})
    patched = kube.custom.patch_namespaced_custom_object(GROUP, VERSION, namespace, 'listeners', 'db',
                                                         {'spec': {'port': 2}, 'status': {'status': 'Error'}})
    assert patched['status'] == {'status': 'Ready'} and patched['spec']['port'] == 2


def test_status_writes_change_only_status(kube, namespace):
    kube.create(namespace, 'listeners', listener('db'))
    patched = kube.custom.patch_namespaced_custom_object_status(
        GROUP, VERSION, namespace, 'listeners', 'db',
        {'spec': {'port': 1}, 'metadata': {'labels': {'x': 'y'}}, 'status': {'status': 'Ready', 'message': 'OK'}})
    assert patched['spec']['port'] == 5432 and 'labels' not in patched['metadata']
    assert patched['status'] == {'status': 'Ready', 'message': 'OK'}
    assert patched['metadata']['generation'] == 1


def test_status_put_and_get(kube, namespace):
    created = kube.create(namespace, 'listeners', listener('db'))
    replaced = kube.custom.replace_namespaced_custom_object_status(
        GROUP, VERSION, namespace, 'listeners', 'db', dict(created, status={'status': 'Pending', 'message': 'wait'}))
    assert replaced['status']['status'] == 'Pending'
    fetched = kube.custom.get_namespaced_custom_object_status(GROUP, VERSION, namespace, 'listeners', 'db')
    assert fetched['status'] == {'status': 'Pending', 'message': 'wait'}


def test_status_put_with_stale_version_conflicts(kube, namespace):
    created = kube.create(namespace, 'listeners', listener('db'))
    kube.custom.patch_namespaced_custom_object(GROUP, VERSION, namespace, 'listeners', 'db', {'spec': {'port': 2}})
    error = failure(kube.custom.replace_namespaced_custom_object_status, GROUP, VERSION, namespace, 'listeners',
                    'db', dict(created, status={'status': 'Ready'}))
    assert error['code'] == 409


@pytest.mark.reference_crds
def test_status_is_validated(kube, namespace):
    kube.create(namespace, 'listeners', listener('db'))
    error = failure(kube.custom.patch_namespaced_custom_object_status, GROUP, VERSION, namespace, 'listeners', 'db',
                    {'status': {'message': 5}})
    assert error['code'] == 422 and error['details']['causes'][0]['field'] == 'status.message'


@pytest.mark.reference_crds
def test_unknown_status_fields_are_pruned(kube, namespace):
    kube.create(namespace, 'listeners', listener('db'))
    patched = kube.custom.patch_namespaced_custom_object_status(GROUP, VERSION, namespace, 'listeners', 'db',
                                                                {'status': {'status': 'Ready', 'bogus': True}})
    assert patched['status'] == {'status': 'Ready'}


def test_unchanged_replace_keeps_resource_version(kube, namespace):
    created = kube.create(namespace, 'listeners', listener('db'))
    replaced = kube.custom.replace_namespaced_custom_object(GROUP, VERSION, namespace, 'listeners', 'db', created)
    assert replaced['metadata']['resourceVersion'] == created['metadata']['resourceVersion']
