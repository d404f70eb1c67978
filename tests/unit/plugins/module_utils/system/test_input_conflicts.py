"""Issue 11: a port the site's link access (or its local management access) binds, found by the system backend
before a Listener or RouterAccess is written, from the ports the last render chose (later renders keep them)."""

import os

import pytest

from ansible_collections.appnet.skupper.plugins.module_utils.backend import BackendError
from ansible_collections.appnet.skupper.plugins.module_utils.system.backend import SystemBackend
from tests.unit.plugins.module_utils.system.conftest import resource, snapshot_tree


def _listener(name, port, host='0.0.0.0'):
    return resource('Listener', name, {'host': host, 'port': port, 'routingKey': name})


def test_a_listener_on_the_port_of_the_link_access_is_refused(west):
    west.render('west')
    backend = SystemBackend('west', data_home=west.root)
    before = snapshot_tree(west.root)
    for doc, words in ((_listener('clash', 55671, '127.0.0.1'),
                        'port 55671 of listener "clash" (host "127.0.0.1") is already used by router access "west" '
                        'role inter-router (host "*")'),
                       (_listener('clash', 45671),
                        'port 45671 of listener "clash" (host "0.0.0.0") is already used by router access "west" '
                        'role edge'),
                       (_listener('clash', 5671, '127.0.0.1'),
                        'port 5671 of listener "clash" (host "127.0.0.1") is already used by the local management '
                        'port of the site (host "127.0.0.1")'),
                       (resource('RouterAccess', 'more', {'tlsCredentials': 'more', 'roles': [{'name': 'edge'}]}),
                        'port 45671 of router access "more" role edge (host "*") is already used by router access '
                        '"west" role edge')):
        for check_mode in (True, False):
            with pytest.raises(BackendError) as failure:
                backend.apply(doc, check_mode=check_mode)
            assert words in failure.value.message
    assert snapshot_tree(west.root) == before


def test_other_ports_and_other_hosts_are_accepted(west):
    west.render('west')
    backend = SystemBackend('west', data_home=west.root)
    assert backend.problems(_listener('fine', 55672)) == []
    assert backend.problems(_listener('local-only', 5671, '192.168.122.10')) == []
    # the listener itself, unchanged, does not collide with itself
    assert backend.problems(_listener('backend', 8080)) == []
    assert os.path.isfile(backend.input_path('Listener', 'backend'))
