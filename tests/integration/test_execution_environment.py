"""The execution environment of docs/awx.md: ansible-builder reads the collection's meta/execution-environment.yml
(introspect, as it does for every collection it installs) and writes the build context (create; the image build
itself needs a registry)."""

import os
import subprocess
import sys

import pytest
import yaml

from tests.support.playbook import COLLECTIONS, ROOT

BUILDER = os.path.join(os.path.dirname(sys.executable), 'ansible-builder')


@pytest.mark.skipif(not os.path.exists(BUILDER), reason='ansible-builder is not installed (requirements-dev.txt)')
def test_ansible_builder_reads_the_collection_and_writes_the_build_context(tmp_path):
    result = subprocess.run([BUILDER, 'introspect', '--sanitize', COLLECTIONS], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr
    data = yaml.safe_load(result.stdout.split('\n', 1)[1])
    python = [line.split('#')[0].strip() for line in data['python']]
    with open(os.path.join(ROOT, 'requirements.txt')) as handle:
        wanted = [l.strip() for l in handle if l.strip() and not l.startswith('#')]
    # PyYAML is left out by --sanitize (ansible-core brings it)
    assert sorted(python) == sorted(w for w in wanted if not w.lower().startswith('pyyaml'))
    assert any(line.startswith('openssl') for line in data['system'])

    definition = tmp_path / 'execution-environment.yml'
    definition.write_text(yaml.safe_dump({
        'version': 3,
        'dependencies': {'ansible_core': {'package_pip': 'ansible-core>=2.16,<2.20'},
                         'ansible_runner': {'package_pip': 'ansible-runner'},
                         'galaxy': {'collections': [{'name': 'appnet.skupper'}]}}}))
    context = tmp_path / 'context'
    result = subprocess.run([BUILDER, 'create', '-f', str(definition), '-c', str(context)], capture_output=True,
                            text=True, check=False, cwd=str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    containerfile = (context / 'Containerfile').read_text()
    assert 'ansible-galaxy' in containerfile and 'introspect' in containerfile
    galaxy = yaml.safe_load((context / '_build' / 'requirements.yml').read_text())
    assert galaxy == {'collections': [{'name': 'appnet.skupper'}]}
