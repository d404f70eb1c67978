#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# This file is generated from the resource model by hacking/render_modules.py: edit the model, not this file.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: link
short_description: Manage Skupper Link resources
version_added: 1.0.0
description:
- 'Creates, updates or removes a Link: a mutually authenticated TLS connection to a remote site.'
- Links usually come from an access token (M(appnet.skupper.access_token)) or a static link (M(appnet.skupper.static_link));
  this module manages one directly.
author:
- appnet.skupper contributors (@appnet)
options:
  endpoints:
    description:
    - Where the remote router accepts links.
    - Spec field C(endpoints).
    - Required when I(state=present).
    type: list
    elements: dict
    suboptions:
      name:
        description:
        - The role of the endpoint.
        - Spec field C(name).
        type: str
        choices:
        - inter-router
        - edge
        required: true
      host:
        description:
        - Host name or IP address of the remote router.
        - Spec field C(host).
        type: str
        required: true
      port:
        description:
        - Port of the remote router (a number; written as a string).
        - Spec field C(port).
        type: raw
        required: true
      group:
        description:
        - Endpoint group (a router of an HA site).
        - Spec field C(group).
        type: str
  tls_credentials:
    description:
    - Name of the Secret (Kubernetes) or credentials (Linux) with the client certificate, key and CA for the link.
    - Spec field C(tlsCredentials).
    type: str
  cost:
    description:
    - Routing cost of traffic over this link.
    - At least C(1).
    - When omitted, Skupper uses C(1).
    - Spec field C(cost).
    type: int
  settings:
    description:
    - Advanced settings of the link, a map of string names to string values.
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
- The options are the fields of the C(Link) resource of API C(skupper.io/v2alpha1) in snake case; see U(https://skupper.io/docs)
  for their meaning.
- Options with no value are left out of the resource, so removing an option from a task removes the field.
seealso:
- module: appnet.skupper.resource
- module: appnet.skupper.system
'''

EXAMPLES = r'''
- name: The Secret of the link - west's CA, and a client certificate and key west's CA signed (from west's skupper link generate)
  appnet.skupper.resource:
    namespace: east
    definition:
      apiVersion: v1
      kind: Secret
      metadata: {name: link-west}
      type: kubernetes.io/tls
      stringData:
        ca.crt: "{{ lookup('ansible.builtin.file', 'link-west/ca.crt') }}"
        tls.crt: "{{ lookup('ansible.builtin.file', 'link-west/tls.crt') }}"
        tls.key: "{{ lookup('ansible.builtin.file', 'link-west/tls.key') }}"
  no_log: true

- name: A link to the remote site west, with the credentials of that Secret
  appnet.skupper.link:
    name: link-west
    namespace: east
    tls_credentials: link-west
    cost: 2
    endpoints:
      - {name: inter-router, host: west.example.com, port: 55671}
      - {name: edge, host: west.example.com, port: 45671}
'''

RETURN = r'''
resource:
  description:
    - The Link as it is now (as it would be, in check mode); secret values are replaced.
    - Empty after I(state=absent).
  returned: always
  type: dict
status:
  description:
    - The status of the Link. On Kubernetes, as the controller reports it; on Linux, Podman and Docker, as the
      last render of M(appnet.skupper.system) wrote it (empty before the first render).
  returned: always
  type: dict
  sample: {status: Ready, message: OK}
resource_file:
  description: The resource file written or removed.
  returned: on Linux, Podman and Docker
  type: str
  sample: /var/lib/skupper/namespaces/east/input/resources/Link-example.yaml
reload_required:
  description: Whether the site must be reloaded (M(appnet.skupper.system) C(state=reloaded)) for the change to apply.
  returned: on Linux, Podman and Docker
  type: bool
'''


from ansible_collections.appnet.skupper.plugins.module_utils.runner import run_resource_module


def main():
    run_resource_module('Link')


if __name__ == '__main__':
    main()
