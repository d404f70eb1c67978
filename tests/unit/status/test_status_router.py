"""network_info of system sites from real router outputs (../shared/reference/router/samples)."""

import json
import os

import pytest

from ansible_collections.appnet.skupper.plugins.module_utils import status
from ansible_collections.appnet.skupper.plugins.module_utils.system import management
from tests.support.reference import absent_reason, reference_path

SAMPLES = reference_path('router', 'samples')
QUERIED = ('router', 'router.node', 'connector', 'connection', 'tcpListener', 'tcpConnector')

pytestmark = pytest.mark.skipif(not os.path.isdir(SAMPLES), reason=absent_reason('router', 'samples'))


def sample(name):
    with open(os.path.join(SAMPLES, name)) as handle:
        return handle.read()


def router_state(router):
    state = dict((entity_type, json.loads(sample('%s-query-%s.json' % (router, entity_type))))
                 for entity_type in QUERIED)
    return state


def by_name(items):
    return dict((item['name'], item) for item in items)


def test_east_link_up_and_link_refused():
    info = status.from_router(router_state('east'))
    links = by_name(info['links'])
    assert links['link-west']['status'] == 'Ready' and links['link-west']['reason'] is None
    assert links['link-west']['remote_site_name'] == 'west'
    assert (links['link-west']['host'], links['link-west']['port'], links['link-west']['cost']) == ('127.0.0.1', 55671, 1)
    assert links['link-nowhere']['status'] == 'Pending'
    assert links['link-nowhere']['reason'].startswith('connection refused by 127.0.0.1:55999')
    assert links['link-nowhere']['remote_site_name'] is None
    assert info['ready'] is False


def test_east_site_peers_and_connector():
    info = status.from_router(router_state('east'), namespace='default')
    assert info['site'] == {'name': 'east', 'id': '22222222-2222-2222-2222-222222222222', 'platform': 'linux',
                            'namespace': 'default', 'status': 'Ready', 'reason': None,
                            'router_id': 'east-1700000000-default'}
    assert info['peers'] == [{'router_id': 'west-1700000000-default', 'site_name': 'west', 'site_id': None}]
    connector = info['connectors'][0]
    assert (connector['name'], connector['routing_key'], connector['port']) == ('backend', 'backend', 19090)
    assert connector['matched'] is None and connector['status'] == 'Pending'


def test_connector_matched_from_skstat_addresses():
    state = router_state('east')
    state['router.address'] = status.addresses_from_skstat(management.parse_skstat(sample('east-skstat-a.txt')))
    connector = status.from_router(state)['connectors'][0]
    assert connector['matched'] is True and connector['status'] == 'Ready'


def test_west_listeners_matched_by_oper_status():
    info = status.from_router(router_state('west'))
    listeners = by_name(info['listeners'])
    assert listeners['backend']['matched'] is True and listeners['backend']['status'] == 'Ready'
    assert (listeners['backend']['host'], listeners['backend']['port']) == ('127.0.0.1', 18080)
    assert listeners['orphan']['matched'] is False and listeners['orphan']['status'] == 'Pending'
    assert 'no connector for routing key orphan' in listeners['orphan']['reason']
    assert info['links'] == [] and info['ready'] is True
    assert [peer['site_name'] for peer in info['peers']] == ['east']


def test_north_tls_failures_have_readable_reasons():
    state = {'router': [{'id': 'north-1700000000-default'}],
             'connector': json.loads(sample('north-query-connector-tls-failures.json'))}
    links = by_name(status.from_router(state)['links'])
    assert links['link-west-untrusted']['status'] == 'Pending'
    assert links['link-west-untrusted']['reason'] == \
        "TLS: the remote site does not trust this site's certificate (unknown ca)"
    assert links['link-west-by-ip-noname']['status'] == 'Pending'
    assert 'not valid for host ::1' in links['link-west-by-ip-noname']['reason']
    assert '(certificate verify failed)' in links['link-west-by-ip-noname']['reason']


def test_expected_links_and_not_ready_lines():
    info = status.from_router(router_state('east'), expected_links=['west', 'north'])
    assert info['missing_links'] == ['north']
    problems = status.not_ready(info)
    assert any(line.startswith('link link-nowhere is Pending: connection refused') for line in problems)
    assert 'no Ready link to site north' in problems


def test_resources_without_router_entities_are_pending():
    resources = {'Site': {'east': {'metadata': {'name': 'east', 'uid': 'uid-east'}}},
                 'Link': {'link-new': {'metadata': {'name': 'link-new'},
                                       'spec': {'endpoints': [{'host': 'w.example', 'port': '55671'}]}}},
                 'Listener': {'db': {'metadata': {'name': 'db'},
                                     'spec': {'routingKey': 'db', 'host': '0.0.0.0', 'port': 5432}}}}
    info = status.from_router(None, resources, router_error='the router is not running on port 25671')
    assert info['site']['status'] == 'Pending' and 'not running on port 25671' in info['site']['reason']
    assert info['site']['id'] == 'uid-east'
    link = info['links'][0]
    assert (link['name'], link['status'], link['port']) == ('link-new', 'Pending', 55671)
    assert 'reload' in link['reason']
    assert info['listeners'][0]['status'] == 'Pending' and info['ready'] is False


@pytest.mark.parametrize('router_id,site', [('west-1700000000-default', 'west'), ('my-site-1753264871-417301552',
                                                                                  'my-site'),
                                            ('west-0f9c2d0e', 'west'), ('my-site-0f9c2d0e', 'my-site'),
                                            ('west-0f9c2d0x', None), ('west', None), (None, None)])
def test_site_name_from_router_id(router_id, site):
    assert status.site_name_from_router_id(router_id) == site


def test_parse_skstat_connections_table():
    table = management.parse_skstat(sample('east-skstat-c.txt'))
    assert table['router_id'] == 'east-1700000000-default' and table['title'] == 'Connections'
    assert table['columns'][-2:] == ['last dlv', 'uptime']
    rows = table['rows']
    assert [row['id'] for row in rows] == ['1', '12', '13', '11', '31']
    assert rows[1]['container'] == 'west-1700000000-default' and rows[1]['meshId'] == ''
    assert rows[4]['authentication'] == 'CN=east-local-client(x.509)'


def test_parse_skstat_nodes_and_links_tables():
    nodes = management.parse_skstat(sample('west-skstat-n.txt'))
    assert nodes['rows'] == [{'router-id': 'east-1700000000-default', 'next-hop': '-', 'link': '0'},
                             {'router-id': 'west-1700000000-default', 'next-hop': '(self)', 'link': '-'}]
    links = management.parse_skstat(sample('east-skstat-l.txt'))
    assert links['rows'][0]['addr'] == 'backend' and links['rows'][0]['conn id'] == '1'
    assert links['rows'][1]['class'] == '' and links['rows'][1]['type'] == 'router-control'
