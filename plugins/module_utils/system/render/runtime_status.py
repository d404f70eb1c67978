# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Status blocks of runtime resources (as Skupper's setReady writes them into runtime/resources), and the
Running condition of the runtime Site, which follows the router: the render writes what it knows, and
the system module rewrites it once the router is ready, stopped or failed to start (Skupper marks the
Site Running at render time without looking at the router).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import os

from ansible_collections.appnet.skupper.plugins.module_utils import documents
from ansible_collections.appnet.skupper.plugins.module_utils.system.store import files, paths

NOT_RUNNING = 'the router is not running'


def timestamp(now):
    return now.strftime('%Y-%m-%dT%H:%M:%SZ')


def _condition(kind, status, reason, message, previous, now):
    before = next((c for c in previous if c.get('type') == kind), None)
    changed = before is None or before.get('status') != status
    return {'lastTransitionTime': timestamp(now) if changed else before.get('lastTransitionTime'),
            'message': message, 'reason': reason, 'status': status, 'type': kind}


def ready_status(required, satisfied, previous_doc, now, failures=None):
    """A status block: conditions for the satisfied types and Ready, status and message (Skupper's setReady).

    failures: {condition type: message} of conditions that are False (Pending, with that message).
    """
    failures = failures or {}
    previous = ((previous_doc or {}).get('status') or {}).get('conditions') or []
    conditions = []
    for kind in required:
        if kind in satisfied:
            conditions.append(_condition(kind, 'True', 'Ready', 'OK', previous, now))
        elif kind in failures:
            conditions.append(_condition(kind, 'False', 'Pending', failures[kind], previous, now))
    missing = next((kind for kind in required if kind not in satisfied), None)
    if missing:
        message = failures.get(missing) or 'Not %s' % missing
        conditions.append(_condition('Ready', 'False', 'Pending', message, previous, now))
        result = {'status': 'Pending', 'message': message}
    else:
        conditions.append(_condition('Ready', 'True', 'Ready', 'OK', previous, now))
        result = {'status': 'Ready', 'message': 'OK'}
    result['conditions'] = sorted(conditions, key=lambda c: c['type'])
    return result


def has_link_access(site_doc):
    return ((site_doc or {}).get('spec') or {}).get('linkAccess') not in (None, '', 'none')


def site_status(site_doc, endpoints, running, previous_doc, now, reason=None):
    """The status of a runtime Site: Configured, Running (the router), and Resolved with link access."""
    required = ['Configured', 'Running'] + (['Resolved'] if has_link_access(site_doc) else [])
    satisfied = {'Configured'} | ({'Running'} if running else set()) | ({'Resolved'} if endpoints else set())
    status = ready_status(required, satisfied, previous_doc, now,
                          failures=None if running else {'Running': reason or NOT_RUNNING})
    if endpoints:
        status['endpoints'] = endpoints
    return status


def site_file(home, name):
    return os.path.join(paths.runtime_resources_dir(home), 'Site-%s.yaml' % name)


def _runtime_site(home):
    """(name, document) of the runtime Site, or (None, None) before the first render."""
    directory = paths.runtime_resources_dir(home)
    for file_name in sorted(os.listdir(directory)) if os.path.isdir(directory) else []:
        if file_name.startswith('Site-') and file_name.endswith('.yaml'):
            data = files.read_bytes(os.path.join(directory, file_name))
            doc = documents.last_document(data) if data else None
            if isinstance(doc, dict) and doc.get('kind') == 'Site':
                return doc['metadata']['name'], doc
    return None, None


def set_router_running(home, running, reason=None, now=None, dry_run=False):
    """Rewrite the Running condition of the runtime Site; the file (relative to home) when it changed, else None."""
    name, doc = _runtime_site(home)
    if doc is None:
        return None
    when = now or datetime.datetime.now(datetime.timezone.utc)
    endpoints = (doc.get('status') or {}).get('endpoints') or []
    updated = dict(doc, status=site_status(doc, endpoints, running, doc, when, reason))
    path = site_file(home, name)
    text = documents.resource_yaml(updated)
    if files.read_bytes(path) == text.encode('utf-8'):
        return None
    if not dry_run:
        files.write_atomic(path, text, files.PUBLIC_MODE)
    return os.path.relpath(path, home)
