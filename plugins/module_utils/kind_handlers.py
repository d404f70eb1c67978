# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Kinds whose modules do more than apply the document on some platforms: which function does it, and the
extra options of their modules.

The typed module of a kind and appnet.skupper.resource take the handler from here, so that a document has
the same effect whichever of them applies it (an AccessToken on Linux is redeemed once, not written).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.appnet.skupper.plugins.module_utils.k8s.tokens import (
    grant_argument_spec, grant_handler, token_handler)
from ansible_collections.appnet.skupper.plugins.module_utils.runner import apply_document, run_resource_module
from ansible_collections.appnet.skupper.plugins.module_utils.system.tokens.token_redemption import redeem_handler

# {kind: {platform: handler(module, backend, desired) -> ApplyResult}}; apply_document elsewhere.
HANDLERS = {
    'AccessGrant': {'kubernetes': grant_handler},
    'AccessToken': {'kubernetes': token_handler, 'linux': redeem_handler, 'podman': redeem_handler,
                    'docker': redeem_handler},
}
# What appnet.skupper.resource hands to the kind's handler. An AccessGrant it applies as it is: what the
# access_grant module adds is its output (the token, with the code), not an effect on the site.
DOCUMENT_KINDS = ('AccessToken',)
# Options of a kind's module beyond its fields and the common ones.
EXTRA_SPECS = {'AccessGrant': grant_argument_spec()}


def document_handler(kind, platform):
    """The handler appnet.skupper.resource uses for a document of kind on platform."""
    if kind in DOCUMENT_KINDS:
        return HANDLERS[kind].get(platform, apply_document)
    return apply_document


def run_kind_module(kind):
    """The module of a kind that has handlers (the generated access_grant and access_token modules)."""
    run_resource_module(kind, handlers=HANDLERS.get(kind), extra_spec=EXTRA_SPECS.get(kind))
