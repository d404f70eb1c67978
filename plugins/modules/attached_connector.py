#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# This file is generated from the resource model by hacking/render_modules.py: edit the model, not this file.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: attached_connector
short_description: Manage Skupper AttachedConnector resources
version_added: 1.0.0
description:
- 'Creates, updates or removes an AttachedConnector: a connector for pods of this namespace attached to a site in another
  namespace. Kubernetes only.'
author:
- appnet.skupper contributors (@appnet)
options:
  site_namespace:
    description:
    - Namespace of the site this connector attaches to.
    - Spec field C(siteNamespace).
    - Required when I(state=present).
    type: str
  port:
    description:
    - Port of the workload.
    - Spec field C(port).
    - Required when I(state=present).
    type: int
  selector:
    description:
    - Label selector of the workload pods.
    - Spec field C(selector).
    - Required when I(state=present).
    type: str
  tls_credentials:
    description:
    - Name of the TLS credentials used towards the workload.
    - Spec field C(tlsCredentials).
    type: str
  use_client_cert:
    description:
    - Present the client certificate to the workload.
    - When omitted, Skupper uses C(false).
    - Spec field C(useClientCert).
    type: bool
  type:
    description:
    - Protocol type.
    - When omitted, Skupper uses C(tcp).
    - Spec field C(type).
    type: str
  include_not_ready_pods:
    description:
    - Also route to pods that are not ready.
    - When omitted, Skupper uses C(false).
    - Spec field C(includeNotReadyPods).
    type: bool
  settings:
    description:
    - Advanced settings of the attached connector, a map of string names to string values.
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
- The options are the fields of the C(AttachedConnector) resource of API C(skupper.io/v2alpha1) in snake case; see U(https://skupper.io/docs)
  for their meaning.
- Options with no value are left out of the resource, so removing an option from a task removes the field.
- 'Not on Linux, Podman or Docker: attached connectors select Kubernetes pods in a peer namespace; on a Linux, Podman or Docker
  site use appnet.skupper.connector with a host instead.'
seealso:
- module: appnet.skupper.resource
- module: appnet.skupper.system
'''

EXAMPLES = r'''
- name: Attach the pods of this namespace to the site in namespace west
  appnet.skupper.attached_connector:
    name: backend
    namespace: workloads
    site_namespace: west
    selector: app=backend
    port: 8080
'''

RETURN = r'''
resource:
  description:
    - The AttachedConnector as it is now (as it would be, in check mode); secret values are replaced.
    - Empty after I(state=absent).
  returned: always
  type: dict
status:
  description:
    - The status of the AttachedConnector, as the Skupper controller reports it.
  returned: always
  type: dict
  sample: {status: Ready, message: OK}
'''


from ansible_collections.appnet.skupper.plugins.module_utils.runner import run_resource_module


def main():
    run_resource_module('AttachedConnector')


if __name__ == '__main__':
    main()
