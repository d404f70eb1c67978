"""The resource model: option names, argument_spec, documents and validation of every rule."""

import re

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.appnet.skupper.plugins.module_utils import model
from ansible_collections.appnet.skupper.plugins.module_utils import platforms as registry
from ansible_collections.appnet.skupper.plugins.module_utils.model.docs import documentation_options

ALL_FIELDS = [(kind, field) for kind in sorted(model.KINDS) for field in model.KINDS[kind].fields]


def _walk(fields, path=''):
    for field in fields:
        yield path + field.name, field
        yield from _walk(field.fields, path + field.name + '.')


# ---------------------------------------------------------------------------------------------
# option naming


@pytest.mark.parametrize('camel,snake', [
    ('linkAccess', 'link_access'), ('routingKey', 'routing_key'), ('tlsCredentials', 'tls_credentials'),
    ('generateTlsCredentials', 'generate_tls_credentials'), ('subjectAlternativeNames', 'subject_alternative_names'),
    ('includeNotReadyPods', 'include_not_ready_pods'), ('port', 'port'), ('ha', 'ha'), ('linkCost', 'link_cost'),
])
def test_snake(camel, snake):
    assert model.snake(camel) == snake


@pytest.mark.parametrize('kind,field', ALL_FIELDS, ids=['%s.%s' % (k, f.name) for k, f in ALL_FIELDS])
def test_every_field_option_is_the_snake_case_of_its_name(kind, field):
    for path, item in _walk([field]):
        assert re.match(r'^[a-z][a-z0-9_]*$', item.option), path
        assert item.option == model.snake(item.name)
        # camelCase round trip: the option names the same field
        camel = re.sub(r'_([a-z0-9])', lambda m: m.group(1).upper(), item.option)
        assert camel == item.name, path


def test_option_names_are_unique_within_a_kind():
    for kind in model.KINDS.values():
        options = [f.option for f in kind.fields]
        assert len(options) == len(set(options)), kind.kind


def test_module_kinds():
    assert dict((m, k.kind) for m, k in model.MODULE_KINDS.items()) == {
        'site': 'Site', 'link': 'Link', 'listener': 'Listener', 'connector': 'Connector',
        'access_grant': 'AccessGrant', 'access_token': 'AccessToken', 'router_access': 'RouterAccess',
        'attached_connector': 'AttachedConnector', 'attached_connector_binding': 'AttachedConnectorBinding'}


def test_get_kind_refuses_unknown_kinds():
    with pytest.raises(KeyError, match="unknown kind 'Sight'"):
        model.get_kind('Sight')


# ---------------------------------------------------------------------------------------------
# argument_spec


@pytest.mark.parametrize('kind', sorted(model.KINDS))
def test_argument_spec_has_one_option_per_field(kind):
    spec = model.argument_spec(kind)
    assert sorted(spec) == sorted(f.option for f in model.KINDS[kind].fields)


def _sample(field):
    """A valid option value of a field, by its model type."""
    if field.type == 'list':
        return [_sample_options(field.fields)] if field.elements == 'object' else ['a']
    if field.type == 'object':
        return _sample_options(field.fields)
    if field.type == 'map':
        return {'a': 1 if field.value_type == 'int' else 'value-of-' + field.option}
    if field.choices:
        return field.choices[-1]
    return {'str': 'value-of-' + field.option, 'int': 7, 'bool': True}[field.type]


def _sample_options(fields):
    return dict((f.option, _sample(f)) for f in fields)


def _validate(kind, params):
    return ArgumentSpecValidator(model.argument_spec(kind)).validate(params)


@pytest.mark.parametrize('kind', sorted(model.KINDS))
def test_argument_spec_takes_every_field_with_a_value_of_its_type(kind):
    """What AnsibleModule does with the argument_spec: every field's option is known and keeps its value."""
    params = _sample_options(model.KINDS[kind].fields)
    result = _validate(kind, params)
    assert result.error_messages == []
    assert result.validated_parameters == params


@pytest.mark.parametrize('kind', sorted(model.KINDS))
def test_argument_spec_injects_no_defaults(kind):
    """Skupper's defaults are documented, never sent: an option left out stays unset (None)."""
    result = _validate(kind, {})
    assert result.error_messages == []
    assert set(result.validated_parameters.values()) == {None}


@pytest.mark.parametrize('kind,option,value', [
    (kind, field.option, value) for kind in sorted(model.KINDS) for field in model.KINDS[kind].fields
    for value in {'int': ['eighty'], 'bool': ['maybe'], 'map': [5]}.get(field.type, [])])
def test_argument_spec_refuses_a_value_of_another_type(kind, option, value):
    errors = _validate(kind, {option: value}).error_messages
    assert len(errors) == 1 and option in errors[0]


@pytest.mark.parametrize('kind,option', [(kind, field.option) for kind in sorted(model.KINDS)
                                         for field in model.KINDS[kind].fields if field.choices])
def test_argument_spec_refuses_a_value_that_is_not_a_choice(kind, option):
    errors = _validate(kind, {option: 'not-a-choice'}).error_messages
    assert len(errors) == 1 and 'must be one of' in errors[0], errors


def test_argument_spec_requires_required_fields_inside_lists():
    """Inside a list of objects the required fields are required; at the top level required_if does it."""
    errors = _validate('Link', {'endpoints': [{'name': 'edge', 'port': 1}]}).error_messages
    assert errors == ['missing required arguments: host found in endpoints']
    assert _validate('Link', {'cost': 1}).error_messages == []


@pytest.mark.parametrize('kind', sorted(model.KINDS))
def test_secret_values_and_only_those_are_no_log(kind):
    params = _sample_options(model.KINDS[kind].fields)
    hidden = _validate(kind, params)._no_log_values
    for field in model.KINDS[kind].fields:
        if field.type in ('str', 'map') and not field.choices:
            value = params[field.option]
            values = set(value.values()) if isinstance(value, dict) else {value}
            assert (values <= hidden) is field.secret, field.option
        else:
            assert not field.secret, field.option


def test_argument_spec_examples():
    link = model.argument_spec('Link')
    assert link['endpoints'] == {'type': 'list', 'elements': 'dict', 'options': {
        'name': {'type': 'str', 'choices': ['inter-router', 'edge'], 'required': True},
        'host': {'type': 'str', 'required': True},
        'port': {'type': 'raw', 'required': True},
        'group': {'type': 'str'}}}
    assert link['cost'] == {'type': 'int'}
    assert link['settings'] == {'type': 'dict'}
    assert model.argument_spec('Listener')['observer'] == {'type': 'str', 'choices': ['auto', 'none', 'http1', 'http2']}
    assert model.argument_spec('RouterAccess')['subject_alternative_names'] == {'type': 'list', 'elements': 'str'}
    # Not a secret although its name says key: no_log stated explicitly (ansible-test asks for it).
    assert model.argument_spec('Listener')['routing_key'] == {'type': 'str', 'no_log': False}


@pytest.mark.parametrize('kind,option', [('AccessToken', 'code'), ('AccessGrant', 'code'), ('Secret', 'data'),
                                         ('Secret', 'string_data')])
def test_secret_fields_are_no_log(kind, option):
    assert model.argument_spec(kind)[option]['no_log'] is True


def test_no_other_field_is_no_log():
    secret = set((k, f) for k, f in [('AccessToken', 'code'), ('AccessGrant', 'code'), ('Secret', 'data'),
                                     ('Secret', 'string_data')])
    for kind in model.KINDS:
        for option, arg in model.argument_spec(kind).items():
            if (kind, option) not in secret:
                assert not arg.get('no_log', False), (kind, option)


def test_required_if_lists_the_required_top_level_fields():
    assert model.required_if('Listener') == [('state', 'present', ['routing_key', 'host', 'port'])]
    assert model.required_if('Link') == [('state', 'present', ['endpoints'])]
    # tls_credentials is required on every platform, as the CRD requires it
    assert model.required_if('RouterAccess') == [('state', 'present', ['roles', 'tls_credentials'])]
    assert model.required_if('AccessToken') == [('state', 'present', ['url', 'code', 'ca'])]
    assert model.required_if('Site') == []


# ---------------------------------------------------------------------------------------------
# build_document


def _all_none(kind, **values):
    """Parameters as AnsibleModule passes them: every option present, unset ones as None."""
    params = dict((f.option, None) for f in model.get_kind(kind).fields)
    params.update({'namespace': 'default', 'labels': None, 'annotations': None})
    params.update(values)
    return params


def test_build_document_listener_camel_case_and_omitted_options_absent():
    doc = model.build_document('Listener', _all_none('Listener', name='backend', namespace='east', routing_key='be',
                                                     host='0.0.0.0', port=8080, observer='none'))
    assert doc == {'apiVersion': 'skupper.io/v2alpha1', 'kind': 'Listener',
                   'metadata': {'name': 'backend', 'namespace': 'east'},
                   'spec': {'routingKey': 'be', 'host': '0.0.0.0', 'port': 8080, 'observer': 'none'}}


def test_build_document_keeps_false_and_zero():
    doc = model.build_document('Site', _all_none('Site', name='west', edge=False, ha=False))
    assert doc['spec'] == {'edge': False, 'ha': False}


def test_link_endpoint_ports_of_module_options_are_written_as_strings():
    endpoints = [{'name': 'inter-router', 'host': 'west.example.com', 'port': 55671, 'group': None},
                 {'name': 'edge', 'host': '10.0.0.1', 'port': '45671', 'group': 'g1'}]
    doc = model.normalize_document(model.build_document('Link', _all_none(
        'Link', name='to-west', endpoints=endpoints, tls_credentials='to-west', cost=2)))
    assert doc['spec'] == {'endpoints': [{'name': 'inter-router', 'host': 'west.example.com', 'port': '55671'},
                                         {'name': 'edge', 'host': '10.0.0.1', 'port': '45671', 'group': 'g1'}],
                           'tlsCredentials': 'to-west', 'cost': 2}


def test_build_document_nested_options_become_camel_case():
    doc = model.build_document('RouterAccess', _all_none(
        'RouterAccess', name='ra', roles=[{'name': 'inter-router', 'port': 55671}, {'name': 'edge', 'port': None}],
        tls_credentials='ra', generate_tls_credentials=True, bind_host='0.0.0.0',
        subject_alternative_names=['a.example.com', '10.0.0.1']))
    assert doc['spec'] == {'roles': [{'name': 'inter-router', 'port': 55671}, {'name': 'edge'}],
                           'tlsCredentials': 'ra', 'generateTlsCredentials': True, 'bindHost': '0.0.0.0',
                           'subjectAlternativeNames': ['a.example.com', '10.0.0.1']}


def test_build_document_labels_and_annotations():
    doc = model.build_document('Site', _all_none('Site', name='west', labels={'app': 'x'},
                                                 annotations={'note': 'hello world'}))
    assert doc['metadata'] == {'name': 'west', 'namespace': 'default', 'labels': {'app': 'x'},
                               'annotations': {'note': 'hello world'}}
    assert doc['spec'] == {}


def test_build_document_without_labels_has_no_labels_key():
    doc = model.build_document('Site', _all_none('Site', name='west', labels={}, annotations=None))
    assert 'labels' not in doc['metadata'] and 'annotations' not in doc['metadata']


def test_build_document_default_namespace():
    doc = model.build_document('Site', _all_none('Site', name='west', namespace=None))
    assert doc['metadata']['namespace'] == 'default'


def test_build_document_secret_fields_at_top_level():
    doc = model.build_document('Secret', _all_none('Secret', name='creds', type='kubernetes.io/tls',
                                                   data={'tls.crt': 'QUJD'}))
    assert doc == {'apiVersion': 'v1', 'kind': 'Secret', 'metadata': {'name': 'creds', 'namespace': 'default'},
                   'type': 'kubernetes.io/tls', 'data': {'tls.crt': 'QUJD'}}


def test_build_document_does_not_inject_skupper_defaults():
    doc = model.build_document('Connector', _all_none('Connector', name='c', routing_key='k', host='h', port=1))
    assert doc['spec'] == {'routingKey': 'k', 'host': 'h', 'port': 1}


# ---------------------------------------------------------------------------------------------
# validate_spec / validate_document, one test per rule


VALID = {
    'Site': {'linkAccess': 'default'},
    'Link': {'endpoints': [{'name': 'inter-router', 'host': 'west', 'port': '55671'}], 'tlsCredentials': 'west'},
    'Listener': {'routingKey': 'be', 'host': 'backend', 'port': 8080},
    'Connector': {'routingKey': 'be', 'host': '127.0.0.1', 'port': 9090},
    'RouterAccess': {'roles': [{'name': 'inter-router', 'port': 55671}], 'tlsCredentials': 'ra'},
    'AccessToken': {'url': 'https://x:1/', 'code': 'c', 'ca': 'pem'},
}


def doc(kind, spec=None, name='x', api='skupper.io/v2alpha1', **metadata):
    metadata = dict(metadata, name=name)
    return {'apiVersion': api, 'kind': kind, 'metadata': metadata,
            'spec': dict(VALID.get(kind, {})) if spec is None else spec}


@pytest.mark.parametrize('kind', sorted(VALID))
@pytest.mark.parametrize('platform', [None, 'kubernetes', 'linux'])
def test_valid_documents_have_no_errors(kind, platform):
    assert model.validate_document(doc(kind), platform) == []


@pytest.mark.parametrize('name', ['West', 'a_b', '-a', 'a' * 64, ''])
def test_invalid_name(name):
    errors = model.validate_document(doc('Site', name=name))
    assert len(errors) == 1 and errors[0].startswith('metadata.name: %r ' % name)


def test_name_of_63_characters_is_valid():
    assert model.validate_document(doc('Site', name='a' * 63)) == []


def test_name_of_64_characters_names_the_limit():
    errors = model.validate_document(doc('Site', name='a' * 64))
    assert errors == ["metadata.name: %r must be no more than 63 characters (got 64)" % ('a' * 64)]


def test_invalid_namespace():
    errors = model.validate_document(doc('Site', namespace='East'))
    assert len(errors) == 1 and errors[0].startswith("metadata.namespace: 'East' ")


def test_invalid_labels_and_annotations():
    errors = model.validate_document(doc('Site', labels={'a b': 'x'}, annotations={'k': 5}))
    assert errors == ["metadata.labels: has an invalid key 'a b'",
                      'metadata.annotations: must be a mapping of strings to strings']


@pytest.mark.parametrize('port', [0, 65536, -1, 70000])
def test_port_outside_range(port):
    errors = model.validate_spec('Listener', dict(VALID['Listener'], port=port))
    assert errors == ['spec.port: %r must be a port number between 1 and 65535' % port]


@pytest.mark.parametrize('port', [1, 65535])
def test_port_bounds_are_valid(port):
    assert model.validate_spec('Listener', dict(VALID['Listener'], port=port)) == []


def test_link_endpoint_port_outside_range_and_not_a_number():
    spec = {'endpoints': [{'name': 'edge', 'host': 'h', 'port': '0'}, {'name': 'edge', 'host': 'h', 'port': 'x'}]}
    assert model.validate_spec('Link', spec) == ["spec.endpoints[0].port: '0' must be a port number between 1 and 65535",
                                                 "spec.endpoints[1].port: 'x' must be a port number"]


def test_link_endpoint_port_may_be_given_as_an_integer():
    assert model.validate_spec('Link', {'endpoints': [{'name': 'edge', 'host': 'h', 'port': 45671}]}) == []


def test_role_port_out_of_range_in_option_style():
    errors = model.validate_spec('RouterAccess', {'roles': [{'name': 'edge', 'port': 99999}], 'tlsCredentials': 'r'},
                                 style='option')
    assert errors == ['roles[0].port: 99999 must be a port number between 1 and 65535']


@pytest.mark.parametrize('kind,field,value,words', [
    ('Listener', 'port', '8080', "spec.port: expected an integer, got '8080'"),
    ('Listener', 'port', True, 'spec.port: expected an integer, got True'),
    ('Site', 'edge', 'yes', "spec.edge: expected a boolean, got 'yes'"),
    ('Listener', 'routingKey', 5, 'spec.routingKey: expected a string, got 5'),
    ('Link', 'endpoints', 'h:1', "spec.endpoints: expected a list of mappings, got 'h:1'"),
    ('RouterAccess', 'subjectAlternativeNames', 'a', "spec.subjectAlternativeNames: expected a list of strings, got 'a'"),
    ('Site', 'settings', ['a'], "spec.settings: expected a mapping of strings, got ['a']"),
])
def test_wrong_type(kind, field, value, words):
    errors = model.validate_spec(kind, dict(VALID[kind], **{field: value}))
    assert errors == [words]


def test_wrong_element_types():
    assert model.validate_spec('RouterAccess', dict(VALID['RouterAccess'], subjectAlternativeNames=['a', 5])) == [
        'spec.subjectAlternativeNames[1]: expected a string, got 5']
    assert model.validate_spec('Link', {'endpoints': ['h:1']}) == ["spec.endpoints[0]: expected a mapping, got 'h:1'"]
    assert model.validate_spec('Site', {'settings': {'a': 1}}) == [
        "spec.settings: entry 'a' must map a string to a string"]


@pytest.mark.parametrize('kind,spec,error', [
    ('Listener', dict(VALID['Listener'], observer='http3'),
     "spec.observer: 'http3' is not one of auto, none, http1, http2"),
    ('RouterAccess', {'roles': [{'name': 'normal'}], 'tlsCredentials': 'r'},
     "spec.roles[0].name: 'normal' is not one of inter-router, edge"),
    ('Link', {'endpoints': [{'name': 'edges', 'host': 'h', 'port': '1'}]},
     "spec.endpoints[0].name: 'edges' is not one of inter-router, edge"),
])
def test_unknown_choice(kind, spec, error):
    assert model.validate_spec(kind, spec) == [error]


@pytest.mark.parametrize('kind,missing', [('Listener', 'routingKey'), ('Listener', 'host'), ('Listener', 'port'),
                                          ('Link', 'endpoints'), ('AccessToken', 'code'), ('RouterAccess', 'roles')])
def test_missing_required_field(kind, missing):
    spec = dict(VALID[kind])
    del spec[missing]
    assert model.validate_spec(kind, spec) == ['spec.%s: required field is missing' % missing]


def test_missing_required_field_inside_a_list_in_option_style():
    errors = model.validate_spec('Link', {'endpoints': [{'name': 'edge', 'port': '1'}]}, style='option')
    assert errors == ['endpoints[0].host: required field is missing']


def test_missing_required_field_option_style_names_the_option():
    errors = model.validate_spec('Listener', {'host': 'h', 'port': 1}, style='option')
    assert errors == ['routing_key: required field is missing']


def test_connector_selector_and_host_both_refused_on_kubernetes():
    spec = dict(VALID['Connector'], selector='app=be')
    assert model.validate_spec('Connector', spec, 'kubernetes', style='option') == [
        'selector and host: set only one of them, not both']
    assert model.validate_spec('Connector', spec, 'kubernetes') == [
        'spec.selector and spec.host: set only one of them, not both']


def test_connector_neither_selector_nor_host_refused_on_kubernetes():
    spec = {'routingKey': 'be', 'port': 1}
    assert model.validate_spec('Connector', spec, 'kubernetes', style='option') == [
        'selector or host: exactly one of them is required on Kubernetes']


@pytest.mark.parametrize('which', ['selector', 'host'])
def test_connector_either_selector_or_host_on_kubernetes(which):
    spec = {'routingKey': 'be', 'port': 1, which: 'app' if which == 'host' else 'app=be'}
    assert model.validate_spec('Connector', spec, 'kubernetes') == []


def test_connector_host_required_on_linux():
    assert model.validate_spec('Connector', {'routingKey': 'be', 'port': 1}, 'linux', style='option') == [
        'host: required on Linux']


@pytest.mark.parametrize('kind,spec,option,platforms', [
    ('Connector', dict(VALID['Connector'], selector='app=be'), 'selector', 'Kubernetes'),
    ('Connector', dict(VALID['Connector'], includeNotReadyPods=True), 'include_not_ready_pods', 'Kubernetes'),
    ('Listener', dict(VALID['Listener'], exposePodsByName=True), 'expose_pods_by_name', 'Kubernetes'),
    ('Site', {'defaultIssuer': 'ca'}, 'default_issuer', 'Kubernetes'),
    ('Site', {'serviceAccount': 'sa'}, 'service_account', 'Kubernetes'),
    ('RouterAccess', dict(VALID['RouterAccess'], accessType='route'), 'access_type', 'Kubernetes'),
])
@pytest.mark.parametrize('platform', ['linux', 'podman', 'docker'])
def test_platform_only_fields_are_refused_on_system_platforms(kind, spec, option, platforms, platform):
    errors = model.validate_spec(kind, spec, platform, style='option')
    title = registry.TITLES[platform]
    assert errors == ['%s: is only used on %s, not on %s' % (option, platforms, title)]
    # and accepted on Kubernetes (the Connector pair rule aside)
    if kind != 'Connector' or option != 'selector':
        assert model.validate_spec(kind, spec, 'kubernetes') == []


def test_platform_only_field_in_spec_style_names_the_path():
    errors = model.validate_document(doc('Site', {'defaultIssuer': 'ca'}), 'linux')
    assert errors == ['spec.defaultIssuer: is only used on Kubernetes, not on Linux']


@pytest.mark.parametrize('kind,instead', [('AccessGrant', 'appnet.skupper.static_link'),
                                          ('AttachedConnector', 'appnet.skupper.connector'),
                                          ('AttachedConnectorBinding', 'appnet.skupper.connector')])
def test_kinds_refused_on_linux_say_what_to_use_instead(kind, instead):
    spec = {'AttachedConnector': {'siteNamespace': 'w', 'port': 1, 'selector': 'a=b'},
            'AttachedConnectorBinding': {'connectorNamespace': 'w', 'routingKey': 'k'}}.get(kind, {})
    assert model.validate_document(doc(kind, spec), 'kubernetes') == []
    errors = model.validate_document(doc(kind, spec), 'linux')
    assert len(errors) == 1
    assert errors[0].startswith('%s: not supported on Linux: ' % kind)
    assert instead in errors[0]
    assert not model.get_kind(kind).supported_on('linux')


def test_edge_with_ha_is_refused_everywhere():
    for platform in (None, 'kubernetes', 'linux'):
        assert model.validate_spec('Site', {'edge': True, 'ha': True}, platform, style='option') == [
            'edge and ha: an edge site cannot have HA enabled']
    assert model.validate_spec('Site', {'edge': True, 'ha': False}, 'linux') == []


@pytest.mark.parametrize('link_access,errors', [
    ('default', []),
    ('route', ["link_access: 'route' is not one of none, default on Linux ('route' is for Kubernetes only)"]),
])
def test_edge_with_link_access_is_refused_on_linux(link_access, errors):
    spec = {'edge': True, 'linkAccess': link_access}
    assert model.validate_spec('Site', spec, 'linux', style='option') == errors + [
        'edge and link_access: an edge site cannot accept links, so it cannot have link access']
    assert model.validate_spec('Site', spec, 'kubernetes') == []


def test_edge_with_no_link_access_is_valid_on_linux():
    assert model.validate_spec('Site', {'edge': True, 'linkAccess': 'none'}, 'linux') == []


def test_empty_link_access_is_not_a_choice():
    """Skupper reads '' as none; the modules refuse it like any value that is not a choice (say none)."""
    for platform in ('linux', 'kubernetes'):
        assert model.validate_spec('Site', {'linkAccess': ''}, platform, style='option')[0].startswith(
            "link_access: '' is not one of none, default")


@pytest.mark.parametrize('value', ['none', 'default', 'route', 'loadbalancer', 'nodeport', 'ingress-nginx'])
def test_kubernetes_accepts_every_documented_link_access(value):
    assert model.validate_spec('Site', {'linkAccess': value}, 'kubernetes') == []


@pytest.mark.parametrize('kind,spec,error', [
    ('Site', {'linkAccess': 'loadbalancer'},
     "spec.linkAccess: 'loadbalancer' is not one of none, default on Linux ('loadbalancer' is for Kubernetes only)"),
    ('Site', {'linkAccess': 'bogus-value'}, "spec.linkAccess: 'bogus-value' is not one of none, default on Linux"),
])
def test_choices_only_kubernetes_can_use_are_refused_on_linux(kind, spec, error):
    assert model.validate_spec(kind, spec, 'linux') == [error]


@pytest.mark.parametrize('platform', ['kubernetes', 'linux'])
@pytest.mark.parametrize('kind', ['Listener', 'Connector'])
def test_tcp_is_the_one_protocol_type_on_every_platform_as_skupper_says(kind, platform):
    assert model.validate_spec(kind, dict(VALID[kind], type='tcp'), platform) == []
    assert model.validate_spec(kind, dict(VALID[kind], type='udp'), platform) == ["spec.type: 'udp' is not one of tcp"]


def test_kubernetes_refuses_a_link_access_that_is_no_access_type():
    assert model.validate_spec('Site', {'linkAccess': 'bogus-value'}, 'kubernetes') == [
        "spec.linkAccess: 'bogus-value' is not one of none, default, %s" % ', '.join(model.ACCESS_TYPES)]


def test_unknown_fields():
    errors = model.validate_spec('Listener', dict(VALID['Listener'], prot=1))
    assert len(errors) == 1 and errors[0].startswith('spec.prot: unsupported field (supported: ')
    assert 'routingKey' in errors[0]
    errors = model.validate_spec('Link', {'endpoints': [{'name': 'edge', 'host': 'h', 'port': '1', 'hots': 'x'}]})
    assert len(errors) == 1 and errors[0].startswith('spec.endpoints[0].hots: unsupported field (supported: group, host, name, port)')


def test_unknown_kind_and_wrong_api_version():
    assert model.validate_document(doc('Sight')) == [
        "kind: 'Sight' is not a Skupper kind (known: %s)" % ', '.join(sorted(model.KINDS))]
    assert model.validate_document(doc('Site', api='skupper.io/v1alpha1')) == [
        "apiVersion: Site needs 'skupper.io/v2alpha1', got 'skupper.io/v1alpha1'"]
    assert model.validate_document(['x']) == ["document: expected a mapping, got a list"]


def test_spec_not_a_mapping():
    assert model.validate_document(doc('Site', spec='edge')) == ["spec: expected a mapping, got 'edge'"]


def test_invalid_host_duration_and_reference_names():
    assert model.validate_spec('Listener', dict(VALID['Listener'], host='Back_End')) == [
        "spec.host: 'Back_End' must be an IP address or a lower-case host name (letters, digits, \"-\" and \".\")"]
    errors = model.validate_spec('AccessGrant', {'expirationWindow': '15 minutes'})
    assert errors == ['spec.expirationWindow: \'15 minutes\' must be a duration such as "15m", "1h30m" or "90s"']
    errors = model.validate_spec('Link', dict(VALID['Link'], tlsCredentials='My_Creds'))
    assert len(errors) == 1 and errors[0].startswith("spec.tlsCredentials: 'My_Creds' must be a lowercase RFC 1123")


def test_several_errors_are_all_reported():
    errors = model.validate_spec('Listener', {'host': 'Bad Host', 'port': 0, 'observer': 'x'}, style='option')
    assert len(errors) == 4
    assert errors[0] == 'routing_key: required field is missing'


def test_multikeylistener_strategy_exactly_one():
    base = {'host': 'h', 'port': 1}
    both = dict(base, strategy={'priority': {'routingKeys': ['a']}, 'weighted': {'routingKeys': {'a': 1}}})
    neither = dict(base, strategy={})
    assert model.validate_spec('MultiKeyListener', both) == [
        'spec.strategy.priority and spec.strategy.weighted: set only one of them, not both']
    assert model.validate_spec('MultiKeyListener', neither) == [
        'spec.strategy.priority or spec.strategy.weighted: exactly one of them is required']
    assert model.validate_spec('MultiKeyListener', dict(base, strategy={'weighted': {'routingKeys': {'a': 2}}})) == []
    assert model.validate_spec('MultiKeyListener', dict(base, strategy={'weighted': {'routingKeys': {'a': 'x'}}})) == [
        "spec.strategy.weighted.routingKeys: entry 'a' must map a string to an integer"]


def test_secret_documents():
    secret = {'apiVersion': 'v1', 'kind': 'Secret', 'metadata': {'name': 's'}, 'type': 'kubernetes.io/tls',
              'data': {'tls.crt': 'QQ=='}}
    assert model.validate_document(secret, 'linux') == []
    assert model.validate_document(dict(secret, data={'tls.crt': 5})) == [
        "data: entry 'tls.crt' must map a string to a string"]
    assert model.validate_document(dict(secret, apiVersion='skupper.io/v2alpha1'))[0].startswith(
        "apiVersion: Secret needs 'v1'")


# ---------------------------------------------------------------------------------------------
# documentation_options


def test_documentation_options_mark_required_and_platforms():
    options = documentation_options('Connector')
    assert 'Required when I(state=present).' in options['routing_key']['description']
    assert 'Only on Kubernetes; refused on other platforms.' in options['selector']['description']
    assert 'Spec field C(routingKey).' in options['routing_key']['description']
    assert 'When omitted, Skupper uses C(false).' in options['use_client_cert']['description']
    assert 'required' not in options['routing_key']
    link = documentation_options('Link')
    assert link['endpoints']['suboptions']['host']['required'] is True
    assert 'required' not in link['endpoints']['suboptions']['group']


def test_router_access_credentials_required_on_every_platform():
    """The CRD requires tlsCredentials; the modules ask for it everywhere."""
    spec = {'roles': [{'name': 'inter-router', 'port': 55671}]}
    for platform in registry.NAMES:
        assert model.validate_spec('RouterAccess', spec, platform, style='option') == [
            'tls_credentials: required field is missing']
    assert model.validate_spec('RouterAccess', dict(spec, tlsCredentials='ra'), 'linux') == []


@pytest.mark.parametrize('platform,roles,error', [
    ('linux', [{'name': 'inter-router', 'port': 9}, {'name': 'edge', 'port': 9}],
     'spec.roles[0] and spec.roles[1]: both have port 9; each needs its own port'),
    ('kubernetes', [{'name': 'inter-router', 'port': 9}, {'name': 'edge', 'port': 9}],
     'spec.roles[0] and spec.roles[1]: both have port 9; each needs its own port'),
    ('linux', [{'name': 'edge'}, {'name': 'inter-router', 'port': 45671}],
     'spec.roles[0] and spec.roles[1]: both have port 45671 (a default where none is given); each needs its own port'),
    ('linux', [{'name': 'edge', 'port': 1}, {'name': 'edge', 'port': 2}],
     "spec.roles[0] and spec.roles[1]: both have name 'edge'; each needs its own name"),
])
def test_router_access_roles_are_distinct(platform, roles, error):
    assert model.validate_spec('RouterAccess', {'tlsCredentials': 'ra', 'roles': roles}, platform) == [error]


def test_default_role_ports_count_only_where_they_apply():
    roles = [{'name': 'edge'}, {'name': 'inter-router', 'port': 45671}]
    assert model.validate_spec('RouterAccess', {'tlsCredentials': 'ra', 'roles': roles}, 'kubernetes') == []


# ---------------------------------------------------------------------------------------------
# empty strings, minimums, kinds refused on Linux, normalisation, secrets


@pytest.mark.parametrize('kind,field', [('Listener', 'routingKey'), ('Listener', 'host'), ('Link', 'endpoints'),
                                        ('AccessToken', 'code'), ('Connector', 'routingKey')])
def test_a_required_field_given_as_an_empty_string_is_missing(kind, field):
    spec = dict(VALID[kind], **{field: ''})
    assert model.validate_spec(kind, spec, 'linux') == ['spec.%s: required field is empty' % field]


@pytest.mark.parametrize('kind,spec,error', [
    ('Listener', dict(VALID['Listener'], tlsCredentials=''), "tls_credentials: '' must be a non-empty string"),
    ('Connector', {'routingKey': 'be', 'port': 1, 'host': ''}, 'host: required on Linux, but empty'),
    ('RouterAccess', {'roles': [{'name': 'edge'}], 'bindHost': '', 'tlsCredentials': 'ra'},
     "bind_host: '' must be a non-empty host name or IP address"),
    ('Link', {'endpoints': [{'name': 'edge', 'host': '', 'port': '1'}]}, 'endpoints[0].host: required field is empty'),
])
def test_empty_strings_get_every_check(kind, spec, error):
    assert model.validate_spec(kind, spec, 'linux', style='option') == [error]


@pytest.mark.parametrize('key', ['name', 'namespace'])
def test_empty_name_or_namespace_is_refused(key):
    errors = model.validate_document(doc('Site', **{key: ''}) if key == 'namespace' else doc('Site', name=''),
                                     'linux', style='option')
    assert errors == ["%s: '' must be a non-empty string" % key]


@pytest.mark.parametrize('kind,spec,option', [
    ('Link', dict(VALID['Link'], cost=0), 'cost'), ('Link', dict(VALID['Link'], cost=-3), 'cost'),
    ('AccessToken', dict(VALID['AccessToken'], linkCost=0), 'link_cost'),
    ('AccessGrant', {'redemptionsAllowed': -5}, 'redemptions_allowed'),
])
def test_minimums(kind, spec, option):
    value = spec[model.get_kind(kind).field(option).name]
    assert model.validate_spec(kind, spec, 'kubernetes', style='option') == ['%s: %d must be at least 1' % (option, value)]


def test_minimum_is_valid():
    assert model.validate_spec('Link', dict(VALID['Link'], cost=1)) == []
    assert model.validate_spec('AccessGrant', {'redemptionsAllowed': 1}) == []
    assert model.validate_spec('MultiKeyListener', {'host': 'h', 'port': 1, 'strategy': {'priority': {
        'routingKeys': []}}}) == ["spec.strategy.priority.routingKeys: [] must have at least 1 entry"]


def test_annotations_and_labels_of_module_options_are_checked():
    params = _all_none('Site', name='west', annotations={'a': 1, 'b': {'c': 'd'}})
    assert model.validate_document(model.build_document('Site', params), 'linux', style='option') == [
        'annotations: must be a mapping of strings to strings']
    params = _all_none('Site', name='west', labels={'a b': 'x'})
    assert model.validate_document(model.build_document('Site', params), 'linux', style='option') == [
        "labels: has an invalid key 'a b'"]


def test_every_kind_refused_on_linux_says_why_and_what_instead():
    refused = [k for k in model.KINDS.values() if not all(k.supported_on(p) for p in registry.SYSTEM)]
    assert sorted(k.kind for k in refused) == ['AccessGrant', 'AttachedConnector', 'AttachedConnectorBinding',
                                               'SecuredAccess']
    for kind in refused:
        assert kind.not_on_system and 'appnet.skupper.' in kind.not_on_system, kind.kind
        errors = model.validate_document({'apiVersion': kind.api_version, 'kind': kind.kind,
                                          'metadata': {'name': 'x'}}, 'linux')
        assert errors == ['%s: not supported on Linux: %s' % (kind.kind, kind.not_on_system)]
        assert 'None' not in errors[0]


def test_normalisation_of_a_document_as_given_to_the_resource_module():
    link = doc('Link', {'endpoints': [{'name': 'edge', 'host': 'h', 'port': 45671}], 'cost': 2})
    assert model.validate_document(link, 'linux') == []
    normal = model.normalize_document(link)
    assert normal['spec'] == {'endpoints': [{'name': 'edge', 'host': 'h', 'port': '45671'}], 'cost': 2}
    assert link['spec']['endpoints'][0]['port'] == 45671  # the given document is not changed
    assert model.normalize_document(normal) == normal


def test_normalisation_encodes_string_data():
    secret = {'apiVersion': 'v1', 'kind': 'Secret', 'metadata': {'name': 's'}, 'data': {'ca.crt': 'Q0E='},
              'stringData': {'tls.key': 'KEY\n', 'ca.crt': 'CA2'}}
    assert model.normalize_document(secret) == {'apiVersion': 'v1', 'kind': 'Secret', 'metadata': {'name': 's'},
                                                'data': {'ca.crt': 'Q0Ey', 'tls.key': 'S0VZCg=='}}


def test_a_typed_module_and_a_document_give_the_same_written_document():
    endpoints = [{'name': 'inter-router', 'host': 'west', 'port': 55671, 'group': None}]
    typed, errors = model.prepare_document(model.build_document('Link', _all_none(
        'Link', name='to-west', namespace='east', endpoints=endpoints, cost=2)), 'linux', style='option')
    assert errors == []
    given, errors = model.prepare_document(doc('Link', {'endpoints': [
        {'name': 'inter-router', 'host': 'west', 'port': 55671}], 'cost': 2}, name='to-west', namespace='east'), 'linux')
    assert errors == [] and typed == given


def test_secret_paths_come_from_the_secret_fields():
    assert dict((k, model.KINDS[k].secret_paths()) for k in model.KINDS if model.KINDS[k].secret_paths()) == {
        'Secret': [('data',), ('stringData',)], 'AccessToken': [('spec', 'code')],
        'AccessGrant': [('spec', 'code'), ('status', 'code')]}
    assert [k for k in sorted(model.KINDS) if model.KINDS[k].holds_secrets] == ['AccessGrant', 'AccessToken', 'Secret']
