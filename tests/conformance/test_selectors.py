"""labelSelector and fieldSelector on list requests."""

import pytest

from tests.conformance.support import GROUP, VERSION, listener

LABELS = {'a': {'tier': 'front', 'env': 'prod', 'rank': '1'}, 'b': {'tier': 'back', 'env': 'prod', 'rank': '10'},
          'c': {'tier': 'back', 'rank': 'top'}}


@pytest.fixture
def labelled(kube, namespace):
    for name, labels in LABELS.items():
        kube.create(namespace, 'listeners', listener(name, labels=labels))
    return namespace


def _names(kube, namespace, **selectors):
    listing = kube.custom.list_namespaced_custom_object(GROUP, VERSION, namespace, 'listeners', **selectors)
    return [item['metadata']['name'] for item in listing['items']]


@pytest.mark.parametrize('selector, expected', [
    ('tier=back', ['b', 'c']),
    ('tier==back', ['b', 'c']),
    ('tier!=back', ['a']),
    ('env', ['a', 'b']),
    ('!env', ['c']),
    ('tier in (front,back),env', ['a', 'b']),
    ('tier notin (front)', ['b', 'c']),
    ('tier=back,env=prod', ['b']),
    # Gt and Lt compare integers; a label that is missing or not an integer never matches.
    ('rank>1', ['b']),
    ('rank<10', ['a']),
    ('rank>0,tier=back', ['b']),
])
def test_label_selectors(kube, labelled, selector, expected):
    assert _names(kube, labelled, label_selector=selector) == expected


def test_gt_lt_need_an_integer(kube, labelled):
    status, body, _unused = kube.request('GET', f'/apis/{GROUP}/{VERSION}/namespaces/{labelled}/listeners',
                                         query={'labelSelector': 'rank>one'})
    assert (status, body['reason']) == (400, 'BadRequest')


def test_field_selector_on_name(kube, labelled):
    assert _names(kube, labelled, field_selector='metadata.name=b') == ['b']
    assert _names(kube, labelled, field_selector='metadata.name!=b') == ['a', 'c']


def test_field_selector_on_namespace_in_cluster_list(kube, labelled):
    listing = kube.custom.list_cluster_custom_object(GROUP, VERSION, 'listeners',
                                                     field_selector=f'metadata.namespace={labelled}')
    assert sorted(i['metadata']['name'] for i in listing['items']) == ['a', 'b', 'c']


def test_unsupported_field_selector_is_bad_request(kube, labelled):
    status, body, _unused = kube.request('GET', f'/apis/{GROUP}/{VERSION}/namespaces/{labelled}/listeners',
                                         query={'fieldSelector': 'spec.port=1'})
    assert (status, body['reason']) == (400, 'BadRequest')


def test_label_selector_on_core_objects(kube, namespace):
    kube.core.create_namespaced_config_map(namespace, {'metadata': {'name': 'x', 'labels': {'app': 'x'}}})
    kube.core.create_namespaced_config_map(namespace, {'metadata': {'name': 'y'}})
    names = [c.metadata.name for c in kube.core.list_namespaced_config_map(namespace, label_selector='app').items]
    assert names == ['x']
