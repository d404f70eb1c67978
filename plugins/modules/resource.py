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
  - Every document is validated before any is applied; one invalid document fails the task and nothing is
    written.
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

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.appnet.skupper.plugins.module_utils import args_common, documents, model
from ansible_collections.appnet.skupper.plugins.module_utils.backend import BackendError, get_backend
from ansible_collections.appnet.skupper.plugins.module_utils.k8s import auth
from ansible_collections.appnet.skupper.plugins.module_utils.runner import apply_document, result_from

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
    """The documents given, with where each came from."""
    if params['src'] is not None:
        if not os.path.exists(params['src']):
            raise BackendError('src %s does not exist' % params['src'])
        loaded = []
        for path in source_files(params['src']):
            with open(path) as handle:
                loaded.extend((doc, path) for doc in documents.load_yaml_stream(handle.read()))
        return loaded
    definition = params['definition']
    if isinstance(definition, str):
        definition = documents.load_yaml_stream(definition)
    if isinstance(definition, dict):
        definition = [definition]
    if not isinstance(definition, list):
        raise BackendError('definition must be YAML text, a dictionary or a list of dictionaries')
    return [(doc, 'definition[%d]' % index) for index, doc in enumerate(definition)]


def check_documents(loaded, params):
    """Every problem of every document, before anything is applied."""
    errors = []
    for doc, origin in loaded:
        problems = model.validate_document(_with_namespace(doc, params['namespace']), params['platform'])
        if params['state'] == 'absent':
            problems = [p for p in problems if p.startswith(('kind', 'metadata.name', 'apiVersion'))]
        namespace = (doc.get('metadata') or {}).get('namespace') if isinstance(doc, dict) else None
        if params['platform'] in model.SYSTEM_PLATFORMS and namespace not in (None, '', params['namespace']):
            problems.append('metadata.namespace: %r is not the site namespace %r' % (namespace, params['namespace']))
        label = '%s %s' % (doc.get('kind'), (doc.get('metadata') or {}).get('name')) if isinstance(doc, dict) else origin
        errors.extend('%s (%s): %s' % (label, origin, p) for p in problems)
    return errors


def _with_namespace(doc, namespace):
    if not isinstance(doc, dict):
        return doc
    metadata = dict(doc.get('metadata') or {})
    metadata['namespace'] = metadata.get('namespace') or namespace
    return dict(doc, metadata=metadata)


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True,
                           required_one_of=[('definition', 'src')], mutually_exclusive=[('definition', 'src')])
    auth.protect_kubeconfig(module)
    params = module.params
    try:
        loaded = read_documents(params)
    except (BackendError, ValueError) as exc:
        module.fail_json(msg='Cannot read the documents: %s' % exc, changed=False)
    except Exception as exc:  # YAML syntax errors
        module.fail_json(msg='Cannot read the documents: %s' % exc, changed=False)
    for doc, _origin in loaded:
        module.no_log_values.update(documents.secret_values(doc))
    errors = check_documents(loaded, params)
    if errors:
        module.fail_json(msg='Invalid documents: %s' % '; '.join(errors), errors=errors, changed=False)
    results, diffs = [], []
    try:
        for doc, _origin in loaded:
            doc = _with_namespace(doc, params['namespace'])
            metadata = doc['metadata']
            backend = get_backend(module, metadata['namespace'])
            outcome = apply_document(module, backend, doc)
            item = result_from(outcome, module)
            diff = item.pop('diff', None)
            if diff:
                header = '%s/%s/%s' % (metadata['namespace'], doc['kind'], metadata['name'])
                diffs.append(dict(diff, before_header=header, after_header=header))
            results.append(dict(item, kind=doc['kind'], name=metadata['name'], namespace=metadata['namespace']))
    except BackendError as exc:
        module.fail_json(msg=exc.message, changed=any(r['changed'] for r in results), results=results, **exc.details)
    result = {'changed': any(r['changed'] for r in results), 'results': results}
    if params['platform'] in model.SYSTEM_PLATFORMS:
        result['reload_required'] = any(r.get('reload_required') for r in results)
    if module._diff:
        result['diff'] = diffs
    module.exit_json(**result)


if __name__ == '__main__':
    main()
