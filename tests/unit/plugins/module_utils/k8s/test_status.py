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
                            'status': 'Ready', 'reason': None, 'router_id': None}
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
