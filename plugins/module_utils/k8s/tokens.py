# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""AccessGrant -> AccessToken on Kubernetes: issue (or reuse) a grant, return its token; redeem a token."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.appnet.skupper.plugins.module_utils import documents, model
from ansible_collections.appnet.skupper.plugins.module_utils.backend import ApplyResult, BackendError
from ansible_collections.appnet.skupper.plugins.module_utils.k8s.backend import is_ready
from ansible_collections.appnet.skupper.plugins.module_utils.runner import apply_document


def grant_argument_spec():
    return {'reissue': {'type': 'bool', 'default': True}}


def _parse_time(value):
    try:
        return datetime.datetime.strptime(value, '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=datetime.timezone.utc)
    except (TypeError, ValueError):
        return None


def why_unusable(grant, now=None):
    """Why a grant can no longer be redeemed (redemptions used up, expired), or None."""
    status = grant.get('status') or {}
    if not status.get('url'):
        return None
    allowed = (grant.get('spec') or {}).get('redemptionsAllowed') or 1
    if (status.get('redemptions') or 0) >= allowed:
        return 'its %d redemption(s) are used up' % allowed
    expires = _parse_time(status.get('expirationTime'))
    if expires is not None and expires <= (now or datetime.datetime.now(datetime.timezone.utc)):
        return 'it expired at %s' % status['expirationTime']
    return None


def _wait_for_token(module, backend, name):
    """The grant once the controller has filled url, code and ca."""
    params = module.params
    deadline = backend.clock() + params['wait_timeout']
    while True:
        grant = backend.read('AccessGrant', name)
        status = (grant or {}).get('status') or {}
        if status.get('url') and status.get('code') and status.get('ca'):
            return grant
        if backend.clock() >= deadline:
            raise BackendError('AccessGrant "%s" in namespace %s got no URL, code and CA from the Skupper controller '
                               'within %d s (is the controller running, and does the Site have link access?): %s'
                               % (name, backend.namespace, params['wait_timeout'],
                                  status.get('message') or 'no status'))
        backend.sleep(min(params['wait_sleep'], 1))


def token_document(grant):
    status = grant['status']
    return {'apiVersion': model.API_VERSION, 'kind': 'AccessToken', 'metadata': {'name': grant['metadata']['name']},
            'spec': {'url': status['url'], 'code': status['code'], 'ca': status['ca']}}


def grant_handler(module, backend, desired):
    """access_grant on Kubernetes (state present or absent)."""
    name = desired['metadata']['name']
    if module.params['state'] == 'absent':
        return apply_document(module, backend, desired)
    module.no_log_values.update(documents.secret_values(desired))
    live = backend.read('AccessGrant', name)
    reason = why_unusable(live) if live else None
    if reason:
        if not module.params['reissue']:
            raise BackendError('AccessGrant "%s" can no longer be redeemed: %s (set reissue: true to replace it)'
                               % (name, reason))
        module.warn('AccessGrant "%s" can no longer be redeemed (%s): issuing a new one' % (name, reason))
        if module.check_mode:
            return ApplyResult(True, live, desired, reissued=True)
        backend.delete('AccessGrant', name)
        backend.wait_absent('AccessGrant', name, module.params['wait_timeout'], module.params['wait_sleep'])
    outcome = backend.apply(desired, module.check_mode)
    if module.check_mode:
        outcome.extra['reissued'] = False
        return outcome
    grant = _wait_for_token(module, backend, name)
    outcome.before = live
    outcome.after = grant
    outcome.changed = outcome.changed or bool(reason)
    token = token_document(grant)
    # The token must carry the code: it is returned, and the action plugin hides the task's output.
    outcome.extra.update(token=token, reissued=bool(reason), reveal=[token['spec']['code']])
    return outcome


def _wait_for_link(module, backend, name):
    params = module.params
    deadline = backend.clock() + params['wait_timeout']
    while True:
        token = backend.read('AccessToken', name)
        status = (token or {}).get('status') or {}
        if status.get('status') == 'Error':
            raise BackendError('AccessToken "%s" could not be redeemed: %s' % (name, status.get('message')))
        if status.get('redeemed') or is_ready(token):
            for link_name in (name, name + '-1'):
                link = backend.read('Link', link_name)
                if link is not None and is_ready(link):
                    return link
        if backend.clock() >= deadline:
            raise BackendError('the link of AccessToken "%s" was not ready after %d s: token %s'
                               % (name, params['wait_timeout'], status.get('message') or 'not redeemed yet'))
        backend.sleep(params['wait_sleep'])


def token_handler(module, backend, desired):
    """access_token on Kubernetes: apply the AccessToken; with wait, until its Link is Ready."""
    if module.params['state'] == 'absent' or not module.params['wait'] or module.check_mode:
        return apply_document(module, backend, desired)
    module.no_log_values.update(documents.secret_values(desired))
    outcome = backend.apply(desired, module.check_mode)
    link = _wait_for_link(module, backend, desired['metadata']['name'])
    outcome.after = backend.read('AccessToken', desired['metadata']['name'])
    outcome.extra['link'] = documents.redact(link)
    return outcome
