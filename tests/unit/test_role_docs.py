"""The role variables: each role's argument spec lists every variable the role reads, its defaults file agrees with
it, and docs/inventory.md documents every variable of every role with the same type and default."""

import glob
import os
import re

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROLES = sorted(os.listdir(os.path.join(ROOT, 'roles')))
INVENTORY_DOC = os.path.join(ROOT, 'docs', 'inventory.md')
# A variable name read in a task file; not a YAML anchor or alias (&name, *name).
VARIABLE = re.compile(r'(?<![&*\w])(skupper_[a-z0-9_]+)')
# A variable a task file sets: a key (set_fact, vars), a registered result, a loop variable.
SET_VARIABLE = re.compile(r'^\s*(skupper_[a-z0-9_]+):|(?:register|loop_var): (skupper_[a-z0-9_]+)', re.M)


def read_yaml(*parts):
    with open(os.path.join(ROOT, *parts)) as handle:
        return yaml.safe_load(handle)


def options(role):
    return read_yaml('roles', role, 'meta', 'argument_specs.yml')['argument_specs']['main']['options']


def task_text(role):
    text = ''
    for path in sorted(glob.glob(os.path.join(ROOT, 'roles', role, 'tasks', '*.yml'))):
        with open(path) as handle:
            text += handle.read()
    return text


def set_by_the_roles():
    """Facts, registered results and loop variables of the roles' tasks (not inventory variables)."""
    names = set()
    for role in ROLES:
        for match in SET_VARIABLE.finditer(task_text(role)):
            names.add(match.group(1) or match.group(2))
    return names


def documented_rows():
    """{variable: (type cell, default cell)} of the tables of docs/inventory.md (variable, type, default, meaning)."""
    rows = {}
    with open(INVENTORY_DOC) as handle:
        for line in handle:
            cells = [cell.strip() for cell in line.strip().strip('|').split('|')]
            if len(cells) < 4 or not re.match(r'^`skupper_[a-z0-9_]+`$', cells[0]):
                continue
            name = cells[0].strip('`')
            assert name not in rows, 'docs/inventory.md: %s has two rows' % name
            rows[name] = (cells[1], cells[2])
    return rows


def type_of(option):
    """The type of an argument spec option as docs/inventory.md shows it: str, dict, list of dict, ..."""
    if option['type'] == 'list' and option.get('elements'):
        return 'list of %s' % option['elements']
    return option['type']


def all_options():
    """{variable: {role: option}} of every role."""
    result = {}
    for role in ROLES:
        for name, option in options(role).items():
            result.setdefault(name, {})[role] = option
    return result


def is_template(value):
    return isinstance(value, str) and '{{' in value


@pytest.mark.parametrize('role', ROLES)
def test_the_argument_spec_lists_every_variable_the_role_reads_with_type_and_default(role):
    spec = options(role)
    read = set(VARIABLE.findall(task_text(role))) - set_by_the_roles()
    assert sorted(read - set(spec)) == []
    for name, option in spec.items():
        assert 'type' in option and 'default' in option, '%s: %s needs a type and a default' % (role, name)
        assert option.get('description'), '%s: %s has no description' % (role, name)


@pytest.mark.parametrize('role', ROLES)
def test_the_defaults_file_agrees_with_the_argument_spec(role):
    spec = options(role)
    defaults = read_yaml('roles', role, 'defaults', 'main.yml') or {}
    for name, value in defaults.items():
        assert name in spec, '%s: default %s is not in the argument spec' % (role, name)
        assert spec[name]['default'] == value, '%s: %s' % (role, name)


def test_a_variable_has_one_type_and_one_default_in_every_role():
    for name, by_role in all_options().items():
        assert len({(o.get('type'), repr(o.get('default'))) for o in by_role.values()}) == 1, (name, by_role)


def test_the_network_role_lists_the_variables_of_the_roles_it_runs():
    network = options('network')
    assert 'skupper_controller_install' in network
    for role in ('site', 'link', 'verify'):
        assert sorted(set(options(role)) - set(network)) == [], role


def test_docs_inventory_lists_every_role_variable_with_its_type_and_default():
    rows = documented_rows()
    variables = all_options()
    assert sorted(set(variables) - set(rows)) == [], 'not in docs/inventory.md'
    assert sorted(set(rows) - set(variables)) == [], 'in docs/inventory.md, but no role has it'
    for name, by_role in variables.items():
        option = next(iter(by_role.values()))
        default = option['default']
        shown_type, cell = rows[name]
        assert shown_type == type_of(option), 'docs/inventory.md: %s type %r, argument spec %r' % (
            name, shown_type, type_of(option))
        if is_template(default):  # computed from other variables: said in words
            assert cell, name
            continue
        shown = re.match(r'^`([^`]*)`', cell)
        assert shown, 'docs/inventory.md: the default of %s is not given first, in backticks: %r' % (name, cell)
        assert yaml.safe_load(shown.group(1)) == default, 'docs/inventory.md: %s default %r, argument spec %r' % (
            name, shown.group(1), default)


def test_the_check_reads_what_it_should():
    """The checks above are not blind: a read variable, a documented default and a task-set fact are found."""
    assert 'skupper_validate_certs' in VARIABLE.findall(task_text('site'))
    assert 'skupper_kubernetes_api' not in VARIABLE.findall(task_text('site'))  # an anchor
    assert {'skupper_site_links', 'skupper_link_documents', 'skupper_verify_info'} <= set_by_the_roles()
    assert documented_rows()['skupper_validate_certs'][1].startswith('`null`')
    assert documented_rows()['skupper_links'][0] == 'list of dict'
