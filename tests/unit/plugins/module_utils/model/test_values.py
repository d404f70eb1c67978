"""Pure value checks of plugins/module_utils/model/values.py."""

import pytest

from ansible_collections.appnet.skupper.plugins.module_utils.model import values


@pytest.mark.parametrize('value', ['a', 'west', 'my-name', '123-abc', '0', 'a' * 63, 'a-b-c-1'])
def test_check_name_accepts_rfc1123_labels(value):
    assert values.check_name(value) is None


@pytest.mark.parametrize('value', ['West', 'my_name', '-west', 'west-', 'we.st', 'we st', 'wést', 'west\n'])
def test_check_name_refuses_invalid_labels(value):
    problem = values.check_name(value)
    assert problem is not None
    assert 'RFC 1123' in problem


def test_check_name_refuses_more_than_63_characters():
    problem = values.check_name('a' * 64)
    assert problem is not None
    assert '63' in problem and '64' in problem


@pytest.mark.parametrize('value', ['', None, 5, ['west']])
def test_check_name_refuses_empty_and_non_strings(value):
    assert values.check_name(value) == 'must be a non-empty string'


@pytest.mark.parametrize('value', [1, 80, 65535, '1', '8080', '65535'])
def test_check_port_accepts_1_to_65535(value):
    assert values.check_port(value) is None


@pytest.mark.parametrize('value', [0, -1, 65536, 100000, '0', '65536'])
def test_check_port_refuses_out_of_range(value):
    assert values.check_port(value) == 'must be a port number between 1 and 65535'


@pytest.mark.parametrize('value', ['http', '80a', '', '8.5', True, False, None])
def test_check_port_refuses_non_numbers(value):
    assert values.check_port(value) == 'must be a port number'


@pytest.mark.parametrize('value', ['0.0.0.0', '127.0.0.1', '::', '::1', 'fe80::1', 'localhost', 'backend',
                                   'west.example.com', 'a-b.c-d', '10-0-0-1.nip.io'])
def test_check_host_accepts_ip_literals_and_lower_case_host_names(value):
    assert values.check_host(value) is None


@pytest.mark.parametrize('value', ['Backend', 'my_host', 'host.', '.host', 'a..b', 'a-.b', 'host name', 'a_b.example.com',
                                   'west.example.com:8080'])
def test_check_host_refuses_other_names(value):
    problem = values.check_host(value)
    assert problem is not None and 'host name' in problem


@pytest.mark.parametrize('value', ['', None, 80])
def test_check_host_refuses_empty_and_non_strings(value):
    assert values.check_host(value) == 'must be a non-empty host name or IP address'


@pytest.mark.parametrize('value', ['15m', '1h30m', '90s', '1.5h', '500ms', '2h0m10s'])
def test_durations_are_accepted(value):
    assert values.check_duration(value) is None


@pytest.mark.parametrize('value', ['15', 'm', '15 m', '15min', '1d', '', None, 900, '-5m'])
def test_check_duration_refuses_non_durations(value):
    assert values.check_duration(value) is not None


@pytest.mark.parametrize('value', [{}, {'app': 'backend'}, {'app.kubernetes.io/name': 'x'}, {'a': ''},
                                   {'k': 'A.b-c_d'}])
def test_check_labels_accepts_kubernetes_labels(value):
    assert values.check_labels(value) is None


@pytest.mark.parametrize('value,words', [
    ({'bad key': 'x'}, "invalid key 'bad key'"),
    ({'-app': 'x'}, "invalid key '-app'"),
    ({'app': 'has space'}, "invalid value 'has space' for key 'app'"),
    ({'app': 5}, "invalid value 5 for key 'app'"),
    ({'app': 'x' * 64}, 'invalid value'),
    (['app'], 'must be a mapping of strings'),
])
def test_check_labels_refuses_invalid_labels(value, words):
    problem = values.check_labels(value)
    assert problem is not None and words in problem


@pytest.mark.parametrize('check,value', [
    (values.check_name, 'west\n'),
    (values.check_host, 'backend\n'),
    (values.check_duration, '15m\n'),
    (values.check_labels, {'app\n': 'x'}),
    (values.check_labels, {'app': 'x\n'}),
])
def test_a_trailing_newline_is_not_accepted(check, value):
    assert check(value) is not None
