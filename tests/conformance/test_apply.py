"""Server-side apply: create/update, field ownership, conflicts, force, removal, no-op applies, managedFields."""

import yaml

from tests.conformance.support import API_VERSION, APPLY, GROUP, VERSION, cr, failure, listener


def _path(namespace, name, sub=None):
    path = f'/apis/{API_VERSION}/namespaces/{namespace}/listeners/{name}'
    return f'{path}/{sub}' if sub else path


def _managers(obj):
    return {(m['manager'], m['operation'], m.get('subresource', '')): m for m in obj['metadata']['managedFields']}


def test_apply_creates_with_201_then_updates_with_200(kube, namespace):
    body = yaml.safe_dump(listener('db'))
    status, created, _unused = kube.request('PATCH', _path(namespace, 'db'), body, {'fieldManager': 'one'}, APPLY)
    assert status == 201 and created['spec']['port'] == 5432 and created['metadata']['generation'] == 1
    status, updated, _unused = kube.request('PATCH', _path(namespace, 'db'), yaml.safe_dump(listener('db', port=1)),
                                            {'fieldManager': 'one'}, APPLY)
    assert status == 200 and updated['spec']['port'] == 1 and updated['metadata']['generation'] == 2


def test_apply_requires_field_manager(kube, namespace):
    status, body, _unused = kube.request('PATCH', _path(namespace, 'db'), yaml.safe_dump(listener('db')), {}, APPLY)
    assert (status, body['reason']) == (422, 'Invalid')
    assert 'fieldManager: Required value' in body['message']


def test_apply_records_managed_fields(kube, namespace):
    applied = kube.apply(namespace, 'listeners', 'db', listener('db', labels={'app': 'db'}), manager='one')
    entry = _managers(applied)[('one', 'Apply', '')]
    assert entry['apiVersion'] == API_VERSION and entry['fieldsType'] == 'FieldsV1' and entry['time']
    fields = entry['fieldsV1']
    assert {'f:host', 'f:port', 'f:routingKey'} <= set(fields['f:spec'])
    assert 'f:app' in fields['f:metadata']['f:labels']


def test_conflict_with_another_manager(kube, namespace):
    kube.apply(namespace, 'listeners', 'db', listener('db'), manager='one')
    error = failure(kube.apply, namespace, 'listeners', 'db', listener('db', port=1), manager='two')
    assert (error['code'], error['reason']) == (409, 'Conflict')
    assert error['message'] == 'Apply failed with 1 conflict: conflict with "one": .spec.port'
    assert error['details']['causes'] == [
        {'reason': 'FieldManagerConflict', 'message': 'conflict with "one"', 'field': '.spec.port'}]
    assert kube.get(namespace, 'listeners', 'db')['spec']['port'] == 5432


def test_same_value_is_shared_without_conflict(kube, namespace):
    kube.apply(namespace, 'listeners', 'db', listener('db'), manager='one')
    shared = kube.apply(namespace, 'listeners', 'db', listener('db'), manager='two')
    managers = _managers(shared)
    assert 'f:port' in managers[('one', 'Apply', '')]['fieldsV1']['f:spec']
    assert 'f:port' in managers[('two', 'Apply', '')]['fieldsV1']['f:spec']


def test_force_takes_ownership(kube, namespace):
    kube.apply(namespace, 'listeners', 'db', listener('db'), manager='one')
    forced = kube.apply(namespace, 'listeners', 'db', listener('db', port=1), manager='two', force=True)
    managers = _managers(forced)
    assert forced['spec']['port'] == 1
    assert 'f:port' in managers[('two', 'Apply', '')]['fieldsV1']['f:spec']
    assert 'f:port' not in managers[('one', 'Apply', '')]['fieldsV1']['f:spec']


def test_fields_dropped_from_the_configuration_are_removed(kube, namespace):
    body = listener('db')
    body['spec']['tlsCredentials'] = 'creds'
    kube.apply(namespace, 'listeners', 'db', body, manager='one')
    applied = kube.apply(namespace, 'listeners', 'db', listener('db'), manager='one')
    assert 'tlsCredentials' not in applied['spec']


def test_dropped_fields_owned_by_another_manager_stay(kube, namespace):
    body = listener('db')
    body['spec']['tlsCredentials'] = 'creds'
    kube.apply(namespace, 'listeners', 'db', body, manager='one')
    kube.apply(namespace, 'listeners', 'db', cr('Listener', 'db', {'tlsCredentials': 'creds'}), manager='two')
    applied = kube.apply(namespace, 'listeners', 'db', listener('db'), manager='one')
    assert applied['spec']['tlsCredentials'] == 'creds'


def test_unchanged_apply_writes_nothing(kube, namespace):
    first = kube.apply(namespace, 'listeners', 'db', listener('db'), manager='one')
    again = kube.apply(namespace, 'listeners', 'db', listener('db'), manager='one')
    assert again['metadata']['resourceVersion'] == first['metadata']['resourceVersion']
    assert again['metadata']['generation'] == 1


def test_update_records_an_update_manager_that_conflicts_with_apply(kube, namespace):
    kube.apply(namespace, 'listeners', 'db', listener('db'), manager='one')
    patched = kube.custom.patch_namespaced_custom_object(GROUP, VERSION, namespace, 'listeners', 'db',
                                                         {'spec': {'port': 7}}, field_manager='editor')
    managers = _managers(patched)
    assert managers[('editor', 'Update', '')]['fieldsV1'] == {'f:spec': {'f:port': {}}}
    assert 'f:port' not in managers[('one', 'Apply', '')]['fieldsV1']['f:spec']
    error = failure(kube.apply, namespace, 'listeners', 'db', listener('db', port=8), manager='other')
    assert error['message'].startswith('Apply failed with 1 conflict: conflict with "editor" using '
                                       f'{API_VERSION}')


def test_update_without_field_manager_uses_the_user_agent(kube, namespace):
    created = kube.create(namespace, 'listeners', listener('db'))
    expected = kube.api_client.user_agent.split('/')[0]
    assert [(m['manager'], m['operation']) for m in created['metadata']['managedFields']] == [(expected, 'Update')]


def test_atomic_lists_are_replaced_whole(kube, namespace):
    strategy = {'priority': {'routingKeys': ['a', 'b']}}
    multikey = cr('MultiKeyListener', 'm', {'host': 'h', 'port': 1, 'strategy': strategy})
    kube.apply(namespace, 'multikeylisteners', 'm', multikey, manager='one')
    strategy['priority']['routingKeys'] = ['c']
    applied = kube.custom.patch_namespaced_custom_object(GROUP, VERSION, namespace, 'multikeylisteners', 'm',
                                                         multikey, field_manager='one', _content_type=APPLY)
    assert applied['spec']['strategy']['priority']['routingKeys'] == ['c']


def test_apply_validates(kube, namespace):
    error = failure(kube.apply, namespace, 'listeners', 'db', listener('db', port='x'), manager='one')
    assert error['code'] == 422 and error['details']['causes'][0]['field'] == 'spec.port'


def test_apply_in_missing_namespace_is_not_found(kube):
    error = failure(kube.apply, 'conformance-absent-ns', 'listeners', 'db', listener('db'), manager='one')
    assert error['code'] == 404 and error['message'] == 'namespaces "conformance-absent-ns" not found'


def test_apply_to_status_subresource(kube, namespace):
    kube.apply(namespace, 'listeners', 'db', listener('db'), manager='one')
    body = dict(listener('db'), status={'status': 'Ready', 'message': 'OK'})
    status, applied, _unused = kube.request('PATCH', _path(namespace, 'db', 'status'), yaml.safe_dump(body),
                                            {'fieldManager': 'controller', 'force': 'true'}, APPLY)
    assert status == 200 and applied['status'] == {'status': 'Ready', 'message': 'OK'}
    assert applied['spec']['port'] == 5432
    entry = _managers(applied)[('controller', 'Apply', 'status')]
    assert entry['fieldsV1'] == {'f:status': {'f:message': {}, 'f:status': {}}}


def test_apply_with_status_on_main_resource_ignores_status(kube, namespace):
    applied = kube.apply(namespace, 'listeners', 'db', dict(listener('db'), status={'status': 'Ready'}),
                         manager='one')
    assert 'status' not in applied
