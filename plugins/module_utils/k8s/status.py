# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The status of a Kubernetes site: the statuses the Skupper controller writes on its Site, Link, Listener and
Connector resources, read into the network_info shape (module_utils/network_info_shape.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.appnet.skupper.plugins.module_utils import documents
from ansible_collections.appnet.skupper.plugins.module_utils.platforms import KUBERNETES
from ansible_collections.appnet.skupper.plugins.module_utils.network_info_shape import (
    PENDING, READY, build_network_info, link_info, service_info, site_info)

# The kinds a site's status is read from, in the order from_kubernetes() takes them.
STATUS_KINDS = ('Site', 'Link', 'Listener', 'Connector')


def _status(doc):
    return (doc or {}).get('status') or {}


def _status_reason(doc):
    """The status message of a resource that is not Ready, or the first False condition's message."""
    status = _status(doc)
    if status.get('message') and status.get('message') != 'OK':
        return status['message']
    for condition in status.get('conditions') or []:
        if condition.get('status') == 'False':
            return condition.get('message') or condition.get('reason')
    return 'no status yet' if not status else None


def _k8s_status(doc):
    return READY if _status(doc).get('status') == READY else PENDING


def _k8s_site(site):
    if site is None:
        return site_info(None, reason='no Site in the namespace')
    status = _k8s_status(site)
    metadata = site.get('metadata') or {}
    return site_info(metadata.get('name'), metadata.get('uid'), KUBERNETES[0], metadata.get('namespace'), status,
                     None if status == READY else _status_reason(site))


def _k8s_link(link):
    status, spec, link_status = _k8s_status(link), documents.spec_of(link), _status(link)
    endpoints = spec.get('endpoints') or []
    endpoint = next((item for item in endpoints if item.get('name') == 'inter-router'),
                    endpoints[0] if endpoints else {})
    return link_info(documents.name_of(link), status, None if status == READY else _status_reason(link),
                     link_status.get('remoteSiteName'), link_status.get('remoteSiteId'), spec.get('cost', 1),
                     endpoint.get('host'), endpoint.get('port'))


def _k8s_peers(site):
    own = ((site or {}).get('metadata') or {}).get('uid')
    return [{'router_id': None, 'site_name': record.get('name'), 'site_id': record.get('id')}
            for record in _status(site).get('network') or [] if record.get('id') != own]


def _k8s_service(doc, flag, missing):
    spec = documents.spec_of(doc)
    matched = _status(doc).get(flag)
    reason = _status_reason(doc) or missing % spec.get('routingKey')
    return service_info(documents.name_of(doc), spec.get('routingKey'), spec.get('host'), spec.get('port'),
                        matched if isinstance(matched, bool) else None, reason)


def from_kubernetes(site, links=(), listeners=(), connectors=(), expected_links=()):
    """network_info of a Kubernetes site from its Site, Link, Listener and Connector objects (plain dicts)."""
    return build_network_info(
        _k8s_site(site),
        links=[_k8s_link(link) for link in links],
        peers=_k8s_peers(site),
        listeners=[_k8s_service(doc, 'hasMatchingConnector', 'no connector for routing key %s') for doc in listeners],
        connectors=[_k8s_service(doc, 'hasMatchingListener', 'no listener for routing key %s') for doc in connectors],
        expected_links=expected_links)


def site_network_info(client, namespace, expected_links=()):
    """network_info of the site in namespace, from the resources the client lists."""
    sites, links, listeners, connectors = [client.list(kind, namespace) for kind in STATUS_KINDS]
    return from_kubernetes(sites[0] if sites else None, links, listeners, connectors, expected_links=expected_links)
