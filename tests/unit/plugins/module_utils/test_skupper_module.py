"""SkupperModule: option problems named before Ansible's own checks, and an invocation record (what
AnsibleModule sends to syslog or the journal when a module starts) that never holds a secret."""

import base64
import json

import pytest
from ansible.module_utils import basic

from ansible_collections.appnet.skupper.plugins.module_utils import model
from ansible_collections.appnet.skupper.plugins.module_utils.model.argspec import option_problems
from ansible_collections.appnet.skupper.plugins.module_utils.runner import resource_argument_spec
from ansible_collections.appnet.skupper.plugins.modules import resource as resource_module

KEY = '-----BEGIN PRIVATE KEY-----\nTHE-PRIVATE-KEY-OF-ISSUE-11\n-----END PRIVATE KEY-----\n'


def test_option_problems_name_the_option_and_the_value():
    spec = resource_argument_spec(model.get_kind('RouterAccess'))
    assert option_problems(spec, {'name': 'a', 'rolse': [], '_ansible_check_mode': False}) == [
        'rolse: unsupported option (supported: %s)' % ', '.join(sorted(spec))]
    assert option_problems(spec, {'roles': 'inter-router'}) == ["roles: expected a list of mappings, got 'inter-router'"]
    assert option_problems(spec, {'roles': [{'name': 'edge', 'prot': 1}, 'x']}) == [
        'roles[0].prot: unsupported option (supported: name, port)', "roles[1]: expected a mapping, got 'x'"]
    assert option_problems(spec, {'name': 'a', 'roles': [{'name': 'edge', 'port': 1}]}) == []


def _run_module(monkeypatch, capsys, main, args):
    logged = []
    monkeypatch.setattr(basic, '_ANSIBLE_ARGS', json.dumps({'ANSIBLE_MODULE_ARGS': args}).encode())
    monkeypatch.setattr(basic, '_ANSIBLE_PROFILE', 'legacy')
    monkeypatch.setattr(basic, 'has_journal', False)
    monkeypatch.setattr(basic.syslog, 'openlog', lambda *a: None)
    monkeypatch.setattr(basic.syslog, 'syslog', lambda *a: logged.append(a[-1]))
    with pytest.raises(SystemExit):
        main()
    return json.loads(capsys.readouterr().out), logged


@pytest.mark.parametrize('no_log', [False, True])
@pytest.mark.parametrize('as_text', [False, True])
def test_a_secret_in_a_resource_definition_never_reaches_syslog(tmp_path, monkeypatch, capsys, no_log, as_text):
    secret = {'apiVersion': 'v1', 'kind': 'Secret', 'metadata': {'name': 'link-west'},
              'stringData': {'tls.key': KEY, 'tls.crt': 'CRT', 'ca.crt': 'CA'}}
    definition = json.dumps([secret]) if as_text else [secret]
    result, logged = _run_module(monkeypatch, capsys, resource_module.main, {
        'definition': definition, 'platform': 'linux', 'namespace': 'west', 'data_home': str(tmp_path),
        '_ansible_no_log': no_log})
    assert result.get('changed') is True, result
    records = '\n'.join(logged)
    assert ('Invoked with' in records) is not no_log  # the record is written (unless the task has no_log) ...
    for secret_bytes in ('THE-PRIVATE-KEY-OF-ISSUE-11', base64.b64encode(KEY.encode()).decode()[:40]):
        assert secret_bytes not in records  # ... without the key, plain or base64
        assert secret_bytes not in json.dumps(result)
    if not no_log:
        assert 'definition=NOT_LOGGING_PARAMETER' in records
