# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a support bundle holds of a Kubernetes site: the Skupper objects of its namespace with the statuses the
controller wrote, and the site's Secrets (data replaced), ConfigMaps, Deployments, Services and Pods, the status
read from them (k8s/status.py), the versions the site and its router Deployment tell, and the last lines of the
router pods' logs."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.appnet.skupper.plugins.module_utils import model, network_info_shape
from ansible_collections.appnet.skupper.plugins.module_utils.backend import BackendError
from ansible_collections.appnet.skupper.plugins.module_utils.k8s import client as kube_client
from ansible_collections.appnet.skupper.plugins.module_utils.k8s.status import from_kubernetes

# (kind, API path of its collection in a namespace) of the Kubernetes objects a bundle holds besides Skupper's.
CORE = (('Secret', '/api/v1/namespaces/%s/secrets'), ('ConfigMap', '/api/v1/namespaces/%s/configmaps'),
        ('Deployment', '/apis/apps/v1/namespaces/%s/deployments'), ('Service', '/api/v1/namespaces/%s/services'),
        ('Pod', '/api/v1/namespaces/%s/pods'))
ROUTER_DEPLOYMENT = 'skupper-router'
# Labels of Skupper's router pods (its Deployment's pod template).
ROUTER_POD_LABELS = (('skupper.io/component', 'router'), ('application', 'skupper-router'))
MANAGEMENT_ABSENT = ('not collected on Kubernetes: the router runs in its pod and answers management only from inside '
                     'it (an exec into the pod, which this module does not do); the statuses the Skupper controller '
                     'read from it are in resources/ and status/network_info.json')


def _api_error(exc):
    body = kube_client._status_body(exc)  # pylint: disable=protected-access
    return 'HTTP %s: %s' % (exc.status, body.get('message') or exc.reason)


def list_objects(client, kind, path, namespace):
    """(items, None) or (None, why not) of one collection."""
    try:
        answer = client.request('GET', path % namespace) or {}
    except kube_client.ApiException as exc:
        if exc.status == 404:
            return None, 'the API server does not serve %s here (%s)' % (kind, _api_error(exc))
        return None, _api_error(exc)
    except BackendError as exc:
        return None, exc.message
    items = sorted(answer.get('items') or [], key=lambda item: item['metadata']['name'])
    for item in items:  # a list's items carry neither
        item.setdefault('apiVersion', answer.get('apiVersion'))
        item.setdefault('kind', kind)
    return items, None


def _add_objects(bundle, kind, items):
    paths = [bundle.add_documents('resources/%s-%s.yaml' % (kind, item['metadata']['name']), [item]) for item in items]
    bundle.collected('resources %s' % kind, *paths, count=len(items))


def collect_resources(bundle, client, namespace):
    """{kind: [objects]} of the Skupper kinds and the core kinds, each object in its own member."""
    found = {}
    for kind in sorted(model.KINDS):
        if kind == 'Secret':
            continue
        try:
            found[kind] = client.list(kind, namespace)
        except BackendError as exc:
            bundle.failed('resources %s' % kind, exc.message)
            continue
        for item in found[kind]:  # a list's items carry neither
            item.setdefault('apiVersion', model.get_kind(kind).api_version)
            item.setdefault('kind', kind)
        _add_objects(bundle, kind, found[kind])
    for kind, path in CORE:
        items, error = list_objects(client, kind, path, namespace)
        if error:
            bundle.failed('resources %s' % kind, error)
            continue
        found[kind] = items
        _add_objects(bundle, kind, items)
    return found


def _is_router_pod(pod):
    labels = (pod.get('metadata') or {}).get('labels') or {}
    return any(labels.get(key) == value for key, value in ROUTER_POD_LABELS) \
        or (pod.get('metadata') or {}).get('name', '').startswith(ROUTER_DEPLOYMENT + '-')


def collect_pods(bundle, client, namespace, found, log_lines):
    """The state of the router pods and the last lines of their containers' logs."""
    if 'Pod' not in found:
        bundle.failed('pod state', 'the pods of namespace %s could not be listed (see resources Pod)' % namespace)
        bundle.failed('logs', 'no pod list, so no pod logs')
        return
    pods = [pod for pod in found['Pod'] if _is_router_pod(pod)]
    if not pods:
        bundle.failed('logs', 'namespace %s has no router pod' % namespace)
        bundle.problem('no router pod in namespace %s' % namespace)
        return
    states = []
    for pod in pods:
        name = pod['metadata']['name']
        pod_status = pod.get('status') or {}
        states.append({'name': name, 'phase': pod_status.get('phase'), 'conditions': pod_status.get('conditions'),
                       'containers': pod_status.get('containerStatuses')})
        if pod_status.get('phase') != 'Running':
            bundle.problem('router pod %s is %s' % (name, pod_status.get('phase') or 'in no phase'))
        for container in (pod.get('spec') or {}).get('containers') or []:
            path = '/api/v1/namespaces/%s/pods/%s/log' % (namespace, name)
            try:
                text = client.get_text(path, {'container': container['name'], 'tailLines': str(log_lines)})
            except kube_client.ApiException as exc:
                bundle.failed('logs %s/%s' % (name, container['name']), _api_error(exc))
                continue
            except BackendError as exc:
                bundle.failed('logs %s/%s' % (name, container['name']), exc.message)
                continue
            bundle.collected('logs %s/%s' % (name, container['name']),
                             bundle.add_text('logs/%s/%s.log' % (name, container['name']), text or ''))
    bundle.collected('pod state', bundle.add_json('status/pods.json', states))


def collect_status(bundle, found):
    sites = found.get('Site') or []
    info = from_kubernetes(sites[0] if sites else None, found.get('Link') or [], found.get('Listener') or [],
                           found.get('Connector') or [])
    bundle.index['site'] = info['site']['name']
    bundle.site_status(info)
    for kind, _extras in network_info_shape.RESOURCE_KINDS:
        for item in found.get(kind) or []:
            item_status = item.get('status') or {}
            if item_status.get('status') not in (None, network_info_shape.READY):
                bundle.problem('%s %s is %s: %s' % (kind, item['metadata']['name'], item_status.get('status'),
                                                    item_status.get('message') or 'no message'))


def collect_versions(bundle, found):
    versions = {}
    sites = found.get('Site') or []
    own = (sites[0].get('metadata') or {}).get('uid') if sites else None
    for record in ((sites[0].get('status') or {}).get('network') or []) if sites else []:
        if record.get('id') == own and record.get('version'):
            versions['site'] = record['version']
    for deployment in found.get('Deployment') or []:
        if deployment['metadata']['name'] == ROUTER_DEPLOYMENT:
            containers = ((deployment.get('spec') or {}).get('template') or {}).get('spec', {}).get('containers') or []
            versions['router_images'] = dict((c.get('name'), c.get('image')) for c in containers)
    bundle.index['versions'].update(versions)
    path = bundle.add_json('version.json', versions)
    if versions:
        bundle.collected('version', path)
    else:
        bundle.failed('version', 'neither the Site status (network) nor a %s Deployment tells a version'
                      % ROUTER_DEPLOYMENT)


def collect(bundle, client, namespace, log_lines=200):
    """Fill bundle with the Kubernetes site of namespace."""
    found = collect_resources(bundle, client, namespace)
    collect_status(bundle, found)
    collect_pods(bundle, client, namespace, found, log_lines)
    collect_versions(bundle, found)
    bundle.failed('management', MANAGEMENT_ABSENT)
