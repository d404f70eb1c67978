"""CustomResourceDefinitions generated from the collection's resource model.

The kube API stand-in serves them when the Skupper reference CRDs are absent (a user's clone), so the
Kubernetes tests still run against a schema; with the reference present it serves the real CRDs and
tests/unit/test_crd_conformance.py checks that these generated ones describe the same schema.
"""

from ansible_collections.appnet.skupper.plugins.module_utils import model

_SCALAR_TYPES = {'str': 'string', 'int': 'integer', 'bool': 'boolean'}


def _required(fields):
    return [f.name for f in fields if f.schema_required]


def _object(fields, one_of=None):
    schema = {'type': 'object', 'properties': dict((f.name, _schema(f)) for f in fields)}
    if _required(fields):
        schema['required'] = _required(fields)
    if one_of:
        schema['oneOf'] = [{'required': [name]} for name in one_of]
    return schema


def _schema(field):
    if field.type == 'list':
        items = _object(field.fields) if field.elements == 'object' else {'type': _SCALAR_TYPES[field.elements]}
        return {'type': 'array', 'items': items}
    if field.type == 'object':
        return _object(field.fields)
    if field.type == 'map':
        return {'type': 'object', 'additionalProperties': {'type': _SCALAR_TYPES[field.value_type]}}
    schema = {'type': _SCALAR_TYPES[field.type]}
    if field.schema_enum:
        schema['enum'] = list(field.choices)
    return schema


def _spec_schema(kind):
    # The API's one-of rules of the spec itself (a Connector's selector or host); nested ones are CEL rules,
    # which the stand-in does not evaluate.
    one_of = kind.one_of.get(None)
    return _object([f for f in kind.fields if not f.top_level], one_of[0] if one_of else None)


def crd_documents():
    """CustomResourceDefinitions (apiextensions.k8s.io/v1) of every skupper.io kind in the model."""
    crds = []
    for kind in sorted(model.KINDS.values(), key=lambda k: k.kind):
        if kind.group != model.GROUP:
            continue
        status = {'type': 'object', 'x-kubernetes-preserve-unknown-fields': True}
        crds.append({
            'apiVersion': 'apiextensions.k8s.io/v1',
            'kind': 'CustomResourceDefinition',
            'metadata': {'name': '%s.%s' % (kind.plural, model.GROUP)},
            'spec': {
                'group': model.GROUP,
                'names': {'kind': kind.kind, 'listKind': kind.kind + 'List', 'plural': kind.plural,
                          'singular': kind.kind.lower()},
                'scope': 'Namespaced',
                'versions': [{
                    'name': kind.version, 'served': True, 'storage': True,
                    'subresources': {'status': {}},
                    'schema': {'openAPIV3Schema': {'type': 'object', 'properties': {
                        'apiVersion': {'type': 'string'}, 'kind': {'type': 'string'},
                        'metadata': {'type': 'object'}, 'spec': _spec_schema(kind), 'status': status}}},
                }],
            },
        })
    return crds
