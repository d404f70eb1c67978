"""The three-site inventory at the end of docs/user-guide.md is one the network role takes: every host's variables
pass the role's argument spec (types, choices, the options of list items), every skupper_ variable is one a role
reads, and appnet.skupper.inventory_check (the network role's first task) finds no problem in it."""

import os
import re
import sys

import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from tests.support.playbook import ROOT, failures, run_playbook, task_outcomes

GUIDE = os.path.join(ROOT, 'docs', 'user-guide.md')


def guide_inventory():
    with open(GUIDE) as handle:
        text = handle.read()
    blocks = [block for block in re.findall(r'```yaml\n(.*?)```', text, re.S) if block.startswith('# inventory.yml')]
    assert len(blocks) == 1, 'docs/user-guide.md: no (or more than one) ```yaml block starting with # inventory.yml'
    return yaml.safe_load(blocks[0])


def host_variables(inventory):
    """{host: variables} of a YAML inventory of groups under all (all's vars, the group's, the host's)."""
    found = {}
    top = inventory['all']
    for group in (top.get('children') or {}).values():
        for host, variables in (group.get('hosts') or {}).items():
            found[host] = dict(top.get('vars') or {}, **(group.get('vars') or {}), **(variables or {}))
    return found


def role_options(role):
    with open(os.path.join(ROOT, 'roles', role, 'meta', 'argument_specs.yml')) as handle:
        return yaml.safe_load(handle)['argument_specs']['main']['options']


def known_variables():
    return set(name for role in os.listdir(os.path.join(ROOT, 'roles')) for name in role_options(role))


def test_the_guide_inventory_passes_the_network_role_argument_spec():
    hosts = host_variables(guide_inventory())
    assert sorted(hosts) == ['east', 'north', 'west']
    assert sorted(variables['skupper_platform'] for variables in hosts.values()) == ['kubernetes', 'linux', 'podman']
    spec = role_options('network')
    validator = ArgumentSpecValidator(spec)
    for host, variables in hosts.items():
        skupper = dict((name, value) for name, value in variables.items() if name.startswith('skupper_'))
        assert sorted(set(skupper) - known_variables()) == [], host
        result = validator.validate(dict((name, value) for name, value in skupper.items() if name in spec))
        assert result.error_messages == [], (host, result.error_messages)


def test_the_validation_is_not_blind():
    validator = ArgumentSpecValidator(role_options('network'))
    assert validator.validate({'skupper_listeners': 'backend'}).error_messages
    assert validator.validate({'skupper_image_pull': 'sometimes'}).error_messages


def test_inventory_check_finds_no_problem_in_the_guide_inventory(tmp_path):
    inventory = tmp_path / 'inventory.yml'
    inventory.write_text(yaml.safe_dump(guide_inventory()))
    playbook = tmp_path / 'check.yml'
    playbook.write_text(yaml.safe_dump([{'hosts': 'all', 'gather_facts': False, 'tasks': [
        {'name': 'check', 'appnet.skupper.inventory_check': None, 'run_once': True}]}]))
    rc, report = run_playbook(str(playbook), str(inventory), '-e', 'ansible_python_interpreter=%s' % sys.executable)
    assert rc == 0 and not failures(report), failures(report)
    outcome = [outcome for _host, name, outcome in task_outcomes(report) if name == 'check'][0]
    assert not outcome.get('warnings'), outcome.get('warnings')
