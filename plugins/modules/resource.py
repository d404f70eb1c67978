#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: resource
short_description: Apply Skupper resources from YAML documents
version_added: 1.0.0
description:
  - Applies one or many Skupper resource documents (and the Secrets that carry link credentials) with the same
    semantics as the typed modules such as M(appnet.skupper.listener) - validation against the resource model,
    check mode, diff, and no change when the resources already match.
  - For users who already have YAML, for example a static link from M(appnet.skupper.static_link) or a Skupper
    site written for C(kubectl apply) or C(skupper system apply).
author:
  - appnet.skupper contributors (@appnet)
options:
  definition:
    description:
      - The documents, as a YAML (or JSON) string with one or more C(---) separated documents, a dictionary, or a
        list of dictionaries.
      - Exactly one of I(definition) and I(src).
      - A definition that holds Secrets carries private keys; use C(no_log) on the task.
    type: raw
  src:
    description:
      - A YAML file, or a directory whose C(*.yaml), C(*.yml) and C(*.json) files (recursively, in name order) are
        read. The file is read on the managed host.
      - Exactly one of I(definition) and I(src).
    type: path
  namespace:
    description:
      - The namespace of documents that do not name one. A document that names another namespace is refused
        on Linux, Podman and Docker (one site per namespace); on Kubernetes it is applied in its own namespace.
    type: str
    default: default
  state:
    description:
      - C(present) creates or updates every document; C(absent) removes them (only kind and name matter).
    type: str
    default: present
    choices: [present, absent]
extends_documentation_fragment:
  - appnet.skupper.common
  - appnet.skupper.k8s_auth
  - appnet.skupper.k8s_auth.apply
  - appnet.skupper.wait
  - appnet.skupper.attributes
  - appnet.skupper.attributes.all
requirements:
  - kubernetes >= 24.2.0 (Python, for platform kubernetes)
  - PyYAML
notes:
  - Every document is checked against the resource model (and, on Linux, Podman and Docker, against the site's
    files) before any is applied; one invalid document fails the task and nothing is written. A failure of the
    platform itself (an unreachable API, a missing Kubernetes namespace) stops at that document; the result
    lists what was applied before it.
  - Documents get the same validation and normalisation as the parameters of the typed modules (for example an
    integer Link endpoint port is written as a string, a Secret's C(stringData) is written base64-encoded into
    C(data)). The same resource (kind, namespace and name) may appear only once.
  - An C(AccessToken) is handled as M(appnet.skupper.access_token) does it; on Linux, Podman and Docker it is
    redeemed once for the Link and Secret it gives, and no AccessToken file is written. An C(AccessGrant) is
    applied as it is; M(appnet.skupper.access_grant) also returns its token.
  - Secret values never show in the output. When the definition holds any, the module arguments Ansible echoes
    (with C(-vvv)) show the definition with those values replaced, and YAML that cannot be read is not echoed.
  - Kinds are C(Site), C(Link), C(Listener), C(Connector), C(AccessGrant), C(AccessToken), C(RouterAccess),
    C(AttachedConnector), C(AttachedConnectorBinding), C(Certificate), C(SecuredAccess), C(MultiKeyListener) of API
    C(skupper.io/v2alpha1), and C(Secret) of API C(v1).
seealso:
  - module: appnet.skupper.static_link
  - module: appnet.skupper.system
'''

EXAMPLES = r'''
- name: Apply a static link issued by another site
  appnet.skupper.resource:
    platform: linux
    namespace: east
    definition: "{{ west_link.definition }}"
  no_log: true

- name: Apply every file of a directory to a Kubernetes namespace
  appnet.skupper.resource:
    namespace: west
    src: files/west/
    wait: true

- name: Remove them again
  appnet.skupper.resource:
    namespace: west
    src: files/west/
    state: absent
'''

RETURN = r'''
results:
  description: One entry per document, in the order applied.
  returned: always
  type: list
  elements: dict
  contains:
    kind:
      description: Kind of the document.
      type: str
    name:
      description: Name of the document.
      type: str
    namespace:
      description: Namespace it was applied to.
      type: str
    changed:
      description: Whether this document changed.
      type: bool
    resource:
      description: The resource as it is now (secret values replaced).
      type: dict
    status:
      description: Its status, where the platform has one.
      type: dict
    resource_file:
      description: The file written or removed (Linux, Podman and Docker).
      type: str
reload_required:
  description: Whether the site must be reloaded with M(appnet.skupper.system) for the change to apply.
  returned: on Linux, Podman and Docker
  type: bool
'''

import os

from ansible_collections.appnet.skupper.plugins.module_utils.module_input import SkupperModule

from ansible_collections.appnet.skupper.plugins.module_utils import args_common, documents, model, platforms
from ansible_collections.appnet.skupper.plugins.module_utils.backend import BackendError
from ansible_collections.appnet.skupper.plugins.module_utils.kind_handlers import document_handler
from ansible_collections.appnet.skupper.plugins.module_utils.k8s import auth
from ansible_collections.appnet.skupper.plugins.module_utils.runner import get_backend, result_from, sites_locked
from ansible_collections.appnet.skupper.plugins.module_utils.system.backend import second_site

SOURCE_EXTENSIONS = ('.yaml', '.yml', '.json')


def argument_spec():
    common = dict(args_common.COMMON)
    del common['name'], common['labels'], common['annotations']
    return args_common.merge(common, args_common.K8S_AUTH, args_common.WAIT, args_common.APPLY, {
        'definition': {'type': 'raw'},
        'src': {'type': 'path'},
    })


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
    if params['src'] is not None:
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
            one_site = kind == 'Site' and platforms.is_system(params['platform']) and params['state'] == 'present'
            if one_site and namespace in sites and sites[namespace] != name:
                problems.append(second_site(namespace, sites[namespace], 'given before it in this definition'))
            elif one_site:
                sites[namespace] = name
        errors.extend('%s (%s): %s' % (label, origin, p) for p in problems)
        prepared.append(desired)
    return prepared, errors


def _with_namespace(doc, namespace):
    if not isinstance(doc, dict) or not isinstance(doc.get('metadata', {}), (dict, type(None))):
        return doc
    metadata = dict(doc.get('metadata') or {})
    metadata['namespace'] = metadata.get('namespace') or namespace
    return dict(doc, metadata=metadata)


def main():
    # A definition may carry a Secret's private key: never in the invocation record, whatever the task's no_log.
    module = SkupperModule(argument_spec=argument_spec(), supports_check_mode=True, quiet=('definition',),
                           required_one_of=[('definition', 'src')], mutually_exclusive=[('definition', 'src')])
    auth.protect_kubeconfig(module)
    params = module.params
    try:
        loaded = read_documents(params)
    except BackendError as exc:
        if isinstance(params['definition'], str):
            # Unreadable text may hold keys: it is not echoed either.
            params['definition'] = '(not shown: it could not be read)'
        module.fail_json(msg='Cannot read the documents: %s' % exc.message, changed=False)
    hide_secrets(module, loaded)
    prepared, errors = check_documents(loaded, params)
    targets = []
    if not errors:
        try:
            for doc in prepared:
                targets.append((doc, get_backend(module, doc['metadata']['namespace'])))
        except BackendError as exc:
            module.fail_json(msg=exc.message, changed=False, **exc.details)
    if errors:
        module.fail_json(msg='Invalid documents: %s' % '; '.join(errors), errors=errors, changed=False)
    with sites_locked(module, [backend for _doc, backend in targets]):
        apply_documents(module, targets)


def apply_documents(module, targets):
    """What the targets refuse (a second Site in a Linux namespace, a port in use) before anything is written,
    then every document; exits the module."""
    params = module.params
    errors = []
    if params['state'] == 'present':
        for doc, backend in targets:
            errors.extend('%s %s: %s' % (doc['kind'], doc['metadata']['name'], p) for p in backend.problems(doc))
    if errors:
        module.fail_json(msg='Invalid documents: %s' % '; '.join(errors), errors=errors, changed=False)
    results, diffs = [], []
    try:
        for doc, backend in targets:
            metadata = doc['metadata']
            outcome = document_handler(doc['kind'], params['platform'])(module, backend, doc)
            item = result_from(outcome, module)
            diff = item.pop('diff', None)
            if diff:
                header = '%s/%s/%s' % (metadata['namespace'], doc['kind'], metadata['name'])
                diffs.append(dict(diff, before_header=header, after_header=header))
            results.append(dict(item, kind=doc['kind'], name=metadata['name'], namespace=metadata['namespace']))
    except BackendError as exc:
        # A write that happened before the failure (a wait that timed out after an apply) counts as a change.
        written = bool(exc.outcome and exc.outcome.changed)
        module.fail_json(msg=exc.message, changed=written or any(r['changed'] for r in results), results=results,
                         **exc.details)
    result = {'changed': any(r['changed'] for r in results), 'results': results}
    if platforms.is_system(params['platform']):
        result['reload_required'] = any(r.get('reload_required') for r in results)
    if module._diff:
        result['diff'] = diffs
    module.exit_json(**result)


if __name__ == '__main__':
    main()
