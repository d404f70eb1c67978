"""The retry policy of Kubernetes API requests (plugins/module_utils/k8s/retry.py): what is sent again, and after
how long."""

import pytest

from ansible_collections.appnet.skupper.plugins.module_utils.k8s import retry

JSON = 'application/json'
MERGE = 'application/merge-patch+json'


@pytest.mark.parametrize('method, content_type, body, expected', [
    ('GET', JSON, None, True),
    ('DELETE', JSON, None, True),
    ('PATCH', retry.APPLY, {'kind': 'Listener'}, True),
    ('PATCH', MERGE, {'spec': {'port': 1}}, False),
    ('PUT', JSON, {'metadata': {'name': 'l', 'resourceVersion': '7'}}, True),
    ('PUT', JSON, {'metadata': {'name': 'l'}}, False),
    ('PUT', JSON, '{"metadata": {"resourceVersion": "7"}}', False),
    ('POST', JSON, {'metadata': {'name': 'l'}}, False),
])
def test_idempotent_requests(method, content_type, body, expected):
    assert retry.idempotent(method, content_type, body) is expected


@pytest.mark.parametrize('status', [429, 503])
@pytest.mark.parametrize('method, content_type', [('GET', JSON), ('POST', JSON), ('PATCH', MERGE),
                                                  ('PATCH', retry.APPLY), ('DELETE', JSON)])
def test_answers_that_say_not_done_are_retried_for_every_request(status, method, content_type):
    assert retry.on_status(method, status, content_type, {}) == retry.RETRY


@pytest.mark.parametrize('status', [500, 502, 504])
def test_server_errors_are_retried_only_for_idempotent_requests(status):
    assert retry.on_status('GET', status) == retry.RETRY
    assert retry.on_status('PATCH', status, retry.APPLY, {}) == retry.RETRY
    assert retry.on_status('PUT', status, JSON, {'metadata': {'resourceVersion': '1'}}) == retry.RETRY
    assert retry.on_status('POST', status, JSON, {'metadata': {'name': 'l'}}) == retry.FAIL
    assert retry.on_status('PATCH', status, MERGE, {}) == retry.FAIL
    assert retry.on_status('PUT', status, JSON, {'metadata': {}}) == retry.FAIL


@pytest.mark.parametrize('status', [400, 401, 403, 404, 409, 410, 422])
def test_client_errors_and_conflicts_are_never_retried(status):
    for method, content_type in (('GET', JSON), ('PATCH', retry.APPLY), ('POST', JSON)):
        assert retry.on_status(method, status, content_type, {}) == retry.FAIL


def test_a_lost_answer_is_retried_when_idempotent_and_looked_at_before_a_create_is_sent_again():
    assert retry.on_no_answer('GET', sent=True) == retry.RETRY
    assert retry.on_no_answer('PATCH', True, retry.APPLY, {}) == retry.RETRY
    assert retry.on_no_answer('DELETE', True) == retry.RETRY
    assert retry.on_no_answer('POST', True, JSON, {}) == retry.VERIFY
    assert retry.on_no_answer('PATCH', True, MERGE, {}) == retry.VERIFY
    assert retry.on_no_answer('POST', False, JSON, {}) == retry.RETRY, 'a connection never made sent nothing'


def test_pauses_double_from_the_first_and_are_capped():
    assert [retry.pause(attempt) for attempt in range(1, 9)] == [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 10.0]


def test_retry_after_is_honoured_and_capped():
    assert retry.pause(1, retry.retry_after_seconds({'Retry-After': '1'})) == 1.0
    assert retry.pause(3, retry.retry_after_seconds({'Retry-After': '0'})) == 0.0
    assert retry.pause(1, retry.retry_after_seconds({'Retry-After': '3600'})) == retry.MAX_DELAY
    for headers in ({}, None, {'Retry-After': 'Wed, 21 Oct 2015 07:28:00 GMT'}, {'Retry-After': '-3'}):
        assert retry.retry_after_seconds(headers) is None
        assert retry.pause(2, retry.retry_after_seconds(headers)) == 0.5
