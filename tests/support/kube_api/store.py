"""In-memory object store with a global resourceVersion (stand-in, a test double).

No event history: the stand-in does not implement watch (no product path watches)."""

import copy
import threading


class Store:
    """Objects by (resource key, namespace, name); every write bumps the global resourceVersion."""

    def __init__(self):
        self.lock = threading.RLock()
        self._objects = {}
        self._revision = 0

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
        """Store obj (its metadata.resourceVersion must be a fresh revision)."""
        metadata = obj['metadata']
        with self.lock:
            self._objects[(key, metadata.get('namespace', ''), metadata['name'])] = copy.deepcopy(obj)

    def remove(self, key, obj):
        """Forget obj; returns it with the deletion's revision, or None when it was not stored."""
        metadata = obj['metadata']
        slot = (key, metadata.get('namespace', ''), metadata['name'])
        with self.lock:
            previous = self._objects.pop(slot, None)
            if previous is None:
                return None
            deleted = copy.deepcopy(previous)
            deleted['metadata']['resourceVersion'] = str(self.next_revision())
            return deleted
