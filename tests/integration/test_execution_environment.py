"""The execution environment of docs/awx.md, as far as it can be built without a registry.

`ansible-builder create` of the repository's execution-environment.yml (the link to meta/execution-environment.yml)
writes the build context: its Containerfile starts from the base image the file names, and the context carries the
collection's Galaxy requirement, requirements.txt and bindep.txt. Then the step of the image build that decides what
gets installed runs here as it runs in the image: the collection is built and installed from its tarball (in place of
Galaxy), and the context's own introspect.py reads the installed copy's meta/execution-environment.yml with the
context's requirement files. What is left, and cannot run here: pulling the base image (no registry), `bindep` and
dnf installing the RPM packages, pip installing the Python packages.
"""

import os
import re
import subprocess
import sys

import pytest
import yaml

from tests.support.playbook import ROOT

BIN = os.path.dirname(sys.executable)
BUILDER = os.path.join(BIN, 'ansible-builder')

pytestmark = pytest.mark.skipif(not os.path.exists(BUILDER),
                                reason='ansible-builder is not installed (requirements-dev.txt)')

with open(os.path.join(ROOT, 'meta', 'execution-environment.yml')) as _handle:
    DEFINITION = yaml.safe_load(_handle)


def requirement_lines(path):
    """Lines of a pip or bindep file without comments and blank lines."""
    with open(path) as handle:
        return [line.split('#')[0].strip() for line in handle if line.split('#')[0].strip()]


def bindep_packages(lines, platform):
    """Names of the bindep lines that apply to platform (rpm, dpkg): an entry without a selector applies to all."""
    names = []
    for line in lines:
        match = re.match(r'^(\S+)\s*(?:\[([^\]]*)\])?', line)
        selectors = (match.group(2) or '').split()
        if not selectors or 'platform:' + platform in selectors:
            names.append(match.group(1))
    return sorted(names)


def pip_names(lines):
    return sorted(re.split(r'[<>=!~ \[;]', line, maxsplit=1)[0].lower() for line in lines)


def run(argv, cwd=None, **env):
    result = subprocess.run(argv, capture_output=True, text=True, check=False, cwd=cwd,
                            env=dict(os.environ, PATH=BIN + os.pathsep + os.environ.get('PATH', ''), **env))
    assert result.returncode == 0, (argv, result.stdout[-3000:] + result.stderr[-3000:])
    return result


def test_the_definition_names_a_base_image_and_every_dependency():
    assert DEFINITION['version'] == 3
    base = DEFINITION['images']['base_image']['name']
    # a named image at a fixed tag (not ansible-builder's default, not a moving tag)
    assert re.fullmatch(r'[a-z0-9.-]+/[a-z0-9./_-]+:[0-9][\w.-]*', base), base
    dependencies = DEFINITION['dependencies']
    assert dependencies['python'] == 'requirements.txt' and dependencies['system'] == 'bindep.txt'
    assert dependencies['galaxy'] == {'collections': [{'name': 'appnet.skupper'}]}
    # the root's execution-environment.yml is this file: ansible-builder resolves the files above from the root
    assert os.path.realpath(os.path.join(ROOT, 'execution-environment.yml')) == \
        os.path.realpath(os.path.join(ROOT, 'meta', 'execution-environment.yml'))
    bindep = requirement_lines(os.path.join(ROOT, 'bindep.txt'))
    # the picture's dot and the SSH client, by their RPM names for the image and Debian names for a Debian controller
    assert {'graphviz', 'openssh-clients'} <= set(bindep_packages(bindep, 'rpm'))
    assert {'graphviz', 'openssh-client'} <= set(bindep_packages(bindep, 'dpkg'))
    assert {'kubernetes', 'pyyaml', 'cryptography'} <= set(pip_names(requirement_lines(os.path.join(ROOT, 'requirements.txt'))))


def test_ansible_builder_writes_the_context_and_its_introspection_finds_the_installed_collection(tmp_path):
    context = tmp_path / 'context'
    run([BUILDER, 'create', '--context', str(context)], cwd=ROOT)
    containerfile = (context / 'Containerfile').read_text()
    base = DEFINITION['images']['base_image']['name']
    assert 'ARG EE_BASE_IMAGE="%s"\n' % base in containerfile
    assert 'FROM $EE_BASE_IMAGE AS base\n' in containerfile
    assert 'ansible-galaxy collection install' in containerfile and 'introspect.py introspect' in containerfile
    build = context / '_build'
    assert yaml.safe_load((build / 'requirements.yml').read_text()) == DEFINITION['dependencies']['galaxy']
    assert requirement_lines(build / 'requirements.txt') == requirement_lines(os.path.join(ROOT, 'requirements.txt'))
    assert requirement_lines(build / 'bindep.txt') == requirement_lines(os.path.join(ROOT, 'bindep.txt'))

    # The galaxy stage, from the collection's tarball instead of Galaxy (only the new folder on the collections path:
    # the checkout's copy would count as installed).
    dist = tmp_path / 'dist'
    collections = tmp_path / 'collections'
    run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'build', '--output-path', str(dist), ROOT])
    [tarball] = list(dist.iterdir())
    # (nor the checkout on PYTHONPATH, which make test sets: ansible-galaxy would find it and install nothing)
    run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'install', '--offline', '-p', str(collections),
         str(tarball)], ANSIBLE_COLLECTIONS_PATH=str(collections), PYTHONPATH='')
    installed = collections / 'ansible_collections' / 'appnet' / 'skupper'
    assert yaml.safe_load((installed / 'meta' / 'execution-environment.yml').read_text()) == DEFINITION

    # The builder stage's introspection, with the context's script and files, over the installed collection.
    pip_out, bindep_out = tmp_path / 'requirements.txt', tmp_path / 'bindep.txt'
    run([sys.executable, str(build / 'scripts' / 'introspect.py'), 'introspect', str(collections),
         '--user-pip', str(build / 'requirements.txt'), '--user-bindep', str(build / 'bindep.txt'),
         '--write-pip', str(pip_out), '--write-bindep', str(bindep_out)])
    pip = requirement_lines(pip_out)
    bindep = requirement_lines(bindep_out)
    # what the image gets: the Python packages of requirements.txt, the system packages of bindep.txt, each listed
    # twice (from the definition and from the installed collection: the same files, so no conflict)
    assert set(pip_names(pip)) == set(pip_names(requirement_lines(os.path.join(ROOT, 'requirements.txt'))))
    assert set(bindep_packages(bindep, 'rpm')) == \
        set(bindep_packages(requirement_lines(os.path.join(ROOT, 'bindep.txt')), 'rpm'))
    assert 'graphviz' in bindep_packages(bindep, 'rpm')


def test_ansible_builder_introspect_reads_the_collection_of_the_checkout():
    result = run([BUILDER, 'introspect', '--sanitize', os.path.join(ROOT, '.build', 'collections')])
    data = yaml.safe_load(result.stdout.split('\n', 1)[1])
    python = [line.split('#')[0].strip() for line in data['python']]
    wanted = requirement_lines(os.path.join(ROOT, 'requirements.txt'))
    # PyYAML is left out by --sanitize (ansible-core brings it)
    assert sorted(python) == sorted(w for w in wanted if not w.lower().startswith('pyyaml'))
    assert bindep_packages([line.split('#')[0].strip() for line in data['system']], 'rpm') == \
        bindep_packages(requirement_lines(os.path.join(ROOT, 'bindep.txt')), 'rpm')
