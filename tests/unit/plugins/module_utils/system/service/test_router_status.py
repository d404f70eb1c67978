"""network_info of system sites from real router outputs (../shared/reference/router/samples)."""

import json
import os

import pytest

from ansible_collections.appnet.skupper.plugins.module_utils import network_info_shape
from ansible_collections.appnet.skupper.plugins.module_utils.system.service import router_status
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


# The samples' router ids (<site>-1700000000-default) are Skupper-like but of no form a router really uses;
# these are the ids real routers of the same sites would have.
REAL_IDS = {'west': 'west-1700000000-417301552', 'east': 'east-1700000000-88120991'}


def with_real_router_ids(state):
    """state with the samples' router ids replaced by real Skupper ids (<site>-<seconds>-<nanoseconds>)."""
    text = json.dumps(state)
    for site, real in REAL_IDS.items():
        text = text.replace('%s-1700000000-default' % site, real)
    return json.loads(text)


def east_resources(annotated=True):
    link = {'kind': 'Link', 'metadata': {'name': 'link-west'}, 'spec': {'cost': 1}}
    if annotated:
        link['metadata']['annotations'] = {router_status.REMOTE_SITE_ANNOTATION: 'west'}
    return {'Site': {'east': {'kind': 'Site', 'metadata': {'name': 'east'}}}, 'Link': {'link-west': link}}


def test_east_link_up_and_link_refused():
    info = router_status.from_router(router_state('east'), east_resources())
    links = by_name(info['links'])
    assert links['link-west']['status'] == 'Ready' and links['link-west']['reason'] is None
    assert links['link-west']['remote_site_name'] == 'west'  # the Link's fact, and the peer's id starts with it
    assert (links['link-west']['host'], links['link-west']['port'], links['link-west']['cost']) == ('127.0.0.1', 55671, 1)
    assert links['link-nowhere']['status'] == 'Pending'
    assert links['link-nowhere']['reason'].startswith('connection refused by 127.0.0.1:55999')
    assert links['link-nowhere']['remote_site_name'] is None
    assert info['ready'] is False


def test_without_facts_a_router_id_of_no_known_form_names_no_site():
    info = router_status.from_router(router_state('east'), east_resources(annotated=False))
    assert by_name(info['links'])['link-west']['remote_site_name'] is None
    assert info['peers'] == [{'router_id': 'west-1700000000-default', 'site_name': None, 'site_id': None}]


def test_real_skupper_router_ids_name_their_sites_without_facts():
    info = router_status.from_router(with_real_router_ids(router_state('east')), east_resources(annotated=False))
    assert by_name(info['links'])['link-west']['remote_site_name'] == 'west'
    assert info['peers'] == [{'router_id': REAL_IDS['west'], 'site_name': 'west', 'site_id': None}]
    west = router_status.from_router(with_real_router_ids(router_state('west')))
    assert west['site']['name'] == 'west' and [peer['site_name'] for peer in west['peers']] == ['east']


def test_east_site_peers_and_connector():
    info = router_status.from_router(router_state('east'), east_resources(), namespace='default')
    assert info['site'] == {'name': 'east', 'id': '22222222-2222-2222-2222-222222222222', 'platform': 'linux',
                            'namespace': 'default', 'status': 'Ready', 'reason': None,
                            'router_id': 'east-1700000000-default', 'version': '2.1.0', 'endpoints': []}
    # the peer at the other end of link-west is west, as the Link says
    assert info['peers'] == [{'router_id': 'west-1700000000-default', 'site_name': 'west', 'site_id': None}]
    connector = info['connectors'][0]
    assert (connector['name'], connector['routing_key'], connector['port']) == ('backend', 'backend', 19090)
    assert connector['matched'] is None and connector['status'] == 'Pending'


def test_west_listeners_matched_by_oper_status():
    info = router_status.from_router(router_state('west'))
    listeners = by_name(info['listeners'])
    assert listeners['backend']['matched'] is True and listeners['backend']['status'] == 'Ready'
    assert (listeners['backend']['host'], listeners['backend']['port']) == ('127.0.0.1', 18080)
    assert listeners['orphan']['matched'] is False and listeners['orphan']['status'] == 'Pending'
    assert 'no connector for routing key orphan' in listeners['orphan']['reason']
    assert info['links'] == [] and info['ready'] is True
    assert [peer['router_id'] for peer in info['peers']] == ['east-1700000000-default']


def test_north_tls_failures_have_readable_reasons():
    state = {'router': [{'id': 'north-1700000000-default'}],
             'connector': json.loads(sample('north-query-connector-tls-failures.json'))}
    links = by_name(router_status.from_router(state)['links'])
    assert links['link-west-untrusted']['status'] == 'Pending'
    assert links['link-west-untrusted']['reason'] == \
        "TLS: the remote site does not trust this site's certificate (unknown ca)"
    assert links['link-west-by-ip-noname']['status'] == 'Pending'
    assert 'not valid for host ::1' in links['link-west-by-ip-noname']['reason']
    assert '(certificate verify failed)' in links['link-west-by-ip-noname']['reason']


def test_expected_links_and_not_ready_lines():
    info = router_status.from_router(router_state('east'), east_resources(), expected_links=['west', 'north'])
    assert info['missing_links'] == ['north']
    problems = network_info_shape.not_ready(info)
    assert any(line.startswith('link link-nowhere is Pending: connection refused') for line in problems)
    assert 'no Ready link to site north' in problems


def test_resources_without_router_entities_are_pending():
    resources = {'Site': {'east': {'metadata': {'name': 'east', 'uid': 'uid-east'}}},
                 'Link': {'link-new': {'metadata': {'name': 'link-new'},
                                       'spec': {'endpoints': [{'host': 'w.example', 'port': '55671'}]}}},
                 'Listener': {'db': {'metadata': {'name': 'db'},
                                     'spec': {'routingKey': 'db', 'host': '0.0.0.0', 'port': 5432}}}}
    info = router_status.from_router(None, resources, router_error='the router is not running on port 25671')
    assert info['site']['status'] == 'Pending' and 'not running on port 25671' in info['site']['reason']
    assert info['site']['id'] == 'uid-east'
    link = info['links'][0]
    assert (link['name'], link['status'], link['port']) == ('link-new', 'Pending', 55671)
    assert 'reload' in link['reason']
    assert info['listeners'][0]['status'] == 'Pending' and info['ready'] is False


@pytest.mark.parametrize('router_id,site', [
    # Skupper on Linux, Podman and Docker: <site>-<seconds>-<nanoseconds>
    ('west-1753264871-417301552', 'west'), ('my-site-1753264871-417301552', 'my-site'),
    ('db-2024-1753264871-417301552', 'db-2024'), ('west-1753264871-5', 'west'),
    ('east-1753265002-88120991', 'east'),  # 8-digit nanoseconds are also 8 hex digits: Skupper's form wins
    # Skupper on Kubernetes: <site>-<router pod name>
    ('west-skupper-router-6d8f7c9b4-x7k2p', 'west'), ('west-skupper-router-2-6d8f7c9b4-x7k2p', 'west'),
    ('my-site-1-skupper-router-5b7d9f8c6-q2w4z', 'my-site-1'),
    # this collection: <site>-<8 hex digits of the site id>
    ('west-0f9c2d0e', 'west'), ('my-site-0f9c2d0e', 'my-site'), ('site-1-0f9c2d0e', 'site-1'),
    ('db-2024-2fbf8eb6', 'db-2024'), ('east-2-41c0ffee', 'east-2'),
    # no known form
    ('west-1700000000-default', None), ('west-0f9c2d0x', None), ('west-skupper-router-6d8f7c9b4-x7k2', None),
    ('west', None), (None, None)])
def test_site_name_from_router_id(router_id, site):
    assert router_status.site_name_from_router_id(router_id) == site


@pytest.mark.parametrize('router_id,known,site', [
    ('site-1-0f9c2d0e', ['site', 'site-1'], 'site-1'),
    ('site-0f9c2d0e', ['site', 'site-1'], 'site'),
    ('east-1753265002-88120991', ['east-1753265002'], 'east-1753265002'),  # a known name tells the forms apart
    ('west-skupper-router-6d8f7c9b4-x7k2p', ['west', 'west-skupper'], 'west'),
    ('north-0f9c2d0e', ['west'], 'north'),  # known names are preferred, not forced
])
def test_known_site_names_tell_router_ids_apart(router_id, known, site):
    assert router_status.site_name_from_router_id(router_id, known) == site


@pytest.mark.parametrize('peer,fact,site', [
    ('west-0f9c2d0e', 'west', 'west'),
    ('west-1700000000-default', 'west', 'west'),  # an id of no known form does not contradict the fact
    (None, 'west', 'west'),  # no connection seen: the fact stands
    ('west-2-0f9c2d0e', 'west', 'west-2'),  # the peer is another site's router: the router is right
    ('north-0f9c2d0e', 'west', 'north'),
    ('west-0f9c2d0e', None, 'west'),
])
def test_the_remote_site_of_a_link_prefers_the_links_fact(peer, fact, site):
    link = {'metadata': {'name': 'link-west', 'annotations': {router_status.REMOTE_SITE_ANNOTATION: fact} if fact else {}}}
    assert router_status.remote_site_name(peer, link) == site


def test_remote_site_id_of_an_up_link_comes_from_the_remote_router():
    state = router_state('east')
    state[router_status.REMOTE_ROUTERS] = {'west-1700000000-default': json.loads(sample('west-query-router.json'))[0]}
    links = by_name(router_status.from_router(state, east_resources())['links'])
    assert links['link-west']['remote_site_id'] == '11111111-1111-1111-1111-111111111111'
    assert links['link-nowhere']['remote_site_id'] is None
    # without an answer of the remote router the id is unknown, not guessed
    assert by_name(router_status.from_router(router_state('east'), east_resources())['links'])['link-west'][
        'remote_site_id'] is None


def test_a_listener_whose_port_is_taken_is_not_ready_with_the_router_message():
    state = router_state('west')
    backend = next(item for item in state['tcpListener'] if item['address'] == 'backend')
    backend.update(operStatus='down', connectionMsg='Address already in use')
    state['router.address'] = [{'key': 'Mbackend', 'subscriberCount': 0, 'remoteCount': 1}]
    listener = by_name(router_status.from_router(state)['listeners'])['backend']
    assert listener['status'] == 'Pending'
    assert listener['reason'] == 'cannot listen on 127.0.0.1:18080: Address already in use'
    # a connector for the key is reachable (the address table says so): only the port keeps it from being ready
    assert listener['matched'] is True


def _connector_state(remote_listeners=None):
    state = {'tcpConnector': [{'name': 'connector/backend', 'address': 'backend', 'host': '127.0.0.1', 'port': '9090'}],
             'tcpListener': [], 'router.address': []}
    if remote_listeners is not None:
        state[router_status.REMOTE_LISTENERS] = remote_listeners
    return state


def test_connector_matched_by_a_listener_of_another_router():
    """A listener for the key at any other router of the network (asked over the network) matches the connector."""
    north = [{'name': 'listener/b', 'address': 'backend', 'operStatus': 'down'}]
    state = _connector_state({'0/east-1a2b3c4d': [], '0/north-5e6f7a8b': north})
    (connector,) = router_status.router_connectors(state, {})
    assert connector['matched'] is True
    assert connector['status'] == network_info_shape.READY
    assert connector['reason'] is None


def test_connector_not_matched_when_every_router_was_asked():
    state = _connector_state({'0/east-1a2b3c4d': [{'name': 'listener/other', 'address': 'other'}]})
    (connector,) = router_status.router_connectors(state, {})
    assert connector['matched'] is False
    assert connector['reason'] == 'no listener for routing key backend in the network'


def test_connector_match_unknown_when_other_routers_were_not_asked():
    (connector,) = router_status.router_connectors(_connector_state(), {})
    assert connector['matched'] is None
    assert 'could not be asked' in connector['reason']


def west_remote_state():
    """What east's management session holds of west (REMOTE_STATE): west's own answers."""
    return {'west-1700000000-default': dict(
        (entity_type, json.loads(sample('west-query-%s.json' % entity_type)))
        for entity_type in ('router', 'site', 'connector', 'connection', 'tcpListener', 'tcpConnector'))}


def test_the_sites_of_the_network_from_one_site():
    state = router_state('east')
    state[router_status.REMOTE_STATE] = west_remote_state()
    info = router_status.from_router(state, east_resources(), namespace='default')
    sites = by_name(info['sites'])
    assert list(sites) == ['east', 'west']
    east, west = sites['east'], sites['west']
    assert (east['self'], east['id'], east['router_id'], east['version']) == (
        True, '22222222-2222-2222-2222-222222222222', 'east-1700000000-default', '2.1.0')
    assert [(link['name'], link['status'], link['remote_site_name']) for link in east['links']] == [
        ('link-west', 'Ready', 'west'), ('link-nowhere', 'Pending', None)]
    assert east['services'] == [{'routing_key': 'backend', 'listeners': [], 'connectors': ['127.0.0.1:19090']}]
    # west as west's router tells it through the network: its site id, platform and version (router metadata),
    # namespace (site entity), no link of its own (east dialed), its listeners by routing key
    assert (west['self'], west['id'], west['platform'], west['namespace'], west['version'], west['router_id']) == (
        False, '11111111-1111-1111-1111-111111111111', 'linux', 'default', '2.1.0', 'west-1700000000-default')
    assert west['links'] == []
    assert {item['routing_key']: item['listeners'] for item in west['services']} == {
        'backend': ['backend'], 'orphan': ['orphan']}


def test_without_remote_answers_the_sites_come_from_router_nodes():
    info = router_status.from_router(with_real_router_ids(router_state('west')),
                                     {'Site': {'west': {'kind': 'Site', 'metadata': {'name': 'west'}}}})
    sites = by_name(info['sites'])
    assert sites['west']['self'] is True
    other = [site for site in info['sites'] if not site['self']]
    assert [(site['router_id'], site['name'], site['id']) for site in other] == [(REAL_IDS['east'], 'east', None)]
    # the link state of router.node: east has a link with west
    assert [(link['remote_site_name'], link['status']) for link in other[0]['links']] == [('west', 'Ready')]


def test_statuses_of_other_kinds_keep_error():
    resources = east_resources()
    resources['AccessGrant'] = {'grant': {'kind': 'AccessGrant', 'metadata': {'name': 'grant'},
                                          'spec': {'redemptionsAllowed': 3},
                                          'status': {'status': 'Ready', 'message': 'OK', 'redemptions': 1,
                                                     'expirationTime': '2026-12-08T10:00:00Z'}}}
    resources['Certificate'] = {'bad': {'kind': 'Certificate', 'metadata': {'name': 'bad'},
                                        'status': {'status': 'Error', 'message': 'no CA named nowhere'}}}
    resources['RouterAccess'] = {'ra': {'kind': 'RouterAccess', 'metadata': {'name': 'ra'}}}
    resources['Certificate']['leaf'] = {'kind': 'Certificate', 'metadata': {'name': 'leaf'},
                                        'status': {'message': 'OK', 'expiration': '2031-12-06T11:18:56Z'}}
    info = router_status.from_router(router_state('east'), resources)
    found = dict(((item['kind'], item['name']), item) for item in info['resources'])
    assert found[('AccessGrant', 'grant')] == {
        'kind': 'AccessGrant', 'name': 'grant', 'status': 'Ready', 'reason': None, 'redemptions': 1,
        'redemptions_allowed': 3, 'expiration_time': '2026-12-08T10:00:00Z', 'url': None}
    assert (found[('Certificate', 'bad')]['status'], found[('Certificate', 'bad')]['reason']) == (
        'Error', 'no CA named nowhere')
    assert found[('Certificate', 'leaf')] == {'kind': 'Certificate', 'name': 'leaf', 'status': 'Ready', 'reason': None,
                                              'expiration': '2031-12-06T11:18:56Z'}
    assert (found[('RouterAccess', 'ra')]['status'], found[('RouterAccess', 'ra')]['reason']) == (
        'Pending', 'no status yet')
    assert info['versions'] == {'collection': network_info_shape.COLLECTION_VERSION, 'router': None}
