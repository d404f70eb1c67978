"""Validation against the CRDs' openAPIV3Schema, pruning, CEL rules and metadata.name checks."""

import pytest

from tests.conformance.support import API_VERSION, GROUP, VERSION, cr, failure, listener


def _invalid(kube, namespace, plural, body):
    error = failure(kube.create, namespace, plural, body)
    assert (error['code'], error['reason']) == (422, 'Invalid')
    return error


def _causes(error):
    return {(c['reason'], c['field']) for c in error['details']['causes']}


def test_required_field_missing(kube, namespace):
    error = _invalid(kube, namespace, 'listeners', cr('Listener', 'db', {'host': 'db', 'port': 1}))
    assert error['details']['causes'] == [
        {'reason': 'FieldValueRequired', 'message': 'Required value', 'field': 'spec.routingKey'}]
    assert error['message'] == 'Listener.skupper.io "db" is invalid: spec.routingKey: Required value'
    assert error['details']['group'] == GROUP and error['details']['kind'] == 'Listener'


@pytest.mark.reference_crds
def test_spec_is_required_where_the_crd_says_so(kube, namespace):
    body = {'apiVersion': API_VERSION, 'kind': 'MultiKeyListener', 'metadata': {'name': 'm'}}
    assert _causes(_invalid(kube, namespace, 'multikeylisteners', body)) == {('FieldValueRequired', 'spec')}
    assert 'spec' not in kube.create(namespace, 'listeners', {'apiVersion': API_VERSION, 'kind': 'Listener',
                                                              'metadata': {'name': 'bare'}})


def test_string_for_integer_is_type_invalid(kube, namespace):
    error = _invalid(kube, namespace, 'listeners', listener('db', port='5432'))
    cause = error['details']['causes'][0]
    assert cause == {'reason': 'FieldValueTypeInvalid', 'field': 'spec.port',
                     'message': 'Invalid value: "string": spec.port in body must be of type integer: "string"'}
    assert error['message'] == ('Listener.skupper.io "db" is invalid: spec.port: Invalid value: "string": '
                                'spec.port in body must be of type integer: "string"')


def test_several_errors_are_listed_in_brackets(kube, namespace):
    error = _invalid(kube, namespace, 'listeners', cr('Listener', 'db', {'host': 5, 'port': 'x', 'routingKey': 'k'}))
    assert error['message'].startswith('Listener.skupper.io "db" is invalid: [')
    assert _causes(error) == {('FieldValueTypeInvalid', 'spec.host'), ('FieldValueTypeInvalid', 'spec.port')}


def test_whole_float_is_accepted_for_integer(kube, namespace):
    created = kube.create(namespace, 'listeners', listener('db', port=8080.0))
    assert created['spec']['port'] == 8080


def test_fractional_float_is_rejected_for_integer(kube, namespace):
    error = _invalid(kube, namespace, 'listeners', listener('db', port=80.5))
    assert ('FieldValueTypeInvalid', 'spec.port') in _causes(error)


def test_boolean_type(kube, namespace):
    body = listener('db')
    body['spec']['exposePodsByName'] = 'yes'
    assert ('FieldValueTypeInvalid', 'spec.exposePodsByName') in _causes(_invalid(kube, namespace, 'listeners', body))


def test_enum_value_not_supported(kube, namespace):
    body = listener('db')
    body['spec']['observer'] = 'smtp'
    error = _invalid(kube, namespace, 'listeners', body)
    cause = error['details']['causes'][0]
    assert (cause['reason'], cause['field']) == ('FieldValueNotSupported', 'spec.observer')
    assert cause['message'].startswith('Unsupported value: "smtp": supported values: "auto"')


def test_additional_properties_values_are_checked(kube, namespace):
    body = listener('db')
    body['spec']['settings'] = {'a': 1}
    assert ('FieldValueTypeInvalid', 'spec.settings.a') in _causes(_invalid(kube, namespace, 'listeners', body))


def test_unknown_fields_are_pruned(kube, namespace):
    body = listener('db')
    body['spec']['bogus'] = 'x'
    body['extra'] = {'y': 1}
    created = kube.create(namespace, 'listeners', body)
    assert 'bogus' not in created['spec'] and 'extra' not in created


def test_metadata_name_must_be_dns_subdomain(kube, namespace):
    error = _invalid(kube, namespace, 'listeners', listener('Not_Valid'))
    assert _causes(error) == {('FieldValueInvalid', 'metadata.name')}
    assert 'a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters' in error['message']


def test_generate_name_creates_a_unique_name(kube, namespace):
    body = listener('')
    body['metadata'] = {'generateName': 'db-'}
    created = kube.create(namespace, 'listeners', body)
    assert created['metadata']['name'].startswith('db-') and len(created['metadata']['name']) == 8


def _multikey(name, strategy):
    return cr('MultiKeyListener', name, {'host': 'db', 'port': 1, 'strategy': strategy})


@pytest.mark.reference_crds
def test_min_items(kube, namespace):
    error = _invalid(kube, namespace, 'multikeylisteners', _multikey('m', {'priority': {'routingKeys': []}}))
    assert ('FieldValueInvalid', 'spec.strategy.priority.routingKeys') in _causes(error)


@pytest.mark.reference_crds
def test_max_items(kube, namespace):
    keys = [f'k{i}' for i in range(257)]
    error = _invalid(kube, namespace, 'multikeylisteners', _multikey('m', {'priority': {'routingKeys': keys}}))
    assert ('FieldValueTooMany', 'spec.strategy.priority.routingKeys') in _causes(error)


@pytest.mark.reference_crds
def test_min_properties(kube, namespace):
    error = _invalid(kube, namespace, 'multikeylisteners', _multikey('m', {'weighted': {'routingKeys': {}}}))
    assert ('FieldValueInvalid', 'spec.strategy.weighted.routingKeys') in _causes(error)


@pytest.mark.reference_crds
def test_cel_exactly_one_strategy(kube, namespace):
    both = {'priority': {'routingKeys': ['a']}, 'weighted': {'routingKeys': {'a': 1}}}
    error = _invalid(kube, namespace, 'multikeylisteners', _multikey('m', both))
    cause = error['details']['causes'][0]
    assert (cause['reason'], cause['field']) == ('FieldValueInvalid', 'spec.strategy')
    assert 'exactly one of the fields in [priority weighted] must be set' in cause['message']


@pytest.mark.reference_crds
def test_cel_strategy_is_immutable(kube, namespace):
    kube.create(namespace, 'multikeylisteners', _multikey('m', {'priority': {'routingKeys': ['a']}}))
    error = failure(kube.custom.patch_namespaced_custom_object, GROUP, VERSION, namespace, 'multikeylisteners', 'm',
                    {'spec': {'strategy': {'priority': None, 'weighted': {'routingKeys': {'a': 1}}}}})
    assert error['code'] == 422 and 'strategy is immutable' in error['message']


def test_valid_multikey_listener_is_accepted(kube, namespace):
    created = kube.create(namespace, 'multikeylisteners', _multikey('m', {'weighted': {'routingKeys': {'a': 2}}}))
    assert created['spec']['strategy'] == {'weighted': {'routingKeys': {'a': 2}}}


@pytest.mark.reference_crds
def test_connector_needs_exactly_one_of_selector_or_host(kube, namespace):
    error = _invalid(kube, namespace, 'connectors', cr('Connector', 'c', {'routingKey': 'k', 'port': 1}))
    assert any(c['field'] == 'spec' for c in error['details']['causes'])
    assert kube.create(namespace, 'connectors', cr('Connector', 'ok', {'routingKey': 'k', 'port': 1,
                                                                       'host': 'h'}))['spec']['host'] == 'h'


def test_kind_is_required_for_custom_resources(kube, namespace):
    status, body, _unused = kube.request('POST', f'/apis/{API_VERSION}/namespaces/{namespace}/listeners',
                                         {'apiVersion': API_VERSION, 'metadata': {'name': 'x'}, 'spec': {}})
    assert (status, body['reason']) == (400, 'BadRequest')


def test_namespace_mismatch_is_bad_request(kube, namespace):
    error = failure(kube.create, namespace, 'listeners', listener('db', namespace='elsewhere'))
    assert (error['code'], error['reason']) == (400, 'BadRequest')


@pytest.mark.reference_crds
def test_duration_format_is_checked(kube, namespace):
    grant = cr('AccessGrant', 'g', {'expirationWindow': 'banana'})
    error = _invalid(kube, namespace, 'accessgrants', grant)
    assert error['details']['causes'] == [{
        'reason': 'FieldValueInvalid', 'field': 'spec.expirationWindow',
        'message': 'Invalid value: "banana": spec.expirationWindow in body must be of type duration: "banana"'}]
    for window in ('15m', '1h30m', '90s'):
        assert kube.create(namespace, 'accessgrants', cr('AccessGrant', 'g-' + window.replace('.', ''),
                                                         {'expirationWindow': window}))


@pytest.mark.reference_crds
def test_date_time_format_is_checked_in_status(kube, namespace):
    created = kube.create(namespace, 'accessgrants', cr('AccessGrant', 'g', {}))
    path = f'/apis/{API_VERSION}/namespaces/{namespace}/accessgrants/g/status'
    status, body, _unused = kube.request('PUT', path, dict(created, status={'expirationTime': 'tomorrow'}))
    assert (status, body['reason']) == (422, 'Invalid')
    assert body['details']['causes'][0]['field'] == 'status.expirationTime'
    assert 'must be of type date-time' in body['details']['causes'][0]['message']
    status, body, _unused = kube.request('PUT', path, dict(created, status={'expirationTime': '2030-01-01T00:10:00Z'}))
    assert status == 200 and body['status']['expirationTime'] == '2030-01-01T00:10:00Z'


@pytest.mark.parametrize('field, value, go_type', [('labels', 1, 'number'), ('annotations', True, 'bool'),
                                                   ('annotations', {'a': 'b'}, 'object')])
def test_label_and_annotation_values_must_be_strings(kube, namespace, field, value, go_type):
    status, body, _unused = kube.request('POST', f'/apis/{API_VERSION}/namespaces/{namespace}/listeners',
                                         listener('db', **{field: {'x': value}}))
    assert (status, body['reason']) == (400, 'BadRequest')
    assert f'cannot unmarshal {go_type} into Go struct field' in body['message']
    assert f'metadata.{field}' in body['message']
    assert failure(kube.get, namespace, 'listeners', 'db')['code'] == 404


@pytest.mark.parametrize('field, labels, value', [
    ('metadata.labels', {'bad key!': 'v'}, 'bad key!'),
    ('metadata.labels', {'k': 'bad value!'}, 'bad value!'),
    ('metadata.labels', {'k': 'x' * 64}, 'x' * 64),
    ('metadata.labels', {'Not_A.Domain/k': 'v'}, 'Not_A.Domain/k'),
])
def test_label_keys_and_values_are_checked(kube, namespace, field, labels, value):
    error = _invalid(kube, namespace, 'listeners', listener('db', labels=labels))
    assert [(c['reason'], c['field']) for c in error['details']['causes']] == [('FieldValueInvalid', field)]
    assert error['details']['causes'][0]['message'].startswith(f'Invalid value: "{value}": ')


def test_annotation_keys_are_checked(kube, namespace):
    error = _invalid(kube, namespace, 'listeners', listener('db', annotations={'bad key!': 'any value at all'}))
    assert [(c['reason'], c['field']) for c in error['details']['causes']] == [
        ('FieldValueInvalid', 'metadata.annotations')]
    created = kube.create(namespace, 'listeners', listener('db', annotations={'example.com/Any_Key.1': 'x y !'},
                                                           labels={'example.com/app': 'db', 'empty': ''}))
    assert created['metadata']['labels'] == {'example.com/app': 'db', 'empty': ''}
