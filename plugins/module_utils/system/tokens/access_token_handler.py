# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""AccessToken on a system site: redeem it once, keep the Link and Secret it gives as resource files."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.appnet.skupper.plugins.module_utils import documents
from ansible_collections.appnet.skupper.plugins.module_utils.model import REMOTE_SITE_ANNOTATION
from ansible_collections.appnet.skupper.plugins.module_utils.backend import ApplyResult, BackendError
from ansible_collections.appnet.skupper.plugins.module_utils.system.tokens import grant_client, redemption_record


def site_name(backend):
    """The name of the namespace's Site (the subject the token is redeemed for)."""
    for name in backend.site_names():
        return name
    raise BackendError('namespace %r has no Site yet: create it (appnet.skupper.site) before redeeming a token'
                       % backend.namespace)


def _with_link_cost(doc, token):
    """A received Link with the token's linkCost, and the token's remote site annotation (a fact the token's
    issuer, the link role, knows: the site the token was granted by) so that network_info need not parse it
    from router ids."""
    if doc.get('kind') != 'Link':
        return doc
    cost = (token.get('spec') or {}).get('linkCost')
    if cost:
        doc = dict(doc, spec=dict(doc.get('spec') or {}, cost=cost))
    remote = (((token.get('metadata') or {}).get('annotations')) or {}).get(REMOTE_SITE_ANNOTATION)
    if remote:
        metadata = dict(doc.get('metadata') or {})
        metadata['annotations'] = dict(metadata.get('annotations') or {}, **{REMOTE_SITE_ANNOTATION: remote})
        doc = dict(doc, metadata=metadata)
    return doc


def _resources(backend, record):
    return [backend.read(kind, name) for kind, name in record]


def _redeemed_outcome(backend, token, record):
    """The result for a token that was redeemed before: no change, or a failure if its files are gone."""
    current = _resources(backend, record)
    missing = ['%s %s' % item for item, doc in zip(record, current) if doc is None]
    if missing:
        raise BackendError('access token %r was already redeemed, but %s no longer exist(s); a token is redeemed '
                           'only once: issue a new token (or remove the token with state=absent first)'
                           % (token['metadata']['name'], ', '.join(missing)))
    link = next((doc for doc in current if doc.get('kind') == 'Link'), None)
    return ApplyResult(False, link, link, redeemed=False, link=documents.redact(link), reload_required=False,
                       resource_files=_files(backend, record),
                       status={'status': 'Ready', 'message': 'OK', 'redeemed': True})


def _files(backend, record):
    return [backend.input_path(kind, name) for kind, name in record]


def redeem_handler(module, backend, desired):
    """The access_token module on linux, podman and docker."""
    name = desired['metadata']['name']
    record = redemption_record.redeemed_resources(backend.home, desired)
    if module.params['state'] == 'absent':
        return _forget(module, backend, name)
    if record is not None:
        return _redeemed_outcome(backend, desired, record)
    if module.check_mode:
        # Redeeming uses up the grant, so check mode cannot ask for the Link: it says that it would redeem.
        return ApplyResult(True, None, None, redeemed=False, reload_required=True,
                           status={'status': 'Pending', 'message': 'the token would be redeemed'})
    subject = site_name(backend)
    try:
        received = grant_client.redeem_access_token(desired, subject)
    except grant_client.RedeemError as exc:
        raise BackendError('cannot redeem access token %r: %s' % (name, exc))
    written, stored = [], []
    for doc in received:
        stored.append(backend.apply(_with_link_cost(doc, desired)).after)
        written.append((doc['kind'], doc['metadata']['name']))
    redemption_record.record_redemption(backend.home, desired, written)
    link = next(doc for doc in stored if doc['kind'] == 'Link')
    status = {'status': 'Ready', 'message': 'OK', 'redeemed': True}
    return ApplyResult(True, None, link, redeemed=True, reload_required=True, link=documents.redact(link),
                       resource_files=_files(backend, written), status=status)


def _forget(module, backend, name):
    """state=absent: remove what the token gave (Link, Secret) and its redemption record."""
    record = redemption_record.redeemed_resources(backend.home, {'metadata': {'name': name}}, any_code=True)
    if record is None:
        return ApplyResult(False, None, None, reload_required=False, resource_files=[])
    current = _resources(backend, record)
    if not module.check_mode:
        for kind, resource_name in record:
            backend.delete(kind, resource_name)
        redemption_record.forget_redemption(backend.home, name)
    link = next((doc for doc in current if doc and doc.get('kind') == 'Link'), None)
    return ApplyResult(True, link, None, reload_required=True, resource_files=_files(backend, record))
