# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Render a system site from its resource files: the work of `skupper system start/reload` (runtime/ out of input/).

Everything is computed in memory first (nothing is written when the input is invalid), then only
files whose bytes change are written (atomically), and runtime files no longer produced are
removed. Identical input renders identical bytes. No service is started here.

The steps, each in its own file: load and check the input (site_state.py, input_checks.py), choose the ports
of the implicit router accesses (ports.py), plan the certificates (cert_plan.py), the router configuration
(router_config.py), the static links (static_links.py) and the runtime resources (runtime_resources.py), then
write the plan (plan.py).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import datetime
import hashlib
import json
import os
import re
import socket
import uuid
from dataclasses import dataclass, field
from typing import List, Optional

from ansible_collections.appnet.skupper.plugins.module_utils import platforms
from ansible_collections.appnet.skupper.plugins.module_utils.system.render import (
    cert_plan, live_config, plan as plans, ports, runtime_resources)
from ansible_collections.appnet.skupper.plugins.module_utils.system.render.plan import PLATFORM_FILE
from ansible_collections.appnet.skupper.plugins.module_utils.system.render.router_config import (
    dump_router_config, render_router_config)
from ansible_collections.appnet.skupper.plugins.module_utils.system.render.site_state import (
    SiteStateError, load_site_state)
from ansible_collections.appnet.skupper.plugins.module_utils.system.render.sockets import port_collisions
from ansible_collections.appnet.skupper.plugins.module_utils.system.store import files, paths, site_lock
from ansible_collections.appnet.skupper.plugins.module_utils.system.store.resource_files import load_runtime_resources
from ansible_collections.appnet.skupper.plugins.module_utils.system.render import static_links


@dataclass
class RenderResult(object):
    """What a render produced (or, in a dry run, would produce)."""

    site_id: str
    site_name: str
    router_id: str
    router_config_path: str
    changed_files: List[str] = field(default_factory=list)
    runtime_digest: str = ''
    static_links: List[dict] = field(default_factory=list)
    warnings: List[str] = field(default_factory=list)
    allocated_ports: List[int] = field(default_factory=list)
    # The digest split of live reconfiguration (live_config.py): the digest of all the router reads but its live
    # entities; the config's entities; those of the config on disk before this render, and its runtime digest.
    static_digest: str = ''
    entities: List[list] = field(default_factory=list)
    previous_entities: Optional[List[list]] = None
    previous_digest: Optional[str] = None
    # The site's links, listeners and connectors (SiteState.summary): what a rollout's next phases need.
    summary: dict = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Site id, router id, host facts


def make_router_id(site_name, site_id):
    """A stable router id: <site name>-<first 8 hex digits of the site id>."""
    compact = site_id.replace('-', '').lower()
    suffix = compact[:8] if re.match(r'^[0-9a-f]{8}', compact) else hashlib.sha256(site_id.encode()).hexdigest()[:8]
    return '%s-%s' % (site_name, suffix)


def previous_site_id(home, previous):
    """The site id of the last render: skrouterd.json router metadata, else the runtime Site uid."""
    try:
        with open(paths.router_config_path(home)) as handle:
            for entity_type, attrs in json.load(handle):
                if entity_type == 'router' and attrs.get('metadata'):
                    return json.loads(attrs['metadata']).get('id') or None
    except (IOError, OSError, ValueError, TypeError, AttributeError):
        pass
    for site in (previous.get('Site') or {}).values():
        return (site.get('metadata') or {}).get('uid') or None
    return None


def _value(given, default):
    if given is None:
        return default()
    return given() if callable(given) else given


# ---------------------------------------------------------------------------------------------
# Static links


def plan_static_links(state, leaves, plan, hostname, addresses):
    """Add runtime/links files to plan; [{name, host, path, router_access}]."""
    produced = []
    for name in sorted(state.router_accesses):
        access = state.router_accesses[name]
        client = leaves.get('client-%s' % access['spec']['tlsCredentials'])
        if client is None:
            continue
        for file_name, host, text in static_links.render_static_links(access, client, hostname, addresses):
            plan.add('runtime/links/%s' % file_name, text, files.PRIVATE_MODE)
            produced.append({'name': 'link-%s' % name, 'host': host, 'router_access': name,
                             'path': 'runtime/links/%s' % file_name})
    return produced


# ---------------------------------------------------------------------------------------------
# Entry point


def _token_warnings(state):
    return ['%s: access token "%s" has not been redeemed into a Link: redeem it with the access_token module; a '
            'render does not redeem tokens' % (state.source('AccessToken', name), name)
            for name in sorted(state.tokens) if not state.links_of_token(name)]


def render_site(home, namespace, **options):
    """Render the site of a namespace home into runtime/ and internal/ (see the module docstring).

    A dry run of a data home that does not exist yet takes no lock: it would create the folder, and a dry run
    writes nothing.
    """
    if options.get('dry_run') and not os.path.isdir(os.path.dirname(os.path.abspath(home))):
        return _render_site(home, namespace, **options)
    with site_lock.data_home_lock(home):
        return _render_site(home, namespace, **options)


def check_platform(home, namespace, platform):
    """SiteStateError when the namespace was rendered for another platform (Skupper refuses the change too)."""
    recorded = files.read_bytes(os.path.join(home, PLATFORM_FILE))
    if recorded is None:
        if os.path.isdir(paths.runtime_resources_dir(home)):
            raise SiteStateError('unable to determine current platform used in namespace "%s" (%s is missing): '
                                 'remove the site (appnet.skupper.system state=absent) and start it again'
                                 % (namespace, PLATFORM_FILE))
        return
    text = recorded.decode('utf-8', 'replace').strip()
    current = text.split(':', 1)[1].strip() if text.startswith('platform:') else text
    if current != platform:
        raise SiteStateError('existing namespace uses "%s" platform and it cannot change to "%s": remove the site '
                             '(appnet.skupper.system state=absent, on platform %s) before starting it on %s'
                             % (current, platform, current, platform))


def _render_site(home, namespace, *, platform=platforms.SYSTEM_DEFAULT, path_base=None, dry_run=False, hostname=None, addresses=None,
                 port_is_free=None, version='2.1.0', now=None, router_running=True, router_reason=None, pending=None,
                 busy_ports=()):
    check_platform(home, namespace, platform)
    state = load_site_state(home, namespace, platform, pending=pending if dry_run else None)
    host_name = _value(hostname, socket.gethostname)
    host_addresses = list(_value(addresses, static_links.local_addresses))
    previous = load_runtime_resources(home)
    site_id = state.site_id or previous_site_id(home, previous) or str(uuid.uuid4())
    router_id = make_router_id(state.site_name, site_id)
    runtime = copy.deepcopy(state)
    added = ports.add_implicit_router_accesses(runtime, previous, home, host_name, host_addresses,
                                               port_is_free or ports.probe_port_free, busy_ports)
    problems = port_collisions(runtime, runtime.router_accesses, only=added) + \
        ports.other_namespace_collisions(runtime, runtime.router_accesses, home)
    if problems:
        raise SiteStateError(problems)
    plan = plans.Plan()
    requests = cert_plan.certificate_requests(runtime, host_name, host_addresses)
    leaves = cert_plan.plan_certificates(runtime, home, plan, requests)
    base = path_base or platforms.get(platform).ssl_base or os.path.abspath(home)
    entities = render_router_config(runtime, site_id, router_id, base, platform, version)
    plan.add(paths.ROUTER_CONFIG, dump_router_config(entities))
    links = plan_static_links(runtime, leaves, plan, host_name, host_addresses)
    context = runtime_resources.StatusContext(
        runtime, site_id, previous, now or datetime.datetime.now(datetime.timezone.utc),
        static_links.primary_address(host_addresses), router_running, router_reason)
    runtime_resources.plan_resources(runtime, state, plan, context,
                                     cert_plan.certificate_documents(requests, leaves, runtime.namespace))
    plan.add(PLATFORM_FILE, 'platform: %s\n' % platform)
    before = files.read_bytes(paths.router_config_path(home))
    previous_entities = live_config.parse_config(before)
    changed = plans.apply_plan(home, plan, dry_run)
    for link in links:
        link['path'] = os.path.join(home, link['path'])
    return RenderResult(site_id=site_id, site_name=state.site_name, router_id=router_id,
                        router_config_path=paths.router_config_path(home), changed_files=changed,
                        runtime_digest=plans.runtime_digest(plan, entities, base), static_links=links,
                        static_digest=plans.static_digest(plan, entities, base), entities=entities,
                        previous_entities=previous_entities,
                        previous_digest=None if previous_entities is None else
                        plans.runtime_digest(plan, previous_entities, base, config=before),
                        warnings=state.warnings + _token_warnings(state), summary=state.summary(),
                        allocated_ports=sorted(port for name in added
                                               for port in ports.role_ports(runtime.router_accesses[name]).values()))
