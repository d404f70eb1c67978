# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lifecycle of a system site (appnet.skupper.system): started/reloaded, stopped, absent.

started and reloaded go in four steps, under the site's lock:
  1. apply: the documents of the module's definition, if any, written to input/resources (runner.apply_definition);
  2. decide: render, then choose what the router needs: nothing, a live change of its listeners and connectors
     (through the router's management, on the host or in the router container), or a (re)start, and why
     (SiteDecision);
  3. act: switch service managers, change the running router, or (re)start it (render again when a port the
     render chose was taken meanwhile);
  4. record: the digests of what the running router reads (internal/service.yaml), the Site's Running status.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import os
import shutil

from ansible_collections.appnet.skupper.plugins.module_utils import args_common, kind_handlers, platforms, runner
from ansible_collections.appnet.skupper.plugins.module_utils.backend import BackendError
from ansible_collections.appnet.skupper.plugins.module_utils.skupper_module import SkupperModule
from ansible_collections.appnet.skupper.plugins.module_utils.system.render import live_config, runtime_status
from ansible_collections.appnet.skupper.plugins.module_utils.system.render.certs import CertificateError
from ansible_collections.appnet.skupper.plugins.module_utils.system.render.renderer import check_platform, render_site
from ansible_collections.appnet.skupper.plugins.module_utils.system.render.site_state import SiteStateError
from ansible_collections.appnet.skupper.plugins.module_utils.system.service import (
    container_service, faults, listener_wait, live_apply, process_service, router_service)
from ansible_collections.appnet.skupper.plugins.module_utils.system.store import files, paths, site_lock

KEPT_ON_ABSENT = ('runtime/issuers', 'runtime/issued', 'internal/redeemed')
STOPPED = 'the router was stopped (appnet.skupper.system state=stopped)'
DEFERRED = 'the router is not started yet: the run that gives the site its links starts it (defer_first_start)'
PORT_ATTEMPTS = 3
READS_CHANGED = 'what the router reads (its configuration or a certificate) changed'
LIVE_FAILED = 'the live change of its listeners and connectors failed'
# The system module's ready_timeout default: the seconds a started router has to answer.
DEFAULT_READY_TIMEOUT = router_service.DEFAULT_READY_TIMEOUT


class StartFailed(Exception):
    """The site was changed (documents written, files rendered), but it could not be rendered or its router did not
    start or did not become ready."""

    def __init__(self, message, changed_files, results=None):
        super(StartFailed, self).__init__(message)
        self.changed_files = changed_files
        self.results = results


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
        condition = manager.condition() if record.get('runtime_digest') else None
        return 'the router is not running' + (': %s' % condition if condition else '')
    if record.get('runtime_digest') != rendered.runtime_digest:
        return READS_CHANGED
    if record.get('spec_digest') != manager.spec_digest():
        return 'how the router is run changed (%s)' % ('the unit' if manager.name == 'systemd' else 'its command')
    return manager.degraded()


def live_change(record, manager, rendered, previous, active, platform):
    """The live_config.Changes that bring the running router (Linux, or in its Podman or Docker container) to the
    render without a restart, or None when a restart is needed (or nothing changed)."""
    if not platforms.get(platform).live_reconfigure or restart_reason(record, manager, rendered, previous, active) != READS_CHANGED:
        return None
    # Only the router's configuration changed: no other reason for a restart may remain once it is live.
    if restart_reason(dict(record, runtime_digest=rendered.runtime_digest), manager, rendered, previous, active):
        return None
    return live_config.live_change(record, rendered)


def reconfigure(home, router, changes, rendered, warnings, platform=None, manager=None):
    """Make changes on the running router (by skmanage beside the router binary, or in the router container of an
    engine's platform); None when it is done, else the reason of the restart to do instead."""
    engine = platforms.get(platform or platforms.SYSTEM_DEFAULT).engine
    container = (engine, manager.container) if engine else None
    try:
        live_apply.apply_changes(home, None if container else listener_wait.skmanage_for(router), changes,
                                 rendered.entities, container=container)
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


# -- started / reloaded ---------------------------------------------------------------------------------------

@contextlib.contextmanager
def _as_documents(module):
    """The document handlers read state and wait from module.params, as the options of appnet.skupper.resource;
    the system module's own state is the router's. While its definition is applied they read present, no wait."""
    saved = dict((key, module.params.get(key)) for key in ('state', 'wait'))
    module.params.update(state='present', wait=False)
    try:
        yield
    finally:
        module.params.update(saved)


def read_definition(module):
    """The definition's documents, read and checked against the model before the site is touched (the module
    fails on a bad one, nothing written); None without a definition."""
    if module.params['definition'] is None:
        return None
    with _as_documents(module):
        return runner.read_definition(module)


def apply_definition(module, home, prepared):
    """Step 1: the definition's documents written to input/resources; (its result, the documents a check run would
    have written), or (None, []). What the site refuses is found before anything is written: a document its files
    refuse (a second Site, a port another listener binds), and a site that would not render with the documents
    that change (the render's own checks, run in memory first)."""
    if prepared is None:
        return None, []
    with _as_documents(module):
        targets = runner.definition_targets(module, prepared)
        if not module.check_mode:
            changing = would_write(targets)
            if changing:
                render_site(home, module.params['namespace'], platform=module.params['platform'], dry_run=True,
                            pending=changing)
        return runner.apply_definition(module, targets)


def would_write(targets):
    """The documents of targets that an apply would write (a token is redeemed, not written: left out)."""
    changing = []
    for doc, backend in targets:
        if doc['kind'] in kind_handlers.DOCUMENT_KINDS:
            continue
        try:
            outcome = backend.apply(doc, check_mode=True)
        except BackendError:
            continue  # (a refused document fails the apply next, with its problem)
        if outcome.changed:
            changing.append(outcome.after)
    return changing


class SiteDecision(object):
    """Step 2: the render and what the router needs: a restart (reason), a live change (live), or nothing."""

    def __init__(self, module, home, record, pending, router, manager):
        params = module.params
        self.router, self.manager = router, manager
        self.previous = router_service.recorded_manager(record, params['namespace'], home, params['ready_timeout'])
        self.switching = self.previous is not None and not router_service.same_manager(self.previous, self.manager)
        self.active = self.manager.is_active()
        self.running_now = self.previous.is_active() if self.switching else self.active
        self.created = not os.path.isfile(paths.router_config_path(home))
        self.rendered = render_site(home, params['namespace'], platform=params['platform'],
                                    dry_run=module.check_mode, router_running=self.running_now,
                                    pending=pending + params['pending_resources'])
        self.manager.site_id = self.rendered.site_id
        self.reason = restart_reason(record, self.manager, self.rendered, self.previous, self.active)
        self.live = live_change(record, self.manager, self.rendered, self.previous, self.active, params['platform'])
        if self.live is not None:
            self.reason = None
        # A router that never ran, whose first start the caller defers (the run that gives the site its links
        # starts it, once, with them).
        self.deferred = bool(params.get('defer_first_start') and self.reason is not None and self.previous is None
                             and not self.active and not record.get('runtime_digest'))
        if self.deferred:
            self.reason = None


def act(module, home, decision):
    """Step 3: bring the router to the render (not in check mode); the files the render and its starts changed."""
    params, manager = module.params, decision.manager
    changed_files = list(decision.rendered.changed_files)
    if decision.switching:
        decision.previous.stop()
        decision.previous.remove()
    if decision.live is not None:
        # As for a restart: no digest in the record until the router holds the new configuration, so a run
        # killed meanwhile restarts the router next time. The same fault points as the restart's.
        router_service.write_record(home, manager, platform=params['platform'])
        faults.point('system-before-restart')
        decision.reason = reconfigure(home, decision.router, decision.live, decision.rendered, manager.warnings,
                                      params['platform'], manager)
        if decision.reason is None:
            faults.point('system-after-restart')
        else:
            decision.live = None
    if decision.reason is not None:
        # The digests say what the running router reads: until it has restarted on the new runtime, the record
        # names the manager (stop and removal find the router) but no digest, so a run killed between the render
        # and a ready router restarts it next time instead of saying "unchanged".
        router_service.write_record(home, manager, platform=params['platform'])
        faults.point('system-before-restart')
        try:
            decision.rendered = start_router(
                manager, decision.rendered, decision.active and not decision.switching,
                lambda busy: render_site(home, params['namespace'], platform=params['platform'],
                                         router_running=False, busy_ports=busy))
        except router_service.ServiceError as exc:
            runtime_status.set_router_running(home, False, 'the router did not start: %s' % str(exc).split('\n', 1)[0])
            raise StartFailed(str(exc), sorted(set(changed_files) | set(getattr(exc, 'changed_files', []))))
        changed_files = decision.rendered.changed_files
        faults.point('system-after-restart')
    return changed_files


def record_site(module, home, decision):
    """Step 4: what the running router reads, in the record; the listeners it should bind, waited for after a
    start or a live change that added some."""
    params, manager, rendered = module.params, decision.manager, decision.rendered
    router_service.write_record(home, manager, platform=params['platform'], runtime_digest=rendered.runtime_digest,
                                static_digest=rendered.static_digest, spec_digest=manager.spec_digest())
    live = decision.live
    changed_listeners = decision.reason is not None or live is not None and live.created + live.updated
    if platforms.get(params['platform']).runs_on_host and changed_listeners:
        manager.warnings.extend(listener_wait.after_start(home, decision.router))


def run_site(module, home, record, prepared=None):
    """started / reloaded: apply the definition, render, then change, start or restart the router when needed and
    wait until it is ready."""
    params = module.params
    # What can refuse the run without a look at the resources comes first: nothing is written when it does.
    check_platform(home, params['namespace'], params['platform'])
    router = router_service.find_router(params['router_binary']) \
        if platforms.get(params['platform']).runs_on_host else None
    manager = requested_manager(params, home, router)
    manager.preflight()
    applied, written = apply_definition(module, home, prepared)
    try:
        decision = SiteDecision(module, home, record, written, router, manager)
        installed = False if decision.deferred else decision.manager.install(check_mode=module.check_mode)
        changed_files = list(decision.rendered.changed_files)
        if not module.check_mode and not decision.deferred:
            changed_files = act(module, home, decision)
            record_site(module, home, decision)
    except (SiteStateError, CertificateError, router_service.ServiceError, files.WriteError) as exc:
        if applied and applied['changed']:
            # The documents were written: the failure says so, and which.
            raise StartFailed(str(exc), [], applied['results'])
        raise
    site_file = runtime_status.set_router_running(home, not decision.deferred, DEFERRED if decision.deferred else None,
                                                  dry_run=module.check_mode)
    if site_file and site_file not in changed_files:
        changed_files = sorted(changed_files + [site_file])
    return site_result(module, decision, record, changed_files, installed, applied)


def site_result(module, decision, record, changed_files, installed, applied):
    rendered, live, reason = decision.rendered, decision.live, decision.reason
    reconfigured = None if live is None else {'created': live.created, 'deleted': live.deleted,
                                              'updated': live.updated}
    result = dict(rendered.summary, **{
        'changed': bool(changed_files) or reason is not None or installed or live is not None
        or bool(applied and applied['changed']),
        'restarted': reason is not None,
        'restart_reason': reason,
        'deferred': decision.deferred,
        'reconfigured': reconfigured,
        'created': decision.created,
        'router_config': rendered.router_config_path,
        'site_id': rendered.site_id,
        'site_name': rendered.site_name,
        'changed_files': changed_files,
        'static_links': rendered.static_links,
        'warnings_list': rendered.warnings + decision.manager.warnings,
        'service': decision.manager.describe(),
        'diff': {'before': {'active': decision.running_now, 'manager': (decision.previous or decision.manager).name,
                            'runtime_digest': record.get('runtime_digest')},
                 'after': {'active': True, 'manager': decision.manager.name,
                           'runtime_digest': rendered.runtime_digest, 'changed_files': changed_files,
                           'reconfigured': reconfigured}},
    })
    if applied is not None:
        result['results'] = applied['results']
        if module._diff:
            result['diff'] = applied.get('diff', []) + [result['diff']]
    return result


# -- stopped / absent -----------------------------------------------------------------------------------------

def recorded_or_requested(module, home, record):
    """The manager that runs (or ran) the router: the one recorded by the last start, else the requested one."""
    params = module.params
    return router_service.recorded_manager(record, params['namespace'], home, params['ready_timeout']) or \
        requested_manager(params, home)


def stop_untracked(manager, check_mode):
    """Stop every router process of the site no pid file or unit tracks (found by its configuration path)."""
    return process_service.stop_router_processes(manager.config, check_mode=check_mode)


def stop_router(module, home, record):
    """(the manager that runs the router, whether a router was running): every router of the site stopped (in
    check mode: would be)."""
    manager = recorded_or_requested(module, home, record)
    active = manager.is_active()
    if active and not module.check_mode:
        manager.stop()
    return manager, bool(stop_untracked(manager, module.check_mode)) or active


def stop_site(module, home, record, _prepared=None):
    manager, active = stop_router(module, home, record)
    site_file = runtime_status.set_router_running(home, False, STOPPED, dry_run=module.check_mode)
    return {'changed': active or bool(site_file), 'restarted': False, 'service': manager.describe(),
            'changed_files': [site_file] if site_file else [],
            'diff': {'before': {'active': active}, 'after': {'active': False}}}


def remove_site(module, home, record, _prepared=None):
    """absent: stop, remove the service and the runtime (all of the namespace with purge)."""
    manager, active = stop_router(module, home, record)
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


# -- the module -----------------------------------------------------------------------------------------------

STATES = {'started': run_site, 'reloaded': run_site, 'stopped': stop_site, 'absent': remove_site}


def missing_top(path):
    """The top-most folder of path that does not exist (path itself when only it is missing), None when it exists."""
    top = None
    while path and not os.path.isdir(path):
        top, parent = path, os.path.dirname(path)
        if parent == path:
            break
        path = parent
    return top


def remove_empty(path, top):
    """Remove path and its parents up to top (missing_top's answer) while they are empty folders."""
    if top is None:
        return
    while True:
        try:
            os.rmdir(path)
        except OSError:
            return
        if path == top:
            return
        path = os.path.dirname(path)


def run_system_module(argument_spec):
    """appnet.skupper.system: one run at a time per site, from reading the record to the router being ready."""
    # A definition may carry a Secret's private key: never in the invocation record, whatever the task's no_log.
    module = SkupperModule(argument_spec=argument_spec, supports_check_mode=True, quiet=('definition',),
                           checked=('namespace', 'ready_timeout'))
    params = module.params
    problem = args_common.system_platform_problem(
        params['platform'], 'appnet.skupper.system runs Linux, Podman and Docker sites (set platform: linux, podman '
                            'or docker); on Kubernetes the Skupper controller runs the site')
    if problem:
        module.fail_json(msg=problem, changed=False)
    try:
        container_service.check_run_options(params['container_run_options'])
    except router_service.ServiceError as exc:
        module.fail_json(msg=str(exc), changed=False)
    if not (params['router_image'] or '').strip():
        module.fail_json(msg='router_image: must name an image (e.g. %s)' % args_common.CONTAINER['router_image']['default'],
                         changed=False)
    if params['definition'] is not None and params['state'] not in ('started', 'reloaded'):
        module.fail_json(msg='definition is applied with state=started or state=reloaded, not %s' % params['state'],
                         changed=False)
    prepared = read_definition(module)
    home = paths.namespace_home(params['namespace'], paths.data_home(params['data_home']))
    made = missing_top(home)
    try:
        # A valid definition is about to be written: the lock may create the site's folder (site_lock.py).
        with site_lock.site_lock(home, module.check_mode, create=prepared is not None):
            result = STATES[params['state']](module, home, router_service.read_record(home), prepared)
    except StartFailed as exc:
        extra = {} if exc.results is None else {'results': exc.results}
        module.fail_json(msg=str(exc), changed=True, changed_files=exc.changed_files, **extra)
    except (SiteStateError, CertificateError, router_service.ServiceError, site_lock.SiteLocked,
            files.WriteError) as exc:
        # Refused before anything was written (e.g. the engine's preflight): the folders the lock made go again.
        remove_empty(home, made)
        module.fail_json(msg=str(exc), changed=False)
    if not module._diff:
        result.pop('diff', None)
    for warning in result.pop('warnings_list', []):
        module.warn(warning)
    module.exit_json(**result)
