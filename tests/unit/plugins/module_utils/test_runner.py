"""runner: input errors naming options, and results that never carry secret values."""

import pytest

from ansible_collections.appnet.skupper.plugins.module_utils import documents, model, runner
from ansible_collections.appnet.skupper.plugins.module_utils.backend import ApplyResult

MARK = 'MARKER-a81c'


class FakeModule(object):
    """The attributes of AnsibleModule that runner uses."""

    def __init__(self, diff=True):
        self._diff = diff
        self.no_log_values = set()


def params(kind, **values):
    result = dict((f.option, None) for f in model.get_kind(kind).fields)
    result.update({'name': 'x', 'namespace': 'default', 'platform': 'linux', 'state': 'present', 'labels': None,
                   'annotations': None})
    result.update(values)
    return result


def input_errors(kind, params):
    return runner.prepare(kind, params)[1]


def test_input_errors_name_the_option_and_value():
    kind = model.get_kind('Listener')
    errors = input_errors(kind, params('Listener', name='Bad', routing_key='k', host='h', port=0))
    assert errors[0].startswith("name: 'Bad' must be a lowercase RFC 1123 label")
    assert errors[1] == 'port: 0 must be a port number between 1 and 65535'
    assert len(errors) == 2


def test_input_errors_labels_and_namespace():
    errors = input_errors(model.get_kind('Site'), params('Site', namespace='a_b', labels={'a b': 'x'}))
    assert errors[0].startswith("namespace: 'a_b' ")
    assert errors[1] == "labels: has an invalid key 'a b'"


def test_input_errors_kind_not_on_linux_even_when_absent():
    for state in ('present', 'absent'):
        errors = input_errors(model.get_kind('AttachedConnector'), params('AttachedConnector', state=state))
        assert len(errors) == 1 and errors[0].startswith('AttachedConnector is not supported on Linux: ')


def test_input_errors_spec_not_checked_for_absent():
    assert input_errors(model.get_kind('Listener'), params('Listener', state='absent')) == []


def test_resource_argument_spec_merges_model_and_common_options():
    spec = runner.resource_argument_spec(model.get_kind('Listener'))
    assert spec['port'] == {'type': 'int'}
    assert spec['name'] == {'type': 'str', 'required': True}
    for option in ('namespace', 'platform', 'data_home', 'state', 'labels', 'annotations', 'kubeconfig', 'wait',
                   'force'):
        assert option in spec


@pytest.mark.parametrize('doc', [
    {'apiVersion': 'v1', 'kind': 'Secret', 'metadata': {'name': 's'}, 'data': {'k': MARK}},
    {'apiVersion': 'skupper.io/v2alpha1', 'kind': 'AccessToken', 'metadata': {'name': 't'},
     'spec': {'url': 'u', 'code': MARK, 'ca': 'c'}},
    {'apiVersion': 'skupper.io/v2alpha1', 'kind': 'AccessGrant', 'metadata': {'name': 'g'}, 'spec': {},
     'status': {'code': MARK}},
], ids=['Secret', 'AccessToken', 'AccessGrant'])
def test_result_from_redacts_and_masks_secrets(doc):
    module = FakeModule()
    before = dict(doc, metadata=dict(doc['metadata'], uid='1'))
    result = runner.result_from(ApplyResult(True, before, doc, resource_file='/x'), module)
    assert MARK not in repr(result)
    assert result['changed'] is True and result['resource_file'] == '/x'
    assert MARK in module.no_log_values  # Ansible masks it everywhere, the echoed arguments included
    assert result['diff']['after'] == documents.redact(documents.normalize(doc))


def test_result_from_absent_and_no_diff():
    module = FakeModule(diff=False)
    result = runner.result_from(ApplyResult(True, {'kind': 'Site', 'metadata': {'name': 'a'}}, None), module)
    assert result == {'changed': True, 'resource': {}, 'status': {}}
