# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Platform-independent status of a site and its network (the network_info module's result), and what keeps it
from being ready.

Each backend reads its own (Backend.network_info): system/service/router_status.py asks a system site's router,
k8s/status.py reads the statuses the Skupper controller writes on the custom resources. Both return
build_network_info()'s shape:

    {site: {name, id, platform, namespace, status, reason, router_id},
     links: [{name, status, reason, remote_site_name, remote_site_id, cost, host, port}],
     peers: [{router_id, site_name, site_id}],
     listeners: [{name, routing_key, host, port, status, reason, matched}],
     connectors: [{name, routing_key, host, port, status, reason, matched}],
     ready: bool, missing_links: [remote site names]}
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.appnet.skupper.plugins.module_utils.model.values import port_number

READY = 'Ready'
PENDING = 'Pending'


def build_network_info(site, links=(), peers=(), listeners=(), connectors=(), expected_links=()):
    """The network_info result; ready = site Ready, every link Ready and every expected remote site linked."""
    links = list(links)
    linked = set(link['remote_site_name'] for link in links if link['status'] == READY and link['remote_site_name'])
    missing = [name for name in expected_links or () if name not in linked]
    ready = site['status'] == READY and all(link['status'] == READY for link in links) and not missing
    return {'site': site, 'links': links, 'peers': list(peers), 'listeners': list(listeners),
            'connectors': list(connectors), 'ready': ready, 'missing_links': missing}


def site_info(name, site_id=None, platform=None, namespace=None, status=PENDING, reason=None, router_id=None):
    return {'name': name, 'id': site_id, 'platform': platform, 'namespace': namespace, 'status': status,
            'reason': reason, 'router_id': router_id}


def link_info(name, status, reason=None, remote_site_name=None, remote_site_id=None, cost=None, host=None,
              port=None):
    return {'name': name, 'status': status, 'reason': reason, 'remote_site_name': remote_site_name,
            'remote_site_id': remote_site_id, 'cost': cost, 'host': host, 'port': port_number(port)}


def service_info(name, routing_key, host, port, matched, reason=None):
    """A listener or connector; Ready exactly when matched."""
    return {'name': name, 'routing_key': routing_key, 'host': host, 'port': port_number(port),
            'status': READY if matched else PENDING, 'reason': None if matched else reason, 'matched': matched}


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
