# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Applying one document through a Backend: present or absent, the wait after it, and its secrets kept out of
the output. The default behaviour of every kind; the handlers of kind_handlers.py build on it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.appnet.skupper.plugins.module_utils import documents
from ansible_collections.appnet.skupper.plugins.module_utils.backend import BackendError


def mask_secrets(module, *docs):
    """Secret values of documents (Secret data, token and grant codes) are never shown, not even in the module
    arguments Ansible echoes with -vvv (a Secret given to appnet.skupper.resource)."""
    for doc in docs:
        module.no_log_values.update(documents.secret_values(doc))


def wait_after(outcome, wait, *args):
    """wait(*args); a BackendError it raises carries outcome: what was written before the wait failed."""
    try:
        return wait(*args)
    except BackendError as exc:
        exc.outcome = outcome
        raise


def apply_document(module, backend, desired):
    """The default present/absent behaviour, with wait on platforms that have a controller."""
    mask_secrets(module, desired)
    params = module.params
    kind, name = desired['kind'], desired['metadata']['name']
    if params['state'] == 'absent':
        outcome = backend.delete(kind, name, module.check_mode)
        # Also when it was already being deleted (unchanged): absent with wait means gone.
        if params['wait'] and outcome.before is not None and not module.check_mode:
            wait_after(outcome, backend.wait_absent, kind, name, params['wait_timeout'], params['wait_sleep'])
            outcome.after = None
        return outcome
    outcome = backend.apply(desired, module.check_mode)
    if params['wait'] and not module.check_mode:
        outcome.after = wait_after(outcome, backend.wait_ready, kind, name, params['wait_timeout'],
                                   params['wait_sleep'])
    return outcome
