"""Watch with kubernetes.watch.Watch: initial ADDED events, events after a resourceVersion, timeouts, 410."""

import json
import threading
import time

import kubernetes
import pytest

from tests.conformance.support import GROUP, VERSION, listener


def _stream(kube, namespace, **kwargs):
    watch = kubernetes.watch.Watch()
    return watch.stream(kube.custom.list_namespaced_custom_object, GROUP, VERSION, namespace, 'listeners', **kwargs)


def _events(stream, count):
    events = []
    for event in stream:
        events.append((event['type'], event['object']['metadata']['name']))
        if len(events) == count:
            break
    return events


def test_watch_without_version_starts_with_added_for_existing(kube, namespace):
    kube.create(namespace, 'listeners', listener('a'))
    kube.create(namespace, 'listeners', listener('b'))
    assert _events(_stream(kube, namespace, timeout_seconds=5), 2) == [('ADDED', 'a'), ('ADDED', 'b')]


def test_watch_from_version_sees_later_changes(kube, namespace):
    created = kube.create(namespace, 'listeners', listener('a'))
    kube.custom.patch_namespaced_custom_object(GROUP, VERSION, namespace, 'listeners', 'a', {'spec': {'port': 1}})
    kube.custom.delete_namespaced_custom_object(GROUP, VERSION, namespace, 'listeners', 'a')
    stream = _stream(kube, namespace, resource_version=created['metadata']['resourceVersion'], timeout_seconds=5)
    assert _events(stream, 2) == [('MODIFIED', 'a'), ('DELETED', 'a')]


def test_watch_streams_changes_made_while_watching(kube, namespace):
    listing = kube.custom.list_namespaced_custom_object(GROUP, VERSION, namespace, 'listeners')
    stream = _stream(kube, namespace, resource_version=listing['metadata']['resourceVersion'], timeout_seconds=5)
    writer = threading.Timer(0.3, kube.create, (namespace, 'listeners', listener('late')))
    writer.start()
    try:
        event = next(iter(stream))
    finally:
        writer.join()
    assert event['type'] == 'ADDED' and event['object']['spec']['port'] == 5432


def test_watch_ends_after_timeout_seconds(kube, namespace):
    started = time.monotonic()
    assert list(_stream(kube, namespace, timeout_seconds=1)) == []
    assert 0.9 <= time.monotonic() - started < 4


def test_watch_with_label_selector(kube, namespace):
    listing = kube.custom.list_namespaced_custom_object(GROUP, VERSION, namespace, 'listeners')
    kube.create(namespace, 'listeners', listener('other'))
    kube.create(namespace, 'listeners', listener('mine', labels={'w': 'yes'}))
    stream = _stream(kube, namespace, resource_version=listing['metadata']['resourceVersion'], timeout_seconds=3,
                     label_selector='w=yes')
    assert _events(stream, 1) == [('ADDED', 'mine')]


def test_watch_core_objects_deserialises_models(kube, namespace):
    kube.core.create_namespaced_config_map(namespace, {'metadata': {'name': 'cm'}})
    stream = kubernetes.watch.Watch().stream(kube.core.list_namespaced_config_map, namespace, timeout_seconds=3)
    event = next(iter(stream))
    assert event['type'] == 'ADDED' and isinstance(event['object'], kubernetes.client.V1ConfigMap)
    assert event['object'].metadata.name == 'cm'


@pytest.mark.standin_only
def test_watch_from_compacted_version_is_gone(kube, server, namespace):
    created = kube.create(namespace, 'listeners', listener('a'))
    kube.create(namespace, 'listeners', listener('b'))
    server.compact_history()
    with pytest.raises(kubernetes.client.ApiException) as caught:
        list(_stream(kube, namespace, resource_version=created['metadata']['resourceVersion'], timeout_seconds=2))
    assert caught.value.status == 410 and 'too old resource version' in caught.value.reason


@pytest.mark.standin_only
def test_gone_is_an_error_event_with_status(kube, server, namespace):
    server.compact_history()
    status, body, _unused = kube.request('GET', f'/apis/{GROUP}/{VERSION}/namespaces/{namespace}/listeners',
                                         query={'watch': 'true', 'resourceVersion': '1', 'timeoutSeconds': '1'})
    event = body if isinstance(body, dict) else None
    assert status == 200 and event['type'] == 'ERROR'
    assert (event['object']['kind'], event['object']['code'], event['object']['reason']) == ('Status', 410, 'Expired')


def _raw_events(kube, namespace, **query):
    path = f'/apis/{GROUP}/{VERSION}/namespaces/{namespace}/listeners'
    status, body, _unused = kube.request('GET', path, query=dict(query, watch='true'))
    assert status == 200
    lines = body.splitlines() if isinstance(body, str) else [json.dumps(body)]
    return [json.loads(line) for line in lines if line.strip()]


def test_watch_bookmarks_only_when_allowed(kube, namespace):
    created = kube.create(namespace, 'listeners', listener('a'))
    version = created['metadata']['resourceVersion']
    # kube sends a bookmark about 2 s before a watch times out (and every minute) when asked to.
    events = _raw_events(kube, namespace, resourceVersion=version, timeoutSeconds='4', allowWatchBookmarks='true')
    bookmarks = [event for event in events if event['type'] == 'BOOKMARK']
    assert bookmarks, 'a watch of 4 s that allows bookmarks gets one'
    mark = bookmarks[-1]['object']
    assert (mark['kind'], mark['apiVersion']) == ('Listener', f'{GROUP}/{VERSION}')
    assert int(mark['metadata']['resourceVersion']) >= int(version)
    assert 'spec' not in mark
    plain = _raw_events(kube, namespace, resourceVersion=version, timeoutSeconds='3')
    assert [event['type'] for event in plain] == []
