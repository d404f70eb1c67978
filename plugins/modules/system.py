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
  pending_resources:
    description:
      - Check mode only (ignored otherwise). Resource documents that the resource modules, run in check mode before
        this task, would have written to C(input/resources) (their C(resource) results). A check run writes
        nothing, so the render it predicts reads these in place of the files of the same kind and name; without
        them, check mode on a site not built yet could only fail with "No sources found".
      - The C(site) role passes them in check mode.
    type: list
    elements: dict
    default: []
extends_documentation_fragment:
  - appnet.skupper.common
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
warnings:
  description: Warnings of the render (ignored resources, unredeemed tokens) and of the service (lingering).
  returned: when there are any
  type: list
  elements: str
'''

import os
import shutil

from ansible_collections.appnet.skupper.plugins.module_utils.module_input import SkupperModule

from ansible_collections.appnet.skupper.plugins.module_utils import args_common, platforms
from ansible_collections.appnet.skupper.plugins.module_utils.system.render import live_config, site_status
from ansible_collections.appnet.skupper.plugins.module_utils.system.service import (
    faults, listener_wait, live_apply, process_service, router_service)
from ansible_collections.appnet.skupper.plugins.module_utils.system.store import files, paths, site_lock
from ansible_collections.appnet.skupper.plugins.module_utils.system.render.certs import CertificateError
from ansible_collections.appnet.skupper.plugins.module_utils.system.render.renderer import (
    ROUTER_CONFIG, check_platform, render_site)
from ansible_collections.appnet.skupper.plugins.module_utils.system.render.site_state import SiteStateError

KEPT_ON_ABSENT = ('runtime/issuers', 'runtime/issued', 'internal/redeemed')
STOPPED = 'the router was stopped (appnet.skupper.system state=stopped)'
PORT_ATTEMPTS = 3
READS_CHANGED = 'what the router reads (its configuration or a certificate) changed'
LIVE_FAILED = 'the live change of its listeners and connectors failed'


class StartFailed(Exception):
    """The site was rendered (files changed), but its router did not start or did not become ready."""

    def __init__(self, message, changed_files):
        super(StartFailed, self).__init__(message)
        self.changed_files = changed_files


def argument_spec():
    return args_common.merge(args_common.TARGET, {
        'state': {'type': 'str', 'default': 'started', 'choices': ['started', 'reloaded', 'stopped', 'absent']},
        'purge': {'type': 'bool', 'default': False},
        'router_binary': {'type': 'path'},
        'service_manager': {'type': 'str', 'default': 'auto', 'choices': ['auto', 'systemd', 'process']},
        'ready_timeout': {'type': 'int', 'default': router_service.DEFAULT_READY_TIMEOUT},
        'pending_resources': {'type': 'list', 'elements': 'dict', 'default': []},
    }, args_common.CONTAINER)


def requested_manager(params, home, router=None):
    return router_service.service_manager(
        params['service_manager'], params['platform'], params['namespace'], home, router=router,
        image=params['router_image'], ready_timeout=params['ready_timeout'], pull=params['pull'],
        run_options=params['container_run_options'])


def restart_reason(record, manager, rendered, previous, active):
    """Why the router must be (re)started now, or None."""
    if previous is not None and not router_service.same_manager(previous, manager):
        return 'the router moves from the %s service to the %s service' % (previous.name, manager.name)
    if not active:
        return 'the router is not running'
    if record.get('runtime_digest') != rendered.runtime_digest:
        return READS_CHANGED
    if record.get('spec_digest') != manager.spec_digest():
        return 'how the router is run changed (%s)' % ('the unit' if manager.name == 'systemd' else 'its command')
    return manager.degraded()


def live_change(record, manager, rendered, previous, active, platform):
    """The live_config.Changes that bring the running Linux router to the render without a restart, or None when
    a restart is needed (or nothing changed)."""
    if not platforms.get(platform).live_reconfigure or restart_reason(record, manager, rendered, previous, active) != READS_CHANGED:
        return None
    # Only the router's configuration changed: no other reason for a restart may remain once it is live.
    if restart_reason(dict(record, runtime_digest=rendered.runtime_digest), manager, rendered, previous, active):
        return None
    return live_config.live_change(record, rendered)


def reconfigure(home, router, changes, rendered, warnings):
    """Make changes on the running router; None when it is done, else the reason of the restart to do instead."""
    try:
        live_apply.apply_changes(home, listener_wait.skmanage_for(router), changes, rendered.entities)
    except live_config.LiveChangeFailed as exc:
        warnings.append('the listeners and connectors could not be changed on the running router (%s): the router '
                        'was restarted on its configuration instead' % exc)
        return LIVE_FAILED
    return None


def start_router(manager, rendered, restart, render_again, attempts=PORT_ATTEMPTS):
    """(Re)start the router; the render it runs on. When another program took a port that the render chose for an
    implicit RouterAccess (skupper-local, the site's link access) between the render's probe and the router's bind,
    render again without that port and start again (attempts times in all)."""
    busy, changed = set(), set(rendered.changed_files)
    start = manager.restart if restart else manager.start
    while True:
        try:
            start()
            rendered.changed_files = sorted(changed)
            return rendered
        except router_service.PortsInUse as exc:
            if manager.is_active():
                manager.stop()
            busy.update(exc.ports)
            attempts -= 1
            if not attempts or not set(exc.ports) & set(rendered.allocated_ports):
                exc.changed_files = sorted(changed)
                raise
        rendered = render_again(sorted(busy))
        changed.update(rendered.changed_files)
        manager.site_id = rendered.site_id
        start = manager.start


def run_site(module, home, record):
    """started / reloaded: render, then start or restart the router when needed and wait until it is ready."""
    params = module.params
    check_platform(home, params['namespace'], params['platform'])
    router = router_service.find_router(params['router_binary']) if platforms.get(params['platform']).runs_on_host \
        else None
    manager = requested_manager(params, home, router)
    manager.preflight()
    previous = router_service.recorded_manager(record, params['namespace'], home, params['ready_timeout'])
    switching = previous is not None and not router_service.same_manager(previous, manager)
    active = manager.is_active()
    running_now = previous.is_active() if switching else active
    created = not os.path.isfile(os.path.join(home, ROUTER_CONFIG))
    rendered = render_site(home, params['namespace'], platform=params['platform'], dry_run=module.check_mode,
                           router_running=running_now, pending=params['pending_resources'])
    manager.site_id = rendered.site_id
    reason = restart_reason(record, manager, rendered, previous, active)
    live = live_change(record, manager, rendered, previous, active, params['platform'])
    if live is not None:
        reason = None
    installed = manager.install(check_mode=module.check_mode)
    changed_files = list(rendered.changed_files)
    if not module.check_mode:
        if switching:
            previous.stop()
            previous.remove()
        if live is not None:
            # As for a restart: no digest in the record until the router holds the new configuration, so a run
            # killed meanwhile restarts the router next time. The same fault points as the restart's.
            router_service.write_record(home, manager, platform=params['platform'])
            faults.point('system-before-restart')
            reason = reconfigure(home, router, live, rendered, manager.warnings)
            if reason is None:
                faults.point('system-after-restart')
            else:
                live = None
        if reason is not None:
            # The digests say what the running router reads: until it has restarted on the new runtime, the
            # record names the manager (stop and removal find the router) but no digest, so a run killed
            # between the render and a ready router restarts it next time instead of saying "unchanged".
            router_service.write_record(home, manager, platform=params['platform'])
            faults.point('system-before-restart')
            try:
                rendered = start_router(manager, rendered, active and not switching,
                                        lambda busy: render_site(home, params['namespace'], platform=params['platform'],
                                                                 router_running=False, busy_ports=busy))
            except router_service.ServiceError as exc:
                site_status.set_router_running(home, False, 'the router did not start: %s'
                                               % str(exc).split('\n', 1)[0])
                raise StartFailed(str(exc), sorted(set(changed_files) | set(getattr(exc, 'changed_files', []))))
            changed_files = rendered.changed_files
            faults.point('system-after-restart')
        router_service.write_record(home, manager, platform=params['platform'],
                                    runtime_digest=rendered.runtime_digest, static_digest=rendered.static_digest,
                                    spec_digest=manager.spec_digest())
        changed_listeners = reason is not None or live is not None and live.created + live.updated
        if platforms.get(params['platform']).runs_on_host and changed_listeners:
            manager.warnings.extend(listener_wait.after_start(home, router))
    site_file = site_status.set_router_running(home, True, dry_run=module.check_mode)
    if site_file and site_file not in changed_files:
        changed_files = sorted(changed_files + [site_file])
    reconfigured = None if live is None else {'created': live.created, 'deleted': live.deleted,
                                              'updated': live.updated}
    return {
        'changed': bool(changed_files) or reason is not None or installed or live is not None,
        'restarted': reason is not None,
        'restart_reason': reason,
        'reconfigured': reconfigured,
        'created': created,
        'router_config': rendered.router_config_path,
        'site_id': rendered.site_id,
        'site_name': rendered.site_name,
        'changed_files': changed_files,
        'static_links': rendered.static_links,
        'warnings_list': rendered.warnings + manager.warnings,
        'service': manager.describe(),
        'diff': {'before': {'active': running_now, 'manager': (previous or manager).name,
                            'runtime_digest': record.get('runtime_digest')},
                 'after': {'active': True, 'manager': manager.name, 'runtime_digest': rendered.runtime_digest,
                           'changed_files': changed_files, 'reconfigured': reconfigured}},
    }


def recorded_or_requested(module, home, record):
    """The manager that runs (or ran) the router: the one recorded by the last start, else the requested one."""
    params = module.params
    return router_service.recorded_manager(record, params['namespace'], home, params['ready_timeout']) or \
        requested_manager(params, home)


def stop_untracked(manager, check_mode):
    """Stop every router process of the site no pid file or unit tracks (found by its configuration path)."""
    return process_service.stop_router_processes(manager.config, check_mode=check_mode)


def stop_site(module, home, record):
    manager = recorded_or_requested(module, home, record)
    active = manager.is_active()
    if active and not module.check_mode:
        manager.stop()
    active = bool(stop_untracked(manager, module.check_mode)) or active
    site_file = site_status.set_router_running(home, False, STOPPED, dry_run=module.check_mode)
    return {'changed': active or bool(site_file), 'restarted': False, 'service': manager.describe(),
            'changed_files': [site_file] if site_file else [],
            'diff': {'before': {'active': active}, 'after': {'active': False}}}


def remove_site(module, home, record):
    """absent: stop, remove the service and the runtime (all of the namespace with purge)."""
    manager = recorded_or_requested(module, home, record)
    active = manager.is_active()
    if active and not module.check_mode:
        manager.stop()
    active = bool(stop_untracked(manager, module.check_mode)) or active
    removed = manager.remove(check_mode=module.check_mode)
    if module.params['purge']:
        doomed = [home] if os.path.exists(home) else []
    else:
        doomed = [path for path in _runtime_entries(home) if os.path.exists(path)]
    if not module.check_mode:
        for path in doomed:
            if os.path.isdir(path):
                shutil.rmtree(path)
            else:
                os.unlink(path)
        for top in ('runtime', 'internal'):
            directory = os.path.join(home, top)
            if os.path.isdir(directory) and not os.listdir(directory):
                os.rmdir(directory)
    before = sorted(os.path.relpath(p, home) if p != home else '.' for p in doomed)
    return {'changed': active or removed or bool(doomed), 'restarted': False, 'service': manager.describe(),
            'diff': {'before': {'active': active, 'paths': before}, 'after': {'active': False, 'paths': []}}}


def _runtime_entries(home):
    """What absent removes without purge: runtime/ and internal/ except the CAs, issued links and token records."""
    entries = []
    for top in ('runtime', 'internal'):
        directory = os.path.join(home, top)
        if not os.path.isdir(directory):
            continue
        for name in sorted(os.listdir(directory)):
            if '%s/%s' % (top, name) not in KEPT_ON_ABSENT:
                entries.append(os.path.join(directory, name))
    return entries


def main():
    module = SkupperModule(argument_spec=argument_spec(), supports_check_mode=True)
    params = module.params
    if not platforms.is_system(params['platform']):
        module.fail_json(msg='appnet.skupper.system runs Linux, Podman and Docker sites; on Kubernetes the Skupper '
                             'controller runs the site', changed=False)
    home = paths.namespace_home(params['namespace'], paths.data_home(params['data_home']))
    try:
        # One run at a time per site, from reading the record to the router being ready (site_lock.py).
        with site_lock.site_lock(home, module.check_mode, create=False):
            record = router_service.read_record(home)
            if params['state'] in ('started', 'reloaded'):
                result = run_site(module, home, record)
            elif params['state'] == 'stopped':
                result = stop_site(module, home, record)
            else:
                result = remove_site(module, home, record)
    except StartFailed as exc:
        module.fail_json(msg=str(exc), changed=True, changed_files=exc.changed_files)
    except (SiteStateError, CertificateError, router_service.ServiceError, site_lock.SiteLocked,
            files.WriteError) as exc:
        module.fail_json(msg=str(exc), changed=False)
    if not module._diff:
        result.pop('diff', None)
    for warning in result.pop('warnings_list', []):
        module.warn(warning)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
