# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Kubernetes backend: read first, server-side apply only when needed, dry run, delete, wait."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.appnet.skupper.plugins.module_utils import documents, model
from ansible_collections.appnet.skupper.plugins.module_utils.backend import ApplyResult, Backend, BackendError
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


def is_ready(document):
    status = (document or {}).get('status') or {}
    if status.get('status') == 'Ready':
        return True
    return any(c.get('type') == 'Ready' and c.get('status') == 'True' for c in status.get('conditions') or [])


def _not_ready_text(document):
    status = (document or {}).get('status') or {}
    pending = ['%s=%s (%s)' % (c.get('type'), c.get('status'), c.get('message') or c.get('reason'))
               for c in status.get('conditions') or [] if c.get('status') != 'True']
    text = 'status %s: %s' % (status.get('status') or 'none yet', status.get('message') or 'no message')
    return text + ('; conditions not true: ' + ', '.join(pending) if pending else '')


class KubernetesBackend(Backend):
    """Resources of one namespace through the Kubernetes API."""

    platform = 'kubernetes'

    def __init__(self, client, namespace, force=False, sleep=time.sleep, clock=time.time):
        self.client = client
        self.namespace = namespace
        self.force = force
        self.sleep = sleep
        self.clock = clock

    @classmethod
    def from_params(cls, params, namespace=None):
        return cls(KubeClient.from_params(params), namespace or params.get('namespace') or 'default',
                   force=bool(params.get('force')))

    @classmethod
    def from_module(cls, module, namespace=None):
        return cls.from_params(module.params, namespace)

    def read(self, kind, name):
        return self.client.get(kind, self.namespace, name)

    def apply(self, desired, check_mode=False):
        desired = secret_with_data(dict(desired, metadata=dict(desired['metadata'], namespace=self.namespace)))
        live = self.read(desired['kind'], desired['metadata']['name'])
        if live is not None and documents.contains(live, documents.prune(desired)) and not dropped_fields(live, desired):
            return ApplyResult(False, live, live)
        after = self.client.apply(desired, force=self.force, dry_run=check_mode)
        return ApplyResult(True, live, after)

    def delete(self, kind, name, check_mode=False):
        live = self.read(kind, name)
        if live is None:
            return ApplyResult(False, None, None)
        self.client.delete(kind, self.namespace, name, dry_run=check_mode)
        return ApplyResult(True, live, None)

    def wait_ready(self, kind, name, timeout, sleep):
        """The object once Ready; BackendError with its last status after timeout seconds."""
        deadline = self.clock() + timeout
        while True:
            current = self.read(kind, name)
            if current is not None and (kind == 'Secret' or is_ready(current)):
                return current
            if self.clock() >= deadline:
                raise BackendError('%s "%s" in namespace %s was not ready after %d s: %s'
                                   % (kind, name, self.namespace, timeout, _not_ready_text(current)),
                                   resource=documents.redact(current) if current else {})
            self.sleep(sleep)

    def wait_absent(self, kind, name, timeout, sleep):
        deadline = self.clock() + timeout
        while self.read(kind, name) is not None:
            if self.clock() >= deadline:
                raise BackendError('%s "%s" in namespace %s still exists after %d s (finalizers?)'
                                   % (kind, name, self.namespace, timeout))
            self.sleep(sleep)
