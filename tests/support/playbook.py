"""Run ansible-playbook for real against the collection in this checkout and read its JSON report."""

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS = os.path.join(ROOT, '.build', 'collections')
PLAYBOOKS = os.path.join(ROOT, 'playbooks')
CALLBACKS = os.path.join(ROOT, 'tests', 'support', 'callback_plugins')


def run_playbook(playbook, inventory, *extra_args, env=None, prefix=()):
    """(returncode, report) of `ansible-playbook -i inventory playbook`, with the JSON callback; prefix runs it
    through a command (e.g. `ip netns exec <name>`: its tasks, and the routers they start, in that namespace)."""
    if not os.path.isabs(playbook):
        playbook = os.path.join(PLAYBOOKS, playbook)
    run_env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_STDOUT_CALLBACK='json_report',
                   ANSIBLE_CALLBACK_PLUGINS=CALLBACKS,
                   ANSIBLE_HOST_KEY_CHECKING='False', ANSIBLE_FORKS='5', ANSIBLE_PIPELINING='True',
                   ANSIBLE_RETRY_FILES_ENABLED='False')
    run_env.update(env or {})
    executable = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
    result = subprocess.run(list(prefix) + [executable, '-i', inventory, playbook] + list(extra_args),
                            capture_output=True, text=True, env=run_env, cwd=ROOT, check=False)
    try:
        report = json.loads(result.stdout[result.stdout.index('{'):])
    except ValueError:
        raise AssertionError('no JSON report from ansible-playbook (rc %d):\n%s\n%s'
                             % (result.returncode, result.stdout[-3000:], result.stderr[-3000:]))
    return result.returncode, report


def task_outcomes(report):
    """(host, task name, outcome) for every task result of the report."""
    for play in report['plays']:
        for task in play['tasks']:
            for host, outcome in task['hosts'].items():
                yield host, task['task']['name'], outcome


def failures(report):
    return ['%s / %s: %s' % (host, name, outcome.get('msg'))
            for host, name, outcome in task_outcomes(report)
            if (outcome.get('failed') and not outcome.get('ignore_errors')) or outcome.get('unreachable')]


def changed_tasks(report):
    return ['%s / %s' % (host, name) for host, name, outcome in task_outcomes(report) if outcome.get('changed')]


# Tasks that run on the controller alone: Ansible's own (no module shipped) and the collection's action plugins that
# ship none. Every other task that ran (not skipped) on a host crossed the wire to it (or to its delegate) once.
CONTROLLER_ACTIONS = frozenset((
    'ansible.builtin.set_fact', 'ansible.builtin.debug', 'ansible.builtin.assert', 'ansible.builtin.fail',
    'ansible.builtin.include_tasks', 'ansible.builtin.include_role', 'ansible.builtin.import_tasks',
    'ansible.builtin.meta', 'ansible.builtin.include_vars', 'ansible.builtin.validate_argument_spec',
    'appnet.skupper.inventory_check', 'appnet.skupper.network_picture'))


def module_round_trips(report, in_process=frozenset()):
    """{host: [task name, ...]} of the module runs for each host: a task once, a looped task once per item that ran
    (skipped ones and controller-only actions left out; in_process: hosts whose tasks run in the controller's
    process, also left out)."""
    found = {}
    for play in report['plays']:
        for task in play['tasks']:
            action = task['task'].get('action') or ''
            action = action if '.' in action else 'ansible.builtin.' + action
            for host, outcome in task['hosts'].items():
                found.setdefault(host, [])
                if outcome.get('skipped') or action in CONTROLLER_ACTIONS or host in in_process:
                    continue
                items = outcome.get('results') if isinstance(outcome.get('results'), list) and \
                    outcome['results'] and 'ansible_loop_var' in outcome['results'][0] else [outcome]
                found[host].extend(task['task']['name'] for item in items if not item.get('skipped'))
    return found
