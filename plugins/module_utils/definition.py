# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A definition of resource documents, as appnet.skupper.resource and appnet.skupper.system take it: read (YAML text,
a dictionary, a list, or the files of src), its secret values hidden from every output, and every document checked
against the resource model before any is applied."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.appnet.skupper.plugins.module_utils import documents, model, platforms
from ansible_collections.appnet.skupper.plugins.module_utils.backend import BackendError

SOURCE_EXTENSIONS = ('.yaml', '.yml', '.json')


def source_files(src):
    if not os.path.isdir(src):
        return [src]
    found = []
    for top, dirs, names in os.walk(src):
        dirs.sort()
        found.extend(os.path.join(top, n) for n in sorted(names) if n.endswith(SOURCE_EXTENSIONS))
    return found


def read_documents(params):
    """The documents given, with where each came from; BackendError when there are none or they cannot be read."""
    if params.get('src') is not None:
        if not os.path.exists(params['src']):
            raise BackendError('src %s does not exist' % params['src'])
        loaded = []
        for path in source_files(params['src']):
            with open(path) as handle:
                try:
                    loaded.extend((doc, path) for doc in documents.load_yaml_stream(handle.read()))
                except documents.DocumentError as exc:
                    raise BackendError('%s: %s' % (path, exc))
        if not loaded:
            raise BackendError('src %s holds no documents (files: %s)' % (
                params['src'], ', '.join('*' + e for e in SOURCE_EXTENSIONS)))
        return loaded
    definition = params['definition']
    if isinstance(definition, str):
        try:
            definition = documents.load_yaml_stream(definition)
        except documents.DocumentError as exc:
            raise BackendError('definition: %s' % exc)
        if len(definition) == 1 and isinstance(definition[0], list):
            definition = definition[0]  # a JSON (or YAML flow) list of documents
    if isinstance(definition, dict):
        definition = [definition]
    if not isinstance(definition, list):
        raise BackendError('definition must be YAML text, a dictionary or a list of dictionaries')
    if not definition:
        raise BackendError('definition holds no documents (is a templated variable empty?)')
    return [(doc, 'definition[%d]' % index) for index, doc in enumerate(definition)]


def hide_secrets(module, loaded):
    """Secret values (Secret data, token codes) never show, not even in the module arguments Ansible echoes
    with -vvv: they are masked, and a definition that holds any is echoed with them replaced (in YAML text a
    multi-line key would not match its parsed value)."""
    found = []
    for doc, _origin in loaded:
        found.extend(documents.secret_values(doc))
    if not found:
        return
    module.no_log_values.update(found)
    redacted = [documents.redact(doc) for doc, _origin in loaded]
    definition = module.params['definition']
    if isinstance(definition, str):
        module.params['definition'] = documents.dump_yaml_stream(redacted)
    elif isinstance(definition, dict):
        module.params['definition'] = redacted[0]
    elif definition is not None:
        module.params['definition'] = redacted


def _identity(doc):
    metadata = doc.get('metadata') if isinstance(doc.get('metadata'), dict) else {}
    return doc.get('kind'), metadata.get('namespace'), metadata.get('name')


def check_documents(loaded, params):
    """(documents as they are written, every problem of every document), before anything is applied."""
    errors, prepared, seen, sites = [], [], {}, {}
    for doc, origin in loaded:
        doc = _with_namespace(doc, params['namespace'])
        desired, problems = model.prepare_document(doc, params['platform'], state=params['state'])
        label = origin
        if isinstance(doc, dict):
            kind, namespace, name = _identity(doc)
            label = '%s %s' % (kind, name)
            if platforms.is_system(params['platform']) and namespace != params['namespace']:
                problems.append('metadata.namespace: %r is not the site namespace %r' % (namespace, params['namespace']))
            if (kind, namespace, name) in seen:
                problems.append('the same %s as %s (kind, namespace and name): give each resource once'
                                % (kind, seen[(kind, namespace, name)]))
            seen.setdefault((kind, namespace, name), origin)
            if kind == 'Site' and platforms.is_system(params['platform']) and params['state'] == 'present':
                from ansible_collections.appnet.skupper.plugins.module_utils.system.backend import second_sites
                problems.extend(second_sites(namespace, name, sites.setdefault(
                    namespace, {name: 'given before it in this definition'})))
        errors.extend('%s (%s): %s' % (label, origin, p) for p in problems)
        prepared.append(desired)
    return prepared, errors


def _with_namespace(doc, namespace):
    if not isinstance(doc, dict) or not isinstance(doc.get('metadata', {}), (dict, type(None))):
        return doc
    metadata = dict(doc.get('metadata') or {})
    metadata['namespace'] = metadata.get('namespace') or namespace
    return dict(doc, metadata=metadata)
