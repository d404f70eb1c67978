#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# This file is generated from the resource model by hacking/render_modules.py: edit the model, not this file.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: access_token
short_description: Manage Skupper AccessToken resources
version_added: 1.0.0
description:
- Redeems an access token for a link to a remote site.
- On Kubernetes the AccessToken resource is applied and the controller redeems it; with I(wait) the module waits until the
  resulting Link is ready.
- 'On Kubernetes an AccessToken that the controller has redeemed keeps its I(url), I(code) and I(ca): Skupper never redeems
  an AccessToken twice, so new credentials for the same name (the token of a re-issued grant) would change nothing but make
  the AccessToken disagree with its Link. Such a task is unchanged (with I(wait), once the Link is ready). To link again with
  a new token, remove the AccessToken and its Link first (I(state=absent)).'
- On Linux, Podman and Docker the module redeems the token itself over HTTPS, trusting only the token's CA, and stores the
  Link and Secret it receives in the site's resource files. A token is never redeemed twice.
author:
- appnet.skupper contributors (@appnet)
options:
  url:
    description:
    - URL of the grant service of the remote site.
    - Spec field C(url).
    - Required when I(state=present).
    type: str
  code:
    description:
    - Secret code that authenticates the token.
    - Spec field C(code).
    - Required when I(state=present).
    type: str
  ca:
    description:
    - PEM certificate of the CA the grant service is signed by.
    - Spec field C(ca).
    - Required when I(state=present).
    type: str
  link_cost:
    description:
    - Cost of the link created from this token.
    - At least C(1).
    - When omitted, Skupper uses C(1).
    - Spec field C(linkCost).
    type: int
  settings:
    description:
    - Advanced settings of the token, a map of string names to string values.
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
- The options are the fields of the C(AccessToken) resource of API C(skupper.io/v2alpha1) in snake case; see U(https://skupper.io/docs)
  for their meaning.
- Options with no value are left out of the resource, so removing an option from a task removes the field.
seealso:
- module: appnet.skupper.resource
- module: appnet.skupper.system
'''

EXAMPLES = r'''
- name: A Linux site
  appnet.skupper.site:
    platform: linux
    namespace: east
    name: east

- name: Redeem a token that the Kubernetes site of inventory host west issued (see appnet.skupper.access_grant)
  appnet.skupper.access_token:
    platform: linux
    namespace: east
    name: to-west
    url: "{{ hostvars['west'].grant.token.spec.url }}"
    code: "{{ hostvars['west'].grant.token.spec.code }}"
    ca: "{{ hostvars['west'].grant.token.spec.ca }}"
  register: token

- name: Reload the site, so that its router dials west (the token result says reload_required)
  appnet.skupper.system:
    platform: linux
    namespace: east
    state: reloaded
  when: token.reload_required
'''

RETURN = r'''
resource:
  description:
    - On Kubernetes, the AccessToken as it is now (as it would be, in check mode); the code is replaced.
    - On Linux, Podman and Docker the token is not kept as a resource (a token is redeemed once); this is the Link
      it was redeemed into. Empty in check mode before the first redemption, and after I(state=absent).
  returned: always
  type: dict
status:
  description:
    - On Kubernetes, the status of the AccessToken as the controller reports it.
    - On Linux, Podman and Docker, C(Ready) with C(redeemed=true) once the token has been redeemed, and C(Pending) in
      check mode when it would be redeemed.
  returned: always
  type: dict
  sample: {status: Ready, message: OK, redeemed: true}
resource_files:
  description: The Secret and Link files the redemption wrote (or I(state=absent) removed).
  returned: on Linux, Podman and Docker, outside check mode
  type: list
  elements: str
  sample: [/var/lib/skupper/namespaces/east/input/resources/Secret-to-west.yaml,
           /var/lib/skupper/namespaces/east/input/resources/Link-to-west.yaml]
reload_required:
  description: Whether the site must be reloaded (M(appnet.skupper.system) C(state=reloaded)) for the change to apply.
  returned: on Linux, Podman and Docker
  type: bool

redeemed:
  description:
    - Whether this run redeemed the token (Linux, Podman and Docker). Never true in check mode, which does not redeem;
      then C(changed=true) says that the token would be redeemed.
  returned: on Linux, Podman and Docker
  type: bool
link:
  description:
    - The Link resulting from the token (Kubernetes with I(wait), or Linux, Podman and Docker outside check mode).
    - On Linux, Podman and Docker it carries the token's C(appnet.skupper/remote-site-name) annotation, if any (the
      link role sets it to the name of the site that granted the token).
  returned: when known
  type: dict
'''


from ansible_collections.appnet.skupper.plugins.module_utils.runner import run_resource_module


def main():
    run_resource_module('AccessToken')


if __name__ == '__main__':
    main()
