# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Kinds whose modules do more than apply the document on some backends: which function does it, and the
extra options of their modules.

The typed module of a kind (runner.run_resource_module) and appnet.skupper.resource take the handler from here,
so that a document has the same effect whichever of them applies it (an AccessToken on a system site is
redeemed once, not written). Handlers are chosen by the platform's backend (platforms.py), not by its name,
and imported when chosen: the module of any other kind does not load the token code of either side.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.appnet.skupper.plugins.module_utils import platforms
from ansible_collections.appnet.skupper.plugins.module_utils.apply import apply_document

# {kind: {backend: handler name}}; apply_document elsewhere. _load names the function of each.
HANDLERS = {
    'AccessGrant': {platforms.KUBERNETES_BACKEND: 'grant'},
    'AccessToken': {platforms.KUBERNETES_BACKEND: 'token', platforms.SYSTEM_BACKEND: 'redeem'},
    # A warning when the site's controller does not enable the access type the document names.
    'Site': {platforms.KUBERNETES_BACKEND: 'access'},
    'RouterAccess': {platforms.KUBERNETES_BACKEND: 'access'},
}
# What appnet.skupper.resource hands to the kind's handler. An AccessGrant it applies as it is: what the
# access_grant module adds is its output (the token, with the code), not an effect on the site.
DOCUMENT_KINDS = ('AccessToken',)
# Kinds whose handler appnet.skupper.resource uses too, and that are written like any document (the warning about
# an access type the controller does not enable, on Kubernetes).
CHECKED_KINDS = ('Site', 'RouterAccess')
# Options of a kind's module beyond its fields and the common ones (access_grant: reissue a used-up grant).
EXTRA_SPECS = {'AccessGrant': {'reissue': {'type': 'bool', 'default': True}}}


def _load(name):
    """handler(module, backend, desired) -> ApplyResult of a handler name."""
    if name == 'redeem':
        from ansible_collections.appnet.skupper.plugins.module_utils.system.tokens.access_token_handler import (
            redeem_handler)
        return redeem_handler
    if name == 'access':
        from ansible_collections.appnet.skupper.plugins.module_utils.k8s.access_check import access_handler
        return access_handler
    from ansible_collections.appnet.skupper.plugins.module_utils.k8s import tokens
    return {'grant': tokens.grant_handler, 'token': tokens.token_handler}[name]


def module_handler(kind, platform):
    """The handler the typed module of kind uses on platform."""
    name = HANDLERS.get(kind, {}).get(platforms.get(platform).backend)
    return _load(name) if name else apply_document


def document_handler(kind, platform):
    """The handler appnet.skupper.resource uses for a document of kind on platform."""
    if kind in DOCUMENT_KINDS + CHECKED_KINDS:
        return module_handler(kind, platform)
    return apply_document
