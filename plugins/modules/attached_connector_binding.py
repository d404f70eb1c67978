#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# This file is generated from the resource model by hacking/render_modules.py: edit the model, not this file.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: attached_connector_binding
short_description: Manage Skupper AttachedConnectorBinding resources
version_added: 1.0.0
description:
- 'Creates, updates or removes an AttachedConnectorBinding: binds an AttachedConnector from a peer namespace to this site.
  Kubernetes only.'
author:
- appnet.skupper contributors (@appnet)
options:
  connector_namespace:
    description:
    - Namespace of the AttachedConnector.
    - Spec field C(connectorNamespace).
    - Required when I(state=present).
    type: str
  routing_key:
    description:
    - Routing key that matches listeners.
    - Spec field C(routingKey).
    - Required when I(state=present).
    type: str
  expose_pods_by_name:
    description:
    - Expose each pod as its own service.
    - When omitted, Skupper uses C(false).
    - Spec field C(exposePodsByName).
    type: bool
  settings:
    description:
    - Advanced settings of the binding, a map of string names to string values.
    - Spec field C(settings).
    type: dict
extends_documentation_fragment:
- appnet.skupper.common
- appnet.skupper.common.resource
- appnet.skupper.k8s_auth
- appnet.skupper.k8s_auth.apply
- appnet.skupper.wait
- appnet.skupper.attributes
- appnet.skupper.attributes.kubernetes_only
requirements:
- kubernetes >= 24.2.0 (Python, for platform kubernetes)
- PyYAML
notes:
- The options are the fields of the C(AttachedConnectorBinding) resource of API C(skupper.io/v2alpha1) in snake case; see
  U(https://skupper.io/docs) for their meaning.
- Options with no value are left out of the resource, so removing an option from a task removes the field.
- 'Not on Linux, Podman or Docker: attached connector bindings exist only on Kubernetes; on a Linux, Podman or Docker site
  use appnet.skupper.connector with a host instead.'
seealso:
- module: appnet.skupper.resource
- module: appnet.skupper.system
'''

EXAMPLES = r'''
- name: Bind the attached connector of namespace workloads to this site
  appnet.skupper.attached_connector_binding:
    name: backend
    namespace: west
    connector_namespace: workloads
    routing_key: backend
'''

RETURN = r'''
resource:
  description:
    - The AttachedConnectorBinding as it is now (as it would be, in check mode); secret values are replaced.
    - Empty after I(state=absent).
  returned: always
  type: dict
status:
  description:
    - The status of the AttachedConnectorBinding, as the Skupper controller reports it.
  returned: always
  type: dict
  sample: {status: Ready, message: OK}
'''


from ansible_collections.appnet.skupper.plugins.module_utils.runner import run_resource_module


def main():
    run_resource_module('AttachedConnectorBinding')


if __name__ == '__main__':
    main()
