# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The runtime resources of a render: runtime/resources with their render-time statuses, and
internal/snapshot (the input as loaded)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible_collections.appnet.skupper.plugins.module_utils import documents
from ansible_collections.appnet.skupper.plugins.module_utils.system.render.site_state import KIND_ORDER
from ansible_collections.appnet.skupper.plugins.module_utils.system.render.sockets import role_port
from ansible_collections.appnet.skupper.plugins.module_utils.system.render.runtime_status import ready_status, site_status
from ansible_collections.appnet.skupper.plugins.module_utils.system.store import resource_files
from ansible_collections.appnet.skupper.plugins.module_utils.system.store.paths import RUNTIME_RESOURCES
from ansible_collections.appnet.skupper.plugins.module_utils.system.render import static_links


def _endpoints(access, primary):
    spec = access['spec']
    found = []
    for role in spec.get('roles') or []:
        endpoint = {'group': 'skupper-router', 'name': '%s-%s' % (access['metadata']['name'], role['name']),
                    'port': str(role_port(role))}
        host = spec.get('bindHost') if spec.get('bindHost') not in (None, '', '0.0.0.0', '::') else primary
        if host:
            endpoint['host'] = host
        found.append(endpoint)
    return found


def _site_endpoints(state, primary):
    found = []
    for name in sorted(state.router_accesses):
        if static_links.has_link_roles(state.router_accesses[name]):
            found += [e for e in _endpoints(state.router_accesses[name], primary) if not e['name'].endswith('-normal')]
    return found


class StatusContext(object):
    def __init__(self, state, site_id, previous, now, primary, router_running=True, router_reason=None):
        self.state = state
        self.site_id = site_id
        self.previous = previous
        self.now = now
        self.primary = primary
        self.router_running = router_running
        self.router_reason = router_reason

    def before(self, doc):
        return (self.previous.get(doc['kind']) or {}).get(doc['metadata']['name'])


def _status_for(doc, context):
    """The render-time status of a runtime document (None: keep the document's own, or none)."""
    kind, state = doc['kind'], context.state
    before, now = context.before(doc), context.now
    if kind == 'Site':
        return site_status(doc, _site_endpoints(state, context.primary), context.router_running, before, now,
                           context.router_reason)
    if kind == 'RouterAccess':
        status = ready_status(['Configured', 'Resolved'], {'Configured', 'Resolved'}, before, now)
        status['endpoints'] = _endpoints(doc, context.primary)
        return status
    if kind in ('Listener', 'Connector', 'MultiKeyListener'):
        return ready_status(['Configured', 'Matched'], {'Configured'}, before, now)
    if kind == 'Link':
        return ready_status(['Configured', 'Operational'], {'Configured'}, before, now)
    if kind == 'AccessToken' and state.links_of_token(doc['metadata']['name']):
        status = ready_status(['Redeemed'], {'Redeemed'}, before, now)
        status['redeemed'] = True
        return status
    return None


def _renderer_document(doc, namespace):
    """A copy in the renderer's format: creationTimestamp null, namespace set, status {} for Skupper kinds."""
    result = copy.deepcopy(doc)
    metadata = result.setdefault('metadata', {})
    metadata.setdefault('creationTimestamp', None)
    metadata['namespace'] = metadata.get('namespace') or namespace
    if result.get('apiVersion', '').startswith('skupper.io/'):
        result['status'] = {}
    else:
        result.pop('status', None)
    return result


def _file_mode(doc):
    return resource_files.file_mode(doc['kind'])


def _file_name(doc):
    return documents.resource_file_name(doc['kind'], doc['metadata']['name'])


def plan_resources(runtime, loaded, plan, context, certificates):
    """runtime/resources (with statuses) and internal/snapshot (the loaded input) into plan."""
    for doc in loaded.documents():
        plan.add('internal/snapshot/%s' % _file_name(doc), documents.resource_yaml(_renderer_document(doc, loaded.namespace)),
                 _file_mode(doc))
    generated = set(doc['metadata']['name'] for doc in certificates)
    docs = [d for d in runtime.documents() if d['kind'] != 'Certificate' or d['metadata']['name'] not in generated]
    docs += certificates
    docs.sort(key=lambda d: (KIND_ORDER.index(d['kind']), d['metadata']['name']))
    for doc in docs:
        result = _renderer_document(doc, runtime.namespace)
        if doc['kind'] == 'Site':
            result['metadata']['uid'] = context.site_id
        status = _status_for(doc, context)
        if status is not None:
            result['status'] = status
        elif doc.get('status'):
            result['status'] = copy.deepcopy(doc['status'])
        plan.add('%s/%s' % (RUNTIME_RESOURCES, _file_name(result)), documents.resource_yaml(result), _file_mode(result))
