#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# This file is generated from the resource model by hacking/render_modules.py: edit the model, not this file.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: listener
short_description: Manage Skupper Listener resources
version_added: 1.0.0
description:
- 'Creates, updates or removes a Listener: a local endpoint for clients, bound by routing key to connectors in other sites.'
author:
- appnet.skupper contributors (@appnet)
options:
  routing_key:
    description:
    - Routing key that matches this listener with connectors.
    - Spec field C(routingKey).
    - Required when I(state=present).
    type: str
  host:
    description:
    - Host name or IP address the listener serves. On Linux, the address to bind.
    - Spec field C(host).
    - Required when I(state=present).
    type: str
  port:
    description:
    - Port the listener serves.
    - Spec field C(port).
    - Required when I(state=present).
    type: int
  tls_credentials:
    description:
    - Name of the TLS credentials (server certificate and key) clients see.
    - Spec field C(tlsCredentials).
    type: str
  type:
    description:
    - Protocol type.
    - When omitted, Skupper uses C(tcp).
    - Spec field C(type).
    type: str
    choices:
    - tcp
  observer:
    description:
    - Protocol observer used for traffic metrics.
    - When omitted, Skupper uses C(auto).
    - Spec field C(observer).
    type: str
    choices:
    - auto
    - none
    - http1
    - http2
  expose_pods_by_name:
    description:
    - Expose each pod as its own service.
    - When omitted, Skupper uses C(false).
    - Only on Kubernetes; refused on other platforms.
    - Spec field C(exposePodsByName).
    type: bool
  settings:
    description:
    - Advanced settings of the listener, a map of string names to string values.
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
- The options are the fields of the C(Listener) resource of API C(skupper.io/v2alpha1) in snake case; see U(https://skupper.io/docs)
  for their meaning.
- Options with no value are left out of the resource, so removing an option from a task removes the field.
seealso:
- module: appnet.skupper.resource
- module: appnet.skupper.system
'''

EXAMPLES = r'''
- name: Clients in this site reach the backend on port 8080
  appnet.skupper.listener:
    name: backend
    namespace: east
    routing_key: backend
    host: backend
    port: 8080

- name: The same on a Linux site, bound on all addresses
  appnet.skupper.listener:
    platform: linux
    namespace: east
    name: backend
    routing_key: backend
    host: 0.0.0.0
    port: 8080
'''

RETURN = r'''
resource:
  description:
    - The Listener as it is now (as it would be, in check mode); secret values are replaced.
    - Empty after I(state=absent).
  returned: always
  type: dict
status:
  description:
    - The status of the Listener. On Kubernetes, as the controller reports it; on Linux, Podman and Docker, as the
      last render of M(appnet.skupper.system) wrote it (empty before the first render).
  returned: always
  type: dict
  sample: {status: Ready, message: OK}
resource_file:
  description: The resource file written or removed.
  returned: on Linux, Podman and Docker
  type: str
  sample: /var/lib/skupper/namespaces/east/input/resources/Listener-example.yaml
reload_required:
  description: Whether the site must be reloaded (M(appnet.skupper.system) C(state=reloaded)) for the change to apply.
  returned: on Linux, Podman and Docker
  type: bool
'''


from ansible_collections.appnet.skupper.plugins.module_utils.runner import run_resource_module


def main():
    run_resource_module('Listener')


if __name__ == '__main__':
    main()
