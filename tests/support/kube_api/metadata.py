"""ObjectMeta rules of the API server stand-in (a test double): label and annotation types, keys and values,
and finalizers of an object that is being deleted, with kube-apiserver's errors and wording.
"""

import json
import re

from . import schema as schemas
from .errors import FieldError, bad_request, invalid

QUALIFIED_NAME_MAX = 63
LABEL_VALUE_MAX = 63
ANNOTATIONS_MAX_BYTES = 256 * 1024
NAME_PART = r'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]'
NAME_PART_TEXT = ("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with "
                  "an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation "
                  f"is '{NAME_PART}')")
QUALIFIED_TEXT = ("a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
                  "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
                  f"validation is '{NAME_PART}') with an optional DNS subdomain prefix and '/' (e.g. "
                  "'example.com/MyName')")
LABEL_VALUE = r'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?'
LABEL_VALUE_TEXT = ("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
                    "and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or "
                    f"'12345', regex used for validation is '{LABEL_VALUE}')")
STRING_MAPS = ('labels', 'annotations')


GO_JSON_TYPES = {'boolean': 'bool', 'integer': 'number', 'number': 'number', 'object': 'object', 'array': 'array',
                 'string': 'string', 'null': 'string'}


def _go_json_type(value):
    """How Go's encoding/json names a JSON value it cannot unmarshal into a string."""
    return GO_JSON_TYPES[schemas.json_type(value)]


def check_decodable(resource, metadata):
    """400 when labels or annotations are not maps of strings (kube cannot decode such an ObjectMeta)."""
    for field in STRING_MAPS:
        value = metadata.get(field)
        if value is None:
            continue
        if not isinstance(value, dict):
            found = _go_json_type(value)
            target = 'map[string]string'
        else:
            found = next((_go_json_type(item) for item in value.values()
                          if item is not None and not isinstance(item, str)), None)
            target = 'string'
        if found:
            raise bad_request(f'{resource.kind} in version "{resource.version}" cannot be handled as a '
                              f'{resource.kind}: json: cannot unmarshal {found} into Go struct field '
                              f'ObjectMeta.metadata.{field} of type {target}')


def _text_errors(text, maximum, pattern, message):
    """kube's length and pattern messages for one name part or value."""
    errors = []
    if len(text) > maximum:
        errors.append(f'must be no more than {maximum} characters')
    if not re.fullmatch(pattern, text):
        errors.append(message)
    return errors


def qualified_name_errors(key):
    """kube's IsQualifiedName messages for a label or annotation key."""
    parts = key.split('/')
    if len(parts) > 2:
        return [QUALIFIED_TEXT]
    name = parts[-1]
    if len(parts) == 2:
        prefix = parts[0]
        if not prefix:
            return ['prefix part must be non-empty']
        if len(prefix) > 253 or not schemas.DNS1123_SUBDOMAIN.match(prefix):
            return ['prefix part ' + schemas.SUBDOMAIN_TEXT]
    if not name:
        return ['name part must be non-empty']
    return ['name part ' + text if text.startswith('must be no') else text
            for text in _text_errors(name, QUALIFIED_NAME_MAX, NAME_PART, NAME_PART_TEXT)]


def label_value_errors(value):
    return _text_errors(value, LABEL_VALUE_MAX, LABEL_VALUE, LABEL_VALUE_TEXT)


def validation_errors(metadata, old_metadata=None):
    """FieldErrors of labels, annotations and (on an update of a terminating object) finalizers."""
    errors = []
    for key, value in (metadata.get('labels') or {}).items():
        errors += [invalid('metadata.labels', key, text) for text in qualified_name_errors(key)]
        errors += [invalid('metadata.labels', value, text) for text in label_value_errors(value or '')]
    annotations = metadata.get('annotations') or {}
    for key in annotations:
        errors += [invalid('metadata.annotations', key, text) for text in qualified_name_errors(key.lower())]
    size = sum(len(key) + len(value or '') for key, value in annotations.items())
    if size > ANNOTATIONS_MAX_BYTES:
        errors.append(FieldError('FieldValueTooLong', 'metadata.annotations',
                                 f'may not be more than {ANNOTATIONS_MAX_BYTES} bytes'))
    if old_metadata and old_metadata.get('deletionTimestamp'):
        kept = old_metadata.get('finalizers') or []
        added = [name for name in metadata.get('finalizers') or [] if name not in kept]
        if added:
            found = '[]string{' + ', '.join(json.dumps(name) for name in sorted(set(added))) + '}'
            errors.append(FieldError('FieldValueForbidden', 'metadata.finalizers',
                                     f'no new finalizers can be added if the object is being deleted, found new '
                                     f'finalizers {found}'))
    return errors
