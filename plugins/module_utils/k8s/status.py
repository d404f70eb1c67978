# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The status of a Kubernetes site: the statuses the Skupper controller writes on its Site, Link, Listener,
Connector and every other Skupper resource, the sites of the network the Site's status lists (network[]), and the
router's version from its Deployment, read into the network_info shape (module_utils/network_info_shape.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.appnet.skupper.plugins.module_utils import documents
from ansible_collections.appnet.skupper.plugins.module_utils.backend import BackendError
from ansible_collections.appnet.skupper.plugins.module_utils.platforms import KUBERNETES
from ansible_collections.appnet.skupper.plugins.module_utils.network_info_shape import (
    ERROR, READY, PENDING, RESOURCE_KINDS, build_network_info, link_info, network_site, resource_infos, service_info,
    services_of, site_info, status_of)

# The kinds a site's status is read from, in the order from_kubernetes() takes them.
STATUS_KINDS = ('Site', 'Link', 'Listener', 'Connector')
# The router of a Kubernetes site: the Deployment Skupper's controller makes, and its router container.
ROUTER_DEPLOYMENT = '/apis/apps/v1/namespaces/%s/deployments/skupper-router'
ROUTER_CONTAINER = 'router'


def _status(doc):
    return (doc or {}).get('status') or {}


def _own_record(site):
    own = ((site or {}).get('metadata') or {}).get('uid')
    return next((record for record in _status(site).get('network') or [] if record.get('id') == own), {})


def _k8s_site(site):
    if site is None:
        return site_info(None, reason='no Site in the namespace')
    status, reason = status_of(site)
    metadata = site.get('metadata') or {}
    return site_info(metadata.get('name'), metadata.get('uid'), KUBERNETES[0], metadata.get('namespace'), status,
                     reason, version=_own_record(site).get('version'), endpoints=_status(site).get('endpoints'))


def _k8s_link(link):
    (status, reason), spec, link_status = status_of(link), documents.spec_of(link), _status(link)
    endpoints = spec.get('endpoints') or []
    endpoint = next((item for item in endpoints if item.get('name') == 'inter-router'),
                    endpoints[0] if endpoints else {})
    return link_info(documents.name_of(link), status, reason,
                     link_status.get('remoteSiteName'), link_status.get('remoteSiteId'), spec.get('cost', 1),
                     endpoint.get('host'), endpoint.get('port'))


def _k8s_sites(site):
    """The sites of the network as the Site's status lists them (network[]: one record per site, this one too)."""
    own = ((site or {}).get('metadata') or {}).get('uid')
    result = []
    records = sorted(_status(site).get('network') or [],
                     key=lambda item: (item.get('id') != own, item.get('name') or '', item.get('id') or ''))
    for record in records:
        links = [link_info(item.get('name'), READY if item.get('operational') else PENDING,
                           None if item.get('operational') else 'not operational', item.get('remoteSiteName'),
                           item.get('remoteSiteId'))
                 for item in record.get('links') or []]
        services = record.get('services') or []
        result.append(network_site(
            record.get('name'), record.get('id'), record.get('platform'), record.get('namespace'),
            record.get('version'), own=bool(own) and record.get('id') == own, links=links,
            services=services_of([(item.get('routingKey'), name) for item in services for name in item.get('listeners') or []],
                                 [(item.get('routingKey'), host) for item in services for host in item.get('connectors') or []])))
    return result


def _k8s_peers(site):
    own = ((site or {}).get('metadata') or {}).get('uid')
    return [{'router_id': None, 'site_name': record.get('name'), 'site_id': record.get('id')}
            for record in _status(site).get('network') or [] if record.get('id') != own]


def _k8s_service(doc, flag, missing):
    spec = documents.spec_of(doc)
    matched = _status(doc).get(flag)
    status, reason = status_of(doc)
    return service_info(documents.name_of(doc), spec.get('routingKey'), spec.get('host'), spec.get('port'),
                        matched if isinstance(matched, bool) else None, reason or missing % spec.get('routingKey'),
                        error=status == ERROR)


def from_kubernetes(site, links=(), listeners=(), connectors=(), expected_links=(), resources=None,
                    router_version=None):
    """network_info of a Kubernetes site from its Site, Link, Listener and Connector objects (plain dicts), and the
    other Skupper objects of its namespace ({kind: {name: object}})."""
    return build_network_info(
        _k8s_site(site),
        links=[_k8s_link(link) for link in links],
        peers=_k8s_peers(site),
        listeners=[_k8s_service(doc, 'hasMatchingConnector', 'no connector for routing key %s') for doc in listeners],
        connectors=[_k8s_service(doc, 'hasMatchingListener', 'no listener for routing key %s') for doc in connectors],
        expected_links=expected_links, sites=_k8s_sites(site), resources=resource_infos(resources or {}),
        router_version=router_version)


def image_version(image):
    """The tag of a container image reference (quay.io/skupper/skupper-router:3.4.0 -> 3.4.0), or its digest."""
    if not image:
        return None
    if '@' in image:
        return image.split('@', 1)[1]
    last = image.rsplit('/', 1)[-1]
    return last.split(':', 1)[1] if ':' in last else 'latest'


def router_version(client, namespace):
    """The version of the site's router: the tag of the router container's image in the skupper-router Deployment,
    or None when there is none (yet) or it cannot be read."""
    try:
        deployment = client.request('GET', ROUTER_DEPLOYMENT % namespace)
    except Exception:  # pylint: disable=broad-except  # not there (404), not allowed (403): no version to tell
        return None
    containers = ((((deployment or {}).get('spec') or {}).get('template') or {}).get('spec') or {}).get('containers')
    router = next((item for item in containers or [] if item.get('name') == ROUTER_CONTAINER), None)
    return image_version((router or {}).get('image'))


def _list_if_served(client, kind, namespace):
    """The objects of a kind, none when the cluster does not serve the kind (an older Skupper's CRDs)."""
    try:
        return client.list(kind, namespace)
    except BackendError as exc:
        if 'does not serve' in str(exc):
            return []
        raise


def site_network_info(client, namespace, expected_links=(), resource_status=True):
    """network_info of the site in namespace, from the resources the client lists; without resource_status only
    the Site, Links, Listeners and Connectors are read (no other kind, no router version)."""
    sites, links, listeners, connectors = [client.list(kind, namespace) for kind in STATUS_KINDS]
    resources, version = None, None
    if resource_status:
        resources = dict((kind, dict((documents.name_of(doc), doc) for doc in _list_if_served(client, kind, namespace)))
                         for kind, _extras in RESOURCE_KINDS)
        version = router_version(client, namespace)
    return from_kubernetes(sites[0] if sites else None, links, listeners, connectors, expected_links=expected_links,
                           resources=resources, router_version=version)
