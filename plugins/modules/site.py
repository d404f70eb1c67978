#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# This file is generated from the resource model by hacking/render_modules.py: edit the model, not this file.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: site
short_description: Manage Skupper Site resources
version_added: 1.0.0
description:
- 'Creates, updates or removes the Skupper Site of a namespace: the place where workloads run.'
- On Kubernetes the Skupper controller deploys the router; on Linux, Podman and Docker, M(appnet.skupper.system) renders and
  starts it from the resource files.
author:
- appnet.skupper contributors (@appnet)
options:
  link_access:
    description:
    - Whether and how remote sites may link to this site. C(none) refuses links; C(default) uses the platform default (on
      Linux, Podman and Docker a router listener on all addresses; on Kubernetes C(route) on OpenShift, else C(loadbalancer));
      the other values are Kubernetes access types.
    - On Linux, Podman and Docker only C(none) or C(default).
    - When omitted, Skupper uses C(none).
    - Spec field C(linkAccess).
    type: str
    choices:
    - none
    - default
    - local
    - loadbalancer
    - route
    - nodeport
    - ingress-nginx
    - contour-http-proxy
    - gateway
  edge:
    description:
    - Run the site router in edge mode. An edge site cannot accept links.
    - When omitted, Skupper uses C(false).
    - Spec field C(edge).
    type: bool
  ha:
    description:
    - Run two routers for high availability (not with I(edge)).
    - When omitted, Skupper uses C(false).
    - Spec field C(ha).
    type: bool
  default_issuer:
    description:
    - Name of the Secret holding the CA that signs link certificates of this site.
    - When omitted, Skupper uses C(skupper-site-ca).
    - Only on Kubernetes; refused on other platforms.
    - Spec field C(defaultIssuer).
    type: str
  service_account:
    description:
    - Kubernetes service account for the router. Generated when unset.
    - Only on Kubernetes; refused on other platforms.
    - Spec field C(serviceAccount).
    type: str
  settings:
    description:
    - Advanced settings of the site; for example C(routerLogging) or C(routerDataConnections), a map of string names to string
      values.
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
- The options are the fields of the C(Site) resource of API C(skupper.io/v2alpha1) in snake case; see U(https://skupper.io/docs)
  for their meaning.
- Options with no value are left out of the resource, so removing an option from a task removes the field.
seealso:
- module: appnet.skupper.resource
- module: appnet.skupper.system
'''

EXAMPLES = r'''
- name: A Kubernetes site that accepts links
  appnet.skupper.site:
    name: west
    namespace: west
    link_access: default
    wait: true

- name: A Linux site (resource file; start it with appnet.skupper.system)
  appnet.skupper.site:
    platform: linux
    namespace: east
    name: east
'''

RETURN = r'''
resource:
  description:
    - The Site as it is now (as it would be, in check mode); secret values are replaced.
    - Empty after I(state=absent).
  returned: always
  type: dict
status:
  description:
    - The status of the Site. On Kubernetes, as the controller reports it; on Linux, Podman and Docker, as the
      last render of M(appnet.skupper.system) wrote it (empty before the first render).
  returned: always
  type: dict
  sample: {status: Ready, message: OK}
resource_file:
  description: The resource file written or removed.
  returned: on Linux, Podman and Docker
  type: str
  sample: /var/lib/skupper/namespaces/east/input/resources/Site-example.yaml
reload_required:
  description: Whether the site must be reloaded (M(appnet.skupper.system) C(state=reloaded)) for the change to apply.
  returned: on Linux, Podman and Docker
  type: bool
'''


from ansible_collections.appnet.skupper.plugins.module_utils.runner import run_resource_module


def main():
    run_resource_module('Site')


if __name__ == '__main__':
    main()
