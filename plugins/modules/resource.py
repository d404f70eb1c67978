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
    src: "{{ playbook_dir }}/files/west/"
    wait: true

- name: Remove them again
  appnet.skupper.resource:
    namespace: west
    src: "{{ playbook_dir }}/files/west/"
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

from ansible_collections.appnet.skupper.plugins.module_utils import args_common
from ansible_collections.appnet.skupper.plugins.module_utils.runner import run_definition_module


def argument_spec():
    common = dict(args_common.COMMON)
    del common['name'], common['labels'], common['annotations']
    return args_common.merge(common, args_common.K8S_AUTH, args_common.WAIT, args_common.APPLY, {
        'definition': {'type': 'raw'},
        'src': {'type': 'path'},
    })


def main():
    run_definition_module(argument_spec())


if __name__ == '__main__':
    main()
