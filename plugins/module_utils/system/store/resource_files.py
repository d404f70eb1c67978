# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The resource files of a namespace home read as documents: every YAML/JSON file under a folder (input/resources,
runtime/resources), each parsed once per run. The YAML itself is documents.py's."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import os

from ansible_collections.appnet.skupper.plugins.module_utils import documents, model
from ansible_collections.appnet.skupper.plugins.module_utils.system.store import files, paths

# Parsed files by (path, inode, size, mtime): a module that checks many documents against a site's files (the
# resource module with hundreds of listeners) parses each file once. Documents are copied out of it.
_PARSED = {}


def file_mode(kind):
    """The mode of a resource file: private when the kind holds secret values (the model says which), else public.
    A kind the model does not have (a ConfigMap) holds none."""
    known = model.KINDS.get(kind)
    return files.PRIVATE_MODE if known is not None and known.holds_secrets else files.PUBLIC_MODE


def resource_files(directory):
    """The .yaml and .yml files under directory, sorted, sub-folders included."""
    found = []
    for root, dirs, names in os.walk(directory):
        dirs.sort()
        for name in sorted(names):
            if name.endswith(('.yaml', '.yml')):
                found.append(os.path.join(root, name))
    return found


def load_file(path, copied=True):
    """The documents of a file; DocumentError or UnicodeDecodeError when it cannot be read as YAML."""
    info = os.stat(path)
    key = (path, info.st_ino, info.st_size, info.st_mtime_ns)
    if key not in _PARSED:
        with open(path, 'rb') as handle:
            _PARSED[key] = documents.load_yaml_stream(handle.read().decode('utf-8'))
    return copy.deepcopy(_PARSED[key]) if copied else _PARSED[key]


def read_documents(directory, copied=True):
    """([(relative file, document)], [problems]) of every YAML/JSON document under directory.

    copied=False: the documents are shared with later reads, for a caller that only reads them.
    """
    documents.require_yaml()
    found, problems = [], []
    for path in resource_files(directory):
        relative = os.path.relpath(path, directory)
        try:
            loaded = load_file(path, copied)
        except (documents.DocumentError, UnicodeDecodeError) as exc:
            problems.append('error loading "%s": error decoding yaml: %s' % (relative, ' '.join(str(exc).split())))
            continue
        for doc in loaded:
            if not isinstance(doc, dict):
                problems.append('%s: a resource document must be a mapping, got %r' % (relative, doc))
                continue
            found.append((relative, doc))
    return found, problems


def load_runtime_resources(home):
    """{kind: {name: document}} of runtime/resources (the last render, with statuses); {} when absent."""
    directory = paths.runtime_resources_dir(home)
    result = {}
    if not os.path.isdir(directory):
        return result
    found, _problems = read_documents(directory)
    for _relative, doc in found:
        name = documents.name_of(doc)
        if doc.get('kind') and name:
            result.setdefault(doc['kind'], {})[name] = doc
    return result
