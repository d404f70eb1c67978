"""The resource model against the Skupper CRDs: every spec field, type, required-ness, enum, minimum, one-of
rule, kind and plural. The CRDs generated from the model (tests/support/crds.py, what the kube API stand-in
serves when the reference is absent) are compared with the reference too.
"""

import os
import re

import pytest
import yaml

from tests.support.crds import crd_documents
from tests.support.reference import absent_reason, reference_path
from ansible_collections.appnet.skupper.plugins.module_utils import model, platforms

CRD_DIR = reference_path('crds')

_SCALARS = {'string': 'str', 'integer': 'int', 'boolean': 'bool'}

# The model requires these although the CRD does not: a Link endpoint without a role, host or port produces
# no router connector (nonkube-runtime.md section 3 lists it as not validated). Reported to the lead.
MODEL_STRICTER_REQUIRED = {
    ('Link', 'endpoints[].name'), ('Link', 'endpoints[].host'), ('Link', 'endpoints[].port'),
}
# Minimums the CRDs do not state: a cost below 1 is what the router turns into 1 anyway (nonkube-runtime.md
# section 5), a grant that cannot be redeemed is useless.
MODEL_STRICTER_MINIMUM = {('Link', 'cost'), ('AccessToken', 'linkCost'), ('AccessGrant', 'redemptionsAllowed')}


def _load_reference():
    if not os.path.isdir(CRD_DIR):
        return {}
    crds = {}
    for name in sorted(os.listdir(CRD_DIR)):
        if name.endswith(('.yaml', '.yml')):
            with open(os.path.join(CRD_DIR, name)) as handle:
                for doc in yaml.safe_load_all(handle):
                    if doc and doc.get('kind') == 'CustomResourceDefinition':
                        crds[doc['spec']['names']['kind']] = doc
    return crds


REFERENCE = _load_reference()


def compare(schema, fields, path='', kind=None):
    """(path, problem) for every difference between an openAPI object schema and model fields."""
    problems = []
    properties = schema.get('properties') or {}
    required = set(schema.get('required') or [])
    by_name = dict((f.name, f) for f in fields)
    for name in sorted(set(properties) - set(by_name)):
        problems.append((path + name, 'in the CRD, not in the model'))
    for name in sorted(set(by_name) - set(properties)):
        problems.append((path + name, 'in the model, not in the CRD'))
    for name in sorted(set(properties) & set(by_name)):
        problems.extend(_compare_field(properties[name], by_name[name], name in required, path + name, kind))
    return problems


def _crd_minimum(prop):
    for key in ('minimum', 'minItems', 'minProperties'):
        if key in prop:
            return prop[key]
    return None


def _compare_constraints(prop, field, path, kind):
    problems = []
    if prop.get('enum') or field.schema_enum:
        if list(prop.get('enum') or []) != list(field.choices or []) or not field.schema_enum:
            problems.append((path, 'enum: CRD %s, model choices %s (schema_enum %s)' % (
                prop.get('enum'), field.choices, field.schema_enum)))
    minimum = _crd_minimum(prop)
    if minimum is not None and minimum != field.minimum:
        problems.append((path, 'minimum: CRD %s, model %s' % (minimum, field.minimum)))
    elif minimum is None and field.minimum is not None and (kind, path) not in MODEL_STRICTER_MINIMUM:
        problems.append((path, 'minimum: CRD none, model %s' % field.minimum))
    return problems


def _compare_field(prop, field, crd_required, path, kind_name=None):
    problems = []
    if crd_required != bool(field.schema_required):
        problems.append((path, 'required: CRD %s, model %s' % (crd_required, field.schema_required)))
    problems.extend(_compare_constraints(prop, field, path, kind_name))
    kind = prop.get('type')
    if kind in _SCALARS:
        if field.type != _SCALARS[kind]:
            problems.append((path, 'type: CRD %s, model %s' % (kind, field.type)))
    elif kind == 'array':
        items = prop.get('items') or {}
        if field.type != 'list':
            problems.append((path, 'type: CRD array, model %s' % field.type))
        elif items.get('type') == 'object':
            if field.elements != 'object':
                problems.append((path, 'items: CRD object, model %s' % field.elements))
            else:
                problems.extend(compare(items, field.fields, path + '[].', kind_name))
        elif _SCALARS.get(items.get('type')) != field.elements:
            problems.append((path, 'items: CRD %s, model %s' % (items.get('type'), field.elements)))
    elif kind == 'object' or (kind is None and ('properties' in prop or 'additionalProperties' in prop)):
        if 'additionalProperties' in prop:
            value_type = _SCALARS.get((prop['additionalProperties'] or {}).get('type'))
            if field.type != 'map' or field.value_type != value_type:
                problems.append((path, 'type: CRD map of %s, model %s of %s' % (value_type, field.type,
                                                                                field.value_type)))
        else:
            if field.type != 'object':
                problems.append((path, 'type: CRD object, model %s' % field.type))
            else:
                problems.extend(compare(prop, field.fields, path + '.', kind_name))
    else:
        problems.append((path, 'CRD type %r not understood' % kind))
    return problems


def spec_schema(crd, version):
    for item in crd['spec']['versions']:
        if item['name'] == version:
            return item['schema']['openAPIV3Schema']['properties']['spec']
    raise AssertionError('%s has no version %s' % (crd['spec']['names']['kind'], version))


def _spec_fields(kind):
    return [f for f in kind.fields if not f.top_level]


# ---------------------------------------------------------------------------------------------
# the reference CRDs

reference = pytest.mark.skipif(not REFERENCE, reason=absent_reason('crds'))
SKUPPER_KINDS = sorted(k for k, v in model.KINDS.items() if v.group == model.GROUP)


@reference
def test_every_crd_kind_is_in_the_model_and_back():
    assert sorted(REFERENCE) == SKUPPER_KINDS


@reference
@pytest.mark.parametrize('kind', SKUPPER_KINDS)
def test_group_plural_version_and_scope(kind):
    crd, spec = REFERENCE[kind], model.KINDS[kind]
    assert crd['spec']['group'] == spec.group == model.GROUP
    assert crd['spec']['names']['plural'] == spec.plural
    assert crd['metadata']['name'] == '%s.%s' % (spec.plural, model.GROUP)
    assert spec.version in [v['name'] for v in crd['spec']['versions']]
    assert crd['spec']['scope'] == 'Namespaced'


def _problems(kind):
    crd, spec = REFERENCE[kind], model.KINDS[kind]
    return compare(spec_schema(crd, spec.version), _spec_fields(spec), kind=kind)


@reference
@pytest.mark.parametrize('kind', SKUPPER_KINDS)
def test_spec_fields_types_and_required_match_the_crd(kind):
    assert _problems(kind) == []


@pytest.mark.parametrize('kind,path', sorted(MODEL_STRICTER_REQUIRED))
def test_modules_require_more_than_the_api_only_where_intended(kind, path):
    """Link endpoints: the modules require name/host/port (the API does not)."""
    field = model.get_kind(kind).field(path.split('[]')[0])
    sub = next(f for f in field.fields if f.name == path.split('.')[-1])
    assert sub.required and not sub.schema_required


def test_fields_required_beyond_the_api_are_listed_or_platform_specific():
    """Link endpoints (listed above), a Connector's host on Linux, Podman and Docker; nothing else."""
    extra = []
    for kind in sorted(model.KINDS.values(), key=lambda k: k.kind):
        for path, field in _walk_fields(_spec_fields(kind)):
            if field.required and not field.schema_required:
                extra.append((kind.kind, path, field.required_on))
    assert sorted(extra) == sorted([('Connector', 'host', platforms.SYSTEM)] + [
        (kind, path, platforms.NAMES) for kind, path in MODEL_STRICTER_REQUIRED])


@reference
def test_nested_structures_are_compared():
    """The comparison walks nested objects: a change inside one is found."""
    link = model.KINDS['Link']
    schema = spec_schema(REFERENCE['Link'], link.version)
    broken = yaml.safe_load(yaml.safe_dump(schema))
    broken['properties']['endpoints']['items']['properties']['port']['type'] = 'integer'
    broken['properties']['endpoints']['items']['properties']['zone'] = {'type': 'string'}
    problems = compare(broken, _spec_fields(link))
    assert ('endpoints[].port', 'type: CRD integer, model str') in problems
    assert ('endpoints[].zone', 'in the CRD, not in the model') in problems
    mkl = model.KINDS['MultiKeyListener']
    schema = yaml.safe_load(yaml.safe_dump(spec_schema(REFERENCE['MultiKeyListener'], mkl.version)))
    schema['properties']['strategy']['properties']['weighted']['properties']['routingKeys']['additionalProperties'] = {
        'type': 'string'}
    assert compare(schema, _spec_fields(mkl)) == [
        ('strategy.weighted.routingKeys', 'type: CRD map of str, model map of int')]


@reference
@pytest.mark.parametrize('kind,path', [
    ('Link', ['endpoints', 'items']),
    ('RouterAccess', ['roles', 'items']),
    ('MultiKeyListener', ['strategy']),
    ('MultiKeyListener', ['strategy', 'priority']),
    ('MultiKeyListener', ['strategy', 'weighted']),
    ('SecuredAccess', ['ports', 'items']),
])
def test_nested_objects_have_the_same_properties(kind, path):
    schema = spec_schema(REFERENCE[kind], model.KINDS[kind].version)
    fields = _spec_fields(model.KINDS[kind])
    for step in path:
        if step == 'items':
            schema = schema['items']
            continue
        schema = schema['properties'][step]
        fields = [f for f in fields if f.name == step][0].fields
    assert sorted(schema['properties']) == sorted(f.name for f in fields)


@reference
def test_crd_enums_are_model_choices_and_back():
    """A CRD enum is the field's choices, marked schema_enum; a schema_enum field has that enum in the CRD."""
    found = []

    def walk(schema, fields, path):
        by_name = dict((f.name, f) for f in fields)
        for name, prop in (schema.get('properties') or {}).items():
            field = by_name.get(name)
            if field is None:
                continue
            if prop.get('enum') or field.schema_enum:
                found.append(path + name)
                assert field.schema_enum and field.choices == list(prop.get('enum') or []), path + name
            if prop.get('type') == 'array' and (prop.get('items') or {}).get('type') == 'object':
                walk(prop['items'], field.fields, path + name + '[].')
            elif prop.get('properties'):
                walk(prop, field.fields, path + name + '.')

    for kind in SKUPPER_KINDS:
        walk(spec_schema(REFERENCE[kind], model.KINDS[kind].version), _spec_fields(model.KINDS[kind]), kind + '.')
    assert sorted(found) == ['Listener.observer', 'MultiKeyListener.observer']


@reference
def test_a_model_enum_the_crd_lacks_is_found():
    listener = model.KINDS['Listener']
    schema = yaml.safe_load(yaml.safe_dump(spec_schema(REFERENCE['Listener'], listener.version)))
    del schema['properties']['observer']['enum']
    assert [p for p in compare(schema, _spec_fields(listener)) if p[0] == 'observer'] == [
        ('observer', "enum: CRD None, model choices ['auto', 'none', 'http1', 'http2'] (schema_enum True)")]


def crd_one_of(schema, path=None, found=None):
    """{path: [names]} of the CRD's exactly-one rules: oneOf of required fields and CEL 'exactly one of' rules."""
    found = {} if found is None else found
    if schema.get('oneOf'):
        names = tuple(name for option in schema['oneOf'] for name in option.get('required', []))
        found.setdefault(path, []).append(names)
    for rule in schema.get('x-kubernetes-validations') or []:
        match = re.match(r'exactly one of the fields in \[([^\]]+)\] must be set', rule.get('message', ''))
        if match:
            found.setdefault(path, []).append(tuple(match.group(1).split()))
    for name, prop in (schema.get('properties') or {}).items():
        if prop.get('type') == 'object' and 'properties' in prop:
            crd_one_of(prop, name if path is None else '%s.%s' % (path, name), found)
    return found


@reference
@pytest.mark.parametrize('kind', SKUPPER_KINDS)
def test_one_of_rules_match_the_crd(kind):
    spec = model.KINDS[kind]
    assert crd_one_of(spec_schema(REFERENCE[kind], spec.version)) == spec.one_of


@reference
def test_the_crd_one_of_rules_are_read():
    """The two kinds with such rules are found (the comparison above is not blind)."""
    assert crd_one_of(spec_schema(REFERENCE['Connector'], 'v2alpha1')) == {None: [('selector', 'host')]}
    assert crd_one_of(spec_schema(REFERENCE['MultiKeyListener'], 'v2alpha1')) == {
        'strategy': [('priority', 'weighted')]}


@reference
def test_model_minimums_the_crd_lacks_are_intended():
    walked = []
    for kind in SKUPPER_KINDS:
        for path, field in _walk_fields(_spec_fields(model.KINDS[kind])):
            if field.minimum is not None:
                walked.append((kind, path))
    problems = [p for kind in SKUPPER_KINDS for p in _problems(kind) if p[1].startswith('minimum')]
    assert problems == []
    assert MODEL_STRICTER_MINIMUM <= set(walked)


def _walk_fields(fields, path=''):
    for field in fields:
        yield path + field.name, field
        yield from _walk_fields(field.fields, path + field.name + ('[].' if field.type == 'list' else '.'))


# ---------------------------------------------------------------------------------------------
# tests/support/crds.py (served by the API stand-in when the reference is absent) against the reference


def structure(schema):
    """The parts of an openAPI schema the stand-in enforces, independent of the model: types, properties,
    required, enums, value types of maps, array items and oneOf."""
    result = {'type': schema.get('type', 'object')}
    for key in ('required', 'enum'):
        if schema.get(key):
            result[key] = sorted(schema[key])
    if schema.get('oneOf'):
        result['oneOf'] = sorted(sorted(option.get('required', [])) for option in schema['oneOf'])
    if 'properties' in schema:
        result['properties'] = dict((name, structure(prop)) for name, prop in schema['properties'].items())
    if isinstance(schema.get('additionalProperties'), dict):
        result['additionalProperties'] = structure(schema['additionalProperties'])
    if 'items' in schema:
        result['items'] = structure(schema['items'])
    return result


GENERATED = dict((c['spec']['names']['kind'], c) for c in crd_documents())


@reference
def test_generated_crds_are_the_reference_kinds():
    assert sorted(GENERATED) == sorted(REFERENCE)
    for kind, crd in GENERATED.items():
        assert crd['metadata']['name'] == REFERENCE[kind]['metadata']['name']
        assert crd['spec']['names']['plural'] == REFERENCE[kind]['spec']['names']['plural']


@reference
@pytest.mark.parametrize('kind', SKUPPER_KINDS)
def test_generated_crd_schema_is_the_reference_schema(kind):
    """What the stand-in validates without the reference is what it validates with it (the model's stricter
    required Link endpoint fields are the API's optional ones in both)."""
    version = model.KINDS[kind].version
    assert structure(spec_schema(GENERATED[kind], version)) == structure(spec_schema(REFERENCE[kind], version))
