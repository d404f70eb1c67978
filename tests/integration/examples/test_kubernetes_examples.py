"""The EXAMPLES of the modules of GROUPS['kubernetes'], in one ansible-playbook run (module_examples.py says how)."""

import pytest

from tests.integration.examples import module_examples as examples

GROUP = 'kubernetes'


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


def test_every_module_has_its_examples_run():
    assert sorted(examples.GROUPS['kubernetes'] + examples.GROUPS['linux']) == examples.module_names()
    assert len(examples.module_names()) >= 16
