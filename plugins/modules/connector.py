#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# This file is generated from the resource model by hacking/render_modules.py: edit the model, not this file.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: connector
short_description: Manage Skupper Connector resources
version_added: 1.0.0
description:
- 'Creates, updates or removes a Connector: binds a local workload to listeners in other sites by routing key.'
author:
- appnet.skupper contributors (@appnet)
options:
  routing_key:
    description:
    - Routing key that matches this connector with listeners.
    - Spec field C(routingKey).
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
    - Kubernetes label selector of the workload pods (C(app=backend)). Exactly one of I(selector) and I(host) on Kubernetes.
    - Only on Kubernetes; refused on other platforms.
    - Spec field C(selector).
    type: str
  host:
    description:
    - Host name or IP address of the workload. On Kubernetes exactly one of I(selector) and I(host).
    - Spec field C(host).
    - Required on Linux, Podman, Docker when I(state=present).
    type: str
  tls_credentials:
    description:
    - Name of the TLS credentials used towards the workload (a trusted CA, optionally a client certificate).
    - Spec field C(tlsCredentials).
    type: str
  use_client_cert:
    description:
    - Present the client certificate of I(tls_credentials) to the workload.
    - When omitted, Skupper uses C(false).
    - Spec field C(useClientCert).
    type: bool
  verify_hostname:
    description:
    - Check the workload's host name against its certificate.
    - When omitted, Skupper uses C(false).
    - Spec field C(verifyHostname).
    type: bool
  type:
    description:
    - Protocol type.
    - When omitted, Skupper uses C(tcp).
    - Spec field C(type).
    type: str
    choices:
    - tcp
  include_not_ready_pods:
    description:
    - Also route to pods that are not ready.
    - When omitted, Skupper uses C(false).
    - Only on Kubernetes; refused on other platforms.
    - Spec field C(includeNotReadyPods).
    type: bool
  expose_pods_by_name:
    description:
    - Expose each pod as its own service.
    - When omitted, Skupper uses C(false).
    - Only on Kubernetes; refused on other platforms.
    - Spec field C(exposePodsByName).
    type: bool
  settings:
    description:
    - Advanced settings of the connector, a map of string names to string values.
    - Spec field C(settings).
    type: dict
extends_documentation_fragment:
- appnet.skupper.common
- appnet.skupper.common.resource
- appnet.skupper.k8s_auth
- appnet.skupper.k8s_auth.apply
- appnet.skupper.wait
- appnet.skupper.attributes
- appnet.skupper.attributes.all
requirements:
- kubernetes >= 24.2.0 (Python, for platform kubernetes)
- PyYAML
notes:
- The options are the fields of the C(Connector) resource of API C(skupper.io/v2alpha1) in snake case; see U(https://skupper.io/docs)
  for their meaning.
- Options with no value are left out of the resource, so removing an option from a task removes the field.
seealso:
- module: appnet.skupper.resource
- module: appnet.skupper.system
'''

EXAMPLES = r'''
- name: Expose pods labelled app=backend
  appnet.skupper.connector:
    name: backend
    namespace: west
    routing_key: backend
    selector: app=backend
    port: 8080

- name: Expose a local server of a Linux site
  appnet.skupper.connector:
    platform: linux
    namespace: west
    name: backend
    routing_key: backend
    host: 127.0.0.1
    port: 9090
'''

RETURN = r'''
resource:
  description:
    - The Connector as it is now (as it would be, in check mode); secret values are replaced.
    - Empty after I(state=absent).
  returned: always
  type: dict
status:
  description:
    - The status of the Connector. On Kubernetes, as the controller reports it; on Linux, Podman and Docker, as the
      last render of M(appnet.skupper.system) wrote it (empty before the first render).
  returned: always
  type: dict
  sample: {status: Ready, message: OK}
resource_file:
  description: The resource file written or removed.
  returned: on Linux, Podman and Docker
  type: str
  sample: /var/lib/skupper/namespaces/east/input/resources/Connector-example.yaml
reload_required:
  description: Whether the site must be reloaded (M(appnet.skupper.system) C(state=reloaded)) for the change to apply.
  returned: on Linux, Podman and Docker
  type: bool
'''


from ansible_collections.appnet.skupper.plugins.module_utils.runner import run_resource_module


def main():
    run_resource_module('Connector')


if __name__ == '__main__':
    main()
