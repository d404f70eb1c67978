"""Run the collection's modules through a real ansible-playbook against a temporary data home."""

import itertools
import json
import os
import stat
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
COLLECTIONS = os.path.join(ROOT, '.build', 'collections')
PLAYBOOKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'playbooks')
CALLBACKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'callback_plugins')
_COUNTER = itertools.count()
ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')


class Run(object):
    """One ansible-playbook run: return code, per-task results (callback_plugins/result_file.py) and the output."""

    def __init__(self, returncode, stdout, stderr, report=None):
        self.returncode, self.stdout, self.stderr, self.report = returncode, stdout, stderr, report

    def tasks(self):
        """{task name: result} of the (single) host, last result wins."""
        return dict((item['task'], dict(item['result'], failed=item['outcome'] == 'failed',
                                        skipped=item['outcome'] == 'skipped'))
                    for item in self.report or [])

    def __getitem__(self, name):
        tasks = self.tasks()
        assert name in tasks, 'no task %r in %s\n%s' % (name, sorted(tasks), self.stderr[-2000:])
        return tasks[name]


def run_playbook(name, data_home, *args, extra_vars=None):
    result_file = str(data_home) + '.%s.results.json' % next(_COUNTER)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_RETRY_FILES_ENABLED='False',
               ANSIBLE_NOCOLOR='1', ANSIBLE_LOCALHOST_WARNING='False', ANSIBLE_INVENTORY_UNPARSED_WARNING='False',
               ANSIBLE_CALLBACK_PLUGINS=CALLBACKS, ANSIBLE_CALLBACKS_ENABLED='result_file', RESULT_FILE=result_file)
    env.pop('SKUPPER_PLATFORM', None)
    variables = dict(extra_vars or {}, data_home=str(data_home))
    command = [ANSIBLE_PLAYBOOK, '-i', 'localhost,', os.path.join(PLAYBOOKS, name), '-e', json.dumps(variables)]
    result = subprocess.run(command + list(args), capture_output=True, text=True, env=env, cwd=str(data_home.parent), check=False)
    if not os.path.exists(result_file):
        raise AssertionError('no results from ansible-playbook (rc %d):\n%s\n%s' % (
            result.returncode, result.stdout[-3000:], result.stderr[-3000:]))
    with open(result_file) as handle:
        report = json.load(handle)
    os.unlink(result_file)
    return Run(result.returncode, result.stdout, result.stderr, report)


def snapshot(top):
    """{relative path: (kind, mode, bytes)} of everything under top (directories included)."""
    tree = {}
    if not os.path.exists(str(top)):
        return tree
    for base, dirs, names in os.walk(str(top)):
        for name in dirs + names:
            path = os.path.join(base, name)
            info = os.lstat(path)
            content = None
            if stat.S_ISREG(info.st_mode):
                with open(path, 'rb') as handle:
                    content = handle.read()
            tree[os.path.relpath(path, str(top))] = (stat.S_IFMT(info.st_mode), stat.S_IMODE(info.st_mode), content)
    return tree


@pytest.fixture
def data_home(tmp_path):
    return tmp_path / 'skupper'


@pytest.fixture
def playbook(data_home):
    def run(name, *args, **kwargs):
        return run_playbook(name, data_home, *args, **kwargs)
    return run
