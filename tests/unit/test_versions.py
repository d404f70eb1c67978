"""One version: nothing in the collection says it was added in a version newer than galaxy.yml's.

Every `version_added` (modules' and other plugins' DOCUMENTATION, their options at any depth, doc fragments,
roles' argument_specs), every version of appnet.skupper the docs ask for and every release of the changelog is
at most the collection's version.
"""

import os
import re

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

with open(os.path.join(ROOT, 'galaxy.yml')) as _handle:
    VERSION = yaml.safe_load(_handle)['version']

VERSION_ADDED = re.compile(r'''^\s*version_added:\s*['"]?([^'"\s#]+)''', re.M)
# A requirements.yml entry of this collection: "- name: appnet.skupper" then "version: '>=X'".
REQUIRED = re.compile(r'''name:\s*appnet\.skupper\s*\n\s*version:\s*['"]?[<>=!~ ]*([\d.]+)''')


def release(text):
    """'1.2.0' as (1, 2, 0); fails on anything that is not a plain release number."""
    assert re.match(r'^\d+\.\d+\.\d+$', text), 'not a version: %r' % text
    return tuple(int(part) for part in text.split('.'))


def files_with_docs():
    """The files that may carry version_added: plugins (Python and YAML docs) and role argument specs."""
    for folder, _dirs, names in os.walk(os.path.join(ROOT, 'plugins')):
        for name in names:
            if name.endswith(('.py', '.yml', '.yaml')):
                yield os.path.join(folder, name)
    roles = os.path.join(ROOT, 'roles')
    for role in sorted(os.listdir(roles)):
        for name in ('argument_specs.yml', 'argument_specs.yaml'):
            path = os.path.join(roles, role, 'meta', name)
            if os.path.exists(path):
                yield path


def found_versions(pattern, paths):
    found = []
    for path in paths:
        with open(path) as handle:
            text = handle.read()
        found += [(os.path.relpath(path, ROOT), match.group(1)) for match in pattern.finditer(text)]
    return found


def test_the_collection_version_is_a_release_number():
    release(VERSION)


def test_nothing_was_added_after_the_collection_version():
    found = found_versions(VERSION_ADDED, files_with_docs())
    assert any(path.startswith('plugins/modules/') for path, _version in found), 'no version_added found at all'
    newer = ['%s: version_added %s' % (path, version) for path, version in found if release(version) > release(VERSION)]
    assert not newer, 'newer than galaxy.yml version %s:\n%s' % (VERSION, '\n'.join(newer))


def test_the_docs_ask_for_no_newer_collection():
    docs = [os.path.join(ROOT, 'README.md')] + [os.path.join(ROOT, 'docs', name)
                                                for name in sorted(os.listdir(os.path.join(ROOT, 'docs')))
                                                if name.endswith('.md')]
    found = found_versions(REQUIRED, docs)
    newer = ['%s: %s' % (path, version) for path, version in found if release(version) > release(VERSION)]
    assert not newer, 'newer than galaxy.yml version %s:\n%s' % (VERSION, '\n'.join(newer))


def test_the_changelog_has_no_newer_release():
    with open(os.path.join(ROOT, 'changelogs', 'changelog.yaml')) as handle:
        releases = yaml.safe_load(handle).get('releases') or {}
    newer = [version for version in releases if release(str(version)) > release(VERSION)]
    assert not newer, 'changelog releases newer than galaxy.yml version %s: %s' % (VERSION, newer)


def test_the_patterns_find_what_they_look_for():
    text = 'options:\n  name:\n    version_added: "1.2.0"\nversion_added: 1.0.0  # a comment\n'
    assert [m.group(1) for m in VERSION_ADDED.finditer(text)] == ['1.2.0', '1.0.0']
    text = 'collections:\n  - name: appnet.skupper\n    version: ">=1.1.0"\n'
    assert [m.group(1) for m in REQUIRED.finditer(text)] == ['1.1.0']
