"""dryRun=All: the would-be result comes back, nothing is stored, resourceVersion does not move."""

from tests.conformance.support import API_VERSION, GROUP, VERSION, failure, listener


def _version(kube, namespace, name='db'):
    return kube.get(namespace, 'listeners', name)['metadata']['resourceVersion']


def test_dry_run_create_stores_nothing(kube, namespace):
    answer = kube.custom.create_namespaced_custom_object(GROUP, VERSION, namespace, 'listeners', listener('db'),
                                                         dry_run='All')
    assert answer['spec']['port'] == 5432 and answer['metadata']['uid']
    assert failure(kube.get, namespace, 'listeners', 'db')['code'] == 404


def test_dry_run_create_still_validates(kube, namespace):
    error = failure(kube.custom.create_namespaced_custom_object, GROUP, VERSION, namespace, 'listeners',
                    listener('db', port='x'), dry_run='All')
    assert error['code'] == 422


def test_dry_run_patch_keeps_stored_object(kube, namespace):
    kube.create(namespace, 'listeners', listener('db'))
    before = _version(kube, namespace)
    answer = kube.custom.patch_namespaced_custom_object(GROUP, VERSION, namespace, 'listeners', 'db',
                                                        {'spec': {'port': 1}}, dry_run='All')
    assert answer['spec']['port'] == 1 and answer['metadata']['generation'] == 2
    assert kube.get(namespace, 'listeners', 'db')['spec']['port'] == 5432
    assert _version(kube, namespace) == before


def test_dry_run_replace_keeps_stored_object(kube, namespace):
    created = kube.create(namespace, 'listeners', listener('db'))
    answer = kube.custom.replace_namespaced_custom_object(GROUP, VERSION, namespace, 'listeners', 'db',
                                                          dict(created, spec=dict(created['spec'], port=2)),
                                                          dry_run='All')
    assert answer['spec']['port'] == 2
    assert kube.get(namespace, 'listeners', 'db')['spec']['port'] == 5432


def test_dry_run_apply_keeps_stored_object(kube, namespace):
    kube.apply(namespace, 'listeners', 'db', listener('db'), manager='one')
    before = _version(kube, namespace)
    answer = kube.apply(namespace, 'listeners', 'db', listener('db', port=3), manager='one', dryRun='All')
    assert answer['spec']['port'] == 3
    assert kube.get(namespace, 'listeners', 'db')['spec']['port'] == 5432 and _version(kube, namespace) == before


def test_dry_run_delete_keeps_object(kube, namespace):
    kube.create(namespace, 'listeners', listener('db'))
    kube.custom.delete_namespaced_custom_object(GROUP, VERSION, namespace, 'listeners', 'db', dry_run='All')
    assert kube.get(namespace, 'listeners', 'db')['metadata']['name'] == 'db'


def test_unknown_dry_run_value_is_rejected(kube, namespace):
    status, body, _unused = kube.request('POST', f'/apis/{API_VERSION}/namespaces/{namespace}/listeners', listener('db'),
                                         {'dryRun': 'Some'})
    assert status == 422 and 'dryRun: Unsupported value' in body['message']
    assert failure(kube.get, namespace, 'listeners', 'db')['code'] == 404
