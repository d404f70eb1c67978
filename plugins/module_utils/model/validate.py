# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documents against the kind declarations: validation (every problem, naming field and value) and the one
normalisation every document gets before it is compared or written, whichever module it came from.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import copy

from ansible_collections.appnet.skupper.plugins.module_utils import platforms
from ansible_collections.appnet.skupper.plugins.module_utils.model import values
from ansible_collections.appnet.skupper.plugins.module_utils.model.kinds import (
    KINDS, Conflict, Distinct, OneOf, get_kind, snake, titles)

_CHECKS = {
    'name': values.check_name,
    'port': values.check_port,
    'host': values.check_host,
    'duration': values.check_duration,
}

_PY_TYPES = {'str': str, 'int': int, 'bool': bool, 'list': list, 'object': dict, 'map': dict}


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _type_error(field, value):
    if field.type == 'int':
        return not _is_int(value)
    if field.from_int and _is_int(value):
        return False
    return not isinstance(value, _PY_TYPES[field.type])


def _label(path, style):
    return path if style == 'spec' else snake(path)


def _join(path, key):
    return '%s.%s' % (path, key) if path else key


def _type_words_simple(name):
    return {'str': 'a string', 'int': 'an integer', 'bool': 'a boolean', 'object': 'a mapping'}.get(name, name)


def _type_words(field):
    if field.type == 'list':
        return 'a list of %s' % ({'object': 'mappings', 'str': 'strings'}.get(field.elements, field.elements))
    if field.type == 'map':
        return 'a mapping of strings'
    return _type_words_simple(field.type)


def _choice_error(field, value, label, platform):
    choices = field.choices_on(platform)
    if not choices or value in choices:
        return None
    text = '%s: %r is not one of %s' % (label, value, ', '.join(choices))
    if choices is field.system_choices:
        text += ' on %s' % platforms.TITLES[platform]
        if field.choices and value in field.choices:
            text += ' (%r is for Kubernetes only)' % (value,)
    return text


def _validate_value(field, value, path, platform, style, errors):
    label = _label(path, style)
    if _type_error(field, value):
        errors.append('%s: expected %s, got %r' % (label, _type_words(field), value))
        return
    problem = _choice_error(field, value, label, platform)
    if problem:
        errors.append(problem)
    if field.minimum is not None and field.type in ('list', 'map') and len(value) < field.minimum:
        errors.append('%s: %r must have at least %d %s' % (label, value, field.minimum,
                                                           'entry' if field.minimum == 1 else 'entries'))
    elif field.minimum is not None and field.type == 'int' and value < field.minimum:
        errors.append('%s: %r must be at least %d' % (label, value, field.minimum))
    if field.check:
        problem = _CHECKS[field.check](value)
        if problem:
            errors.append('%s: %r %s' % (label, value, problem))
    if field.type == 'map':
        want = _PY_TYPES.get(field.value_type, str)
        for key, item in value.items():
            if not isinstance(key, str) or not isinstance(item, want) or (want is int and isinstance(item, bool)):
                errors.append('%s: entry %r must map a string to %s' % (label, key, _type_words_simple(field.value_type)))
    if field.type == 'list':
        for index, item in enumerate(value):
            item_path = '%s[%d]' % (path, index)
            if field.elements == 'object':
                if not isinstance(item, dict):
                    errors.append('%s: expected a mapping, got %r' % (_label(item_path, style), item))
                    continue
                _validate_fields(field.fields, item, item_path, platform, style, errors)
            elif not isinstance(item, _PY_TYPES.get(field.elements, str)):
                errors.append('%s: expected %s, got %r' % (_label(item_path, style),
                                                           _type_words_simple(field.elements), item))
    if field.type == 'object':
        _validate_fields(field.fields, value, path, platform, style, errors)


def _required_here(field, platform):
    return field.required and (platform is None or platform in field.required_on)


def _missing(field, platform, value):
    if platform is None or field.required_on == platforms.NAMES:
        return 'required field is %s' % ('missing' if value is None else 'empty')
    return 'required on %s%s' % (platforms.TITLES[platform], '' if value is None else ', but empty')


def _validate_fields(fields, values, path, platform, style, errors):
    known = dict((f.name, f) for f in fields)
    for key in sorted(values):
        if key not in known:
            errors.append('%s: unsupported field (supported: %s)' % (_join(path, key), ', '.join(sorted(known))))
    for field in fields:
        value = values.get(field.name)
        field_path = _join(path, field.name)
        if value is None or (value == '' and _required_here(field, platform)):
            # An empty string is no value: a required field given as '' is missing.
            if _required_here(field, platform):
                errors.append('%s: %s' % (_label(field_path, style), _missing(field, platform, value)))
            continue
        if platform and not field.supported_on(platform):
            errors.append('%s: is only used on %s, not on %s' % (
                _label(field_path, style), titles(field.platforms), platforms.TITLES[platform]))
            continue
        _validate_value(field, value, field_path, platform, style, errors)


def _rule_applies(rule, platform):
    """Rules of the given platform; without one, the rules of the API (Kubernetes)."""
    return (platform or platforms.DEFAULT) in rule.platforms


def _is_set(value):
    return value not in (None, '')


def _rule_errors(kind, spec, platform, style):
    errors = []
    prefix = 'spec' if style == 'spec' else ''
    for rule in kind.rules:
        if not _rule_applies(rule, platform):
            continue
        if isinstance(rule, OneOf):
            where = _join(prefix, rule.path) if rule.path else prefix
            values = spec.get(rule.path) if rule.path else spec
            if not isinstance(values, dict):
                continue
            labels = [_label(_join(where, n), style) for n in rule.names]
            present = [n for n in rule.names if _is_set(values.get(n))]
            if len(present) > 1:
                errors.append('%s: set only one of them, not both' % ' and '.join(labels))
            elif not present:
                limited = '' if rule.platforms == platforms.NAMES else ' on %s' % titles(rule.platforms)
                errors.append('%s: exactly one of them is required%s' % (' or '.join(labels), limited))
        elif isinstance(rule, Conflict):
            on = [spec.get(n) not in (None, False, '') and spec.get(n) not in rule.off for n in rule.names]
            if all(on):
                errors.append('%s: %s' % (' and '.join(_label(_join(prefix, n), style) for n in rule.names),
                                          rule.reason))
        elif isinstance(rule, Distinct):
            errors.extend(_distinct_errors(rule, spec, platform, _label(_join(prefix, rule.path), style)))
    return errors


def _distinct_errors(rule, spec, platform, label):
    entries = spec.get(rule.path)
    if not isinstance(entries, list):
        return []
    seen, errors = {}, []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            continue
        value = entry.get(rule.key)
        given = _is_set(value)
        if not given:
            value = rule.default_for(entry, platform)
        if value is None or isinstance(value, (dict, list)):
            continue
        key = str(value)
        if key in seen:
            first, first_given = seen[key]
            errors.append('%s[%d] and %s[%d]: both have %s %r%s; each needs its own %s' % (
                label, first, label, index, snake(rule.key), value,
                '' if given and first_given else ' (a default where none is given)', snake(rule.key)))
        else:
            seen[key] = (index, given)
    return errors


def validate_spec(kind, spec, platform=None, style='spec', top=None):
    """Errors (a list of strings) for a spec (camelCase keys) of a kind on a platform.

    style='spec' names fields by their path (spec.port); style='option' by module option (port).
    platform=None validates as the API does (the rules of Kubernetes, no platform-only fields refused).
    """
    kind = get_kind(kind) if isinstance(kind, str) else kind
    errors = []
    spec_fields = [f for f in kind.fields if not f.top_level]
    top_fields = [f for f in kind.fields if f.top_level]
    prefix = 'spec' if style == 'spec' else ''
    if spec_fields:
        _validate_fields(spec_fields, spec or {}, prefix, platform, style, errors)
    if top_fields:
        _validate_fields(top_fields, top or {}, '', platform, style, errors)
    errors.extend(_rule_errors(kind, spec or {}, platform, style))
    return errors


def _metadata_label(key, style):
    return 'metadata.' + key if style == 'spec' else key


def _check_annotations(value):
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        return 'must be a mapping of strings to strings'
    return None


def metadata_errors(metadata, style='spec', state='present'):
    """Problems of a document's metadata: name, namespace (when given), labels and annotations."""
    if not isinstance(metadata, dict):
        return ['metadata: expected a mapping, got %r' % (metadata,)]
    errors = []
    for key in ('name', 'namespace'):
        if key == 'namespace' and metadata.get(key) is None:
            continue
        problem = values.check_name(metadata.get(key))
        if problem:
            errors.append('%s: %r %s' % (_metadata_label(key, style), metadata.get(key), problem))
    if state == 'absent':
        return errors
    for key, check in (('labels', values.check_labels), ('annotations', _check_annotations)):
        if metadata.get(key) is not None:
            problem = check(metadata[key])
            if problem:
                errors.append('%s: %s' % (_metadata_label(key, style), problem))
    return errors


def _not_supported(kind, platform, style):
    where = platforms.TITLES[platform]
    if style == 'spec':
        return '%s: not supported on %s: %s' % (kind.kind, where, kind.not_on_system)
    return '%s is not supported on %s: %s' % (kind.kind, where, kind.not_on_system)


def validate_document(doc, platform=None, style='spec', state='present'):
    """Errors (a list of strings) for a whole resource document; [] when it is valid.

    style: 'spec' names document paths (metadata.name, spec.port), 'option' module options (name, port).
    state: 'absent' checks only what identifies the resource (kind, apiVersion, name, namespace, platform).
    """
    if not isinstance(doc, dict):
        # Only the type of a list: it may hold documents, and their secrets (a message never quotes one).
        return ['document: expected a mapping, got %s' % ('a list' if isinstance(doc, list) else repr(doc))]
    kind = KINDS.get(doc.get('kind'))
    if kind is None:
        return ['kind: %r is not a Skupper kind (known: %s)' % (doc.get('kind'), ', '.join(sorted(KINDS)))]
    errors = []
    if doc.get('apiVersion') != kind.api_version:
        errors.append('apiVersion: %s needs %r, got %r' % (kind.kind, kind.api_version, doc.get('apiVersion')))
    errors.extend(metadata_errors(doc.get('metadata') or {}, style, state))
    if platform and not kind.supported_on(platform):
        return errors + [_not_supported(kind, platform, style)]
    if state == 'absent':
        return errors
    top = dict((f.name, doc.get(f.name)) for f in kind.fields if f.top_level and doc.get(f.name) is not None)
    spec = doc.get('spec')
    if spec is not None and not isinstance(spec, dict):
        return errors + ['spec: expected a mapping, got %r' % (spec,)]
    errors.extend(validate_spec(kind, spec or {}, platform, style, top))
    return errors


# ---------------------------------------------------------------------------------------------
# Normalisation


def _normalize_fields(fields, values):
    for field in fields:
        value = values.get(field.name)
        if value is None:
            continue
        if field.from_int and _is_int(value):
            values[field.name] = str(value)
        elif field.type == 'list' and field.elements == 'object' and isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    _normalize_fields(field.fields, item)
        elif field.type == 'object' and isinstance(value, dict):
            _normalize_fields(field.fields, value)
        if field.encoded_into and isinstance(value, dict):
            encoded = dict(values.get(field.encoded_into) or {})
            for key, item in value.items():
                encoded[key] = base64.b64encode(str(item).encode('utf-8')).decode('ascii')
            values[field.encoded_into] = encoded
            del values[field.name]


def normalize_document(doc):
    """A copy of a (valid) document as it is compared and written, on every platform.

    Link endpoint ports given as integers become strings (the API type); a Secret's stringData is
    base64-encoded into data (what the Kubernetes API stores and what Skupper reads on Linux).
    """
    kind = KINDS.get(doc.get('kind')) if isinstance(doc, dict) else None
    if kind is None:
        return doc
    result = copy.deepcopy(doc)
    if isinstance(result.get('spec'), dict):
        _normalize_fields([f for f in kind.fields if not f.top_level], result['spec'])
    _normalize_fields([f for f in kind.fields if f.top_level], result)
    return result


def prepare_document(doc, platform=None, style='spec', state='present'):
    """(document as written, problems): what every module does with a document before it reaches a backend.

    The document is normalised only when it is valid; problems is [] then.
    """
    errors = validate_document(doc, platform, style, state)
    return (doc if errors or state == 'absent' else normalize_document(doc)), errors
