"""Structural-schema pruning and openAPIV3Schema validation for the API server stand-in (a test double).

Implements the subset of kube's CRD validation the Skupper CRDs use, with kube's error reasons and wording.
"""

import re

from . import cel
from .errors import FieldError, invalid, required

ROOT_KEPT = ('apiVersion', 'kind', 'metadata')
DNS1123_LABEL = re.compile(r'^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')
DNS1123_SUBDOMAIN = re.compile(r'^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$')
SUBDOMAIN_TEXT = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                  "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
                  "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
# The formats kube checks that the Skupper CRDs use (go-openapi strfmt): Go durations (plus strfmt's unit
# words) and RFC 3339 date-times.
GO_DURATION = re.compile(r'^[-+]?(0|((\d+(\.\d*)?|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h))+)$')
STRFMT_DURATION = re.compile(r'^(-\s?)?\d+(\.\d+)?\s*(ns|us|\u00b5s|ms|s|sec|secs|second|seconds|m|min|mins|minute|'
                             r'minutes|h|hr|hrs|hour|hours|d|day|days|w|wk|wks|week|weeks)$', re.IGNORECASE)
DATE_TIME = re.compile(r'^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})?$')
FORMATS = {'duration': lambda text: bool(GO_DURATION.match(text) or STRFMT_DURATION.match(text.strip())),
           'date-time': lambda text: bool(DATE_TIME.match(text))}
LABEL_TEXT = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
              "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
              "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")


def json_type(value):
    """The JSON type name of a decoded value, as kube's messages name it."""
    if isinstance(value, bool):
        return 'boolean'
    if isinstance(value, int):
        return 'integer'
    if isinstance(value, float):
        return 'number'
    if isinstance(value, str):
        return 'string'
    if isinstance(value, list):
        return 'array'
    if isinstance(value, dict):
        return 'object'
    return 'null'


# -- pruning ---------------------------------------------------------------------------------------

def prune(schema, value, root=False):
    """A copy of value without the fields the structural schema does not know and without nulls."""
    if isinstance(value, dict):
        return _prune_object(schema, value, root)
    if isinstance(value, list):
        items = schema.get('items') or {}
        return [prune(items, item) for item in value if item is not None]
    if schema.get('type') == 'integer' and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _prune_object(schema, value, root):
    properties = schema.get('properties') or {}
    additional = schema.get('additionalProperties')
    keep_unknown = schema.get('x-kubernetes-preserve-unknown-fields') or additional is True
    pruned = {}
    for key, item in value.items():
        if item is None:
            continue
        if root and key in ROOT_KEPT:
            pruned[key] = item
        elif key in properties:
            pruned[key] = prune(properties[key], item)
        elif isinstance(additional, dict):
            pruned[key] = prune(additional, item)
        elif keep_unknown:
            pruned[key] = item
    return pruned


# -- validation ------------------------------------------------------------------------------------

def validate(schema, value, old=None, path=''):
    """Every FieldError of value against the schema (old: the stored value, for transition rules)."""
    errors = []
    _validate(schema, value, old, path, errors)
    return errors


def _child(path, key):
    return f'{path}.{key}' if path else key


def _validate(schema, value, old, path, errors):
    expected = schema.get('type')
    if expected and not _type_matches(expected, value):
        actual = json_type(value)
        errors.append(FieldError('FieldValueTypeInvalid', path,
                                 f'{path} in body must be of type {expected}: "{actual}"', actual))
        return
    if 'enum' in schema and value not in schema['enum']:
        errors.append(FieldError('FieldValueNotSupported', path,
                                 'supported values: ' + ', '.join(f'"{v}"' for v in schema['enum']), value))
    if isinstance(value, str):
        _validate_string(schema, value, path, errors)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        _validate_number(schema, value, path, errors)
    elif isinstance(value, dict):
        _validate_object(schema, value, old if isinstance(old, dict) else None, path, errors)
    elif isinstance(value, list):
        _validate_array(schema, value, path, errors)
    _validate_one_of(schema, value, path, errors)
    errors.extend(cel.check_rules(schema.get('x-kubernetes-validations') or (), value, old, path))


def _type_matches(expected, value):
    actual = json_type(value)
    if expected == 'integer':
        return actual == 'integer' or (actual == 'number' and float(value).is_integer())
    if expected == 'number':
        return actual in ('integer', 'number')
    return actual == expected


def _validate_string(schema, value, path, errors):
    if 'maxLength' in schema and len(value) > schema['maxLength']:
        errors.append(FieldError('FieldValueTooLong', path, f'may not be more than {schema["maxLength"]} bytes'))
    if 'minLength' in schema and len(value) < schema['minLength']:
        errors.append(invalid(path, value, f'{path} in body should be at least {schema["minLength"]} chars long'))
    if 'pattern' in schema and not re.search(schema['pattern'], value):
        errors.append(invalid(path, value, f"{path} in body should match '{schema['pattern']}'"))
    check_format = FORMATS.get(schema.get('format'))
    if check_format and not check_format(value):
        errors.append(invalid(path, value, f'{path} in body must be of type {schema["format"]}: "{value}"'))


def _validate_number(schema, value, path, errors):
    if 'minimum' in schema and value < schema['minimum']:
        errors.append(invalid(path, value, f'{path} in body should be greater than or equal to {schema["minimum"]}'))
    if 'maximum' in schema and value > schema['maximum']:
        errors.append(invalid(path, value, f'{path} in body should be less than or equal to {schema["maximum"]}'))


def _validate_object(schema, value, old, path, errors):
    for key in schema.get('required') or ():
        if key not in value:
            errors.append(required(_child(path, key)))
    properties = schema.get('properties') or {}
    additional = schema.get('additionalProperties')
    for key, item in value.items():
        child_schema = properties.get(key, additional if isinstance(additional, dict) else None)
        if child_schema is not None:
            _validate(child_schema, item, (old or {}).get(key), _child(path, key), errors)
    count = len(value)
    if 'maxProperties' in schema and count > schema['maxProperties']:
        errors.append(FieldError('FieldValueTooMany', path,
                                 f'must have at most {schema["maxProperties"]} items', count))
    if 'minProperties' in schema and count < schema['minProperties']:
        errors.append(invalid(path, count, f'{path} in body should have at least {schema["minProperties"]} '
                                           'properties'))


def _validate_array(schema, value, path, errors):
    count = len(value)
    if 'maxItems' in schema and count > schema['maxItems']:
        errors.append(FieldError('FieldValueTooMany', path, f'must have at most {schema["maxItems"]} items', count))
    if 'minItems' in schema and count < schema['minItems']:
        errors.append(invalid(path, count, f'{path} in body should have at least {schema["minItems"]} items'))
    items = schema.get('items') or {}
    for index, item in enumerate(value):
        _validate(items, item, None, f'{path}[{index}]', errors)
    if schema.get('x-kubernetes-list-type') == 'set':
        seen = []
        for index, item in enumerate(value):
            if item in seen:
                errors.append(FieldError('FieldValueDuplicate', f'{path}[{index}]', '', item))
            seen.append(item)


def _validate_one_of(schema, value, path, errors):
    alternatives = schema.get('oneOf')
    if not alternatives:
        return
    matching = sum(1 for alternative in alternatives if not validate(alternative, value, None, path))
    if matching != 1:
        found = 'Found none valid' if matching == 0 else f'Found {matching} valid alternatives'
        errors.append(invalid(path, json_type(value),
                              f'{path} in body must validate one and only one schema (oneOf). {found}'))


def validate_object_name(name, label=False):
    """FieldErrors of metadata.name: a DNS-1123 subdomain (label=True: a DNS-1123 label, as for namespaces)."""
    if not name:
        return [required('metadata.name', 'name or generateName is required')]
    if label:
        if len(name) > 63:
            return [invalid('metadata.name', name, 'must be no more than 63 characters')]
        return [] if DNS1123_LABEL.match(name) else [invalid('metadata.name', name, LABEL_TEXT)]
    if len(name) > 253:
        return [invalid('metadata.name', name, 'must be no more than 253 characters')]
    return [] if DNS1123_SUBDOMAIN.match(name) else [invalid('metadata.name', name, SUBDOMAIN_TEXT)]
