# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Resource documents: YAML in and out, normalisation for comparison, redaction of secrets."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import binascii
import copy

from ansible_collections.appnet.skupper.plugins.module_utils.model import KINDS

try:
    import yaml
    HAS_YAML = True
except ImportError:  # pragma: no cover - reported by the modules
    yaml = None
    HAS_YAML = False

REDACTED = 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
# Metadata the API server owns: an apply body must not carry it (managedFields: 400; resourceVersion and uid act
# as preconditions), and a document read back from the server (kubectl get -o yaml) has it.
SERVER_METADATA = ('managedFields', 'resourceVersion', 'uid', 'creationTimestamp', 'generation', 'selfLink',
                   'deletionTimestamp', 'deletionGracePeriodSeconds')
# Metadata a comparison leaves out: the server's, and what controllers add (owners, finalizers).
NOT_COMPARED = SERVER_METADATA + ('ownerReferences', 'finalizers')
# (kind, path) of values that must never be shown: the model's secret fields.
SECRET_PATHS = tuple((kind.kind, path) for kind in KINDS.values() for path in kind.secret_paths())


class DocumentError(ValueError):
    """YAML that cannot be read; the message never quotes the text (it may hold keys)."""


def require_yaml():
    if not HAS_YAML:
        raise ImportError('the Python library PyYAML is required (pip install pyyaml)')


# libyaml's parser where PyYAML was built with it (the same documents, several times faster: a render reads every
# resource file); the emitters stay PyYAML's own, so that the files written keep their exact bytes.
_SafeLoader = getattr(yaml, 'CSafeLoader', None) or getattr(yaml, 'SafeLoader', None)


class _Dumper(yaml.SafeDumper if HAS_YAML else object):
    """Block style, multi-line strings as literal blocks (PEM stays readable)."""


def _str_representer(dumper, value):
    style = '|' if '\n' in value else None
    return dumper.represent_scalar('tag:yaml.org,2002:str', value, style=style)


if HAS_YAML:
    _Dumper.add_representer(str, _str_representer)


def dump_yaml(doc, literal=True):
    """YAML text of a document: block style, keys sorted. literal: multi-line strings as literal blocks (PEM
    stays readable); else PyYAML's own string style, the format of Skupper's renderer (runtime files)."""
    require_yaml()
    return yaml.dump(doc, Dumper=_Dumper if literal else yaml.SafeDumper, default_flow_style=False, sort_keys=True,
                     allow_unicode=True)


def resource_yaml(doc):
    """A resource in the format of Skupper's renderer (the runtime files): dump_yaml without literal blocks."""
    return dump_yaml(doc, literal=False)


def dump_yaml_stream(docs):
    return ''.join('---\n' + dump_yaml(doc) for doc in docs)


def load_yaml_stream(text):
    """Every non-empty document of a YAML (or JSON) stream; DocumentError for a syntax error."""
    require_yaml()
    try:
        return [doc for doc in yaml.load_all(text, Loader=_SafeLoader) if doc is not None]
    except yaml.YAMLError:
        pass
    # Text that does not parse: PyYAML's own parser says where and what, in the words users see everywhere.
    try:
        return [doc for doc in yaml.load_all(text, Loader=yaml.SafeLoader) if doc is not None]
    except yaml.YAMLError as exc:
        raise DocumentError(yaml_error_text(exc))


def load_yaml(text):
    """The first non-empty document of a YAML (or JSON) text, or None; DocumentError for a syntax error."""
    docs = load_yaml_stream(text)
    return docs[0] if docs else None


def last_document(data):
    """The last document of a resource file's bytes; None when it has none or is not YAML."""
    try:
        docs = load_yaml_stream(data.decode('utf-8'))
    except (DocumentError, UnicodeDecodeError):
        return None
    return docs[-1] if docs else None


def yaml_error_text(exc):
    """What is wrong and where, without the snippet of the offending line PyYAML adds to its message."""
    mark = getattr(exc, 'problem_mark', None) or getattr(exc, 'context_mark', None)
    problem = getattr(exc, 'problem', None) or getattr(exc, 'context', None) or exc.__class__.__name__
    if mark is None:
        return 'YAML syntax error: %s' % problem
    return 'YAML syntax error at line %d, column %d: %s' % (mark.line + 1, mark.column + 1, problem)


def prune(value):
    """Drop None values and empty mappings/lists, recursively; keep False and 0."""
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            item = prune(item)
            if item is None or item == {} or item == []:
                continue
            result[key] = item
        return result
    if isinstance(value, list):
        return [prune(item) for item in value]
    return value


def normalize(doc):
    """What is compared: apiVersion, kind, metadata we own, spec (or Secret fields); no status."""
    if doc is None:
        return None
    result = prune(copy.deepcopy(doc))
    result.pop('status', None)
    metadata = result.get('metadata', {})
    for key in NOT_COMPARED:
        metadata.pop(key, None)
    return result


def contains(live, desired):
    """True when every field of desired has the same value in live (lists compared item by item)."""
    if isinstance(desired, dict):
        if not isinstance(live, dict):
            return False
        return all(contains(live.get(key), value) for key, value in desired.items())
    if isinstance(desired, list):
        if not isinstance(live, list) or len(live) != len(desired):
            return False
        return all(contains(a, b) for a, b in zip(live, desired))
    return live == desired


def redact(doc):
    """A copy of doc with secret values replaced, safe to return and to show in a diff."""
    if not isinstance(doc, dict):
        return doc
    result = copy.deepcopy(doc)
    for kind, path in SECRET_PATHS:
        if result.get('kind') != kind:
            continue
        parent = result
        for key in path[:-1]:
            parent = parent.get(key) if isinstance(parent, dict) else None
        if not isinstance(parent, dict) or parent.get(path[-1]) is None:
            continue
        value = parent[path[-1]]
        parent[path[-1]] = dict((k, REDACTED) for k in value) if isinstance(value, dict) else REDACTED
    return result


def secret_values(doc):
    """The secret values of doc (strings at SECRET_PATHS), to be masked in all module output."""
    found = []
    if not isinstance(doc, dict):
        return found
    for kind, path in SECRET_PATHS:
        if doc.get('kind') != kind:
            continue
        value = doc
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        items = value.values() if isinstance(value, dict) else [value]
        found.extend(item for item in items if isinstance(item, str) and item)
    return found


def secret_files(secret):
    """{key: bytes} of a Secret's data (base64) and stringData."""
    result = {}
    for key, value in sorted(((secret or {}).get('data') or {}).items()):
        try:
            result[key] = base64.b64decode(str(value), validate=True)
        except (binascii.Error, ValueError):
            result[key] = None
    for key, value in sorted(((secret or {}).get('stringData') or {}).items()):
        result[key] = str(value).encode('utf-8')
    return result


def spec_of(doc):
    """The spec of a document; {} when it has none (or there is no document)."""
    spec = (doc or {}).get('spec')
    return spec if isinstance(spec, dict) else {}


def name_of(doc):
    """metadata.name of a document, or None."""
    metadata = (doc or {}).get('metadata')
    return metadata.get('name') if isinstance(metadata, dict) else None


def resource_file_name(kind, name):
    """Skupper's file name of a resource: <Kind>-<name>.yaml."""
    return '%s-%s.yaml' % (kind, name)
