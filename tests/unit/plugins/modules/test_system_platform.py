"""appnet.skupper.system and appnet.skupper.static_link have no default platform.

Their shared default (kubernetes) was the one value both refuse: a task that forgot `platform:` now fails saying to
set it, before anything is read or written; SKUPPER_PLATFORM still gives it.
"""

import os

import pytest

from ansible_collections.appnet.skupper.plugins.module_utils import args_common
from ansible_collections.appnet.skupper.plugins.modules import static_link, system
from tests.unit.plugins.module_utils.test_skupper_module import _run_module

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
# The router stand-in (a test double): the system module checks the router binary before anything else.
STANDIN = os.path.join(ROOT, 'tests', 'support', 'bin', 'skrouterd')

MODULES = {
    'system': (system.main, {'namespace': 'east', 'state': 'reloaded', 'router_binary': STANDIN,
                             'service_manager': 'process',
                             'definition': [{'apiVersion': 'skupper.io/v2alpha1', 'kind': 'Site',
                                             'metadata': {'name': 'east'}}]}),
    'static_link': (static_link.main, {'namespace': 'east', 'subject': 'west'}),
}


@pytest.mark.parametrize('name', sorted(MODULES))
def test_the_argument_spec_has_no_default_platform(name):
    module = {'system': system, 'static_link': static_link}[name]
    platform = module.argument_spec()['platform']
    assert 'default' not in platform
    assert platform['fallback'][1] == ['SKUPPER_PLATFORM']


@pytest.mark.parametrize('name', sorted(MODULES))
def test_a_task_without_platform_fails_saying_to_set_it_and_writes_nothing(tmp_path, monkeypatch, capsys, name):
    monkeypatch.delenv('SKUPPER_PLATFORM', raising=False)
    main, args = MODULES[name]
    result, _logged = _run_module(monkeypatch, capsys, main, dict(args, data_home=str(tmp_path)))
    assert result['failed'] is True and result['changed'] is False
    assert result['msg'] == args_common.SYSTEM_PLATFORM_MISSING
    assert 'set platform: linux, podman or docker' in result['msg']
    assert os.listdir(str(tmp_path)) == []


@pytest.mark.parametrize('name', sorted(MODULES))
def test_skupper_platform_in_the_environment_gives_the_platform(tmp_path, monkeypatch, capsys, name):
    monkeypatch.setenv('SKUPPER_PLATFORM', 'linux')
    main, args = MODULES[name]
    result, _logged = _run_module(monkeypatch, capsys, main, dict(args, data_home=str(tmp_path),
                                                                  _ansible_check_mode=True))
    assert result.get('msg') != args_common.SYSTEM_PLATFORM_MISSING
    if name == 'system':  # a check run of a new Linux site: it would be created
        assert result.get('failed') is not True and result['created'] is True, result
    else:  # the platform is taken: the module looks for the site, which is not there
        assert "namespace 'east' has no site" in result['msg']


@pytest.mark.parametrize('name', sorted(MODULES))
def test_kubernetes_is_still_refused(tmp_path, monkeypatch, capsys, name):
    main, args = MODULES[name]
    result, _logged = _run_module(monkeypatch, capsys, main, dict(args, data_home=str(tmp_path),
                                                                  platform='kubernetes'))
    assert result['failed'] is True
    assert result['msg'] != args_common.SYSTEM_PLATFORM_MISSING and 'kubernetes' in result['msg'].lower()
    assert os.listdir(str(tmp_path)) == []
