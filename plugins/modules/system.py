#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: system
short_description: Render and run a Skupper site on a Linux host
version_added: 1.0.0
description:
  - Renders a Linux, Podman or Docker site from its resource files (C(input/resources), written by the resource
    modules) into the router configuration, the certificates, the static links and the resources with status,
    in Skupper's own layout, and runs its router.
  - The router restarts only when what it reads changed. On Linux, listeners and connectors added, changed or
    removed on a running router are changed through its management interface instead, without a restart; links
    and the connections of other listeners stay up. No container engine and no Skupper CLI are needed on
    Linux; the Skupper router (C(skrouterd)) is.
author:
  - appnet.skupper contributors (@appnet)
options:
  state:
    description:
      - C(started) renders the site and starts the router if it is not running; when what the router reads
        (its configuration or a certificate) or how it is run (binary, site id, unit, container command) changed
        since the last start, a running router is restarted. Either way the module returns once the router is
        ready (see I(ready_timeout)).
      - On Linux, when only the router's listeners and connectors (C(tcpListener) and C(tcpConnector) entities of
        Listeners and Connectors; not multi-key listeners) changed, the running router is not restarted; the
        module deletes the removed and changed ones and creates the new and changed ones through the router's
        management interface (one AMQP session of the C(skmanage) beside the router binary, or on E(PATH), over
        the site's local management listener), checks that the router then holds exactly what the rendered
        configuration says, and returns them as I(reconfigured). Links and the connections of other listeners
        and connectors stay up; the connections of a changed listener or connector end. Anything else the
        router reads (the router id, certificates and sslProfiles, RouterAccess and link listeners, links, site
        settings, logging) still restarts the router, and I(restart_reason) says why.
      - The rendered configuration on disk stays the source of truth; a later restart yields the same router.
        A live change the router refuses (or no usable C(skmanage)) restarts the router instead, with a warning.
      - Podman and Docker sites always restart the router container on a change.
      - On Linux, after it started or restarted the router, the module also waits (up to 20 seconds) until the
        listeners that the router should bind are bound (those whose routing key has a reachable connector, once
        the site's links have made their first attempt), and warns for every listener whose port the router cannot
        bind (for example C(Address already in use)); it asks the router with the C(skmanage) beside the router
        binary, or on E(PATH).
      - When another program holds a port of a RouterAccess role at start (the router logs that it cannot
        listen, C(Address already in use)), the start fails at once naming the port; when
        that port was chosen by the module (the local management port, or the link access ports of a Site with
        C(linkAccess)), it is chosen again instead, the site is rendered again and the router started again (up to
        three times).
      - C(reloaded) does the same; use it after changing resources to say so.
      - C(stopped) stops the router and keeps every file.
      - C(absent) stops the router and removes the runtime, the internal files and the service; the resource
        files and the certificate authorities stay unless I(purge=true).
      - C(stopped) and C(absent) act on the service manager recorded by the last start (C(internal/service.yaml)),
        whatever I(service_manager) says; a start with another manager than the recorded one moves the router to
        it.
    type: str
    default: started
    choices: [started, reloaded, stopped, absent]
  purge:
    description:
      - With I(state=absent), remove the whole namespace, including its resource files and CAs.
    type: bool
    default: false
  router_binary:
    description:
      - Path of the Skupper router C(skrouterd), or a name looked up on E(PATH). Default C(skrouterd) on E(PATH).
      - Checked (it must run C(--version)) before anything changes.
    type: path
  service_manager:
    description:
      - How the router runs on Linux. C(systemd) uses a unit C(skupper-<namespace>.service) (system scope as root,
        user scope otherwise); C(process) a supervised background process with a pid file, for hosts without
        systemd; C(auto) picks systemd when it runs the host.
      - Podman and Docker run the router image in a container.
    type: str
    default: auto
    choices: [auto, systemd, process]
  ready_timeout:
    description:
      - Seconds to wait after a start or restart until the router is ready, that is, until its local management
        listener accepts a mutual TLS connection with the site's C(skupper-local-client) certificate and answers
        AMQP, and the router (process, unit or container) was not restarted meanwhile.
      - A router that is not ready in time, or exits or restarts while the module waits, fails the task with the end
        of its log (the log file, C(journalctl), or the container log).
    type: int
    default: 60
  definition:
    description:
      - Resource documents to apply to the site before it is rendered, in the same run (one module run for a whole
        site, with its Site, RouterAccesses, Listeners, Connectors, Links and their Secrets, AccessTokens to redeem).
      - A YAML (or JSON) string with one or more C(---) separated documents, a dictionary, or a list of
        dictionaries, as for M(appnet.skupper.resource); each is checked against the resource model (and against the
        site's files) before any is written, and one invalid document fails the task with nothing changed.
      - Documents are applied as with M(appnet.skupper.resource) C(state=present) (an C(AccessToken) is redeemed
        once); documents already on the site and not given here stay.
      - Only with I(state=started) or I(state=reloaded). Secret values never show in the output.
    type: raw
    version_added: 1.1.0
  defer_first_start:
    description:
      - A site whose router never ran is rendered but not started; the Site status says so. The next run without
        this option starts it.
      - For a rollout (the C(site) role sets it for a new site with C(skupper_links)) - the run of the link role that
        gives the site its links starts the router once, with them, instead of a start here and a restart there.
      - A site whose router ran once is started, restarted or changed live as without the option.
    type: bool
    default: false
    version_added: 1.1.0
  pending_resources:
    description:
      - Check mode only (ignored otherwise). Resource documents that the resource modules, run in check mode before
        this task, would have written to C(input/resources) (their C(resource) results). A check run writes
        nothing, so the render it predicts reads these in place of the files of the same kind and name; without
        them, check mode on a site not built yet could only fail with "No sources found".
      - The documents of I(definition) need not be given here; a check run renders with them.
    type: list
    elements: dict
    default: []
extends_documentation_fragment:
  - appnet.skupper.common.system_target
  - appnet.skupper.container
attributes:
  check_mode:
    description: Renders in memory and predicts changed, restarted and reconfigured without changing anything
      (the router is not asked).
    support: full
  diff_mode:
    description: Shows the runtime files that change and the service state before and after.
    support: full
  platform:
    description: The host that runs the site.
    support: full
    platforms: posix
notes:
  - I(platform=kubernetes) is refused; Kubernetes sites are run by the Skupper controller.
  - With systemd in user scope the module warns when lingering is not enabled for the user (the router would stop
    with the user's last session and not start at boot); it does not enable lingering itself.
  - Podman and Docker run the router container C(<namespace>-skupper-router) as Skupper does (host network, the
    runtime mounted, user C(<uid>:<gid>) with userns C(keep-id) for rootless Podman, C(0:0) for rootful Podman and
    C(0:<docker group gid>) for Docker), write C(internal/scripts/start.sh) and C(stop.sh), and where systemd runs
    the host install the unit C(skupper-<namespace>.service) that runs them at boot.
  - The Site status in C(runtime/resources) says C(Running) only once the router is ready, and is set back when the
    router is stopped or does not start.
seealso:
  - module: appnet.skupper.site
  - module: appnet.skupper.static_link
  - module: appnet.skupper.network_info
'''

EXAMPLES = r'''
- name: A whole Linux site in one run - its resources applied, rendered, the router (re)started only when needed
  appnet.skupper.system:
    platform: linux
    namespace: east
    state: reloaded
    service_manager: process
    definition:
      - {apiVersion: skupper.io/v2alpha1, kind: Site, metadata: {name: east}, spec: {linkAccess: default}}
      - {apiVersion: skupper.io/v2alpha1, kind: Listener, metadata: {name: backend},
         spec: {routingKey: backend, host: 127.0.0.1, port: 8080}}
  register: east

- name: Start (or reload) the site of namespace east with a supervised process
  appnet.skupper.system:
    platform: linux
    namespace: east
    state: reloaded
    service_manager: process

- name: Stop the router, keep everything
  appnet.skupper.system:
    platform: linux
    namespace: east
    state: stopped

- name: Remove the site entirely
  appnet.skupper.system:
    platform: linux
    namespace: east
    state: absent
    purge: true

# skupper_router_image: an image the host has (podman load of an image saved elsewhere, for hosts without registry
# access: pull never), or one it may pull (the default, quay.io/skupper/skupper-router:<version>, pull missing).
# On a Docker host the same task with platform docker (docker load for the image).
- name: The same site in a Podman container, from its resource files (east-site.yaml beside the playbook)
  appnet.skupper.system:
    platform: podman
    namespace: east
    state: reloaded
    router_image: "{{ skupper_router_image }}"
    pull: never
    definition: "{{ lookup('ansible.builtin.file', 'east-site.yaml') }}"

- name: Remove the Podman site, its container included
  appnet.skupper.system:
    platform: podman
    namespace: east
    state: absent
    purge: true
'''

RETURN = r'''
created:
  description:
    - Whether this run renders the site for the first time (in check mode, would). A check run of a whole rollout
      uses it to know that the site has no links and no router to ask yet.
  returned: with I(state=started) or I(state=reloaded)
  type: bool
restarted:
  description: Whether the router was (or, in check mode, would be) started or restarted.
  returned: always
  type: bool
deferred:
  description: Whether the first start of the router was deferred (I(defer_first_start)); it is not running then.
  returned: with I(state=started) or I(state=reloaded)
  type: bool
  version_added: 1.1.0
restart_reason:
  description: Why the router was (or would be) started or restarted; null when it was not.
  returned: with I(state=started) or I(state=reloaded)
  type: str
  sample: what the router reads (its configuration or a certificate) changed
reconfigured:
  description:
    - The listeners and connectors changed on the running router through its management interface, without a
      restart (in check mode, that would be), as C(<entity type> <entity name>) of the router configuration;
      null when the router was not changed live (unchanged, started or restarted).
  returned: with I(state=started) or I(state=reloaded)
  type: dict
  contains:
    created:
      description: Entities created.
      type: list
      elements: str
      sample: [tcpListener listener/backend]
    deleted:
      description: Entities deleted.
      type: list
      elements: str
    updated:
      description: Entities changed (deleted and created again with their new attributes).
      type: list
      elements: str
      sample: [tcpConnector connector/database@127.0.0.1]
router_config:
  description: Path of the router configuration.
  returned: when the site is rendered
  type: str
  sample: /var/lib/skupper/namespaces/east/runtime/router/skrouterd.json
site_id:
  description: The site id (kept across renders).
  returned: when the site is rendered
  type: str
site_name:
  description: The name of the site.
  returned: when the site is rendered
  type: str
changed_files:
  description: Runtime files (relative to the namespace home) that changed (also on a failed start).
  returned: when the site is rendered, and with I(state=stopped)
  type: list
  elements: str
static_links:
  description: Static links the site offers (files under C(runtime/links)).
  returned: when the site is rendered
  type: list
  elements: dict
service:
  description: How the router runs, and whether it is running.
  returned: always
  type: dict
  sample: {manager: process, active: true, pid_file: /var/lib/skupper/namespaces/east/internal/router/skrouterd.pid,
           child_pid_file: /var/lib/skupper/namespaces/east/internal/router/skrouterd.child.pid,
           log_file: /var/lib/skupper/namespaces/east/internal/router/skrouterd.log}
links:
  description:
    - The site's Links (from its resources, without asking the router), with their cost and the remote site they
      name (annotation C(appnet.skupper/remote-site-name)).
  returned: when the site is rendered
  type: list
  elements: dict
  sample: [{name: link-west, cost: 1, remote_site_name: west}]
listeners:
  description: The site's Listeners (name, routing_key, host, port).
  returned: when the site is rendered
  type: list
  elements: dict
  sample: [{name: backend, routing_key: backend, host: 127.0.0.1, port: 8080}]
connectors:
  description: The site's Connectors (name, routing_key, host, port).
  returned: when the site is rendered
  type: list
  elements: dict
results:
  description: One entry per document of I(definition), as the C(results) of M(appnet.skupper.resource).
  returned: when I(definition) is given
  type: list
  elements: dict
warnings:
  description: Warnings of the render (ignored resources, unredeemed tokens) and of the service (lingering).
  returned: when there are any
  type: list
  elements: str
'''

from ansible_collections.appnet.skupper.plugins.module_utils import args_common
from ansible_collections.appnet.skupper.plugins.module_utils.system.lifecycle import (
    DEFAULT_READY_TIMEOUT, run_system_module)


def argument_spec():
    return args_common.merge(args_common.SYSTEM_TARGET, {
        'state': {'type': 'str', 'default': 'started', 'choices': ['started', 'reloaded', 'stopped', 'absent']},
        'purge': {'type': 'bool', 'default': False},
        'router_binary': {'type': 'path'},
        'service_manager': {'type': 'str', 'default': 'auto', 'choices': ['auto', 'systemd', 'process']},
        'ready_timeout': {'type': 'int', 'default': DEFAULT_READY_TIMEOUT},
        'definition': {'type': 'raw'},
        'defer_first_start': {'type': 'bool', 'default': False},
        'pending_resources': {'type': 'list', 'elements': 'dict', 'default': []},
    }, args_common.CONTAINER)


def main():
    run_system_module(argument_spec())


if __name__ == '__main__':
    main()
