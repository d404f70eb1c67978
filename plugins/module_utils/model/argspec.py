# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Module options from the kind declarations: argument_spec, required_if, and the document of a module's
parameters (camelCase, as given: validate.prepare_document checks and normalises it like any document).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.parsing.convert_bool import BOOLEANS, boolean

from ansible_collections.appnet.skupper.plugins.module_utils import platforms
from ansible_collections.appnet.skupper.plugins.module_utils.model.kinds import get_kind

_ARG_TYPES = {'str': 'str', 'int': 'int', 'bool': 'bool', 'list': 'list', 'object': 'dict', 'map': 'dict'}


def _kind(kind):
    return get_kind(kind) if isinstance(kind, str) else kind


def option_argument(field):
    """The argument_spec entry of one field (the documented option has the same type, elements, choices)."""
    arg = {'type': 'raw' if field.from_int else _ARG_TYPES[field.type]}
    if field.choices:
        arg['choices'] = list(field.choices)
    if field.secret:
        arg['no_log'] = True
    elif 'key' in field.option or 'code' in field.option:
        arg['no_log'] = False
    if field.type == 'list':
        arg['elements'] = 'dict' if field.elements == 'object' else field.elements
        if field.elements == 'object':
            arg['options'] = _arguments(field.fields, nested=True)
    if field.type == 'object':
        arg['options'] = _arguments(field.fields, nested=True)
    return arg


def _arguments(fields, nested=False):
    spec = {}
    for field in fields:
        arg = option_argument(field)
        if nested and field.required:
            arg['required'] = True
        spec[field.option] = arg
    return spec


def argument_spec(kind):
    """Options of a kind's module (without the common options; see args_common)."""
    return _arguments(_kind(kind).fields)


def required_if(kind):
    """Fields required when state=present on every platform (they may be omitted to delete)."""
    names = [f.option for f in _kind(kind).fields if f.required and f.required_on == platforms.NAMES]
    return [('state', 'present', names)] if names else []


def _option_to_value(field, value):
    if value is None:
        return None
    if field.type == 'list' and field.elements == 'object' and isinstance(value, list):
        return [_options_to_spec(field.fields, item) if isinstance(item, dict) else item for item in value]
    if field.type == 'object' and isinstance(value, dict):
        return _options_to_spec(field.fields, value)
    return value


def _options_to_spec(fields, params):
    spec = {}
    for field in fields:
        value = params.get(field.option)
        if value is None:
            value = params.get(field.name)
        value = _option_to_value(field, value)
        if value is not None:
            spec[field.name] = value
    return spec


def spec_from_params(kind, params):
    return _options_to_spec([f for f in _kind(kind).fields if not f.top_level], params)


def convert_params(kind, params):
    """params with the conversions a typed module's argument_spec makes: "8080" to 8080 for an int option, "yes"
    to True for a bool (values that come from templates arrive as strings)."""
    converted = dict(params)
    for field in _kind(kind).fields:
        value = converted.get(field.option)
        if field.type == 'int' and isinstance(value, str) and value.strip().isdigit():
            converted[field.option] = int(value)
        elif field.type == 'bool' and isinstance(value, str) and value.lower() in BOOLEANS:
            converted[field.option] = boolean(value)
    return converted


def build_document(kind, params):
    """The document of module parameters: apiVersion, kind, metadata, spec (or Secret fields), as given."""
    kind = _kind(kind)
    namespace = params.get('namespace')
    metadata = {'name': params['name'], 'namespace': platforms.DEFAULT_NAMESPACE if namespace is None else namespace}
    for key in ('labels', 'annotations'):
        if params.get(key):
            metadata[key] = dict(params[key])
    doc = {'apiVersion': kind.api_version, 'kind': kind.kind, 'metadata': metadata}
    if any(not f.top_level for f in kind.fields):
        doc['spec'] = spec_from_params(kind, params)
    doc.update(_options_to_spec([f for f in kind.fields if f.top_level], params))
    return doc


def _option_label(context, name):
    return '%s.%s' % (context, name) if context else name


def _option_problems(argument_spec, params, context, problems):
    for name in sorted(params, key=str):
        if context == '' and str(name).startswith('_ansible_'):
            continue
        if name not in argument_spec and not any(name in (arg.get('aliases') or ()) for arg in argument_spec.values()):
            problems.append('%s: unsupported option (supported: %s)' % (
                _option_label(context, name), ', '.join(sorted(argument_spec))))
    for name, arg in sorted(argument_spec.items()):
        value = params.get(name)
        if value is None:
            continue
        label = _option_label(context, name)
        if arg.get('type') == 'list' and arg.get('elements') == 'dict':
            if not isinstance(value, list):
                problems.append('%s: expected a list of mappings, got %r' % (label, value))
                continue
            for index, item in enumerate(value):
                if not isinstance(item, dict):
                    problems.append('%s[%d]: expected a mapping, got %r' % (label, index, item))
                elif arg.get('options'):
                    _option_problems(arg['options'], item, '%s[%d]' % (label, index), problems)
        elif arg.get('type') == 'dict' and arg.get('options'):
            if not isinstance(value, dict):
                problems.append('%s: expected a mapping, got %r' % (label, value))
            else:
                _option_problems(arg['options'], value, label, problems)


def option_problems(argument_spec, params):
    """Problems of module parameters that Ansible's own validation reports badly, found before it runs.

    Ansible reports the first problem it finds, in its own order: a misspelt option comes after the
    required option it was meant to be ("all of the following are missing: routing_key"), and a list of
    mappings given a string says only "dictionary requested". Here an unknown option is named as
    unsupported (nested ones by their path, roles[0].prot) and a list or mapping given something else
    names the option and the value. Secret values are never shown: see the caller.
    """
    problems = []
    _option_problems(argument_spec, params if isinstance(params, dict) else {}, '', problems)
    return problems
