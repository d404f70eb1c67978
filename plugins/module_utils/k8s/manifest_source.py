# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A manifest's Kubernetes objects, from a file, a folder of files or a URL, checked before any request.

Every document must be a Kubernetes object (a mapping with apiVersion, kind and metadata.name); a List
(`kind: List`, `kind: DeploymentList`, ...) stands for its items, as kubectl reads it. Anything else fails the
whole manifest with the source and the document's number, so nothing is applied from a file that is not what the
user meant.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.appnet.skupper.plugins.module_utils import documents

MANIFEST_SUFFIXES = ('.yaml', '.yml', '.json')


class ManifestError(Exception):
    """A manifest that cannot be used; nothing was sent to the API server."""


def _text_of_file(path):
    try:
        with open(path, 'rb') as handle:
            data = handle.read()
    except (IOError, OSError) as exc:
        raise ManifestError('cannot read the manifest %s: %s' % (path, exc.strerror or exc))
    try:
        return data.decode('utf-8')
    except UnicodeDecodeError:
        raise ManifestError('the manifest %s is not UTF-8 text' % path)


def read_path(path):
    """[(source name, text)] of a file, or of every .yaml, .yml and .json file of a folder (sorted by name,
    not recursive)."""
    if not os.path.exists(path):
        raise ManifestError('the manifest %s does not exist' % path)
    if not os.path.isdir(path):
        return [(path, _text_of_file(path))]
    names = sorted(name for name in os.listdir(path) if name.endswith(MANIFEST_SUFFIXES)
                   and os.path.isfile(os.path.join(path, name)))
    if not names:
        raise ManifestError('the folder %s holds no manifest (no %s file)' % (path, ', '.join(MANIFEST_SUFFIXES)))
    return [(os.path.join(path, name), _text_of_file(os.path.join(path, name))) for name in names]


def fetch_url(module, url, timeout):
    """[(url, text)] of a manifest downloaded with Ansible's fetch_url (proxies and certificate checks as
    ansible.builtin.get_url has them)."""
    from ansible.module_utils.urls import fetch_url as ansible_fetch_url
    response, info = ansible_fetch_url(module, url, timeout=timeout)
    if response is None or info.get('status') != 200:
        raise ManifestError('cannot download the manifest %s: HTTP %s %s'
                            % (url, info.get('status'), info.get('msg') or ''))
    try:
        return [(url, response.read().decode('utf-8'))]
    except UnicodeDecodeError:
        raise ManifestError('the manifest %s is not UTF-8 text' % url)


def _objects_of(document, where):
    if not isinstance(document, dict):
        raise ManifestError('%s is not a Kubernetes object (a mapping with apiVersion, kind and metadata) but a %s'
                            % (where, type(document).__name__))
    kind = document.get('kind')
    if isinstance(kind, str) and kind.endswith('List') and isinstance(document.get('items'), list):
        found = []
        for index, item in enumerate(document['items']):
            found.extend(_objects_of(item, '%s, item %d' % (where, index + 1)))
        return found
    missing = [key for key in ('apiVersion', 'kind') if not isinstance(document.get(key), str) or not document[key]]
    metadata = document.get('metadata')
    if not isinstance(metadata, dict) or not isinstance(metadata.get('name'), str) or not metadata['name']:
        missing.append('metadata.name')
    if missing:
        raise ManifestError('%s is not a Kubernetes object: it has no %s' % (where, ', '.join(missing)))
    return [document]


def parse(sources):
    """The objects of [(source name, text)], in order; ManifestError for YAML errors, documents that are not
    Kubernetes objects, the same object twice, or no object at all."""
    objects = []
    for source, text in sources:
        try:
            docs = documents.load_yaml_stream(text)
        except documents.DocumentError as exc:
            raise ManifestError('the manifest %s is not valid YAML: %s' % (source, exc))
        for index, doc in enumerate(docs):
            objects.extend(_objects_of(doc, 'document %d of %s' % (index + 1, source)))
    seen = set()
    for obj in objects:
        key = object_key(obj)
        if key in seen:
            raise ManifestError('the manifest names %s twice' % describe(obj))
        seen.add(key)
    if not objects:
        raise ManifestError('the manifest %s holds no Kubernetes object' % ', '.join(s for s, _unused in sources))
    return objects


def object_key(obj):
    metadata = obj['metadata']
    return obj['apiVersion'].split('/')[0] if '/' in obj['apiVersion'] else '', obj['kind'], \
        metadata.get('namespace') or '', metadata['name']


def describe(obj):
    """`Deployment skupper/skupper-controller` or `ClusterRole skupper-controller`."""
    metadata = obj['metadata']
    namespace = metadata.get('namespace')
    return '%s %s%s' % (obj['kind'], namespace + '/' if namespace else '', metadata['name'])
