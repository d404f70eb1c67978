#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# This file is generated from the resource model by hacking/render_modules.py: edit the model, not this file.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: router_access
short_description: Manage Skupper RouterAccess resources
version_added: 1.0.0
description:
- 'Creates, updates or removes a RouterAccess: exposes the site''s router for incoming links.'
author:
- appnet.skupper contributors (@appnet)
options:
  roles:
    description:
    - The roles the router accepts links for.
    - Spec field C(roles).
    - Required when I(state=present).
    type: list
    elements: dict
    suboptions:
      name:
        description:
        - 'Role: C(inter-router) for links between interior routers, C(edge) for links from edge routers.'
        - Spec field C(name).
        type: str
        choices:
        - inter-router
        - edge
        required: true
      port:
        description:
        - 'Port for this role. Linux defaults: 55671 (inter-router), 45671 (edge).'
        - Spec field C(port).
        type: int
  tls_credentials:
    description:
    - Name of the TLS credentials (server certificate, key and trusted CA) of the router.
    - Spec field C(tlsCredentials).
    - Required when I(state=present).
    type: str
  generate_tls_credentials:
    description:
    - Generate the TLS credentials when they do not exist.
    - When omitted, Skupper uses C(false).
    - Spec field C(generateTlsCredentials).
    type: bool
  issuer:
    description:
    - Name of the CA that signs generated credentials.
    - Spec field C(issuer).
    type: str
  access_type:
    description:
    - How the router is exposed on Kubernetes (a Kubernetes access type). The default is C(route) on OpenShift, else C(loadbalancer).
    - Only on Kubernetes; refused on other platforms.
    - Spec field C(accessType).
    type: str
    choices:
    - local
    - loadbalancer
    - route
    - nodeport
    - ingress-nginx
    - contour-http-proxy
    - gateway
  bind_host:
    description:
    - Address the router binds to.
    - When omitted, Skupper uses C(0.0.0.0).
    - Spec field C(bindHost).
    type: str
  subject_alternative_names:
    description:
    - Host names and IP addresses in the router certificate.
    - Spec field C(subjectAlternativeNames).
    type: list
    elements: str
  settings:
    description:
    - Advanced settings of the router access, a map of string names to string values.
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
- The options are the fields of the C(RouterAccess) resource of API C(skupper.io/v2alpha1) in snake case; see U(https://skupper.io/docs)
  for their meaning.
- Options with no value are left out of the resource, so removing an option from a task removes the field.
seealso:
- module: appnet.skupper.resource
- module: appnet.skupper.system
'''

EXAMPLES = r'''
- name: Accept links on fixed ports of one address
  appnet.skupper.router_access:
    platform: linux
    namespace: west
    name: west-public
    tls_credentials: west-public
    bind_host: 192.0.2.10
    subject_alternative_names: [192.0.2.10, west.example.com]
    roles:
      - {name: inter-router, port: 55671}
      - {name: edge, port: 45671}
'''

RETURN = r'''
resource:
  description:
    - The RouterAccess as it is now (as it would be, in check mode); secret values are replaced.
    - Empty after I(state=absent).
  returned: always
  type: dict
status:
  description:
    - The status of the RouterAccess. On Kubernetes, as the controller reports it; on Linux, Podman and Docker, as the
      last render of M(appnet.skupper.system) wrote it (empty before the first render).
  returned: always
  type: dict
  sample: {status: Ready, message: OK}
resource_file:
  description: The resource file written or removed.
  returned: on Linux, Podman and Docker
  type: str
  sample: /var/lib/skupper/namespaces/east/input/resources/RouterAccess-example.yaml
reload_required:
  description: Whether the site must be reloaded (M(appnet.skupper.system) C(state=reloaded)) for the change to apply.
  returned: on Linux, Podman and Docker
  type: bool
'''


from ansible_collections.appnet.skupper.plugins.module_utils.runner import run_resource_module


def main():
    run_resource_module('RouterAccess')


if __name__ == '__main__':
    main()
