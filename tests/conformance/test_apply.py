"""Server-side apply: create/update, field ownership, conflicts, force, removal, no-op applies, managedFields."""

import json

import pytest
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


def test_force_takes_only_the_conflicting_fields(kube, namespace):
    """A forced apply moves the fields in conflict to its manager; the other manager keeps the rest (an edit
    that changed one field the applier sets and added one it does not), and the status is not touched."""
    kube.apply(namespace, 'listeners', 'db', listener('db'), manager='one')
    kube.custom.patch_namespaced_custom_object(GROUP, VERSION, namespace, 'listeners', 'db',
                                               {'spec': {'port': 7, 'tlsCredentials': 'edited'}},
                                               field_manager='editor')
    kube.custom.patch_namespaced_custom_object_status(GROUP, VERSION, namespace, 'listeners', 'db',
                                                      {'status': {'status': 'Ready'}}, field_manager='controller')
    forced = kube.apply(namespace, 'listeners', 'db', listener('db'), manager='one', force=True)
    managers = _managers(forced)
    assert forced['spec']['port'] == 5432 and forced['spec']['tlsCredentials'] == 'edited'
    assert forced['status'] == {'status': 'Ready'}
    assert 'f:port' in managers[('one', 'Apply', '')]['fieldsV1']['f:spec']
    assert managers[('editor', 'Update', '')]['fieldsV1'] == {'f:spec': {'f:tlsCredentials': {}}}
    assert 'f:status' in managers[('controller', 'Update', 'status')]['fieldsV1']['f:status']


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


def test_set_list_values_dropped_by_their_only_manager_are_removed(kube, namespace):
    strategy = {'priority': {'routingKeys': ['a', 'b']}}
    multikey = cr('MultiKeyListener', 'm', {'host': 'h', 'port': 1, 'strategy': strategy})
    kube.apply(namespace, 'multikeylisteners', 'm', multikey, manager='one')
    strategy['priority']['routingKeys'] = ['c']
    applied = kube.custom.patch_namespaced_custom_object(GROUP, VERSION, namespace, 'multikeylisteners', 'm',
                                                         multikey, field_manager='one', _content_type=APPLY)
    assert applied['spec']['strategy']['priority']['routingKeys'] == ['c']


def _routing_keys(obj):
    return obj['spec']['strategy']['priority']['routingKeys']


def _owned(obj, manager):
    return _managers(obj)[(manager, 'Apply', '')]['fieldsV1']


@pytest.mark.reference_crds
def test_set_list_values_are_owned_one_by_one_and_merged_across_managers(kube, namespace):
    """strategy.priority.routingKeys is `x-kubernetes-list-type: set`: each value has its owners."""
    def multikey(*keys, **spec):
        return cr('MultiKeyListener', 'm', dict(spec, strategy={'priority': {'routingKeys': list(keys)}}))
    kube.apply(namespace, 'multikeylisteners', 'm', multikey('a', 'b', host='h', port=1), manager='one')
    merged = kube.apply(namespace, 'multikeylisteners', 'm', multikey('c'), manager='two')
    assert sorted(_routing_keys(merged)) == ['a', 'b', 'c']
    assert _owned(merged, 'two')['f:spec']['f:strategy']['f:priority']['f:routingKeys'] == {'v:"c"': {}}
    assert set(_owned(merged, 'one')['f:spec']['f:strategy']['f:priority']['f:routingKeys']) == {'v:"a"', 'v:"b"'}
    # One drops b: b goes; c stays, it is two's.
    again = kube.apply(namespace, 'multikeylisteners', 'm', multikey('a', host='h', port=1), manager='one')
    assert sorted(_routing_keys(again)) == ['a', 'c']


def test_atomic_lists_are_owned_and_replaced_whole(kube, namespace):
    """A list without x-kubernetes-list-type (Link endpoints) is atomic: another manager's list conflicts."""
    def link(*hosts):
        return cr('Link', 'l', {'endpoints': [{'name': 'inter-router', 'host': host, 'port': '55671'}
                                              for host in hosts]})
    kube.apply(namespace, 'links', 'l', link('a', 'b'), manager='one')
    error = failure(kube.apply, namespace, 'links', 'l', link('c'), manager='two')
    assert (error['code'], error['details']['causes'][0]['field']) == (409, '.spec.endpoints')
    forced = kube.apply(namespace, 'links', 'l', link('c'), manager='two', force=True)
    assert [endpoint['host'] for endpoint in forced['spec']['endpoints']] == ['c']
    assert _owned(forced, 'two')['f:spec']['f:endpoints'] == {}
    assert ('one', 'Apply', '') not in _managers(forced), 'one owned only the list: its entry is gone'
    assert len(kube.get(namespace, 'links', 'l')['spec']['endpoints']) == 1


def test_an_empty_map_is_owned_as_a_field(kube, namespace):
    body = dict(listener('db'))
    body['spec'] = dict(body['spec'], settings={})
    applied = kube.apply(namespace, 'listeners', 'db', body, manager='one')
    assert _owned(applied, 'one')['f:spec']['f:settings'] == {}
    # Another manager's key in that map is not a conflict: the map's owner owns only that it exists.
    other = cr('Listener', 'db', {'settings': {'x': 'y'}})
    shared = kube.apply(namespace, 'listeners', 'db', other, manager='two')
    assert shared['spec']['settings'] == {'x': 'y'}
    assert _owned(shared, 'two')['f:spec']['f:settings'] == {'f:x': {}}


def test_apply_owns_the_fields_it_sends_not_server_defaults(kube, namespace):
    """A Secret applied without type gets type Opaque; the applier does not own type."""
    path = f'/api/v1/namespaces/{namespace}/secrets/creds'
    body = {'apiVersion': 'v1', 'kind': 'Secret', 'metadata': {'name': 'creds'}, 'data': {'a': 'eA=='}}
    status, applied, _unused = kube.request('PATCH', path, json.dumps(body), {'fieldManager': 'one'}, APPLY)
    assert status == 201 and applied['type'] == 'Opaque'
    assert _owned(applied, 'one') == {'f:data': {'f:a': {}}}


def test_apply_with_managed_fields_is_a_bad_request(kube, namespace):
    body = listener('db', managedFields=[{'manager': 'x', 'operation': 'Apply', 'fieldsType': 'FieldsV1',
                                          'fieldsV1': {'f:spec': {}}}])
    status, answer, _unused = kube.request('PATCH', _path(namespace, 'db'), json.dumps(body),
                                           {'fieldManager': 'one'}, APPLY)
    assert (status, answer['reason'], answer['message']) == (400, 'BadRequest', 'metadata.managedFields must be nil')
    assert failure(kube.get, namespace, 'listeners', 'db')['code'] == 404


def test_apply_resource_version_is_a_precondition(kube, namespace):
    first = kube.apply(namespace, 'listeners', 'db', listener('db'), manager='one')
    kube.apply(namespace, 'listeners', 'db', listener('db', port=1), manager='one')
    stale = listener('db', port=2, resourceVersion=first['metadata']['resourceVersion'])
    error = failure(kube.apply, namespace, 'listeners', 'db', stale, manager='one')
    assert (error['code'], error['reason']) == (409, 'Conflict')
    assert 'the object has been modified' in error['message']
    current = kube.get(namespace, 'listeners', 'db')
    assert current['spec']['port'] == 1
    fresh = listener('db', port=2, resourceVersion=current['metadata']['resourceVersion'])
    assert kube.apply(namespace, 'listeners', 'db', fresh, manager='one')['spec']['port'] == 2


def test_apply_uid_must_be_the_objects(kube, namespace):
    error = failure(kube.apply, namespace, 'listeners', 'db', listener('db', uid='0a0a0a0a-0000-4000-8000-000000000000'),
                    manager='one')
    assert (error['code'], error['reason']) == (409, 'Conflict') and 'uid mismatch' in error['message']
    created = kube.apply(namespace, 'listeners', 'db', listener('db'), manager='one')
    other = listener('db', port=1, uid='0a0a0a0a-0000-4000-8000-000000000000')
    error = failure(kube.apply, namespace, 'listeners', 'db', other, manager='one')
    assert (error['code'], error['details']['causes'][0]['field']) == (422, 'metadata.uid')
    own = listener('db', port=1, uid=created['metadata']['uid'])
    assert kube.apply(namespace, 'listeners', 'db', own, manager='one')['spec']['port'] == 1


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
