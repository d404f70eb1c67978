# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The redemption record of a system site: <home>/internal/redeemed/<token name>.yaml says that a token was
redeemed and what it created, so that a token is redeemed only once (a grant allows a limited number of
redemptions, so redeeming again on every run would use it up).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import os

from ansible_collections.appnet.skupper.plugins.module_utils import documents
from ansible_collections.appnet.skupper.plugins.module_utils.model import values
from ansible_collections.appnet.skupper.plugins.module_utils.system.store import files
from ansible_collections.appnet.skupper.plugins.module_utils.system.tokens.grant_client import RedeemError, token_name

RECORD_DIR = ('internal', 'redeemed')


def token_fingerprint(token):
    """sha256 of the token's url and code: the same name with another url or code is another token."""
    spec = token.get('spec') or {}
    material = '%s\n%s' % (spec.get('url') or '', spec.get('code') or '')
    return hashlib.sha256(material.encode('utf-8')).hexdigest()


def record_path(home, name):
    """<home>/internal/redeemed/<token name>.yaml; RedeemError for a name that is not a resource name (the model's
    check: an RFC 1123 label, so never a path)."""
    if values.check_name(name) is not None:
        raise RedeemError('invalid token name %r: a lowercase RFC 1123 name is required' % name)
    return os.path.join(home, *(RECORD_DIR + (name + '.yaml',)))


def _read_record(home, name):
    path = record_path(home, name)
    data = files.read_bytes(path)
    if data is None:
        return None
    if not documents.HAS_YAML:
        raise RedeemError('the Python library PyYAML is required (pip install pyyaml)')
    try:
        record = documents.load_yaml(data.decode('utf-8', 'replace'))
    except documents.DocumentError as exc:
        raise RedeemError('unreadable redemption record %s: %s' % (path, exc))
    return record if isinstance(record, dict) else None


def redeemed_resources(home, token, any_code=False):
    """[(kind, name), ...] created by an earlier redemption of token, or None.

    Without any_code the record must belong to the same url and code (see token_fingerprint).
    """
    record = _read_record(home, token_name(token))
    if record is None:
        return None
    if not any_code and record.get('fingerprint') != token_fingerprint(token):
        return None
    return [(item['kind'], item['name']) for item in record.get('resources') or []]


def _resource_ref(item):
    if isinstance(item, dict):
        return {'kind': item['kind'], 'name': item['metadata']['name']}
    kind, name = item
    return {'kind': kind, 'name': name}


def record_redemption(home, token, created):
    """Remember that token was redeemed into home and what it created (documents or (kind, name) pairs)."""
    if not documents.HAS_YAML:
        raise RedeemError('the Python library PyYAML is required (pip install pyyaml)')
    path = record_path(home, token_name(token))
    record = {'token': token_name(token), 'fingerprint': token_fingerprint(token),
              'resources': [_resource_ref(item) for item in created]}
    files.ensure_dir(os.path.dirname(path), files.DIR_MODE)
    files.write_atomic(path, documents.dump_yaml(record, literal=False), mode=files.PRIVATE_MODE)
    return path


def forget_redemption(home, name):
    """Remove the redemption record of the token called name; True when there was one."""
    return files.remove_file(record_path(home, name))
