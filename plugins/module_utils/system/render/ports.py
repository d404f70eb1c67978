# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ports of a render: the implicit router accesses of a site (skupper-local, and the site's link access when
linkAccess is set) with ports chosen once and kept, never one that another namespace of the data home binds
(renders that choose ports take turns: the data home lock of store/site_lock.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import socket

from ansible_collections.appnet.skupper.plugins.module_utils import model
from ansible_collections.appnet.skupper.plugins.module_utils.model.values import port_number
from ansible_collections.appnet.skupper.plugins.module_utils.system.render.site_state import SiteState, SiteStateError
from ansible_collections.appnet.skupper.plugins.module_utils.system.render.sockets import (
    LOCAL_ACCESS, bound_ports, hosts_overlap, role_port)
from ansible_collections.appnet.skupper.plugins.module_utils.system.store.resource_files import load_runtime_resources
from ansible_collections.appnet.skupper.plugins.module_utils.system.render import static_links

LOCAL_PORT_START = 5671
# A site's link access takes the default ports of its roles, or the first free port above them.
INTER_ROUTER_PORT_START = model.DEFAULT_ROLE_PORTS['inter-router']
EDGE_PORT_START = model.DEFAULT_ROLE_PORTS['edge']
LOCAL_CA = 'skupper-local-ca'


def probe_port_free(port):
    """True when a TCP socket can listen on port on all addresses."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(('', port))
        return True
    except OSError:
        return False
    finally:
        sock.close()


def role_ports(router_access):
    return dict((r.get('name'), role_port(r)) for r in (router_access.get('spec') or {}).get('roles') or []
                if isinstance(r, dict))


def other_namespace_sockets(home):
    """[(host, port, description)] of what the routers of the other namespaces of the data home bind: their
    RouterAccess roles, listeners and multi-key listeners, as their last render wrote them."""
    sockets = []
    namespaces = os.path.dirname(os.path.abspath(home))
    own = os.path.basename(os.path.abspath(home))
    for namespace in sorted(os.listdir(namespaces)) if os.path.isdir(namespaces) else []:
        if namespace == own:
            continue
        resources = load_runtime_resources(os.path.join(namespaces, namespace))
        other = SiteState(os.path.join(namespaces, namespace), namespace)
        other.listeners = resources.get('Listener') or {}
        other.multi_key_listeners = resources.get('MultiKeyListener') or {}
        for host, port, description, _kind, _name in bound_ports(other, resources.get('RouterAccess') or {}):
            sockets.append((host, port, '%s of namespace "%s"' % (description, namespace)))
    return sockets


def other_namespace_ports(home):
    """Ports the other namespaces of the same data home bind (never chosen for this site's router accesses)."""
    return set(port for _host, port, _description in other_namespace_sockets(home))


def other_namespace_collisions(state, router_accesses, home):
    """Problems for sockets of this site that the router of another namespace binds already."""
    problems = []
    foreign = other_namespace_sockets(home)
    for host, port, description, kind, name in bound_ports(state, router_accesses):
        for other_host, other_port, other_description in foreign:
            if port == other_port and hosts_overlap(host, other_host):
                problems.append('%s: port %d of %s (host "%s") collides with %s (host "%s"); choose another port'
                                % (state.source(kind, name), port, description, host or '*', other_description,
                                   other_host or '*'))
    return problems


def _site_ports(state):
    taken = set()
    for collection in (state.listeners, state.multi_key_listeners):
        taken.update(port_number((doc.get('spec') or {}).get('port')) for doc in collection.values())
    for doc in state.router_accesses.values():
        taken.update(role_ports(doc).values())
    taken.discard(None)
    return taken


class PortAllocator(object):
    def __init__(self, taken, is_free):
        self.taken = set(taken)
        self.is_free = is_free

    def allocate(self, start, what):
        port = start
        while port <= 65535:
            if port not in self.taken and self.is_free(port):
                self.taken.add(port)
                return port
            port += 1
        raise SiteStateError('failed to allocate ports for RouterAccess: failed to allocate %s port: no available '
                             'ports found' % what)

    def keep_or_allocate(self, previous_port, start, what, foreign):
        if previous_port and previous_port not in foreign:
            self.taken.add(previous_port)
            return previous_port
        return self.allocate(start, what)


def _router_access_doc(state, name, spec):
    return {'apiVersion': model.API_VERSION, 'kind': 'RouterAccess',
            'metadata': {'name': name, 'namespace': state.namespace}, 'spec': spec}


def add_implicit_router_accesses(state, previous, home, hostname, addresses, is_free, busy=()):
    """Add skupper-local and, with link access, the <site> RouterAccess to state; their names. Ports in busy (the
    router found another program on them) are not kept."""
    foreign = other_namespace_ports(home) | set(busy)
    allocator = PortAllocator(foreign | _site_ports(state), is_free)
    before = previous.get('RouterAccess') or {}
    added = []
    if LOCAL_ACCESS not in state.router_accesses:
        port = allocator.keep_or_allocate(role_ports(before.get(LOCAL_ACCESS, {})).get('normal'),
                                          LOCAL_PORT_START, 'local', foreign)
        state.router_accesses[LOCAL_ACCESS] = _router_access_doc(state, LOCAL_ACCESS, {
            'bindHost': '127.0.0.1', 'issuer': LOCAL_CA, 'roles': [{'name': 'normal', 'port': port}],
            'tlsCredentials': 'skupper-local-server'})
        added.append(LOCAL_ACCESS)
    name = state.site_name
    if state.has_link_access and name not in state.router_accesses:
        kept = role_ports(before.get(name, {}))
        inter_router = allocator.keep_or_allocate(kept.get('inter-router'), INTER_ROUTER_PORT_START,
                                                  'inter-router', foreign)
        edge = allocator.keep_or_allocate(kept.get('edge'), EDGE_PORT_START, 'edge', foreign)
        sans = static_links.local_link_hosts(hostname, addresses) + ['localhost']
        state.router_accesses[name] = _router_access_doc(state, name, {
            'roles': [{'name': 'inter-router', 'port': inter_router}, {'name': 'edge', 'port': edge}],
            'subjectAlternativeNames': sans, 'tlsCredentials': name})
        added.append(name)
    for access_name, doc in state.router_accesses.items():
        doc['spec'].setdefault('tlsCredentials', access_name)
    return added
