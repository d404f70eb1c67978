"""system/service/listener_wait.py: which listeners a (re)started router should bind, and the wait until it has."""

import shutil

from ansible_collections.appnet.skupper.plugins.module_utils.system.service import amqp_session, listener_wait


def listener(name, key, oper='down', message=''):
    return {'name': 'listener/' + name, 'address': key, 'host': '127.0.0.1', 'port': '18080', 'operStatus': oper,
            'connectionMsg': message}


def link(status, message=''):
    return {'name': 'link-west', 'role': 'inter-router', 'connectionStatus': status, 'connectionMsg': message}


def address(key, subscribers=0, remote=0):
    return {'key': 'M' + key, 'subscriberCount': subscribers, 'remoteCount': remote}


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_assess_waits_only_for_listeners_with_a_reachable_connector_and_reports_taken_ports():
    state = {'tcpListener': [listener('reachable', 'a'), listener('orphan', 'b'),
                             listener('taken', 'c', message='Address already in use'), listener('up', 'd', 'up')],
             'router.address': [address('a', remote=1), address('c', subscribers=1), address('d', remote=1)]}
    pending, problems = listener_wait.assess(state)
    assert pending == ['reachable']
    assert problems == ['listener taken cannot listen on 127.0.0.1:18080: Address already in use']


def test_the_wait_lasts_while_links_come_up_and_the_address_arrives_then_ends():
    clock = Clock()
    states = iter([
        {'connector': [link('CONNECTING')], 'tcpListener': [listener('backend', 'a')], 'router.address': []},
        {'connector': [link('SUCCESS')], 'tcpListener': [listener('backend', 'a')], 'router.address': []},
        {'connector': [link('SUCCESS')], 'tcpListener': [listener('backend', 'a')],
         'router.address': [address('a', remote=1)]},
        {'connector': [link('SUCCESS')], 'tcpListener': [listener('backend', 'a', 'up')],
         'router.address': [address('a', remote=1)]},
    ])
    asked = []

    def query():
        asked.append(clock.now)
        return next(states)
    assert listener_wait.wait_for_listeners(query, timeout=20, clock=clock, sleep=clock.sleep) == ([], [])
    assert len(asked) == 4


def test_a_listener_without_any_connector_ends_the_wait_after_the_settle_time():
    clock = Clock()
    state = {'connector': [link('SUCCESS')], 'tcpListener': [listener('orphan', 'b')], 'router.address': []}
    assert listener_wait.wait_for_listeners(lambda: state, timeout=20, settle=3, clock=clock,
                                            sleep=clock.sleep) == ([], [])
    assert 3 <= clock.now < 5


def test_a_site_without_links_ends_the_wait_at_the_first_answer():
    """No link: no address can arrive from the network, so nothing to settle for (a listener that waits for a
    connector of another site is bound once the link role has linked the site, and verify checks it)."""
    clock = Clock()
    taken = listener('taken', 'c', message='Address already in use')
    state = {'connector': [], 'tcpListener': [listener('orphan', 'b'), taken],
             'router.address': [address('c', subscribers=1)]}
    asked = []

    def query():
        asked.append(clock.now)
        return state
    problems, pending = listener_wait.wait_for_listeners(query, timeout=20, settle=3, clock=clock,
                                                         sleep=clock.sleep)
    assert (problems, pending) == (['listener taken cannot listen on 127.0.0.1:18080: Address already in use'], [])
    assert asked == [0.0]


def test_a_listener_that_is_never_bound_is_reported_when_the_time_runs_out():
    clock = Clock()
    state = {'connector': [link('CONNECTING', 'Connection refused')],
             'tcpListener': [listener('backend', 'a'), listener('taken', 'c', message='Address already in use')],
             'router.address': [address('a', subscribers=1), address('c', subscribers=1)]}
    problems, pending = listener_wait.wait_for_listeners(lambda: state, timeout=10, clock=clock, sleep=clock.sleep)
    assert pending == ['backend'] and problems == ['listener taken cannot listen on 127.0.0.1:18080: Address already '
                                                   'in use']
    assert 10 <= clock.now < 11


def test_the_one_session_runs_only_with_a_python_tool(tmp_path):
    python_tool = tmp_path / 'skmanage'
    python_tool.write_text('#!/opt/router/venv/bin/python3\nprint(1)\n')
    env_tool = tmp_path / 'skmanage-env'
    env_tool.write_text('#!/usr/bin/env python3\n')
    binary = tmp_path / 'skmanage-binary'
    binary.write_bytes(b'\x7fELF\x02\x01')
    assert amqp_session.interpreter(str(python_tool)) == '/opt/router/venv/bin/python3'
    # env python3: the python3 on PATH, as when the tool starts itself
    assert amqp_session.interpreter(str(env_tool)) == shutil.which('python3')
    assert amqp_session.interpreter(str(binary)) is None
    assert amqp_session.interpreter(str(tmp_path / 'absent')) is None
