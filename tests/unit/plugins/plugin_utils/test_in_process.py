"""in_process.other_python: the controller's Python is recognised by file and environment, not by spelling."""

import os
import subprocess
import sys

import pytest

from ansible_collections.appnet.skupper.plugins.plugin_utils.in_process import other_python, python_environment


def make_venv(path):
    """A real virtualenv (no pip: fast), as `python3 -m venv` makes it."""
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(path)], check=True)
    return path


@pytest.fixture(scope='module')
def venv(tmp_path_factory):
    return make_venv(tmp_path_factory.mktemp('one') / 'venv')


@pytest.fixture(scope='module')
def system_python(venv):
    """The interpreter file the virtualenv's python links to: a Python outside any virtualenv."""
    path = os.path.realpath(str(venv / 'bin' / 'python3'))
    if python_environment(path) is not None:
        pytest.skip('the base interpreter %s is itself in a virtualenv' % path)
    return path


def test_the_spellings_of_one_venv_are_the_same_python(venv):
    assert other_python(str(venv / 'bin' / 'python'), str(venv / 'bin' / 'python3')) is None
    assert other_python(str(venv / 'bin' / 'python3'), str(venv / 'bin' / 'python')) is None
    assert python_environment(str(venv / 'bin' / 'python')) == str(venv / 'pyvenv.cfg')


def test_a_venv_reached_through_a_linked_folder_is_the_same_python(venv, tmp_path):
    linked = tmp_path / 'linked-venv'
    linked.symlink_to(venv, target_is_directory=True)
    assert other_python(str(linked / 'bin' / 'python'), str(venv / 'bin' / 'python3')) is None


def test_the_system_python_is_not_the_venvs(venv, system_python):
    reason = other_python(system_python, str(venv / 'bin' / 'python3'))
    assert reason == 'another Python environment (no virtualenv, not %s)' % venv
    reason = other_python(str(venv / 'bin' / 'python'), system_python)
    assert reason == 'another Python environment (%s, not no virtualenv)' % venv


def test_a_link_outside_any_venv(venv, system_python, tmp_path):
    """A link to the venv's interpreter in a folder of no venv runs the system Python, not the venv's."""
    folder = tmp_path / 'elsewhere' / 'bin'
    folder.mkdir(parents=True)
    (folder / 'python').symlink_to(venv / 'bin' / 'python3')
    assert os.path.realpath(str(folder / 'python')) == system_python
    assert other_python(str(folder / 'python'), str(venv / 'bin' / 'python3')).startswith('another Python environment')
    assert other_python(str(folder / 'python'), system_python) is None


def test_two_venvs_of_one_interpreter_are_two_pythons(venv, tmp_path):
    other = make_venv(tmp_path / 'other')
    assert os.path.realpath(str(other / 'bin' / 'python3')) == os.path.realpath(str(venv / 'bin' / 'python3'))
    assert other_python(str(other / 'bin' / 'python3'), str(venv / 'bin' / 'python3')) == \
        'another Python environment (%s, not %s)' % (other, venv)


def test_paths_that_do_not_exist_are_not_the_same(venv, tmp_path):
    missing = str(tmp_path / 'bin' / 'python3')
    assert other_python(missing, missing) == 'no such file'
    assert other_python(missing, str(venv / 'bin' / 'python3')) == 'no such file'
    assert other_python(str(venv / 'bin' / 'python3'), missing) == 'no such file'


def test_another_interpreter_file(venv, tmp_path):
    copy = tmp_path / 'python3'
    copy.write_bytes(b'#!/bin/sh\n')
    assert other_python(str(copy), str(venv / 'bin' / 'python3')) == 'another interpreter'


@pytest.mark.parametrize('interpreter, reason', [('', 'not set'), (None, 'not set'), ('auto', 'not an absolute path'),
                                                 ('python3', 'not an absolute path'),
                                                 ('bin/python3', 'not an absolute path')])
def test_no_absolute_path(venv, interpreter, reason, monkeypatch):
    monkeypatch.chdir(str(venv))  # bin/python3 exists from here: still not taken
    assert other_python(interpreter, str(venv / 'bin' / 'python3')) == reason
