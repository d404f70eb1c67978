# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A support bundle being gathered (its members, what was collected, what failed and why, what is wrong with the
site) and its archive: one tar.gz with index.json first, every member through the redactor once more."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import io
import json
import os
import tarfile
import tempfile
import time

from ansible_collections.appnet.skupper.plugins.module_utils import documents, network_info_shape
from ansible_collections.appnet.skupper.plugins.module_utils.support_bundle.redact import MARKER, PRIVATE_KEY, Redactor

INDEX = 'index.json'
FORMAT = 1
ARCHIVE_MODE = 0o600


class Bundle(object):
    """Members ({archive path: text}) and the index of one site's bundle."""

    def __init__(self, platform, namespace, host=None, clock=time.time):
        self.redactor = Redactor()
        self.members = {}
        self.created = time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(clock()))
        self.stamp = time.strftime('%Y%m%d-%H%M%S', time.gmtime(clock()))
        self.index = {'format': FORMAT, 'created': self.created, 'host': host, 'platform': platform,
                      'namespace': namespace, 'site': None, 'ready': None, 'problems': [], 'collected': [],
                      'failed': [], 'redaction': {'marker': MARKER}, 'versions': {}}

    # -- what the collectors add --------------------------------------------------------------------------

    def add_text(self, path, text):
        self.members[path] = self.redactor.text(text if text.endswith('\n') or not text else text + '\n')
        return path

    def add_json(self, path, value):
        return self.add_text(path, json.dumps(self.redactor.value(value), indent=2, sort_keys=True, default=str))

    def add_documents(self, path, docs):
        """Resource documents as one YAML stream, each through the redactor."""
        return self.add_text(path, documents.dump_yaml_stream([self.redactor.document(doc) for doc in docs]))

    def collected(self, item, *paths, **details):
        """item (a part of the site, such as 'management') is in the bundle, in the members paths."""
        entry = dict(item=item, files=sorted(paths), **details)
        self.index['collected'].append(entry)
        return entry

    def failed(self, item, reason):
        """item could not be collected, and why (a missing part is said, never left out silently)."""
        self.index['failed'].append({'item': item, 'reason': self.redactor.text(reason)})

    def problem(self, text):
        """Something wrong with the site that the bundle shows (a link down, the router stopped)."""
        text = self.redactor.text(text)
        if text not in self.index['problems']:
            self.index['problems'].append(text)

    def site_status(self, info):
        """The site's network_info (status/network_info.json): whether it is ready, and as problems what is not
        ready of the site, its links, listeners and connectors."""
        self.collected('status', self.add_json('status/network_info.json', info))
        not_ready = network_info_shape.not_ready(info)
        self.index['ready'] = not not_ready
        for text in not_ready:
            self.problem(text)
        for kind in ('listeners', 'connectors'):
            for item in info[kind]:
                if item.get('status') != network_info_shape.READY and item.get('reason'):
                    self.problem('%s %s is %s: %s' % (kind[:-1], item['name'], item['status'], item['reason']))

    # -- the archive -----------------------------------------------------------------------------------

    def summary(self):
        """The index as it will be in the archive (the module returns it too)."""
        index = dict(self.index, files=sorted(self.members))
        index['redaction'] = dict(index['redaction'], replaced=self.redactor.count)
        return self.redactor.value(index)

    def file_name(self):
        label = self.index['site'] or self.index['namespace'] or 'site'
        return 'skupper-dump-%s-%s-%s.tar.gz' % (label, self.index['platform'], self.stamp)

    def contents(self):
        """[(archive path, bytes)]: index.json, then the members in order, each redacted once more (the values
        learned after a member was added are taken out of it too)."""
        top = self.file_name()[:-len('.tar.gz')]
        index = json.dumps(self.summary(), indent=2, sort_keys=True) + '\n'
        found = [(top + '/' + INDEX, index)]
        found.extend((top + '/' + path, self.redactor.text(self.members[path])) for path in sorted(self.members))
        result = []
        for path, text in found:
            if PRIVATE_KEY.search(text):  # cannot happen after text(); a bundle must never hold one
                text = MARKER + '\n'
            result.append((path, text.encode('utf-8')))
        return result

    def write(self, directory):
        """Write the archive into a new private folder under directory; its path."""
        folder = tempfile.mkdtemp(prefix='appnet-skupper-bundle-', dir=directory)
        path = os.path.join(folder, self.file_name())
        mtime = int(time.time())
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, ARCHIVE_MODE)
        with os.fdopen(handle, 'wb') as raw:
            with tarfile.open(fileobj=raw, mode='w:gz') as archive:
                for name, data in self.contents():
                    info = tarfile.TarInfo(name)
                    info.size, info.mtime, info.mode = len(data), mtime, 0o644
                    archive.addfile(info, io.BytesIO(data))
        return path
