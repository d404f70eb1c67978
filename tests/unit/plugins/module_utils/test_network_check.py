"""module_utils/network_check.py: the wait of network_info (inside one module run) and its traffic checks, against
real sockets and a real HTTP server on the loopback address."""

import http.server
import socket
import threading

import pytest

from ansible_collections.appnet.skupper.plugins.module_utils import network_check


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


@pytest.fixture
def http_server():
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200 if self.path == '/ok' else 503)
            self.end_headers()
            self.wfile.write(b'hello\n')

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def closed_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def test_a_tcp_check_connects_and_an_any_address_listener_is_reached_on_loopback(http_server):
    assert network_check.probe({'host': '0.0.0.0', 'port': http_server})['ok'] is True
    failed = network_check.probe({'host': '127.0.0.1', 'port': closed_port()})
    assert failed['ok'] is False and 'ConnectionRefusedError' in failed['reason']


def test_an_http_check_wants_its_status(http_server):
    good = network_check.probe({'name': 'web', 'host': '127.0.0.1', 'port': http_server, 'http_path': '/ok'})
    assert good == {'name': 'web', 'host': '127.0.0.1', 'port': http_server, 'http_path': '/ok', 'ok': True,
                    'reason': None, 'http_status': 200}
    bad = network_check.probe({'host': '127.0.0.1', 'port': http_server, 'http_path': '/down'})
    assert bad['ok'] is False and bad['reason'] == 'HTTP 503, expected 200'
    assert network_check.traffic_problems([good, bad]) == [
        'no traffic through 127.0.0.1:%d/down: HTTP 503, expected 200' % http_server]


def test_the_wait_asks_again_until_ready_then_sends_traffic(http_server):
    clock = Clock()
    answers = iter([['link-west is Pending'], ['link-west is Pending'], []])
    reads = []

    def read():
        reads.append(clock.now)
        return {'problems': next(answers)}
    info, traffic, problems, attempts = network_check.watch(
        read, lambda info: info['problems'], [{'host': '127.0.0.1', 'port': http_server, 'http_path': '/ok'}],
        timeout=10, sleep=1, clock=clock, pause=clock.sleep)
    assert (problems, attempts, reads) == ([], 3, [0.0, 1.0, 2.0])
    assert [t['ok'] for t in traffic] == [True]


def test_the_wait_ends_at_its_deadline_with_what_is_not_ready():
    clock = Clock()
    info, traffic, problems, attempts = network_check.watch(
        lambda: {}, lambda info: ['site east is Pending'], [{'port': 1}], timeout=5, sleep=2, clock=clock,
        pause=clock.sleep)
    # traffic is not sent while the network is not ready
    assert (traffic, problems) == ([], ['site east is Pending'])
    assert attempts == 3 and clock.now == 4.0


def test_without_a_timeout_the_site_is_asked_once():
    clock = Clock()
    _info, _traffic, problems, attempts = network_check.watch(
        lambda: {}, lambda info: ['not ready'], timeout=0, clock=clock, pause=clock.sleep)
    assert (problems, attempts, clock.now) == (['not ready'], 1, 0.0)


def test_an_error_the_caller_may_retry_is_retried_until_the_deadline_then_raised():
    clock = Clock()

    class NotYet(Exception):
        pass
    calls = []

    def read():
        calls.append(clock.now)
        if len(calls) < 3:
            raise NotYet('refused')
        return {}
    _info, _traffic, problems, attempts = network_check.watch(
        read, lambda info: [], timeout=10, sleep=1, retry_on=(NotYet,), clock=clock, pause=clock.sleep)
    assert (problems, attempts) == ([], 3)

    def never():
        raise NotYet('still refused')
    later = Clock()
    with pytest.raises(NotYet):
        network_check.watch(never, lambda info: [], timeout=3, sleep=1, retry_on=(NotYet,), clock=later,
                            pause=later.sleep)
    assert later.now == 3.0
