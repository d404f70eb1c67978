"""Discovery: /version, /api, /api/v1, /apis, and the skupper.io group version."""

from tests.conformance.support import API_VERSION, GROUP


def test_version_reports_major_and_minor(kube):
    status, body, _unused = kube.request('GET', '/version')
    assert status == 200
    assert body['major'] == '1' and body['gitVersion'].startswith('v1.')


def test_core_api_versions(kube):
    status, body, _unused = kube.request('GET', '/api')
    assert (status, body['kind'], body['versions']) == (200, 'APIVersions', ['v1'])


def test_core_v1_lists_namespaces_secrets_configmaps(kube):
    status, body, _unused = kube.request('GET', '/api/v1')
    resources = {r['name']: r for r in body['resources']}
    assert status == 200 and body['groupVersion'] == 'v1'
    assert resources['namespaces']['namespaced'] is False and resources['namespaces']['kind'] == 'Namespace'
    assert resources['secrets']['namespaced'] is True and 'create' in resources['secrets']['verbs']
    assert resources['configmaps']['kind'] == 'ConfigMap'


def test_group_list_has_skupper_and_apiextensions(kube):
    status, body, _unused = kube.request('GET', '/apis')
    groups = {g['name']: g for g in body['groups']}
    assert status == 200 and body['kind'] == 'APIGroupList'
    assert groups[GROUP]['preferredVersion']['groupVersion'] == API_VERSION
    assert 'apiextensions.k8s.io' in groups


def test_skupper_resources_with_status_subresources(kube):
    status, body, _unused = kube.request('GET', f'/apis/{API_VERSION}')
    resources = {r['name']: r for r in body['resources']}
    assert status == 200 and body['groupVersion'] == API_VERSION
    listener = resources['listeners']
    assert (listener['kind'], listener['singularName'], listener['namespaced']) == ('Listener', 'listener', True)
    assert {'create', 'get', 'list', 'watch', 'patch', 'update', 'delete'} <= set(listener['verbs'])
    assert set(resources['listeners/status']['verbs']) == {'get', 'patch', 'update'}
    assert {'sites', 'links', 'connectors', 'accessgrants', 'accesstokens', 'multikeylisteners'} <= set(resources)


def test_skupper_group_document(kube):
    status, body, _unused = kube.request('GET', f'/apis/{GROUP}')
    assert status == 200 and body['name'] == GROUP
    assert {'groupVersion': API_VERSION, 'version': 'v2alpha1'} in body['versions']


def test_unknown_resource_is_not_found(kube):
    status, body, _unused = kube.request('GET', f'/apis/{API_VERSION}/namespaces/default/nosuchthings')
    assert status == 404 and body['reason'] == 'NotFound'


def test_skupper_crds_are_readable(kube):
    status, body, _unused = kube.request('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/sites.skupper.io')
    assert status == 200 and body['spec']['names']['kind'] == 'Site'
