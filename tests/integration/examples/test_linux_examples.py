"""The EXAMPLES of the modules of GROUPS['linux'], in one ansible-playbook run (module_examples.py says how)."""

import pytest

from tests.integration.examples import module_examples as examples

GROUP = 'linux'


@pytest.fixture(scope='module')
def group_run(request, tmp_path_factory):
    yield from examples.group_run(request, tmp_path_factory, GROUP)


@pytest.mark.parametrize('module', examples.GROUPS[GROUP])
def test_examples_run(group_run, module):
    examples.check_ran(group_run, module)


@pytest.mark.parametrize('module', examples.GROUPS[GROUP])
def test_examples_do_what_they_say(group_run, module):
    examples.check_ran(group_run, module)
    examples.check_effects(group_run, module)
