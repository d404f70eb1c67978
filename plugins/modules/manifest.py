#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: manifest
short_description: Apply or remove the Kubernetes objects of a manifest (file, folder or URL) by server-side apply
version_added: 1.1.0
description:
- Applies every object of a Kubernetes manifest, of any C(apiVersion) and C(kind) the API server serves (found with
  the server's discovery, as C(kubectl) finds it), by server-side apply with the field manager C(appnet.skupper).
  This is how the P(appnet.skupper.controller#role) role installs Skupper's controller from its release manifest.
- "Order: C(CustomResourceDefinitions) first, each waited for until its C(Established) condition is C(True) (the
  API serves the new kind only then); C(Namespaces) next; then the other objects in manifest order. With I(wait),
  every C(Deployment) of the manifest is then waited for until its rollout is complete and available (the rules of
  C(kubectl rollout status))."
- Every object is read first and written only when the live object lacks what the manifest says (or still has
  fields this module set before that the manifest no longer has); a second run sends no write.
- The whole manifest is read and checked before the first request. A missing file, YAML that is not a Kubernetes
  object, the same object twice, or a kind the server does not serve (and no CRD of the manifest defines) fails
  the task with nothing changed.
- With I(state=absent) the objects are deleted in reverse order. C(CustomResourceDefinitions) and C(Namespaces)
  are kept unless I(delete_crds) or I(delete_namespaces) is true, since removing them deletes every object of the
  kind, or in the namespace, in the cluster.
author:
- appnet.skupper contributors (@appnet)
options:
  src:
    description:
    - A manifest file (YAML or JSON, one or more documents; C(List) kinds stand for their items), or a folder whose
      C(.yaml), C(.yml) and C(.json) files (not its sub-folders) are read in name order.
    - On the host the module runs on; for a Kubernetes task on the controller (the usual case), the controller.
    - Exactly one of I(src) and I(url) is required.
    type: path
  url:
    description:
    - An C(http) or C(https) URL to download the manifest from (certificates are checked; proxies from the
      environment, as M(ansible.builtin.get_url) uses them).
    type: str
  url_timeout:
    description:
    - Seconds to wait for the download of I(url).
    type: int
    default: 30
  namespace:
    description:
    - Namespace of the namespaced objects whose manifest gives none. Objects that name their namespace keep it;
      cluster-scoped objects have none.
    type: str
    default: default
  state:
    description:
    - V(present) applies the objects, V(absent) deletes them.
    type: str
    choices: [present, absent]
    default: present
  delete_crds:
    description:
    - With I(state=absent), delete the manifest's C(CustomResourceDefinitions) too (and with them every custom
      resource of their kinds in the cluster).
    type: bool
    default: false
  delete_namespaces:
    description:
    - With I(state=absent), delete the manifest's C(Namespaces) too (and everything in them).
    type: bool
    default: false
  controller_config:
    description:
    - The Skupper controller's configuration (reference C(topics/controller-configuration.md)), set on the
      controller of the manifest (its C(Deployment) C(skupper-controller), container C(controller)) with
      I(state=present).
    - Each option given becomes the controller's environment variable (named in each option), and the manifest's
      arguments that set the same option are dropped (the controller reads a flag before its variable; the release
      manifests pass C(-enable-grants) and C(-grant-server-autoconfigure)). An option left unset (null, empty)
      keeps what the manifest says; one set before and unset now is removed again.
    - A configuration the controller would refuse to start with (a default access type it does not enable,
      C(nodeport) without I(cluster_host), C(gateway) without I(gateway_class)), or a manifest without the
      controller, fails the task before any request.
    type: dict
    version_added: 1.2.0
    suboptions:
      enabled_access_types:
        description:
        - The access types sites may choose from (E(SKUPPER_ENABLED_ACCESS_TYPES)), of C(local), C(loadbalancer),
          C(route), C(nodeport), C(ingress-nginx), C(contour-http-proxy) and C(gateway); the controller enables
          C(local), C(loadbalancer) and C(route) when nothing says which.
        - The site module warns when a site's C(link_access) names one its controller does not enable.
        type: list
        elements: str
      default_access_type:
        description:
        - The access type of a site whose link access is C(default) (E(SKUPPER_DEFAULT_ACCESS_TYPE)); one of the
          enabled ones. Unset, the controller takes C(route) on OpenShift, else C(loadbalancer), else the first
          enabled one.
        type: str
      cluster_host:
        description:
        - The host name or IP address through which the cluster is reached (E(SKUPPER_CLUSTER_HOST)); required
          for C(nodeport).
        type: str
      ingress_domain:
        description:
        - The domain of the host names of Ingress resources, for C(ingress-nginx) (E(SKUPPER_INGRESS_DOMAIN)).
        type: str
      http_proxy_domain:
        description:
        - The domain of the host names of Contour HTTPProxy resources, for C(contour-http-proxy)
          (E(SKUPPER_HTTP_PROXY_DOMAIN)).
        type: str
      gateway_class:
        description:
        - The class of the Gateway (E(SKUPPER_GATEWAY_CLASS)); required for C(gateway).
        type: str
      gateway_domain:
        description:
        - The domain of the host names of TLSRoute resources, for C(gateway) (E(SKUPPER_GATEWAY_DOMAIN)).
        type: str
      gateway_port:
        description:
        - The port the Gateway listens on (E(SKUPPER_GATEWAY_PORT); the controller's default 8443).
        type: int
      enable_grants:
        description:
        - Run the grant server, so that AccessGrants issue tokens (E(SKUPPER_ENABLE_GRANTS)). The release
          manifests enable it.
        type: bool
      grant_server_autoconfigure:
        description:
        - The controller sets up the grant server's URL and TLS credentials itself
          (E(SKUPPER_GRANT_SERVER_AUTOCONFIGURE)). The release manifests enable it.
        type: bool
      grant_server_base_url:
        description:
        - The base URL through which the grant server is reached, without autoconfigure
          (E(SKUPPER_GRANT_SERVER_BASE_URL)).
        type: str
      grant_server_port:
        description:
        - The port the grant server listens on (E(SKUPPER_GRANT_SERVER_PORT); the controller's default 9090).
        type: int
      grant_server_tls_credentials:
        description:
        - The Secret of the grant server's TLS credentials (E(SKUPPER_GRANT_SERVER_TLS_CREDENTIALS); the
          controller's default C(skupper-grant-server)).
        type: str
  wait:
    description:
    - With I(state=present), wait until every C(Deployment) of the manifest is rolled out and available for its
      current spec; with I(state=absent), wait until every deleted object is gone.
    - C(CustomResourceDefinitions) are always waited for until C(Established), whatever this option says.
    - On timeout the module fails, naming the object and why it is not ready.
    type: bool
    default: false
  wait_timeout:
    description:
    - Seconds to wait for each object.
    type: int
    default: 120
  wait_sleep:
    description:
    - Longest pause between two checks. The first checks come sooner (0.25 s apart, the pause doubling up to this
      value). The last check is made at the timeout, never later.
    type: int
    default: 2
extends_documentation_fragment:
- appnet.skupper.k8s_auth
- appnet.skupper.k8s_auth.APPLY
- appnet.skupper.attributes
attributes:
  check_mode:
    support: full
    details:
    - Changes are sent with C(dryRun=All), so the API server validates them and stores nothing. Objects of a kind a CRD
      of the manifest would define, or in a namespace the manifest would create, are reported as created without
      a request.
  diff_mode:
    support: full
    details:
    - One diff per object that changes, before and after (its metadata, spec and other fields; no status).
  idempotent:
    description: When run twice in a row with the same arguments, the second run reports no change.
    support: full
  platform:
    support: full
    platforms: kubernetes
requirements:
- kubernetes >= 24.2.0 (Python)
- PyYAML
notes:
- Objects a newer manifest no longer has are not deleted by I(state=present); remove them with I(state=absent) and
  the older manifest.
- Secret values of a manifest are never shown in a diff.
seealso:
- module: appnet.skupper.resource
- name: The appnet.skupper.controller role
  description: Installs Skupper's controller with this module (roles/controller/meta/argument_specs.yml).
  link: https://github.com/appnet/skupper/tree/main/roles/controller
'''

EXAMPLES = r'''
- name: Install Skupper's controller, cluster scope, from its release manifest
  appnet.skupper.manifest:
    url: https://github.com/skupperproject/skupper/releases/download/2.2.5/skupper-cluster-scope.yaml
    namespace: skupper
    wait: true

# skupper_manifests: a folder on the controller with the release's manifest files (downloaded elsewhere).
- name: The same from a folder copied to the controller, for a cluster without internet
  appnet.skupper.manifest:
    src: "{{ skupper_manifests }}"
    namespace: skupper
    wait: true

- name: The controller with nodeport and the grant server on a base URL of its own
  appnet.skupper.manifest:
    src: "{{ skupper_manifests }}"
    namespace: skupper
    wait: true
    controller_config:
      enabled_access_types: [local, loadbalancer, nodeport]
      cluster_host: k8s.example.net
      grant_server_autoconfigure: false
      grant_server_base_url: https://grants.example.net:9090

- name: Remove it again, CRDs included
  appnet.skupper.manifest:
    src: "{{ skupper_manifests }}"
    namespace: skupper
    state: absent
    delete_crds: true
'''

RETURN = r'''
objects:
  description: Every object of the manifest and what happened to it, in manifest order.
  returned: always
  type: list
  elements: dict
  contains:
    api_version:
      description: The object's apiVersion.
      type: str
    kind:
      description: The object's kind.
      type: str
    name:
      description: The object's name.
      type: str
    namespace:
      description: Its namespace; null for cluster-scoped objects.
      type: str
    result:
      description: C(created), C(updated), C(unchanged), C(deleted), C(absent) (already gone) or C(kept) (a CRD or
        Namespace that I(state=absent) leaves).
      type: str
  sample:
  - {api_version: apps/v1, kind: Deployment, name: skupper-controller, namespace: skupper, result: updated}
'''


from ansible_collections.appnet.skupper.plugins.module_utils import args_common
from ansible_collections.appnet.skupper.plugins.module_utils.k8s.manifest import controller_config_spec, run_manifest_module

OWN_OPTIONS = {
    'src': {'type': 'path'},
    'url': {'type': 'str'},
    'url_timeout': {'type': 'int', 'default': 30},
    'namespace': args_common.TARGET['namespace'],
    'state': {'type': 'str', 'default': 'present', 'choices': ['present', 'absent']},
    'delete_crds': {'type': 'bool', 'default': False},
    'delete_namespaces': {'type': 'bool', 'default': False},
}


def argument_spec():
    return args_common.merge(args_common.K8S_AUTH, args_common.APPLY, args_common.WAIT, OWN_OPTIONS,
                             controller_config_spec())


def main():
    run_manifest_module(argument_spec())


if __name__ == '__main__':
    main()
