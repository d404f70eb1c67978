"""Live reconfiguration (live_config.py) and the render's digest split: which changes a running router takes
through management, in what order, and which still need a restart."""

import os

from ansible_collections.appnet.skupper.plugins.module_utils.system.render import live_config
from tests.unit.plugins.module_utils.system.conftest import resource, write_input

LISTENER = ['tcpListener', {'name': 'listener/a', 'host': '0.0.0.0', 'port': '8080', 'address': 'a', 'siteId': 's'}]
CONNECTOR = ['tcpConnector', {'name': 'connector/d@127.0.0.1', 'host': '127.0.0.1', 'port': '5432',
                              'address': 'd', 'siteId': 's'}]
MULTI = ['tcpListener', {'name': 'multiAddress/m', 'host': '0.0.0.0', 'port': '9000', 'siteId': 's',
                         'multiAddressStrategy': 'priority'}]
ROUTER = ['router', {'id': 'west-1', 'mode': 'interior'}]


def moved(entity, **attrs):
    return [entity[0], dict(entity[1], **attrs)]


def test_only_single_key_tcp_listeners_and_tcp_connectors_are_live():
    assert [e for e in [ROUTER, LISTENER, CONNECTOR, MULTI] if live_config.is_live(e)] == [LISTENER, CONNECTOR]
    assert live_config.static_entities([ROUTER, LISTENER, CONNECTOR, MULTI]) == [ROUTER, MULTI]


def test_a_changed_entity_is_deleted_then_created_and_deletes_go_first_connectors_before_listeners():
    before = [ROUTER, LISTENER, CONNECTOR]
    after = [ROUTER, moved(CONNECTOR, port='5433'), ['tcpListener', dict(LISTENER[1], name='listener/b')]]
    changes = live_config.plan_changes(before, after)
    assert changes.created == ['tcpListener listener/b']
    assert changes.deleted == ['tcpListener listener/a']
    assert changes.updated == ['tcpConnector connector/d@127.0.0.1']
    assert [op[:3] for op in changes.operations] == [
        ('DELETE', 'tcpListener', 'listener/a'), ('DELETE', 'tcpConnector', 'connector/d@127.0.0.1'),
        ('CREATE', 'tcpConnector', 'connector/d@127.0.0.1'), ('CREATE', 'tcpListener', 'listener/b')]
    assert changes.operations[2][3]['port'] == '5433'
    assert live_config.plan_changes(before, list(before)).operations == []


def test_parse_config_takes_router_configs_only():
    assert live_config.parse_config(b'[["router", {"id": "x"}]]') == [['router', {'id': 'x'}]]
    assert live_config.parse_config(None) is None
    assert live_config.parse_config(b'{"router": 1}') is None
    assert live_config.parse_config(b'not json') is None


def test_mismatches_name_missing_moved_and_extra_entities():
    found = {'tcpListener': [dict(LISTENER[1], port='8081', multiAddressStrategy='none'),
                             dict(MULTI[1], name='multiAddress/m')],
             'tcpConnector': [dict(CONNECTOR[1], name='connector/x@127.0.0.1')]}
    assert live_config.mismatches([ROUTER, LISTENER, CONNECTOR, MULTI], found) == [
        'tcpConnector connector/d@127.0.0.1 is missing', 'tcpListener listener/a has port 8081, not 8080',
        'tcpConnector connector/x@127.0.0.1 should not be there']
    assert live_config.mismatches([LISTENER], {'tcpListener': [dict(LISTENER[1], port=8080)]}) == []


def _record(result):
    return {'runtime_digest': result.runtime_digest, 'static_digest': result.static_digest}


def test_a_listener_change_is_live_a_link_access_change_is_not(west):
    home = west.home('west')
    first = west.render('west')
    record = _record(first)
    write_input(home, resource('Listener', 'extra', {'host': '0.0.0.0', 'port': 8081, 'routingKey': 'extra'},
                               'west'))
    added = west.render('west', dry_run=True)
    assert added.runtime_digest != first.runtime_digest and added.static_digest == first.static_digest
    assert added.previous_digest == first.runtime_digest
    changes = live_config.live_change(record, added)
    assert (changes.created, changes.deleted, changes.updated) == (['tcpListener listener/extra'], [], [])
    # the same answer once the render wrote the new config: the previous config is the one before it
    assert live_config.live_change(record, west.render('west')) == changes
    # a record without the static digest (a router started before the split) restarts
    assert live_config.live_change({'runtime_digest': first.runtime_digest}, added) is None
    # the config on disk is not what the record says the router read: restart
    assert live_config.live_change(record, west.render('west')) is None

    site = resource('Site', 'west', {}, 'west')
    write_input(home, site)
    os.unlink(os.path.join(home, 'input/resources/Listener-extra.yaml'))
    dropped = west.render('west', dry_run=True)
    assert dropped.static_digest != first.static_digest
    assert live_config.live_change(record, dropped) is None
