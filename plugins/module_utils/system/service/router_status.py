# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The status of a system site from its router: the router's answers (router_queries.query_site()) and the site's
runtime resources read into the network_info shape (module_utils/network_info_shape.py), and site_network_info(), the reader
of SystemBackend.network_info."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re
import subprocess

from ansible_collections.appnet.skupper.plugins.module_utils import documents, platforms
from ansible_collections.appnet.skupper.plugins.module_utils.backend import BackendError
from ansible_collections.appnet.skupper.plugins.module_utils.model.kinds import LINK_ROLES, REMOTE_SITE_ANNOTATION
from ansible_collections.appnet.skupper.plugins.module_utils.platforms import DEFAULT_NAMESPACE, SYSTEM_DEFAULT
from ansible_collections.appnet.skupper.plugins.module_utils.network_info_shape import (
    PENDING, READY, build_network_info, link_info, network_site, resource_infos, service_info, services_of, site_info)
from ansible_collections.appnet.skupper.plugins.module_utils.system.service import router_queries, router_service
from ansible_collections.appnet.skupper.plugins.module_utils.system.service.container_service import (
    condition_of, container_name)
from ansible_collections.appnet.skupper.plugins.module_utils.system.service.router_queries import (
    REMOTE_LISTENERS, REMOTE_ROUTERS, REMOTE_STATE)
from ansible_collections.appnet.skupper.plugins.module_utils.system.store import resource_files

CONTAINER_ID = re.compile(r'container_id=(\S+)')
CONNECTION_PREFIX = re.compile(r'^\[C\d+\]\s*')
# (text in the router's connectionMsg, readable reason); {host} and {port} are the link's endpoint.
LINK_FAILURES = (
    ('connection refused', 'connection refused by {host}:{port}: the remote router is not running there or the '
                           'port is closed'),
    ('unknown ca', "TLS: the remote site does not trust this site's certificate (unknown ca)"),
    ('bad certificate', "TLS: the remote site rejected this site's certificate (bad certificate)"),
    ('certificate expired', 'TLS: a certificate has expired (certificate expired)'),
    ('certificate verify failed', "TLS: the remote site's certificate is not valid for host {host} or not signed by "
                                  "the CA of this link's credentials (certificate verify failed)"),
    ('hostname mismatch', "TLS: the remote site's certificate does not name host {host} (hostname mismatch)"),
    ('handshake failure', 'TLS: handshake failure with {host}:{port}'),
    ('name or service not known', 'cannot resolve host {host}'),
    ('no route to host', 'no route to host {host}'),
    ('network is unreachable', 'network unreachable for {host}'),
    ('timed out', 'connection to {host}:{port} timed out'),
)


# The forms of router ids, as <site name>-<suffix>:
ROUTER_ID_SUFFIXES = (
    # Skupper on Linux, Podman and Docker: <site>-<unix seconds>-<nanoseconds> (not zero-padded)
    ('skupper', re.compile(r'[0-9]{9,11}-[0-9]{1,9}\Z')),
    # Skupper on Kubernetes: <site>-${HOSTNAME}, the router pod's name <deployment>-<pod template hash>-<suffix>
    # (deployment skupper-router, and skupper-router-2 for HA), in Kubernetes' safe alphabet
    ('kubernetes', re.compile(r'skupper-router(?:-2)?-[bcdfghjklmnpqrstvwxz2456789]{1,10}-'
                              r'[bcdfghjklmnpqrstvwxz2456789]{5}\Z')),
    # this collection, stable across renders: <site>-<first 8 hex digits of the site id>
    ('appnet', re.compile(r'[0-9a-f]{8}\Z')),
)


def router_id_form(router_id, site_name):
    """The form of router_id ('skupper', 'kubernetes', 'appnet') if it is site_name's router, else None."""
    if not router_id or not site_name or not router_id.startswith(site_name + '-'):
        return None
    suffix = router_id[len(site_name) + 1:]
    return next((form for form, pattern in ROUTER_ID_SUFFIXES if pattern.match(suffix)), None)


def site_name_from_router_id(router_id, known_names=()):
    """The name of the site whose router has router_id; None when it cannot be told.

    known_names are site names known from facts (the remote site a Link was issued by, the sites the
    caller expects): the longest of them whose router router_id can be wins. Otherwise the id is parsed,
    Skupper's forms first (a seconds-nanoseconds or pod-name suffix), then this collection's 8 hex digits.
    """
    if not router_id:
        return None
    for name in sorted(set(n for n in known_names if n), key=lambda n: (-len(n), n)):
        if router_id_form(router_id, name):
            return name
    for _form, pattern in ROUTER_ID_SUFFIXES:
        for index, char in enumerate(router_id):
            if char == '-' and index and pattern.match(router_id[index + 1:]):
                return router_id[:index]
    return None


def remote_site_annotation(link_doc):
    """The remote site name a Link carries as a fact (set by static_link, or from the token it came from)."""
    annotations = ((link_doc or {}).get('metadata') or {}).get('annotations') or {}
    value = annotations.get(REMOTE_SITE_ANNOTATION) if isinstance(annotations, dict) else None
    return value if isinstance(value, str) and value else None


def remote_site_name(peer_router_id, link_doc, known_names=()):
    """The remote site of an up link: the Link's own fact when the peer router can be that site's, else what
    the peer's router id says (known_names tell ambiguous ids apart).

    The peer can be the fact's site when its id is <fact>-<suffix> and nothing says it belongs to another
    site (an id of a known form naming a longer site, such as west-2-0f9c2d0e for the fact west); an
    unknown peer (no connection seen) does not contradict the fact.
    """
    fact = remote_site_annotation(link_doc)
    parsed = site_name_from_router_id(peer_router_id, known_names)
    if fact and (peer_router_id is None or router_id_form(peer_router_id, fact)
                 or (peer_router_id.startswith(fact + '-') and parsed in (None, fact))):
        return fact
    return parsed


def link_reason(connector):
    """A readable reason for a connector (link) that is not up, from its connectionMsg."""
    message = CONNECTION_PREFIX.sub('', connector.get('connectionMsg') or '').strip()
    lowered = message.lower()
    for needle, reason in LINK_FAILURES:
        if needle in lowered:
            return reason.format(host=connector.get('host'), port=connector.get('port'))
    if not message:
        return 'connecting to %s:%s' % (connector.get('host'), connector.get('port'))
    return 'not connected (%s): %s' % (connector.get('connectionStatus') or 'unknown', message)


def _endpoint_keys(host, port):
    return ('%s:%s' % (host, port), '[%s]:%s' % (host, port))


def peer_router_id(connector, connections):
    """The router id at the other end of an up link: its inter-router connection's container."""
    keys = _endpoint_keys(connector.get('host'), connector.get('port'))
    for connection in connections:
        if connection.get('dir') == 'out' and connection.get('role') == connector.get('role') \
                and connection.get('host') in keys and connection.get('container'):
            return connection['container']
    found = CONTAINER_ID.search(connector.get('connectionMsg') or '')
    return found.group(1) if found else None


def _link_from_connector(connector, connections, link_doc, known_names, peer_names, remote_routers=None):
    cost = connector.get('cost', documents.spec_of(link_doc).get('cost'))
    common = {'cost': cost, 'host': connector.get('host'), 'port': connector.get('port')}
    if connector.get('connectionStatus') != 'SUCCESS':
        return link_info(connector['name'], PENDING, link_reason(connector), **common)
    peer = peer_router_id(connector, connections)
    name = remote_site_name(peer, link_doc, known_names)
    if peer and name:
        peer_names[peer] = name
    remote = (remote_routers or {}).get(peer) if peer else None
    site_id = _router_metadata(remote).get('id') if remote else None
    return link_info(connector['name'], READY, remote_site_name=name, remote_site_id=site_id, **common)


def _unconfigured_link(link_doc):
    endpoints = documents.spec_of(link_doc).get('endpoints') or [{}]
    return link_info(documents.name_of(link_doc), PENDING, 'not configured on the router: reload the site',
                     cost=documents.spec_of(link_doc).get('cost', 1), host=endpoints[0].get('host'),
                     port=endpoints[0].get('port'))


def known_site_names(link_docs, expected_links=()):
    """Site names known from facts: the remote sites of the Links, and the sites the caller expects."""
    names = [remote_site_annotation(doc) for _name, doc in sorted(link_docs.items())]
    return [name for name in names + list(expected_links or ()) if name]


def router_links(router_state, link_docs, known_names=(), peer_names=None):
    """The links of a router; peer_names (a dict) receives {peer router id: remote site name} of the up links."""
    connectors = [item for item in router_state.get('connector') or [] if item.get('role') in LINK_ROLES]
    connections = router_state.get('connection') or []
    peer_names = {} if peer_names is None else peer_names
    remote_routers = router_state.get(REMOTE_ROUTERS) or {}
    links = [_link_from_connector(item, connections, link_docs.get(item.get('name')), known_names, peer_names,
                                  remote_routers)
             for item in connectors]
    known = set(item.get('name') for item in connectors)
    links.extend(_unconfigured_link(doc) for name, doc in sorted(link_docs.items()) if name not in known)
    return links


def router_peers(router_state, router_id, known_names=(), peer_names=None):
    """The other routers of the network; a router at the end of one of our links has that link's remote site."""
    nodes = sorted(router_state.get('router.node') or [], key=lambda node: node.get('id') or '')
    peer_names = peer_names or {}
    return [{'router_id': node['id'], 'site_id': None,
             'site_name': peer_names.get(node['id']) or site_name_from_router_id(node['id'], known_names)}
            for node in nodes if node.get('id') and node['id'] != router_id and node.get('nextHop') != '(self)']


def _strip_entity_name(name, prefix):
    name = name or ''
    name = name[len(prefix):] if name.startswith(prefix) else name
    return name.split('@', 1)[0]


def connector_reachable(routing_key, router_state):
    """Whether the router's address table shows a connector for routing_key (here or at another router); None
    when the router gave no address table."""
    if 'router.address' not in router_state:
        return None
    for item in router_state.get('router.address') or []:
        key = item.get('key') or item.get('name') or ''
        if key[:1] == 'M' and address_name(key) == routing_key:
            return bool(item.get('subscriberCount') or item.get('remoteCount'))
    return False


def router_listeners(router_state, listener_docs):
    """The listeners of a router: Ready when bound (operStatus up). A listener that is down says why: its port
    cannot be bound (connectionMsg of the router, such as 'Address already in use'), or there is no connector for
    its routing key in the network (the router binds the port once there is one)."""
    result = []
    seen = set()
    for entity in router_state.get('tcpListener') or []:
        name = _strip_entity_name(entity.get('name'), 'listener/')
        seen.add(name)
        key, host, port = entity.get('address'), entity.get('host'), entity.get('port')
        up = entity.get('operStatus') == 'up'
        message = (entity.get('connectionMsg') or '').strip()
        if up:
            result.append(service_info(name, key, host, port, True))
        elif message:
            info = service_info(name, key, host, port, False,
                                'cannot listen on %s:%s: %s' % (host, port, message))
            info['matched'] = connector_reachable(key, router_state)
            result.append(info)
        else:
            result.append(service_info(name, key, host, port, False,
                                       'no connector for routing key %s in the network (the port is bound once '
                                       'there is one)' % key))
    result.extend(_unconfigured_service(doc) for name, doc in sorted(listener_docs.items()) if name not in seen)
    return result


def _unconfigured_service(doc):
    spec = documents.spec_of(doc)
    return service_info(documents.name_of(doc), spec.get('routingKey'), spec.get('host'), spec.get('port'), False,
                        'not configured on the router: reload the site')


def address_name(key):
    """The address text of a router.address key (M0backend or Mbackend -> backend)."""
    key = key or ''
    return key[2:] if key[:1] == 'M' and key[1:2].isdigit() else key[1:]


def _served_addresses(router_state):
    """Mobile addresses with deliveries that left the network here: a listener somewhere sent to them."""
    return set(address_name(item.get('key') or item.get('name')) for item in router_state.get('router.address') or []
               if (item.get('key') or item.get('name') or '')[:1] == 'M' and (item.get('deliveriesEgress') or 0) > 0)


def connector_matched(routing_key, router_state, served):
    """True when a listener for routing_key exists in the network (at this router, at another router asked over
    the network, or seen by traffic); False when every router of the network was asked and none has one; None
    when it cannot be told (the other routers could not be asked)."""
    local = [item for item in router_state.get('tcpListener') or [] if item.get('address') == routing_key]
    if local or routing_key in served:
        return True
    if REMOTE_LISTENERS not in router_state:
        return None
    return any(item.get('address') == routing_key
               for listeners in router_state[REMOTE_LISTENERS].values() for item in listeners or [])


def router_connectors(router_state, connector_docs):
    served = _served_addresses(router_state)
    result = []
    seen = set()
    for entity in router_state.get('tcpConnector') or []:
        name = _strip_entity_name(entity.get('name'), 'connector/')
        seen.add(name)
        matched = connector_matched(entity.get('address'), router_state, served)
        result.append(service_info(name, entity.get('address'), entity.get('host'), entity.get('port'), matched,
                                   'no listener for routing key %s in the network' % entity.get('address')
                                   if matched is False else
                                   'no listener for routing key %s has been seen from this site (the other routers '
                                   'of the network could not be asked)' % entity.get('address')))
    result.extend(_unconfigured_service(doc) for name, doc in sorted(connector_docs.items()) if name not in seen)
    return result


def _router_metadata(router):
    try:
        metadata = json.loads(router.get('metadata') or '{}')
    except ValueError:
        return {}
    return metadata if isinstance(metadata, dict) else {}


def _router_site(router_state, site_doc, namespace, platform, router_error):
    router = (router_state.get('router') or [{}])[0]
    router_id = router.get('id')
    metadata = _router_metadata(router)
    name = documents.name_of(site_doc) or site_name_from_router_id(router_id)
    site_id = ((site_doc or {}).get('metadata') or {}).get('uid') or metadata.get('id')
    endpoints = ((site_doc or {}).get('status') or {}).get('endpoints')
    if router_error or not router_id:
        return site_info(name, site_id, platform, namespace, PENDING, router_error or 'the router did not answer',
                         endpoints=endpoints)
    return site_info(name, site_id, metadata.get('platform') or platform, namespace, READY, router_id=router_id,
                     version=metadata.get('version'), endpoints=endpoints)


def _router_services(state):
    """services_of() a router's tcpListeners and tcpConnectors (one of a site of the network)."""
    return services_of(
        [(item.get('address'), _strip_entity_name(item.get('name'), 'listener/')) for item in state.get('tcpListener') or []],
        [(item.get('address'), '%s:%s' % (item.get('host'), item.get('port'))) for item in state.get('tcpConnector') or []])


def network_sites(router_state, site, links, known_names=(), peer_names=None):
    """The sites of the network as this site's router knows them: one per router of router.node (this one first),
    named and identified by what each router says of itself (the site id, platform and version of its router
    entity's metadata, the namespace of its site entity; the name from the links' facts, else from its id), with
    its links (its connectors of a link role when it could be asked for them, else the routers it has a link with,
    from router.node's link state) and its listeners and connectors by routing key."""
    own = site.get('router_id')
    remote = router_state.get(REMOTE_STATE) or {}
    nodes = dict((node['id'], node) for node in router_state.get('router.node') or [] if node.get('id'))
    names = dict(peer_names or {})
    for router_id in set(nodes) | set(remote):
        if router_id != own and router_id not in names:
            names[router_id] = site_name_from_router_id(router_id, known_names)
    if own:
        names[own] = site['name']
    ids = dict((router_id, _router_metadata((state.get('router') or [{}])[0]).get('id'))
               for router_id, state in remote.items())
    ids[own] = site['id']
    result = []
    if own:
        result.append(network_site(site['name'], site['id'], site['platform'], site['namespace'], site['version'],
                                   own, True, links, _router_services(router_state)))
    for router_id in sorted((set(nodes) | set(remote)) - set([own])):
        state = remote.get(router_id) or {}
        metadata = _router_metadata((state.get('router') or [{}])[0])
        entity = (state.get('site') or [{}])[0]
        if 'connector' in state:
            site_links = router_links(state, {}, known_names, dict(names))
            for link in site_links:
                link['remote_site_id'] = link['remote_site_id'] or next(
                    (ids.get(peer) for peer, name in names.items() if name and name == link['remote_site_name']), None)
        else:
            site_links = [link_info(None, READY, remote_site_name=names.get(peer), remote_site_id=ids.get(peer))
                          for peer in sorted((nodes.get(router_id) or {}).get('linkState') or [])]
        result.append(network_site(names.get(router_id), metadata.get('id'), metadata.get('platform') or entity.get('platform'),
                                   entity.get('namespace'), metadata.get('version') or entity.get('version'), router_id,
                                   False, site_links, _router_services(state)))
    return result


def router_version(home, platform, namespace):
    """The version of the site's router (what `skrouterd --version` prints: the binary the site runs, or the one in
    its container), or None when it cannot be told."""
    record = router_service.read_record(home)
    engine = platforms.get(platform).engine
    if engine:
        argv = [engine, 'exec', container_name(namespace), 'skrouterd', '--version']
    elif record.get('router'):
        argv = [record['router'], '--version']
    else:
        return None
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=15, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    words = done.stdout.split()
    return words[-1] if done.returncode == 0 and words else None


def from_router(router_state, resources=None, namespace=DEFAULT_NAMESPACE, platform=SYSTEM_DEFAULT, router_error=None,
                expected_links=(), version=None):
    """network_info of a system site from its router's state ({entity type: [entities]}, None when the
    router could not be asked: router_error says why) and its runtime resources ({kind: {name: doc}})."""
    router_state = router_state or {}
    resources = resources or {}
    site_doc = next(iter(sorted((resources.get('Site') or {}).items())), (None, None))[1]
    site = _router_site(router_state, site_doc, namespace, platform, router_error)
    link_docs = resources.get('Link') or {}
    known = known_site_names(link_docs, expected_links)
    peer_names = {}
    links = router_links(router_state, link_docs, known, peer_names)
    return build_network_info(
        site,
        links=links,
        peers=router_peers(router_state, site['router_id'], known, peer_names),
        listeners=router_listeners(router_state, resources.get('Listener') or {}),
        connectors=router_connectors(router_state, resources.get('Connector') or {}),
        expected_links=expected_links,
        sites=network_sites(router_state, site, links, known, peer_names) if router_state else [],
        resources=resource_infos(resources), router_version=version)


def site_network_info(home, namespace, platform, expected_links=(), skmanage='skmanage',
                      timeout=router_queries.DEFAULT_TIMEOUT):
    """network_info of the system site in home: its runtime resources and what its router answers (skmanage; in
    the router container on a platform with an engine). BackendError when the site was never rendered or the
    router cannot be asked for another reason than a refused connection (then the site is not ready, and says
    why: with the supervisor's summary when the router runs on the host)."""
    resources = resource_files.load_runtime_resources(home)
    if not resources:
        raise BackendError('namespace %s has no rendered site in %s: create the site and run appnet.skupper.system '
                           'first' % (namespace, home))
    router_state, router_error = None, None
    entry = platforms.get(platform)
    try:
        container = (entry.engine, container_name(namespace)) if entry.engine else None
        router_state = router_queries.query_site(home, skmanage, timeout, container=container)
    except router_queries.ManagementError as exc:
        if exc.reason != 'refused':
            raise BackendError(exc.message)
        router_error = exc.message
        if entry.engine:
            condition = condition_of(entry.engine, container_name(namespace))
            router_error += '; %s' % condition if condition else ''
        if entry.runs_on_host:
            from ansible_collections.appnet.skupper.plugins.module_utils.system.service.process_service import (
                supervisor_summary)
            supervisor = supervisor_summary(home)
            router_error += '; %s' % supervisor if supervisor else ''
    version = router_version(home, platform, namespace) if router_state else None
    return from_router(router_state, resources, namespace, platform, router_error, expected_links, version)
