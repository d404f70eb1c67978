"""network_info of Kubernetes sites from resource statuses (plain dicts, as the API returns them)."""

from ansible_collections.appnet.skupper.plugins.module_utils import network_info_shape
from ansible_collections.appnet.skupper.plugins.module_utils.k8s import status as k8s_status


def resource(kind, name, spec, resource_status=None, uid=None):
    metadata = {'name': name, 'namespace': 'west'}
    if uid:
        metadata['uid'] = uid
    return {'kind': kind, 'metadata': metadata, 'spec': spec, 'status': resource_status or {}}


def condition(kind, value, reason='Ready', message='OK'):
    return {'type': kind, 'status': value, 'reason': reason, 'message': message}


SITE = resource('Site', 'west', {'linkAccess': 'default'},
                {'status': 'Ready', 'message': 'OK', 'network': [{'id': 'uid-west', 'name': 'west'},
                                                                 {'id': 'uid-east', 'name': 'east'}]}, uid='uid-west')
LINK_UP = resource('Link', 'to-east', {'cost': 2, 'endpoints': [{'name': 'edge', 'host': 'e', 'port': '45671'},
                                                                {'name': 'inter-router', 'host': 'e', 'port': '55671'}]},
                   {'status': 'Ready', 'message': 'OK', 'remoteSiteName': 'east', 'remoteSiteId': 'uid-east'})
LINK_DOWN = resource('Link', 'to-north', {'endpoints': [{'name': 'inter-router', 'host': 'n', 'port': '55671'}]},
                     {'status': 'Pending', 'message': 'Not Operational',
                      'conditions': [condition('Configured', 'True'),
                                     condition('Operational', 'False', 'Pending', 'Not Operational')]})


def test_site_links_and_peers():
    info = k8s_status.from_kubernetes(SITE, [LINK_UP, LINK_DOWN], expected_links=['east'])
    assert info['site'] == {'name': 'west', 'id': 'uid-west', 'platform': 'kubernetes', 'namespace': 'west',
                            'status': 'Ready', 'reason': None, 'router_id': None, 'version': None, 'endpoints': []}
    up, down = info['links']
    assert up == {'name': 'to-east', 'status': 'Ready', 'reason': None, 'remote_site_name': 'east',
                  'remote_site_id': 'uid-east', 'cost': 2, 'host': 'e', 'port': 55671}
    assert (down['status'], down['reason'], down['cost'], down['remote_site_name']) == \
        ('Pending', 'Not Operational', 1, None)
    assert info['peers'] == [{'router_id': None, 'site_name': 'east', 'site_id': 'uid-east'}]
    assert info['missing_links'] == [] and info['ready'] is False


def test_ready_when_every_link_is_ready():
    assert k8s_status.from_kubernetes(SITE, [LINK_UP], expected_links=['east'])['ready'] is True
    info = k8s_status.from_kubernetes(SITE, [LINK_UP], expected_links=['north'])
    assert info['ready'] is False and info['missing_links'] == ['north']


def test_listeners_and_connectors_matched_flags():
    listener = resource('Listener', 'db', {'routingKey': 'db', 'host': 'db', 'port': 5432},
                        {'status': 'Ready', 'message': 'OK', 'hasMatchingConnector': True})
    lonely = resource('Listener', 'cache', {'routingKey': 'cache', 'host': 'cache', 'port': 6379},
                      {'status': 'Pending', 'message': 'No matching connectors', 'hasMatchingConnector': False})
    connector = resource('Connector', 'db', {'routingKey': 'db', 'host': 'pg', 'port': 5432})
    info = k8s_status.from_kubernetes(SITE, listeners=[listener, lonely], connectors=[connector])
    assert info['listeners'][0] == {'name': 'db', 'routing_key': 'db', 'host': 'db', 'port': 5432,
                                    'status': 'Ready', 'reason': None, 'matched': True}
    assert (info['listeners'][1]['matched'], info['listeners'][1]['reason']) == (False, 'No matching connectors')
    assert info['connectors'][0]['matched'] is None and info['connectors'][0]['reason'] == 'no status yet'
    assert info['ready'] is True


def test_no_site_and_pending_site():
    assert k8s_status.from_kubernetes(None)['site']['reason'] == 'no Site in the namespace'
    pending = resource('Site', 'west', {}, {'status': 'Pending', 'conditions': [
        condition('Configured', 'True'), condition('Running', 'False', 'Pending', 'No router pod is ready')]})
    info = k8s_status.from_kubernetes(pending)
    assert (info['site']['status'], info['site']['reason'], info['ready']) == \
        ('Pending', 'No router pod is ready', False)
    assert network_info_shape.not_ready(info) == ['site west is Pending: No router pod is ready']


NETWORK_SITE = resource('Site', 'west', {'linkAccess': 'default'}, {
    'status': 'Ready', 'message': 'OK', 'sitesInNetwork': 2,
    'endpoints': [{'name': 'inter-router', 'host': 'west.example.com', 'port': '55671', 'group': 'skupper-router'}],
    'network': [
        {'id': 'uid-west', 'name': 'west', 'namespace': 'west', 'platform': 'kubernetes', 'version': '2.1.0',
         'services': [{'routingKey': 'db', 'connectors': ['pg'], 'listeners': []}]},
        {'id': 'uid-east', 'name': 'east', 'namespace': 'shop', 'platform': 'linux', 'version': '2.1.1',
         'links': [{'name': 'link-west', 'remoteSiteId': 'uid-west', 'remoteSiteName': 'west', 'operational': True}],
         'services': [{'routingKey': 'db', 'listeners': ['db']}]}]}, uid='uid-west')


def test_the_sites_of_the_network_and_the_endpoints_from_the_site_status():
    info = k8s_status.from_kubernetes(NETWORK_SITE, router_version='3.4.0')
    assert info['site']['endpoints'] == [{'name': 'inter-router', 'host': 'west.example.com', 'port': 55671,
                                          'group': 'skupper-router'}]
    assert info['site']['version'] == '2.1.0'
    west, east = info['sites']
    assert (west['name'], west['self'], west['links']) == ('west', True, [])
    assert west['services'] == [{'routing_key': 'db', 'listeners': [], 'connectors': ['pg']}]
    assert (east['name'], east['id'], east['platform'], east['namespace'], east['version'], east['self']) == (
        'east', 'uid-east', 'linux', 'shop', '2.1.1', False)
    assert [(link['name'], link['status'], link['remote_site_name'], link['remote_site_id']) for link in east['links']] \
        == [('link-west', 'Ready', 'west', 'uid-west')]
    assert info['versions'] == {'collection': network_info_shape.COLLECTION_VERSION, 'router': '3.4.0'}


def test_an_error_stays_an_error_with_its_message():
    broken = resource('Site', 'west', {}, {'status': 'Error', 'message': 'the site CA secret is invalid'})
    link = resource('Link', 'to-east', {}, {'status': 'Error', 'message': 'secret to-east not found'})
    listener = resource('Listener', 'db', {'routingKey': 'db', 'host': 'db', 'port': 5432},
                        {'status': 'Error', 'message': 'port 5432 is taken'})
    grant = resource('AccessGrant', 'g', {'redemptionsAllowed': 2},
                     {'status': 'Error', 'message': 'no grant server', 'redemptions': 0})
    info = k8s_status.from_kubernetes(broken, [link], listeners=[listener], resources={'AccessGrant': {'g': grant}})
    assert (info['site']['status'], info['site']['reason']) == ('Error', 'the site CA secret is invalid')
    assert (info['links'][0]['status'], info['links'][0]['reason']) == ('Error', 'secret to-east not found')
    assert (info['listeners'][0]['status'], info['listeners'][0]['reason']) == ('Error', 'port 5432 is taken')
    assert info['resources'] == [{'kind': 'AccessGrant', 'name': 'g', 'status': 'Error', 'reason': 'no grant server',
                                  'redemptions': 0, 'redemptions_allowed': 2, 'expiration_time': None, 'url': None}]
    assert network_info_shape.not_ready(info)[0] == 'site west is Error: the site CA secret is invalid'


def test_router_version_is_the_image_tag():
    assert k8s_status.image_version('quay.io/skupper/skupper-router:3.4.0') == '3.4.0'
    assert k8s_status.image_version('localhost:5000/skupper-router') == 'latest'
    assert k8s_status.image_version('quay.io/skupper/skupper-router@sha256:abc') == 'sha256:abc'
    assert k8s_status.image_version(None) is None
