# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Kubernetes backend: read first, server-side apply only when needed, dry run, delete, wait."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.appnet.skupper.plugins.module_utils import documents, model, platforms
from ansible_collections.appnet.skupper.plugins.module_utils.backend import ApplyResult, Backend, BackendError
from ansible_collections.appnet.skupper.plugins.module_utils.k8s.status import site_network_info
from ansible_collections.appnet.skupper.plugins.module_utils.k8s.client import FIELD_MANAGER, KubeClient


def owned_paths(fields, prefix=()):
    """The leaf paths of a managedFields fieldsV1 tree; a list entry stands for its whole list."""
    for key, sub in (fields or {}).items():
        if key == '.':
            continue
        if not key.startswith('f:'):
            yield prefix
            return
        path = prefix + (key[2:],)
        if sub:
            yield from owned_paths(sub, path)
        else:
            yield path


def _present(document, path):
    value = document
    for key in path:
        if isinstance(value, list):
            return True
        if not isinstance(value, dict) or key not in value:
            return False
        value = value[key]
    return True


def dropped_fields(live, desired, manager=FIELD_MANAGER):
    """Fields this manager applied before that the desired document no longer has (apply removes them)."""
    dropped = []
    for entry in (live.get('metadata') or {}).get('managedFields') or []:
        if entry.get('manager') == manager and entry.get('operation') == 'Apply':
            dropped.extend('.'.join(path) for path in owned_paths(entry.get('fieldsV1'))
                           if path and not _present(desired, path))
    return dropped


def secret_with_data(document):
    """A Secret's stringData encoded into data, as the API server would store it (the model's normalisation,
    which every module applies to a document before a backend gets it)."""
    return model.normalize_document(document)


NOT_READ = object()


def apply_body(document):
    """The document as a server-side apply sends it: without status and without server metadata."""
    body = dict((key, value) for key, value in document.items() if key != 'status')
    body['metadata'] = dict((key, value) for key, value in (document.get('metadata') or {}).items()
                            if key not in documents.SERVER_METADATA)
    return body


def _status(document):
    return (document or {}).get('status') or {}


def observed_generation(document):
    """The metadata.generation the controller last wrote the status for, or None when the status does not say.

    Skupper's controller stamps each condition it sets with the object's generation (metav1.Condition
    observedGeneration) and sets the Ready condition with every status update; conditions it did not touch
    keep an older generation. So the Ready condition tells, else the newest condition.
    """
    conditions = [c for c in _status(document).get('conditions') or []
                  if isinstance(c, dict) and isinstance(c.get('observedGeneration'), int)]
    ready = [c for c in conditions if c.get('type') == 'Ready']
    return max([c['observedGeneration'] for c in ready or conditions]) if conditions else None


def status_is_current(document):
    """Whether the status was written for the object's current spec (its generation), as far as it tells."""
    generation = ((document or {}).get('metadata') or {}).get('generation')
    observed = observed_generation(document)
    return generation is None or observed is None or observed >= generation


def is_ready(document):
    """Ready for the current spec: status.status Ready or a True Ready condition, observed for this generation."""
    status = _status(document)
    if not status_is_current(document):
        return False
    if status.get('status') == 'Ready':
        return True
    return any(c.get('type') == 'Ready' and c.get('status') == 'True' for c in status.get('conditions') or [])


def not_ready_text(document):
    """Why a document is not ready: its status, its conditions that are not True, or a stale status."""
    status = _status(document)
    pending = ['%s=%s (%s)' % (c.get('type'), c.get('status'), c.get('message') or c.get('reason'))
               for c in status.get('conditions') or [] if c.get('status') != 'True']
    text = 'status %s: %s' % (status.get('status') or 'none yet', status.get('message') or 'no message')
    text += '; conditions not true: ' + ', '.join(pending) if pending else ''
    if not status_is_current(document):
        text = 'no status yet for generation %s (the last one, for generation %s, said %s)' % (
            document['metadata']['generation'], observed_generation(document), text)
    return text


def terminating(document):
    """The deletionTimestamp of an object that is being deleted (finalizers pending), else None."""
    return ((document or {}).get('metadata') or {}).get('deletionTimestamp')


class Deadline(object):
    """A wait of `timeout` seconds polling every `sleep` seconds, never sleeping past the deadline."""

    def __init__(self, backend, timeout, sleep):
        self.backend = backend
        self.timeout = timeout
        self.every = sleep
        self.end = backend.clock() + timeout

    def passed(self):
        return self.backend.clock() >= self.end

    def sleep(self):
        self.backend.sleep(max(0, min(self.every, self.end - self.backend.clock())))


class KubernetesBackend(Backend):
    """Resources of one namespace through the Kubernetes API."""

    platform = platforms.KUBERNETES[0]  # the one platform of the Kubernetes backend

    def __init__(self, client, namespace, force=False, sleep=time.sleep, clock=time.time):
        self.client = client
        self.namespace = namespace
        self.force = force
        self.sleep = sleep
        self.clock = clock

    @classmethod
    def from_params(cls, params, namespace=None):
        return cls(KubeClient.from_params(params), namespace or params.get('namespace') or platforms.DEFAULT_NAMESPACE,
                   force=bool(params.get('force')))

    @classmethod
    def from_module(cls, module, namespace=None):
        return cls.from_params(module.params, namespace)

    def read(self, kind, name):
        return self.client.get(kind, self.namespace, name)

    def apply(self, desired, check_mode=False, live=NOT_READ):
        """Server-side apply of desired unless the live object (read now, or given) already has it."""
        metadata = dict(desired['metadata'], namespace=self.namespace)
        desired = secret_with_data(apply_body(dict(desired, metadata=metadata)))
        kind, name = desired['kind'], desired['metadata']['name']
        if live is NOT_READ:
            live = self.read(kind, name)
        if terminating(live):
            raise BackendError('%s "%s" in namespace %s is being deleted (deletionTimestamp %s, finalizers %s): it '
                               'cannot be applied until it is gone; delete it with wait: true first, or run again '
                               'later' % (kind, name, self.namespace, terminating(live),
                                          ', '.join(live['metadata'].get('finalizers') or []) or 'none'))
        if live is not None and documents.contains(live, documents.prune(desired)) and not dropped_fields(live, desired):
            return ApplyResult(False, live, live)
        after = self.client.apply(desired, force=self.force, dry_run=check_mode)
        return ApplyResult(True, live, after)

    def delete(self, kind, name, check_mode=False):
        """Delete; an object already being deleted (finalizers pending) is left to finish: no change."""
        live = self.read(kind, name)
        if live is None:
            return ApplyResult(False, None, None)
        if terminating(live):
            return ApplyResult(False, live, live)
        self.client.delete(kind, self.namespace, name, dry_run=check_mode)
        return ApplyResult(True, live, None)

    def wait_ready(self, kind, name, timeout, sleep, current=NOT_READ):
        """The object once Ready for its current generation; BackendError with its last status after timeout
        seconds. current: the object as just read or written (no first read then)."""
        deadline = Deadline(self, timeout, sleep)
        while True:
            if current is NOT_READ:
                current = self.read(kind, name)
            if current is not None and (kind == 'Secret' or is_ready(current)):
                return current
            if deadline.passed():
                raise BackendError('%s "%s" in namespace %s was not ready after %d s: %s'
                                   % (kind, name, self.namespace, timeout,
                                      not_ready_text(current) if current else 'it does not exist'),
                                   resource=documents.redact(current) if current else {})
            deadline.sleep()
            current = NOT_READ

    def wait_absent(self, kind, name, timeout, sleep):
        deadline = Deadline(self, timeout, sleep)
        while True:
            current = self.read(kind, name)
            if current is None:
                return
            if deadline.passed():
                raise BackendError('%s "%s" in namespace %s still exists after %d s (finalizers: %s)'
                                   % (kind, name, self.namespace, timeout,
                                      ', '.join(current['metadata'].get('finalizers') or []) or 'none'))
            deadline.sleep()

    def network_info(self, expected_links=(), resource_status=True, **_options):
        """The statuses the Skupper controller wrote on the site's resources (k8s/status.py); resource_status False:
        only the Site, its Links, Listeners and Connectors."""
        return site_network_info(self.client, self.namespace, expected_links, resource_status=resource_status)
