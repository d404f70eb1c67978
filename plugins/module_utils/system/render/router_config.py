# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The router configuration of a system site: runtime/router/skrouterd.json.

Entity and sslProfile names follow Skupper's, so that Skupper's own tools can read the site. The
output is deterministic: entity types in Skupper's order, entities sorted by name, attributes in a
fixed order.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.appnet.skupper.plugins.module_utils import documents
from ansible_collections.appnet.skupper.plugins.module_utils.model.values import port_number
from ansible_collections.appnet.skupper.plugins.module_utils.system.render.site_state import SiteStateError
from ansible_collections.appnet.skupper.plugins.module_utils.system.render.sockets import role_port

ENTITY_ORDER = ('router', 'sslProfile', 'proxyProfile', 'connector', 'listener', 'address', 'tcpConnector',
                'tcpListener', 'listenerAddress', 'log', 'site')
LOG_LEVELS = ('trace', 'debug', 'info', 'notice', 'warning', 'error', 'critical')
LOG_MODULES = ('ROUTER', 'ROUTER_CORE', 'ROUTER_HELLO', 'ROUTER_LS', 'ROUTER_MA', 'MESSAGE', 'SERVER', 'AGENT',
               'CONTAINER', 'ERROR', 'POLICY', 'HTTP', 'CONN_MGR', 'PYTHON', 'PROTOCOL', 'TCP_ADAPTOR',
               'HTTP_ADAPTOR', 'FLOW_LOG', 'ADDRESS_WATCH', 'HTTP1_OBSERVER', 'HTTP2_OBSERVER', 'HTTP2_DECODER',
               'DEFAULT')
DEFAULT_LOGGING = (('ROUTER_CORE', 'error+'),)
LOGGING_SETTINGS = ('router-logging', 'routerLogging')
DATA_CONNECTION_SETTINGS = ('routerDataConnections', 'router-data-connections', 'router-data-connection-count')


def _settings(state):
    settings = documents.spec_of(state.site).get('settings') or {}
    return settings if isinstance(settings, dict) else {}


def _first_setting(settings, keys):
    for key in keys:
        if settings.get(key) not in (None, ''):
            return str(settings[key]).strip()
    return None


# ---------------------------------------------------------------------------------------------
# sslProfiles


class _Profiles(object):
    """sslProfiles referenced by listeners and connectors; the same name must always mean the same files."""

    def __init__(self, base):
        self.base = base
        self.by_name = {}

    def _path(self, directory, file_name):
        return '%s/runtime/certs/%s/%s' % (self.base, directory, file_name)

    def full(self, name):
        return self._add({'name': name, 'certFile': self._path(name, 'tls.crt'),
                          'privateKeyFile': self._path(name, 'tls.key'), 'caCertFile': self._path(name, 'ca.crt')})

    def ca_only(self, name):
        return self._add({'name': name, 'caCertFile': self._path(name, 'ca.crt')})

    def _add(self, attrs):
        existing = self.by_name.get(attrs['name'])
        if existing is not None and existing != attrs:
            raise SiteStateError('tls credentials "%s" are used both with and without a certificate and key; use '
                                 'separate credentials' % attrs['name'])
        self.by_name[attrs['name']] = attrs
        return attrs['name']


# ---------------------------------------------------------------------------------------------
# Entities


def _router(state, site_id, router_id, platform, version):
    attrs = {'id': router_id, 'mode': 'edge' if state.is_edge else 'interior', 'helloMaxAgeSeconds': '3',
             'metadata': json.dumps({'id': site_id, 'version': version, 'platform': platform},
                                    separators=(',', ':'))}
    count = _first_setting(_settings(state), DATA_CONNECTION_SETTINGS)
    if count is not None:
        if count != 'auto' and not (count.isdigit() and int(count) > 0):
            raise SiteStateError('%s: site setting routerDataConnections must be a positive number or "auto", got %r'
                                 % (state.source('Site', state.site_name), count))
        attrs['dataConnectionCount'] = count
    return [('router', attrs)]


def _role_name(role):
    return role if role in ('edge', 'normal') else 'inter-router'


def _access_listeners(state, profiles):
    entities = []
    for name in sorted(state.router_accesses):
        spec = documents.spec_of(state.router_accesses[name])
        tls = spec.get('tlsCredentials') or name
        for role in spec.get('roles') or []:
            attrs = {'name': '%s-%s' % (name, role['name']), 'role': _role_name(role['name'])}
            if spec.get('bindHost'):
                attrs['host'] = spec['bindHost']
            attrs['port'] = role_port(role)
            attrs['sslProfile'] = profiles.full(tls)
            attrs['saslMechanisms'] = 'EXTERNAL'
            attrs['authenticatePeer'] = True
            entities.append(('listener', attrs))
    return entities


def link_cost(state, name):
    """A Link's cost: spec.cost, else the linkCost of the AccessToken it was redeemed from, else 1 (at least 1)."""
    cost = documents.spec_of(state.links[name]).get('cost')
    if not cost:
        for token_name, token in state.tokens.items():
            if name in state.links_of_token(token_name):
                cost = documents.spec_of(token).get('linkCost')
    return max(int(cost or 1), 1)


def _link_connectors(state, profiles):
    role = 'edge' if state.is_edge else 'inter-router'
    entities = []
    for name in sorted(state.links):
        spec = documents.spec_of(state.links[name])
        endpoint = next((e for e in spec.get('endpoints') or [] if e.get('name') == role), None)
        if endpoint is None:
            continue
        entities.append(('connector', {
            'name': name, 'role': role, 'host': endpoint['host'], 'port': str(port_number(endpoint['port'])),
            'cost': link_cost(state, name),
            'sslProfile': profiles.full('%s-profile' % spec['tlsCredentials'])}))
    return entities


def _tcp_listeners(state, site_id, profiles):
    entities = []
    for name in sorted(state.listeners):
        spec = documents.spec_of(state.listeners[name])
        attrs = {'name': 'listener/%s' % name, 'host': spec['host'], 'port': str(port_number(spec['port'])),
                 'address': spec['routingKey'], 'siteId': site_id}
        if spec.get('tlsCredentials'):
            attrs['sslProfile'] = profiles.full(spec['tlsCredentials'])
        if spec.get('observer'):
            attrs['observer'] = spec['observer']
        entities.append(('tcpListener', attrs))
    return entities


def _tcp_connectors(state, site_id, profiles):
    entities = []
    for name in sorted(state.connectors):
        spec = documents.spec_of(state.connectors[name])
        attrs = {'name': 'connector/%s@%s' % (name, spec['host']), 'host': spec['host'],
                 'port': str(port_number(spec['port'])), 'address': spec['routingKey'], 'siteId': site_id}
        tls = spec.get('tlsCredentials')
        if tls:
            attrs['sslProfile'] = profiles.full(tls) if spec.get('useClientCert') else \
                profiles.ca_only('%s-profile' % tls)
            attrs['verifyHostname'] = bool(spec.get('verifyHostname', False))
        entities.append(('tcpConnector', attrs))
    return entities


def _routing_key_values(strategy):
    if strategy.get('priority') is not None:
        keys = strategy['priority']['routingKeys']
        return 'priority', [(key, len(keys) - 1 - index) for index, key in enumerate(keys)]
    weights = strategy['weighted']['routingKeys']
    return 'weighted', sorted(weights.items())


def _multi_key_listeners(state, site_id, profiles):
    entities = []
    for name in sorted(state.multi_key_listeners):
        spec = documents.spec_of(state.multi_key_listeners[name])
        kind, values = _routing_key_values(spec['strategy'])
        listener_name = 'multiAddress/%s' % name
        attrs = {'name': listener_name, 'host': spec['host'], 'port': str(port_number(spec['port'])),
                 'siteId': site_id}
        if spec.get('tlsCredentials'):
            attrs['sslProfile'] = profiles.full(spec['tlsCredentials'])
        if spec.get('observer'):
            attrs['observer'] = spec['observer']
        attrs['multiAddressStrategy'] = kind
        if spec.get('requireClientCert'):
            attrs['authenticatePeer'] = True
        entities.append(('tcpListener', attrs))
        for key, value in values:
            entities.append(('listenerAddress', {'name': '%s/%s' % (name, key), 'address': key, 'value': value,
                                                 'listener': listener_name}))
    return entities


def parse_logging(value, origin='site setting routerLogging'):
    """{module: enable} from "info" or "ROUTER_CORE:debug,TCP_ADAPTOR:info" (a bare level sets every module)."""
    levels = {}
    for item in [part.strip() for part in value.split(',') if part.strip()]:
        module, _sep, level = item.rpartition(':')
        module, level = module.strip().upper(), level.strip().lower().rstrip('+')
        if level not in LOG_LEVELS or (module and module not in LOG_MODULES):
            raise SiteStateError('%s: %r is not a log level (%s), optionally prefixed by a module (ROUTER_CORE:debug)'
                                 % (origin, item, ', '.join(LOG_LEVELS)))
        for target in ([module] if module else ['DEFAULT', 'ROUTER_CORE']):
            levels[target] = level + '+'
    return levels


def _logs(state):
    levels = dict(DEFAULT_LOGGING)
    value = _first_setting(_settings(state), LOGGING_SETTINGS)
    if value:
        levels.update(parse_logging(value, '%s: site setting routerLogging' % state.source('Site', state.site_name)))
    return [('log', {'module': module, 'enable': levels[module]}) for module in sorted(levels)]


def _site(state, router_id, platform, version):
    return [('site', {'name': router_id, 'platform': platform, 'namespace': state.namespace, 'version': version})]


# ---------------------------------------------------------------------------------------------
# Assembly


def _sort_key(entity):
    entity_type, attrs = entity
    return (ENTITY_ORDER.index(entity_type), attrs.get('name') or attrs.get('module') or attrs.get('prefix') or '')


def check_unique_names(entities):
    """SiteStateError when two entities (of any types) share a name: the router refuses to start then."""
    seen, problems = {}, []
    for entity_type, attrs in entities:
        name = attrs.get('name')
        if name is None:
            continue
        if name in seen:
            problems.append('router entity name "%s" is used by both a %s and a %s entity; the router requires unique '
                            'names (rename the resource that produces one of them)' % (name, seen[name], entity_type))
        seen.setdefault(name, entity_type)
    if problems:
        raise SiteStateError(problems)


def render_router_config(state, site_id, router_id, home_for_paths, platform, version):
    """[[entityType, attrs]] of the site's router, sorted; home_for_paths prefixes every certificate path."""
    profiles = _Profiles(home_for_paths)
    entities = []
    entities += _router(state, site_id, router_id, platform, version)
    entities += _link_connectors(state, profiles)
    entities += _access_listeners(state, profiles)
    entities.append(('address', {'prefix': 'mc', 'distribution': 'multicast'}))
    entities += _tcp_connectors(state, site_id, profiles)
    entities += _tcp_listeners(state, site_id, profiles)
    entities += _multi_key_listeners(state, site_id, profiles)
    entities += _logs(state)
    entities += _site(state, router_id, platform, version)
    entities += [('sslProfile', profiles.by_name[name]) for name in sorted(profiles.by_name)]
    entities.sort(key=_sort_key)
    check_unique_names(entities)
    return [[entity_type, attrs] for entity_type, attrs in entities]


def dump_router_config(entities):
    """The skrouterd.json text: JSON, 4-space indentation, a final newline."""
    return json.dumps(entities, indent=4) + '\n'


def referenced_files(entities, base):
    """Paths relative to the namespace home of every file the sslProfiles of entities read."""
    found = set()
    prefix = base.rstrip('/') + '/'
    for entity_type, attrs in entities:
        if entity_type != 'sslProfile':
            continue
        for key in ('certFile', 'privateKeyFile', 'caCertFile'):
            if attrs.get(key, '').startswith(prefix):
                found.add(attrs[key][len(prefix):])
    return sorted(found)
