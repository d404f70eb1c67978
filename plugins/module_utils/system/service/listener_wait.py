# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""After a router (re)start: wait until the listeners that should be bound are, and say which cannot be.

The router binds a tcpListener's port only once a connector for its routing key is reachable (here, or at a
router reached through a link), so right after a start the port is not bound yet. A listener should be bound
when the router's address table shows a connector for its key; the links of the site come up first, then the
addresses of the network arrive over them. So the wait lasts while a link is still making its first attempt,
while a listener whose key is reachable is not bound yet, and for a short settle time after the links are up
(the addresses of the network arrive over them). A site without links has no network for an address to come
from: its wait ends at the first answer. A listener that is down with a message from the router (its
port cannot be bound: "Address already in use") is a problem, returned for a warning.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import time

from ansible_collections.appnet.skupper.plugins.module_utils import model
from ansible_collections.appnet.skupper.plugins.module_utils.network_info_shape import READY
from ansible_collections.appnet.skupper.plugins.module_utils.system.store import resource_files
from ansible_collections.appnet.skupper.plugins.module_utils.system.service import router_queries, router_status

DEFAULT_TIMEOUT = 20
QUERY_TIMEOUT = 5
SETTLE = 3.0
TYPES = ('connector', 'connection', 'tcpListener', 'router.address')


def _links_in_progress(state):
    """Links (connectors of a link role) still making their first attempt: no success, no failure message yet."""
    return [item.get('name') for item in state.get('connector') or []
            if item.get('role') in model.LINK_ROLES and item.get('connectionStatus') != 'SUCCESS'
            and not (item.get('connectionMsg') or '').strip()]


def _links(state):
    return [item for item in state.get('connector') or [] if item.get('role') in model.LINK_ROLES]


def assess(state):
    """(pending, problems) of a router state: names of listeners that should be bound and are not yet, and a
    readable line per listener whose port the router cannot bind."""
    pending, problems = [], []
    for listener in router_status.router_listeners(state, {}):
        if listener['status'] == READY:
            continue
        if listener['reason'] and listener['reason'].startswith('cannot listen on'):
            problems.append('listener %s %s' % (listener['name'], listener['reason']))
        elif router_status.connector_reachable(listener['routing_key'], state):
            pending.append(listener['name'])
    return pending, problems


def wait_for_listeners(query, timeout=DEFAULT_TIMEOUT, settle=SETTLE, clock=time.time, sleep=time.sleep):
    """Wait as the module doc says; query() returns the router state ({type: [entities]}, router_queries.query_site).

    Returns (problems, pending): lines for the listeners whose port cannot be bound, and the names of the listeners
    still not bound when the time ran out.
    """
    deadline = clock() + timeout
    links_up_at = None
    while True:
        state = query()
        pending, problems = assess(state)
        in_progress = _links_in_progress(state)
        now = clock()
        if all(item.get('operStatus') == 'up' for item in state.get('tcpListener') or []):
            return problems, []
        if not in_progress and links_up_at is None:
            links_up_at = now
        settled = links_up_at is not None and now - links_up_at >= settle or not _links(state)
        if (not pending and not in_progress and settled) or now >= deadline:
            return problems, pending
        sleep(0.5)


def skmanage_for(router_binary):
    """skmanage beside the router binary (as the skupper-router package installs both), else on PATH; or None."""
    if router_binary:
        beside = os.path.join(os.path.dirname(router_binary), 'skmanage')
        if os.path.isfile(beside) and os.access(beside, os.X_OK):
            return beside
    return shutil.which('skmanage')


def after_start(home, router_binary, timeout=DEFAULT_TIMEOUT):
    """The warnings of appnet.skupper.system after it (re)started the router of the Linux site in home: the
    listeners whose port cannot be bound, and those still not bound when the wait ended."""
    if not resource_files.load_runtime_resources(home).get('Listener'):
        return []
    tool = skmanage_for(router_binary)
    if tool is None:
        return ['the listeners were not checked: no skmanage beside %s or on PATH' % router_binary]
    try:
        problems, pending = wait_for_listeners(
            lambda: router_queries.query_site(home, tool, QUERY_TIMEOUT, TYPES), timeout)
    except router_queries.ManagementError as exc:
        return ['the listeners were not checked: %s' % exc.message]
    if pending:
        problems.append('listeners %s were not bound within %d seconds although a connector for their routing key '
                        'is reachable' % (', '.join(sorted(pending)), timeout))
    return problems
