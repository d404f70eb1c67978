"""The collection builds, installs from its tarball, and ansible-doc works from the installed copy.

`ansible-galaxy collection build` of the checkout into a temporary directory, `ansible-galaxy collection
install` of that tarball into another, then `ansible-doc` of every module of the `skupper` action group
(meta/runtime.yml) with only the installed copy on the collections path. The tarball carries no local
state (.venv, .build, tests/output, caches).
"""

import json
import os
import subprocess
import sys
import tarfile

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)

with open(os.path.join(ROOT, 'galaxy.yml')) as _handle:
    GALAXY = yaml.safe_load(_handle)
with open(os.path.join(ROOT, 'meta', 'runtime.yml')) as _handle:
    RUNTIME = yaml.safe_load(_handle)

FQCN = '%s.%s' % (GALAXY['namespace'], GALAXY['name'])
GROUP_MODULES = list(RUNTIME['action_groups']['skupper'])
# Local state that must never be packaged (first path component or any component).
FORBIDDEN_TOP = ('.venv', '.build', '.git', '.ci', '.pytest_cache', '.ansible', '.cache')
FORBIDDEN_ANY = ('__pycache__',)


def clean_env(collections_path):
    """Environment with only `collections_path` for collections, and no checkout on PYTHONPATH."""
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_path, ANSIBLE_NOCOLOR='1',
               ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='False', ANSIBLE_DEPRECATION_WARNINGS='False')
    env.pop('PYTHONPATH', None)
    env.pop('ANSIBLE_COLLECTIONS_PATHS', None)
    return env


def tool(name, *args, env, cwd):
    result = subprocess.run([os.path.join(BIN, name)] + list(args), capture_output=True, text=True,
                            env=env, cwd=cwd, timeout=600, check=False)
    return result


@pytest.fixture(scope='module')
def built(tmp_path_factory):
    """(tarball path, member names)."""
    out = tmp_path_factory.mktemp('dist')
    result = tool('ansible-galaxy', 'collection', 'build', '--output-path', str(out), ROOT,
                  env=clean_env(str(out)), cwd=str(out))
    assert result.returncode == 0, 'build failed:\n%s\n%s' % (result.stdout, result.stderr)
    tarball = out / ('%s-%s-%s.tar.gz' % (GALAXY['namespace'], GALAXY['name'], GALAXY['version']))
    assert tarball.is_file(), 'no %s in %s' % (tarball.name, sorted(os.listdir(str(out))))
    with tarfile.open(str(tarball)) as archive:
        names = archive.getnames()
    return tarball, names


@pytest.fixture(scope='module')
def installed(built, tmp_path_factory):
    """The collections path holding the collection installed from the tarball."""
    tarball, _names = built
    target = tmp_path_factory.mktemp('collections')
    result = tool('ansible-galaxy', 'collection', 'install', '--offline', '--force', '-p', str(target),
                  str(tarball), env=clean_env(str(target)), cwd=str(target))
    assert result.returncode == 0, 'install failed:\n%s\n%s' % (result.stdout, result.stderr)
    path = target / 'ansible_collections' / GALAXY['namespace'] / GALAXY['name']
    assert (path / 'MANIFEST.json').is_file()
    assert not os.path.islink(str(path)), 'the install is a link to the checkout, not a copy'
    return str(target)


@pytest.fixture(scope='module')
def module_docs(installed):
    """ansible-doc --json of every existing module of the action group, from the installed copy."""
    names = ['%s.%s' % (FQCN, name) for name in GROUP_MODULES]
    result = tool('ansible-doc', '-t', 'module', '--json', *names, env=clean_env(installed), cwd=installed)
    try:
        docs = json.loads(result.stdout)
    except ValueError:
        docs = {}
    return docs, result


def test_tarball_has_the_collection_and_no_local_state(built):
    _tarball, names = built
    for required in ('MANIFEST.json', 'FILES.json', 'meta/runtime.yml', 'plugins/modules/site.py', 'README.md',
                     'LICENSE'):
        assert required in names, '%s missing from the tarball' % required
    leaked = sorted(name for name in names
                    if name.split('/')[0] in FORBIDDEN_TOP
                    or any(part in FORBIDDEN_ANY for part in name.split('/'))
                    or name.startswith('tests/output')
                    or name.endswith(('.pyc', '.tar.gz')))
    assert not leaked, 'local state in the tarball: %s' % leaked[:20]


def test_manifest_matches_galaxy_yml(built):
    tarball, _names = built
    with tarfile.open(str(tarball)) as archive:
        manifest = json.load(archive.extractfile('MANIFEST.json'))
    info = manifest['collection_info']
    assert (info['namespace'], info['name'], info['version']) == (
        GALAXY['namespace'], GALAXY['name'], GALAXY['version'])


def test_installed_collection_is_listed(installed):
    result = tool('ansible-galaxy', 'collection', 'list', FQCN, '--format', 'json',
                  env=clean_env(installed), cwd=installed)
    assert result.returncode == 0, result.stderr
    listing = json.loads(result.stdout)
    versions = [entry[FQCN]['version'] for entry in listing.values() if FQCN in entry]
    assert versions == [GALAXY['version']], listing


def test_ansible_doc_site_from_the_installed_copy(installed):
    result = tool('ansible-doc', '-t', 'module', FQCN + '.site', env=clean_env(installed), cwd=installed)
    assert result.returncode == 0, result.stderr
    assert os.path.join(installed, 'ansible_collections') in result.stdout, \
        'ansible-doc did not read the installed copy:\n%s' % result.stdout[:500]
    assert 'OPTIONS' in result.stdout


@pytest.mark.parametrize('name', GROUP_MODULES)
def test_ansible_doc_of_every_action_group_module(module_docs, name):
    docs, result = module_docs
    fqcn = '%s.%s' % (FQCN, name)
    assert fqcn in docs, 'ansible-doc gave no documentation for %s (rc %d):\n%s' % (
        fqcn, result.returncode, result.stderr[-2000:])
    doc = docs[fqcn]['doc']
    assert doc.get('short_description'), fqcn
    assert doc.get('collection') == FQCN
    assert os.path.join('ansible_collections', GALAXY['namespace'], GALAXY['name']) in doc.get('filename', ''), doc
