# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Platform-independent status of a site and its network (the network_info module's result), and what keeps it
from being ready.

Each backend reads its own (Backend.network_info): system/service/router_status.py asks a system site's router,
k8s/status.py reads the statuses the Skupper controller writes on the custom resources. Both return
build_network_info()'s shape:

    {site: {name, id, platform, namespace, status, reason, router_id, version, endpoints: [{name, host, port, group}]},
     links: [{name, status, reason, remote_site_name, remote_site_id, cost, host, port}],
     peers: [{router_id, site_name, site_id}],
     sites: [{name, id, platform, namespace, version, router_id, self, links: [link], services: [service]}],
     resources: [{kind, name, status, reason, ...what the kind's status adds}],
     listeners: [{name, routing_key, host, port, status, reason, matched}],
     connectors: [{name, routing_key, host, port, status, reason, matched}],
     versions: {collection, router},
     ready: bool, missing_links: [remote site names]}

A status is Ready, Pending or Error, as Skupper writes it: an Error stays an Error, with its message as reason.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.appnet.skupper.plugins.module_utils.model.values import port_number

READY = 'Ready'
PENDING = 'Pending'
ERROR = 'Error'
STATUSES = (READY, PENDING, ERROR)
# The version of this collection (galaxy.yml's; tests/unit/plugins/module_utils/test_status.py keeps them equal).
COLLECTION_VERSION = '1.2.0'
# The kinds whose status network_info reports under resources (Site, Link, Listener and Connector have their own
# entries), with what each one's status adds: (result key, status field).
RESOURCE_KINDS = (
    ('AccessGrant', (('redemptions', 'redemptions'), ('expiration_time', 'expirationTime'), ('url', 'url'))),
    ('AccessToken', (('redeemed', 'redeemed'),)),
    ('RouterAccess', (('endpoints', 'endpoints'),)),
    ('SecuredAccess', (('endpoints', 'endpoints'),)),
    ('Certificate', (('expiration', 'expiration'),)),
    ('MultiKeyListener', (('has_destination', 'hasDestination'),)),
    ('AttachedConnector', ()),
    ('AttachedConnectorBinding', (('has_matching_listener', 'hasMatchingListener'),)),
)


def build_network_info(site, links=(), peers=(), listeners=(), connectors=(), expected_links=(), sites=(),
                       resources=(), router_version=None):
    """The network_info result; ready = site Ready, every link Ready and every expected remote site linked."""
    links = list(links)
    linked = set(link['remote_site_name'] for link in links if link['status'] == READY and link['remote_site_name'])
    missing = [name for name in expected_links or () if name not in linked]
    ready = site['status'] == READY and all(link['status'] == READY for link in links) and not missing
    return {'site': site, 'links': links, 'peers': list(peers), 'listeners': list(listeners),
            'connectors': list(connectors), 'sites': list(sites), 'resources': list(resources),
            'versions': {'collection': COLLECTION_VERSION, 'router': router_version},
            'ready': ready, 'missing_links': missing}


def site_info(name, site_id=None, platform=None, namespace=None, status=PENDING, reason=None, router_id=None,
              version=None, endpoints=()):
    return {'name': name, 'id': site_id, 'platform': platform, 'namespace': namespace, 'status': status,
            'reason': reason, 'router_id': router_id, 'version': version,
            'endpoints': [endpoint_info(item) for item in endpoints or ()]}


def endpoint_info(endpoint):
    """An endpoint of a site or RouterAccess status ({name, host, port, group}; the port a number)."""
    endpoint = endpoint if isinstance(endpoint, dict) else {}
    return {'name': endpoint.get('name'), 'host': endpoint.get('host'), 'port': port_number(endpoint.get('port')),
            'group': endpoint.get('group')}


def network_site(name, site_id=None, platform=None, namespace=None, version=None, router_id=None, own=False,
                 links=(), services=()):
    """A site of the network as this site knows it (sites[] of the result)."""
    return {'name': name, 'id': site_id, 'platform': platform, 'namespace': namespace, 'version': version,
            'router_id': router_id, 'self': own, 'links': list(links), 'services': list(services)}


def services_of(listeners, connectors):
    """[{routing_key, listeners: [names], connectors: [host:port]}] of (routing key, name) and (routing key,
    host:port) pairs, by routing key (a site record's services, as the Site status network[] holds them)."""
    keys = {}
    for key, name in listeners:
        keys.setdefault(key, ([], []))[0].append(name)
    for key, target in connectors:
        keys.setdefault(key, ([], []))[1].append(target)
    return [{'routing_key': key, 'listeners': sorted(found[0]), 'connectors': sorted(found[1])}
            for key, found in sorted(keys.items(), key=lambda item: str(item[0]))]


def status_of(doc):
    """(status, reason) of a resource as Skupper wrote its status: Ready, Pending or Error (kept), with the message
    of one that is not Ready (or its first False condition's); Pending 'no status yet' without a status. A status
    with message OK and no status value is Ready."""
    block = (doc or {}).get('status') or {}
    value = block.get('status')
    if value is None and block.get('message') == 'OK':
        value = READY  # a status of message OK only (the Certificates of a system site, as Skupper writes them)
    status = value if value in STATUSES else PENDING
    if status == READY:
        return status, None
    if block.get('message') and block.get('message') != 'OK':
        return status, block['message']
    for condition in block.get('conditions') or []:
        if condition.get('status') == 'False':
            return status, condition.get('message') or condition.get('reason')
    return status, 'no status yet' if not block else None


def resource_infos(resources):
    """[{kind, name, status, reason, ...}] of {kind: {name: document}} for the RESOURCE_KINDS, by kind and name."""
    result = []
    for kind, extras in RESOURCE_KINDS:
        for name, doc in sorted((resources.get(kind) or {}).items()):
            status, reason = status_of(doc)
            block = (doc or {}).get('status') or {}
            info = {'kind': kind, 'name': name, 'status': status, 'reason': reason}
            for key, field in extras:
                info[key] = block.get(field)
            if kind == 'AccessGrant':
                info['redemptions'] = info['redemptions'] or 0
                info['redemptions_allowed'] = ((doc or {}).get('spec') or {}).get('redemptionsAllowed', 1)
            if 'endpoints' in info:
                info['endpoints'] = [endpoint_info(item) for item in info['endpoints'] or ()]
            result.append(info)
    return result


def link_info(name, status, reason=None, remote_site_name=None, remote_site_id=None, cost=None, host=None,
              port=None):
    return {'name': name, 'status': status, 'reason': reason, 'remote_site_name': remote_site_name,
            'remote_site_id': remote_site_id, 'cost': cost, 'host': host, 'port': port_number(port)}


def service_info(name, routing_key, host, port, matched, reason=None, error=False):
    """A listener or connector; Ready exactly when matched, unless its status is an Error (error)."""
    status = ERROR if error else READY if matched else PENDING
    return {'name': name, 'routing_key': routing_key, 'host': host, 'port': port_number(port),
            'status': status, 'reason': None if status == READY else reason, 'matched': matched}


def not_ready(info):
    """Human-readable lines naming what keeps info (a build_network_info result) from being ready."""
    problems = []
    site = info['site']
    if site['status'] != READY:
        problems.append('site %s is %s: %s' % (site['name'], site['status'], site['reason'] or 'no reason given'))
    for link in info['links']:
        if link['status'] != READY:
            problems.append('link %s is %s: %s' % (link['name'], link['status'], link['reason'] or 'no reason given'))
    for name in info['missing_links']:
        problems.append('no Ready link to site %s' % name)
    return problems
