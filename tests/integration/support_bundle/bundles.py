"""Reading support bundles back in the tests: members of an archive, and the secrets that must not be in them."""

import base64
import glob
import json
import os
import tarfile

import yaml

PRIVATE_KEY_MARK = b'PRIVATE KEY-----'


def members(path):
    """{member path without the top folder: bytes} of a bundle archive."""
    found = {}
    with tarfile.open(path, 'r:gz') as archive:
        tops = set()
        for info in archive.getmembers():
            assert info.isfile(), info.name
            top, _sep, rest = info.name.partition('/')
            tops.add(top)
            found[rest] = archive.extractfile(info).read()
    assert len(tops) == 1, tops
    return found


def index_of(found):
    return json.loads(found['index.json'])


def secret_values_of_documents(docs):
    """Every Secret data value (base64 and decoded), and every code, of resource documents."""
    values = set()
    for doc in docs:
        if not isinstance(doc, dict):
            continue
        if doc.get('kind') == 'Secret':
            for value in (doc.get('data') or {}).values():
                values.add(value)
                values.add(base64.b64decode(value).decode())
            values.update((doc.get('stringData') or {}).values())
        for part in ('spec', 'status'):
            code = (doc.get(part) or {}).get('code')
            if code:
                values.add(code)
    return set(value for value in values if isinstance(value, str) and len(value) >= 8)


def secret_values_of_home(home):
    """The secrets of a system site: its Secret documents' values and codes, and its private key files."""
    docs = []
    for path in glob.glob(os.path.join(home, '*', 'resources', '*.yaml')):
        with open(path) as handle:
            docs.extend(yaml.safe_load_all(handle))
    values = secret_values_of_documents(docs)
    for path in glob.glob(os.path.join(home, 'runtime', '**', '*.key'), recursive=True):
        with open(path) as handle:
            values.add(handle.read())
    return values


def leaks(found, values):
    """The members holding a private key or one of values (with what), [] when none does."""
    problems = []
    for name, data in sorted(found.items()):
        if PRIVATE_KEY_MARK in data:
            problems.append((name, 'private key'))
        text = data.decode('utf-8', 'replace')
        for value in values:
            # a PEM value shows line by line in some files; its body lines must not be there either
            lines = [line for line in value.splitlines() if len(line) >= 40] or [value]
            if any(line in text for line in lines):
                problems.append((name, value[:20] + '...'))
    return problems
