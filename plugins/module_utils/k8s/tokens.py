# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""AccessGrant -> AccessToken on Kubernetes: issue (or reuse) a grant, return its token; redeem a token."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.appnet.skupper.plugins.module_utils import documents, model
from ansible_collections.appnet.skupper.plugins.module_utils.backend import ApplyResult, BackendError
from ansible_collections.appnet.skupper.plugins.module_utils.k8s.backend import (
    Deadline, is_ready, not_ready_text, status_is_current)
from ansible_collections.appnet.skupper.plugins.module_utils.apply import apply_document, mask_secrets, wait_after


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


def has_token(grant):
    """Whether the grant's status carries its token (url, code, ca), written for its current spec."""
    status = (grant or {}).get('status') or {}
    return bool(status.get('url') and status.get('code') and status.get('ca')) and status_is_current(grant)


def _wait_for_token(module, backend, name, grant):
    """The grant once the controller has filled url, code and ca for its current spec."""
    params = module.params
    deadline = Deadline(backend, params['wait_timeout'], min(params['wait_sleep'], 1))
    while not has_token(grant):
        if deadline.passed():
            status = (grant or {}).get('status') or {}
            raise BackendError('AccessGrant "%s" in namespace %s got no URL, code and CA from the Skupper controller '
                               'within %d s (is the controller running, and does the Site have link access?): %s'
                               % (name, backend.namespace, params['wait_timeout'],
                                  status.get('message') or 'no status'))
        deadline.sleep()
        grant = backend.read('AccessGrant', name)
    return grant


def token_document(grant):
    status = grant['status']
    return {'apiVersion': model.API_VERSION, 'kind': 'AccessToken', 'metadata': {'name': grant['metadata']['name']},
            'spec': {'url': status['url'], 'code': status['code'], 'ca': status['ca']}}


def grant_handler(module, backend, desired):
    """access_grant on Kubernetes (state present or absent).

    An unchanged grant that already has its token costs one read: the live object is passed to the apply
    and its status is used as it is.
    """
    name = desired['metadata']['name']
    if module.params['state'] == 'absent':
        return apply_document(module, backend, desired)
    mask_secrets(module, desired)
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
        wait_after(ApplyResult(True, live, None), backend.wait_absent, 'AccessGrant', name,
                   module.params['wait_timeout'], module.params['wait_sleep'])
    outcome = backend.apply(desired, module.check_mode, live=None if reason else live)
    if module.check_mode:
        outcome.extra['reissued'] = False
        return outcome
    outcome.changed = outcome.changed or bool(reason)
    outcome.before = live
    grant = wait_after(outcome, _wait_for_token, module, backend, name, outcome.after)
    outcome.after = grant
    token = token_document(grant)
    # The token must carry the code: it is returned, and the action plugin hides the task's output.
    outcome.extra.update(token=token, reissued=bool(reason), reveal=[token['spec']['code']])
    return outcome


# What a redeemed AccessToken keeps: its credentials were used once, the controller never redeems it again.
REDEEMED_FIELDS = ('url', 'code', 'ca')


def is_redeemed(token):
    """Skupper's AccessToken.IsRedeemed(): the Redeemed condition is True (whatever the generation)."""
    status = (token or {}).get('status') or {}
    return any(c.get('type') == 'Redeemed' and c.get('status') == 'True' for c in status.get('conditions') or [])


def keep_redeemed_credentials(desired, live):
    """desired with the url, code and ca of the live, redeemed token (new ones would never be redeemed)."""
    spec = dict(desired.get('spec') or {})
    live_spec = live.get('spec') or {}
    for key in REDEEMED_FIELDS:
        if key in live_spec:
            spec[key] = live_spec[key]
    return dict(desired, spec=spec)


def link_names(name):
    """The Links a redeemed token gives: `name` for one endpoint group, `name-1`, `name-2`... for several."""
    return (name, name + '-1')


def _find_link(backend, name):
    link = None
    for link_name in link_names(name):
        link = backend.read('Link', link_name)
        if link is not None:
            return link
    return link


def _wait_for_link(module, backend, name, token):
    """(token, Link) once the token is redeemed and its Link Ready; token: the AccessToken as just read."""
    params = module.params
    deadline = Deadline(backend, params['wait_timeout'], params['wait_sleep'])
    link = None
    while True:
        status = (token or {}).get('status') or {}
        redeemed = is_redeemed(token) or (status.get('redeemed') and status_is_current(token))
        if not redeemed and status.get('status') == 'Error' and status_is_current(token):
            raise BackendError('AccessToken "%s" could not be redeemed: %s' % (name, status.get('message')))
        if redeemed:
            link = _find_link(backend, name)
            if link is not None and is_ready(link):
                return token, link
        if deadline.passed():
            if link is not None:
                state = 'its Link "%s": %s' % (link['metadata']['name'], not_ready_text(link))
            elif redeemed:
                state = 'the token was redeemed but no Link %s exists' % ' or '.join(link_names(name))
            else:
                state = 'token %s' % (status.get('message') or 'not redeemed yet')
            raise BackendError('the link of AccessToken "%s" was not ready after %d s: %s'
                               % (name, params['wait_timeout'], state))
        deadline.sleep()
        token = backend.read('AccessToken', name)


def token_handler(module, backend, desired):
    """access_token on Kubernetes: apply the AccessToken; with wait, until its Link is Ready.

    A token the controller has redeemed keeps its url, code and ca: Skupper never redeems an AccessToken twice,
    so writing new credentials into it would change nothing but make it disagree with its Link. A second run
    with a new token of a re-issued grant is therefore unchanged; to link again, remove the AccessToken (and
    its Link) first.
    """
    name = desired['metadata']['name']
    if module.params['state'] == 'absent':
        return apply_document(module, backend, desired)
    mask_secrets(module, desired)
    live = backend.read('AccessToken', name)
    if is_redeemed(live):
        desired = keep_redeemed_credentials(desired, live)
    outcome = backend.apply(desired, module.check_mode, live=live)
    if not module.params['wait'] or module.check_mode:
        return outcome
    token, link = wait_after(outcome, _wait_for_link, module, backend, name, outcome.after)
    outcome.after = token
    outcome.extra['link'] = documents.redact(link)
    return outcome
