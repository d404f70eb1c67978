#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: static_link
short_description: Issue a static link to a site for a named remote site (skupper link generate)
version_added: 1.0.0
description:
  - On a Linux, Podman or Docker site with link access, issues a Link and the Secret it needs for one remote
    site - a client certificate for I(subject) signed by this site's CA, and endpoints on I(host) with the site's
    inter-router and edge ports.
  - The remote site applies the returned I(definition) (M(appnet.skupper.resource), or C(kubectl apply) on
    Kubernetes). The same subject gets the same link back on the next run (no change).
  - On Linux, Podman and Docker the site must have been rendered (M(appnet.skupper.system)).
  - On Kubernetes (I(platform=kubernetes)) it does what C(skupper link generate) does, for any site to apply
    (Linux, Podman, Docker or Kubernetes), where a token cannot be redeemed (the remote site cannot reach the grant
    server). The site must be ready and have link access. The Link dials the endpoints of the Site's status; its
    Secret holds a client certificate for I(subject) signed by the site's CA (the Site's default issuer), which the
    Skupper controller issues for a Certificate resource C(<name>-<subject>) that this module applies (the
    controller's Secret of the same name stays in the namespace). The same subject gets the same link back (no
    change).
author:
  - appnet.skupper contributors (@appnet)
options:
  subject:
    description:
      - The name of the remote site the link is for; the common name of its client certificate.
    type: str
    required: true
  host:
    description:
      - The address or host name the remote site dials. It must be named by this site's router certificate.
      - Default the host's primary address (never C(0.0.0.0) or C(::)).
      - Not on Kubernetes, where the endpoints are the site's (refused).
    type: str
  cost:
    description:
      - Routing cost of the link.
    type: int
    default: 1
  name:
    description:
      - Name of the Link and its Secret. Default C(link-<this site's name>).
    type: str
  wait_timeout:
    description:
      - Kubernetes only. Seconds to wait for the Skupper controller to issue the credentials.
    type: int
    default: 60
    version_added: 1.2.0
extends_documentation_fragment:
  - appnet.skupper.common.system_target
  - appnet.skupper.k8s_auth
attributes:
  check_mode:
    description: Predicts whether credentials would be issued (or re-issued, when the CA changed or they are
      close to expiry) without writing anything.
    support: full
  diff_mode:
    description: No diff is produced; the definition carries a private key.
    support: none
  platform:
    description: The host of the site that accepts the link.
    support: full
    platforms: kubernetes, linux, podman, docker
notes:
  - I(platform=kubernetes) issues links since version 1.2.0; before, it was refused.
  - The I(definition) holds a private key. The output of the task is hidden (as with C(no_log)) when it returns
    one; the registered result keeps it, to hand on to the remote site.
seealso:
  - module: appnet.skupper.resource
  - module: appnet.skupper.system
'''

EXAMPLES = r'''
- name: West accepts links on an address east can reach; its router certificate names that address
  appnet.skupper.router_access:
    platform: linux
    namespace: west
    name: west-public
    tls_credentials: west-public
    subject_alternative_names: [192.0.2.10]
    roles:
      - {name: inter-router, port: 55671}
      - {name: edge, port: 45671}
  delegate_to: west-host

- name: Render west with it (a static link needs the rendered site)
  appnet.skupper.system:
    platform: linux
    namespace: west
    state: reloaded
  delegate_to: west-host

- name: Issue a link to west for east
  appnet.skupper.static_link:
    platform: linux
    namespace: west
    subject: east
    host: 192.0.2.10
  register: west_link
  no_log: true
  delegate_to: west-host

- name: Apply it on east
  appnet.skupper.resource:
    platform: linux
    namespace: east
    definition: "{{ west_link.definition }}"
  register: east_link
  no_log: true

- name: Reload east, so that its router dials west (the result says reload_required)
  appnet.skupper.system:
    platform: linux
    namespace: east
    state: reloaded
  when: east_link.reload_required

- name: Generate a link from the Kubernetes site in namespace west, for the Linux site north
  appnet.skupper.static_link:
    platform: kubernetes
    namespace: west
    subject: north
  register: west_link_for_north
  no_log: true

- name: Apply it on north
  appnet.skupper.resource:
    platform: linux
    namespace: north
    definition: "{{ west_link_for_north.definition }}"
  no_log: true
'''

RETURN = r'''
definition:
  description:
    - The Secret and the Link as a YAML stream, ready to apply on the remote site. Holds a private key.
    - The Link carries the annotation C(appnet.skupper/remote-site-name) with this site's name, from which the remote
      site's M(appnet.skupper.network_info) reports where the link goes.
  returned: success, outside check mode or when issued already and still current
  type: str
link:
  description: The Link document.
  returned: success, outside check mode or when issued already and still current
  type: dict
'''

from ansible_collections.appnet.skupper.plugins.module_utils import args_common
from ansible_collections.appnet.skupper.plugins.module_utils.issue_link import run_static_link_module


def argument_spec():
    return args_common.merge(args_common.SYSTEM_TARGET, args_common.K8S_AUTH, {
        'subject': {'type': 'str', 'required': True},
        'host': {'type': 'str'},
        'cost': {'type': 'int', 'default': 1},
        'name': {'type': 'str'},
        'wait_timeout': {'type': 'int', 'default': 60},
    })


def main():
    run_static_link_module(argument_spec())


if __name__ == '__main__':
    main()
