# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan of a render: the files it wants (bytes and mode, by path relative to the namespace home), written
at once with only what changed, stale managed files removed and a roll-back when a write fails; the digests of
what the router reads."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import os

from ansible_collections.appnet.skupper.plugins.module_utils.system.render import live_config
from ansible_collections.appnet.skupper.plugins.module_utils.system.render.router_config import dump_router_config, referenced_files
from ansible_collections.appnet.skupper.plugins.module_utils.system.render.site_state import SiteStateError
from ansible_collections.appnet.skupper.plugins.module_utils.system.store import files
from ansible_collections.appnet.skupper.plugins.module_utils.system.store.paths import ROUTER_CONFIG, RUNTIME_RESOURCES

PLATFORM_FILE = 'internal/platform.yaml'
MANAGED = ('runtime/router', 'runtime/certs', RUNTIME_RESOURCES, 'runtime/links', 'internal/snapshot',
           'internal/platform.yaml')
KEPT = (RUNTIME_RESOURCES + '/ConfigMap-skupper-network-status.yaml',)


class Plan(object):
    """The files a render wants, by path relative to the namespace home."""

    def __init__(self):
        self.files = {}

    def add(self, relative, content, mode=files.PUBLIC_MODE):
        data = content.encode('utf-8') if not isinstance(content, bytes) else content
        existing = self.files.get(relative)
        if existing is not None and existing != (data, mode):
            raise SiteStateError('two resources need different content in %s; give them different tls credentials'
                                 % relative)
        self.files[relative] = (data, mode)

    def add_directory(self, relative_dir, content):
        for name, (data, mode) in sorted(content.items()):
            self.add('%s/%s' % (relative_dir, name), data, mode)


def _managed_files(home):
    found = set()
    for root in MANAGED:
        path = os.path.join(home, root)
        if os.path.isfile(path):
            found.add(root)
        for directory, _dirs, names in os.walk(path):
            for name in names:
                found.add(os.path.relpath(os.path.join(directory, name), home))
    return found - set(KEPT)


def _differs(path, data, mode):
    if files.read_bytes(path) != data:
        return True
    return (os.stat(path).st_mode & 0o777) != mode


def _remove_empty_directories(home):
    for root in ('runtime/certs', 'runtime/links'):
        for directory, _dirs, _names in sorted(os.walk(os.path.join(home, root)), reverse=True):
            if directory != os.path.join(home, root) and not os.listdir(directory):
                os.rmdir(directory)


def apply_plan(home, plan, dry_run):
    """Write what changed, remove stale managed files; the sorted relative paths that changed."""
    changed = sorted(rel for rel, (data, mode) in plan.files.items() if _differs(os.path.join(home, rel), data, mode))
    stale = sorted(_managed_files(home) - set(plan.files))
    if not dry_run:
        for relative in ('runtime', 'internal', 'runtime/router', 'runtime/certs', 'runtime/issuers',
                         'runtime/links', RUNTIME_RESOURCES, 'internal/snapshot'):
            files.ensure_dir(os.path.join(home, relative), files.DIR_MODE)
        written = []
        try:
            for relative in changed:
                path = os.path.join(home, relative)
                files.ensure_dir(os.path.dirname(path), files.DIR_MODE)
                old = (files.read_bytes(path), os.stat(path).st_mode & 0o777) if os.path.isfile(path) else None
                files.write_atomic(path, plan.files[relative][0], plan.files[relative][1])
                written.append((path, old))
        except files.WriteError:
            _roll_back(home, written)
            raise
        for relative in stale:
            files.remove_file(os.path.join(home, relative))
        _remove_empty_directories(home)
    return sorted(set(changed) | set(stale))


def _roll_back(home, written):
    """Put back what a render that could not finish (a full disk) wrote: new files go, replaced ones come back
    (the new ones first, so that the space they took is free again), so the site is as it was before."""
    for path, old in reversed(written):
        if old is None:
            files.remove_file(path)
    for path, old in reversed(written):
        if old is not None:
            try:
                files.write_atomic(path, old[0], old[1])
            except files.WriteError:
                pass
    _remove_empty_directories(home)


def runtime_digest(plan, entities, base, config=None):
    """sha256 over skrouterd.json (the plan's, or the bytes config) and every file its sslProfiles read."""
    digest = hashlib.sha256()
    for relative in [ROUTER_CONFIG] + referenced_files(entities, base):
        data = config if relative == ROUTER_CONFIG and config is not None else plan.files.get(relative, (b'', 0))[0]
        digest.update(relative.encode('utf-8') + b'\0' + data + b'\0')
    return digest.hexdigest()


def static_digest(plan, entities, base):
    """runtime_digest() of the config without its live entities (live_config.py): what only a restart changes."""
    static = live_config.static_entities(entities)
    return runtime_digest(plan, static, base, config=dump_router_config(static).encode('utf-8'))
