#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: network_info
short_description: Report the status of a Skupper site and its application network
version_added: 1.0.0
description:
- Reports the site (with its endpoints), its links (with the remote site each one reaches), every site of the
  network with its links, listeners and connectors (so that one site's answer shows the whole network), whether
  each listener and connector has a counterpart somewhere in the network, the status of every other resource of
  the site (AccessGrant redemptions and expiry, AccessToken, RouterAccess endpoints, Certificate expiry...), and the
  versions of the router and of this collection.
- A status is C(Ready), C(Pending) or C(Error) as Skupper writes it; an C(Error) stays an C(Error), with its
  message as C(reason).
- On Kubernetes the statuses come from the resources that the Skupper controller updates; the sites of the network
  from the Site's status (C(network)), the router version from the image of the C(skupper-router) Deployment.
- On Linux, Podman and Docker the sites of the network are the routers the site's router knows (C(router.node)),
  each asked through the network for its router and site entities (site id, platform, Skupper version, namespace)
  and, with skupper-router's C(skmanage) on Linux, for its links, listeners and connectors; otherwise a site's links
  are the routers it has a link with (no name, no direction). The router version is what C(skrouterd --version)
  prints.
- On Linux, Podman and Docker the module asks the site's router directly, with C(skmanage) (from the skupper-router
  package on Linux, from the router image in its container on Podman and Docker), over the local management listener
  (mutual TLS with the C(skupper-local-client) certificate). A router that is not running is reported (site
  C(Pending)), not a failure.
- The same result shape is returned on every platform. The module never changes anything.
author:
- appnet.skupper contributors (@appnet)
options:
  skmanage:
    description:
    - Linux, Podman and Docker only. The C(skmanage) tool, a name looked up on E(PATH) or a path.
    - On Podman and Docker it is the tool of the router image, run in the router container
      (C(<engine> exec <namespace>-skupper-router skmanage ...)); the host needs no skupper-router package.
    type: str
    default: skmanage
  timeout:
    description:
    - Linux, Podman and Docker only. Seconds to wait for the router's answer to each query.
    type: int
    default: 10
  resource_status:
    description:
    - Kubernetes only. Also read the status of the site's other Skupper resources (RV(resources)) and the router's
      version (RV(versions)).
    - C(false) reads only the Site, its Links, Listeners and Connectors (four list requests); the C(site) role reads
      a site's links this way.
    - On Linux, Podman and Docker those statuses come from the site's runtime files and are always reported.
    type: bool
    default: true
    version_added: 1.2.0
  expected_links:
    description:
    - Names of remote sites this site must have a C(Ready) link to.
    - A missing one makes RV(ready) false and is listed in RV(missing_links).
    type: list
    elements: str
    default: []
  require_ready:
    description:
    - Fail, naming every site, link and expected link that is not C(Ready) and every I(traffic) check that failed,
      unless RV(ready) is true and every traffic check passed (after waiting, with I(wait)).
    type: bool
    default: false
  wait:
    description:
    - Ask again until the site and every link and expected link are C(Ready) and every I(traffic) check passes, or
      until I(wait_timeout) seconds have passed; the retries happen inside this one module run. Without it the
      site is asked once.
    - Not in check mode (a check run changed nothing, so what it predicts is not there yet).
    type: bool
    default: false
    version_added: 1.1.0
  wait_timeout:
    description:
    - Seconds to wait with I(wait).
    type: int
    default: 120
    version_added: 1.1.0
  wait_sleep:
    description:
    - Seconds between two attempts with I(wait).
    type: int
    default: 1
    version_added: 1.1.0
  traffic:
    description:
    - "Traffic to send from the managed host once the site and its links are C(Ready) (Linux, Podman and Docker
      sites; a Kubernetes site's listeners are services in its cluster): a TCP connection to I(host) and I(port),
      or with I(http_path) an HTTP GET that must answer I(status). A listener bound to every address (C(0.0.0.0),
      C(::)) is reached on the loopback address."
    - Each check waits at most 5 seconds for an answer; with I(wait) the checks are tried again until they pass
      or the wait ends. The outcome is RV(traffic).
    type: list
    elements: dict
    default: []
    version_added: 1.1.0
    suboptions:
      name:
        description: A name for the check (such as the listener's), returned with its outcome.
        type: str
      host:
        description: Host to connect to.
        type: str
        default: 127.0.0.1
      port:
        description: Port to connect to.
        type: int
        required: true
      http_path:
        description: Path of an HTTP GET; without it a TCP connection is the check.
        type: str
      status:
        description: The HTTP status the GET must answer.
        type: int
        default: 200
extends_documentation_fragment:
- appnet.skupper.common
- appnet.skupper.k8s_auth
- appnet.skupper.attributes
attributes:
  check_mode:
    support: full
    details:
    - The module only reads; it runs the same in check mode.
  diff_mode:
    support: none
  platform:
    support: full
    platforms: kubernetes, linux, podman, docker
requirements:
- kubernetes >= 24.2.0 (Python, for platform kubernetes)
- PyYAML
- skupper-router (C(skmanage)) on the host, for platform linux
notes:
- On Linux, Podman and Docker the remote site of a link is the one the Link names (the annotation
  C(appnet.skupper/remote-site-name), set by M(appnet.skupper.static_link) and, for tokens, by the link role), as
  long as the peer router's id can be that site's; otherwise it is read from the peer router's id
  (C(<site>-<seconds>-<nanoseconds>) of Skupper, C(<site>-<router pod>) of Skupper on Kubernetes, or
  C(<site>-<8 hex digits>) of this collection), with I(expected_links) telling ambiguous ids apart.
- On Linux, Podman and Docker the router is asked with the full names of its management entity types
  (C(io.skupper.router.router.address), ...).
- A listener is C(Ready) once the router has bound its port. It is not when no connector for its routing key is
  reachable in the network, or when the port cannot be bound (C(reason) gives the router's message, such as
  C(Address already in use)).
- Whether a connector has a listener in another site is not in the router's management tables; it is C(true) when
  this site has a listener for the routing key or traffic for it has arrived through the network, else C(null).
- Listeners and connectors do not count in RV(ready) because their counterparts belong to other sites.
seealso:
- module: appnet.skupper.system
- module: appnet.skupper.link
- module: appnet.skupper.access_token
'''

EXAMPLES = r'''
- name: Show the network as the Kubernetes site in namespace west sees it
  appnet.skupper.network_info:
    namespace: west
  register: west_network

- name: Wait until the Linux site east is linked to west
  appnet.skupper.network_info:
    platform: linux
    namespace: east
    expected_links: [west]
    require_ready: true
  register: east_network
  until: east_network is succeeded
  retries: 30
  delay: 2

- name: Fail when a listener has no connector anywhere
  ansible.builtin.assert:
    that: east_network.listeners | rejectattr('matched') | list | length == 0
'''

RETURN = r'''
site:
  description: The site.
  returned: always
  type: dict
  contains:
    name:
      description: Site name.
      type: str
    id:
      description: Site id (the Site's uid).
      type: str
    platform:
      description: Platform of the site.
      type: str
    namespace:
      description: Namespace of the site.
      type: str
    status:
      description: C(Ready), C(Pending) or C(Error).
      type: str
    reason:
      description: Why the site is not C(Ready).
      type: str
    router_id:
      description: Id of the site's router (Linux, Podman and Docker).
      type: str
    version:
      description: The Skupper version the site runs as (its router's metadata; on Kubernetes its record in the
        Site status).
      type: str
      version_added: 1.2.0
    endpoints:
      description: Where other sites reach this one (C(name), C(host), C(port), C(group)), from the Site's status;
        empty without link access.
      type: list
      elements: dict
      version_added: 1.2.0
  sample: {name: east, id: 22222222-2222-2222-2222-222222222222, platform: linux, namespace: default,
           status: Ready, reason: null, router_id: east-22222222, version: 2.1.0,
           endpoints: [{name: east-inter-router, host: 10.0.0.2, port: 55671, group: skupper-router}]}
links:
  description: The links of this site to other sites.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Link name.
      type: str
    status:
      description: C(Ready) when the link is up, else C(Pending) (C(Error) when Skupper says so).
      type: str
    reason:
      description: Why the link is not up, in words (TLS trust, refused connection...).
      type: str
    remote_site_name:
      description: Site at the other end (known once the link is up).
      type: str
    remote_site_id:
      description: Id of that site (on Linux, Podman and Docker read from the remote router, through the link).
      type: str
    cost:
      description: Link cost.
      type: int
    host:
      description: Host the link connects to.
      type: str
    port:
      description: Port the link connects to.
      type: int
  sample:
  - {name: link-west, status: Ready, reason: null, remote_site_name: west, remote_site_id: null, cost: 1,
     host: west.example.com, port: 55671}
peers:
  description: The other routers (Linux) or sites (Kubernetes) of the network this site knows.
  returned: always
  type: list
  elements: dict
  contains:
    router_id:
      description: Router id (Linux, Podman and Docker).
      type: str
    site_name:
      description: Site name.
      type: str
    site_id:
      description: Site id (Kubernetes).
      type: str
sites:
  description: Every site of the network as this site knows it, this one first (C(self) true).
  returned: always
  type: list
  elements: dict
  version_added: 1.2.0
  contains:
    name:
      description: Site name (on Linux, Podman and Docker from the links' facts or the router id; null when
        neither tells).
      type: str
    id:
      description: Site id.
      type: str
    platform:
      description: Platform of the site.
      type: str
    namespace:
      description: Namespace of the site.
      type: str
    version:
      description: The Skupper version of the site.
      type: str
    router_id:
      description: Id of the site's router (Linux, Podman and Docker).
      type: str
    self:
      description: Whether it is the site asked.
      type: bool
    links:
      description: The site's links, shaped like RV(links) (a link known only from the routers' link state has no
        name).
      type: list
      elements: dict
    services:
      description: The site's listeners (names) and connectors (host:port) by C(routing_key).
      type: list
      elements: dict
  sample:
  - {name: north, id: 5ba7775a-846b-464d-b8bd-7d3619c34636, platform: linux, namespace: shop, version: 2.1.0,
     router_id: north-5ba7775a, self: true, links: [{name: link-west, status: Ready, remote_site_name: west}],
     services: [{routing_key: backend, listeners: [backend], connectors: []}]}
  - {name: west, id: 8e789611-7ab9-469b-a57a-667534250516, platform: linux, namespace: shop, version: 2.1.0,
     router_id: west-8e789611, self: false, links: [],
     services: [{routing_key: backend, listeners: [], connectors: ['127.0.0.1:19090']}]}
resources:
  description:
  - The status of every other resource of the site (AccessGrant, AccessToken, RouterAccess, SecuredAccess,
    Certificate, MultiKeyListener, AttachedConnector, AttachedConnectorBinding), by kind and name, with C(status)
    and C(reason), and what the kind's status adds.
  - AccessGrant C(redemptions), C(redemptions_allowed), C(expiration_time) and C(url); AccessToken C(redeemed);
    RouterAccess and SecuredAccess C(endpoints); Certificate C(expiration); MultiKeyListener C(has_destination);
    AttachedConnectorBinding C(has_matching_listener).
  returned: always
  type: list
  elements: dict
  version_added: 1.2.0
  sample:
  - {kind: AccessGrant, name: to-west, status: Ready, reason: null, redemptions: 1, redemptions_allowed: 3,
     expiration_time: '2026-12-08T10:00:00Z', url: 'https://10.0.0.1:8443/5d2c'}
  - {kind: Certificate, name: west, status: Ready, reason: null, expiration: '2031-12-06T11:18:56Z'}
versions:
  description: C(collection), the version of this collection; C(router), the version of the site's router (null
    when it cannot be told).
  returned: always
  type: dict
  version_added: 1.2.0
  sample: {collection: 1.2.0, router: 3.4.0}
listeners:
  description: The listeners of this site.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Listener name.
      type: str
    routing_key:
      description: Routing key.
      type: str
    host:
      description: Host the listener binds.
      type: str
    port:
      description: Port the listener binds.
      type: int
    status:
      description: C(Ready) when matched, else C(Pending) (C(Error) when Skupper says so).
      type: str
    reason:
      description: Why it is not C(Ready).
      type: str
    matched:
      description: Whether a connector for the routing key exists in the network.
      type: bool
connectors:
  description: The connectors of this site, like RV(listeners); C(matched) says whether a listener for the routing
    key exists anywhere in the network (on Linux the other routers are asked over the network in the same management
    session; C(null) when they could not be asked, as through a container engine, and no traffic was seen).
  returned: always
  type: list
  elements: dict
ready:
  description: The site is C(Ready), every link is C(Ready) and every site of I(expected_links) is linked.
  returned: always
  type: bool
missing_links:
  description: The sites of I(expected_links) without a C(Ready) link.
  returned: always
  type: list
  elements: str
not_ready:
  description: What is not C(Ready) (site, links, expected links) and every I(traffic) check that failed, in words.
  returned: always
  type: list
  elements: str
  version_added: 1.1.0
traffic:
  description:
  - The outcome of every I(traffic) check (its options, C(ok), C(reason) when it failed, C(http_status) of a GET).
  - Empty while the site or a link is not C(Ready) (traffic is sent only once they are).
  returned: always
  type: list
  elements: dict
  version_added: 1.1.0
  sample: [{name: backend, host: 127.0.0.1, port: 8080, http_path: /, status: 200, ok: true, reason: null,
            http_status: 200}]
attempts:
  description: How many times the site was asked (more than one with I(wait)).
  returned: always
  type: int
  version_added: 1.1.0
'''


from ansible_collections.appnet.skupper.plugins.module_utils import args_common
from ansible_collections.appnet.skupper.plugins.module_utils.network_check import run_network_info_module

OWN_OPTIONS = {
    'skmanage': {'type': 'str', 'default': 'skmanage'},
    'timeout': {'type': 'int', 'default': 10},
    'resource_status': {'type': 'bool', 'default': True},
    'expected_links': {'type': 'list', 'elements': 'str', 'default': []},
    'require_ready': {'type': 'bool', 'default': False},
    'wait': {'type': 'bool', 'default': False},
    'wait_timeout': {'type': 'int', 'default': 120},
    'wait_sleep': {'type': 'int', 'default': 1},
    'traffic': {'type': 'list', 'elements': 'dict', 'default': [], 'options': {
        'name': {'type': 'str'},
        'host': {'type': 'str', 'default': '127.0.0.1'},
        'port': {'type': 'int', 'required': True},
        'http_path': {'type': 'str'},
        'status': {'type': 'int', 'default': 200},
    }},
}


def main():
    run_network_info_module(args_common.merge(args_common.TARGET, args_common.K8S_AUTH, OWN_OPTIONS))


if __name__ == '__main__':
    main()
