"""In-memory object store with a global resourceVersion and a bounded event history (stand-in, a test double)."""

import collections
import copy
import threading
import time


class Event:
    """One persisted change: ADDED / MODIFIED / DELETED of an object (previous state kept for selectors)."""

    def __init__(self, resource_version, key, event_type, obj, previous):
        self.resource_version = resource_version
        self.key = key
        self.type = event_type
        self.object = obj
        self.previous = previous


class Store:
    """Objects by (resource key, namespace, name); every write bumps the global resourceVersion."""

    def __init__(self, history_limit=2000):
        self.lock = threading.Condition(threading.RLock())
        self._objects = {}
        self._revision = 0
        self._history = collections.deque(maxlen=history_limit)
        self._compacted = 0
        self.closed = False

    @property
    def revision(self):
        return self._revision

    def get(self, key, namespace, name):
        with self.lock:
            obj = self._objects.get((key, namespace or '', name))
            return copy.deepcopy(obj) if obj is not None else None

    def list(self, key, namespace=None):
        """Objects of a resource (of one namespace when given), sorted by namespace and name like etcd keys."""
        with self.lock:
            found = [(ns, name, obj) for (k, ns, name), obj in self._objects.items()
                     if k == key and (namespace is None or ns == namespace)]
            return [copy.deepcopy(obj) for _unused, _unused, obj in sorted(found, key=lambda item: item[:2])]

    def next_revision(self):
        with self.lock:
            self._revision += 1
            return self._revision

    def put(self, key, obj):
        """Store obj (its metadata.resourceVersion must be a fresh revision) and record the event."""
        metadata = obj['metadata']
        slot = (key, metadata.get('namespace', ''), metadata['name'])
        with self.lock:
            previous = self._objects.get(slot)
            self._objects[slot] = copy.deepcopy(obj)
            self._record(key, 'MODIFIED' if previous else 'ADDED', obj, previous)

    def remove(self, key, obj):
        """Forget obj; the DELETED event carries it with the deletion's revision."""
        metadata = obj['metadata']
        slot = (key, metadata.get('namespace', ''), metadata['name'])
        with self.lock:
            previous = self._objects.pop(slot, None)
            if previous is None:
                return None
            deleted = copy.deepcopy(previous)
            deleted['metadata']['resourceVersion'] = str(self.next_revision())
            self._record(key, 'DELETED', deleted, previous)
            return deleted

    def _record(self, key, event_type, obj, previous):
        revision = int(obj['metadata']['resourceVersion'])
        if len(self._history) == self._history.maxlen:
            self._compacted = self._history[0].resource_version
        self._history.append(Event(revision, key, event_type, copy.deepcopy(obj), copy.deepcopy(previous)))
        self.lock.notify_all()

    def compact(self):
        """Drop the event history (watches from older resourceVersions then get 410 Gone)."""
        with self.lock:
            self._history.clear()
            self._compacted = self._revision

    def too_old(self, resource_version):
        with self.lock:
            return resource_version < self._compacted

    def events_after(self, key, resource_version, timeout):
        """Events of a resource newer than resource_version; waits up to timeout seconds for the first."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                events = [e for e in self._history if e.key == key and e.resource_version > resource_version]
                remaining = deadline - time.monotonic()
                if events or remaining <= 0 or self.closed:
                    return events
                self.lock.wait(remaining)

    def close(self):
        with self.lock:
            self.closed = True
            self.lock.notify_all()
