# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sockets a site's router binds, and the rule that none is bound twice on a host: listeners, multi-key
listeners and the roles of RouterAccesses (Skupper does not check these collisions)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.appnet.skupper.plugins.module_utils import documents
from ansible_collections.appnet.skupper.plugins.module_utils.model.kinds import DEFAULT_ROLE_PORTS
from ansible_collections.appnet.skupper.plugins.module_utils.model.values import port_number

WILDCARDS = ('', '0.0.0.0', '::')
# The RouterAccess a site makes for its local management (the system module's skmanage and status queries).
LOCAL_ACCESS = 'skupper-local'


def role_port(role):
    """The port a RouterAccess role listens on: its port, or Skupper's default for the role."""
    if role.get('port') in (None, 0, '0', ''):
        return DEFAULT_ROLE_PORTS.get(role.get('name'), DEFAULT_ROLE_PORTS['inter-router'])
    return port_number(role.get('port'))


def hosts_overlap(host_a, host_b):
    """Whether sockets bound on two hosts can clash (the same host, or a wildcard)."""
    return host_a in WILDCARDS or host_b in WILDCARDS or host_a == host_b


def bound_ports(state, router_accesses):
    """[(host, port, description, kind, name)] of every socket the router would bind."""
    bound = []
    for kind, collection, label in (('Listener', state.listeners, 'listener'),
                                    ('MultiKeyListener', state.multi_key_listeners, 'multikeylistener')):
        for name in sorted(collection):
            spec = documents.spec_of(collection[name])
            port = port_number(spec.get('port'))
            if port is not None and spec.get('host'):
                bound.append((spec['host'], port, '%s "%s"' % (label, name), kind, name))
    for name in sorted(router_accesses):
        spec = documents.spec_of(router_accesses[name])
        for role in spec.get('roles') or []:
            port = role_port(role) if isinstance(role, dict) else None
            if port is not None:
                description = 'router access "%s" role %s' % (name, role.get('name'))
                if name == LOCAL_ACCESS:
                    description = 'the local management port of the site'
                bound.append((spec.get('bindHost') or '', port, description, 'RouterAccess', name))
    return bound


def _involves(only, *entries):
    return only is None or any(kind == 'RouterAccess' and name in only for kind, name in entries)


def port_collisions(state, router_accesses, only=None):
    """Problems for sockets bound twice; only: restrict to collisions involving these RouterAccess names."""
    problems = []
    bound = bound_ports(state, router_accesses)
    for index, (host, port, description, kind, name) in enumerate(bound):
        for other_host, other_port, other_description, other_kind, other_name in bound[:index]:
            if port != other_port or not hosts_overlap(host, other_host):
                continue
            if kind in ('Listener', 'MultiKeyListener') and other_kind in ('Listener', 'MultiKeyListener') \
                    and host == other_host:
                continue  # reported with Skupper's own message
            if not _involves(only, (kind, name), (other_kind, other_name)):
                continue
            first, second = (host, description, kind, name), (other_host, other_description, other_kind, other_name)
            if (kind, name) not in state.sources:
                first, second = second, first
            problems.append('%s: port %d of %s (host "%s") collides with %s (host "%s"); choose another port'
                            % (state.source(first[2], first[3]), port, first[1], first[0] or '*', second[1],
                               second[0] or '*'))
    return problems
