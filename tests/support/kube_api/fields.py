"""Field ownership (`metadata.managedFields`) and server-side apply for the API server stand-in (a test double).

Ownership is tracked per manager entry (manager, operation, subresource) as a set of leaf paths; lists are
atomic (owned and replaced whole). Entries are emitted as kube's FieldsV1 (`{"f:spec": {"f:port": {}}}`).
"""

import copy

from .errors import ApiError

MISSING = object()
METADATA_TRACKED = ('labels', 'annotations', 'finalizers', 'ownerReferences')


def tracked_fields(obj, subresource, status_apart):
    """The part of an object whose fields have owners: status for the status subresource, else the rest."""
    obj = obj or {}
    if subresource == 'status':
        return {'status': copy.deepcopy(obj['status'])} if 'status' in obj else {}
    skipped = ('apiVersion', 'kind', 'metadata') + (('status',) if status_apart else ())
    projection = {key: copy.deepcopy(value) for key, value in obj.items() if key not in skipped}
    metadata = {key: copy.deepcopy(value) for key, value in (obj.get('metadata') or {}).items()
                if key in METADATA_TRACKED}
    if metadata:
        projection['metadata'] = metadata
    return projection


def leaf_paths(value, prefix=()):
    """Paths (tuples of keys) of every leaf; lists and scalars are leaves, empty maps are not tracked."""
    if isinstance(value, dict):
        paths = set()
        for key, item in value.items():
            paths |= leaf_paths(item, prefix + (key,))
        return paths
    return {prefix} if prefix else set()


def get_path(value, path):
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return MISSING
        value = value[key]
    return value


def set_path(value, path, item):
    for key in path[:-1]:
        if not isinstance(value.get(key), dict):
            value[key] = {}
        value = value[key]
    value[path[-1]] = copy.deepcopy(item)


def delete_path(value, path):
    """Remove a leaf, then the maps it leaves empty (below the top level)."""
    parents = []
    for key in path[:-1]:
        if not isinstance(value.get(key), dict):
            return
        parents.append((value, key))
        value = value[key]
    value.pop(path[-1], None)
    for parent, key in reversed(parents[1:]):
        if parent[key]:
            break
        del parent[key]


def overlaps(path, other):
    shorter = min(len(path), len(other))
    return path[:shorter] == other[:shorter]


def to_fields_v1(paths):
    tree = {}
    for path in sorted(paths):
        node = tree
        for key in path:
            node = node.setdefault(f'f:{key}', {})
    return tree


def from_fields_v1(tree, prefix=()):
    paths = set()
    children = {key: value for key, value in (tree or {}).items() if key != '.'}
    if not children:
        return {prefix} if prefix else set()
    for key, value in children.items():
        paths |= from_fields_v1(value, prefix + (key[2:] if key.startswith('f:') else key,))
    return paths


class Entry:
    """One managedFields entry: who (manager, operation, subresource), which apiVersion, when, which fields."""

    def __init__(self, manager, operation, subresource, api_version, time, fields):
        self.manager = manager
        self.operation = operation
        self.subresource = subresource
        self.api_version = api_version
        self.time = time
        self.fields = set(fields)

    @property
    def ident(self):
        return (self.manager, self.operation, self.subresource)

    def describe(self):
        """How kube names the manager in conflict messages."""
        text = f'"{self.manager}"'
        if self.subresource:
            text += f' with subresource "{self.subresource}"'
        if self.operation == 'Update':
            text += f' using {self.api_version}'
        return text

    def as_dict(self):
        entry = {'manager': self.manager, 'operation': self.operation, 'apiVersion': self.api_version,
                 'time': self.time, 'fieldsType': 'FieldsV1', 'fieldsV1': to_fields_v1(self.fields)}
        if self.subresource:
            entry['subresource'] = self.subresource
        return entry


class Ownership:
    """The managedFields of one object, editable."""

    def __init__(self, managed_fields):
        self.entries = [Entry(m.get('manager', ''), m.get('operation', 'Update'), m.get('subresource', ''),
                              m.get('apiVersion', ''), m.get('time'), from_fields_v1(m.get('fieldsV1')))
                        for m in managed_fields or ()]

    def entry(self, ident, api_version, time):
        for entry in self.entries:
            if entry.ident == ident:
                return entry
        entry = Entry(*ident, api_version, time, ())
        self.entries.append(entry)
        return entry

    def others(self, ident):
        return [entry for entry in self.entries if entry.ident != ident]

    def owned_by_others(self, ident, path):
        return any(overlaps(path, owned) for entry in self.others(ident) for owned in entry.fields)

    def managed_fields(self):
        return [entry.as_dict() for entry in self.entries if entry.fields]

    def record_update(self, old, new, manager, subresource, api_version, time):
        """An Update operation: its manager owns what it changed; others lose changed or removed fields."""
        old_leaves, new_leaves = leaf_paths(old), leaf_paths(new)
        changed = {path for path in new_leaves if get_path(old, path) != get_path(new, path)}
        removed = old_leaves - new_leaves
        if not changed and not removed:
            return
        touched = changed | removed
        for entry in self.entries:
            entry.fields = {owned for owned in entry.fields if not any(overlaps(owned, t) for t in touched)}
        mine = self.entry((manager, 'Update', subresource), api_version, time)
        mine.fields = (mine.fields - removed) | changed
        mine.time = time

    def _conflicts(self, ident, live, config, applied):
        """(entry, path) for every applied field whose value changes and another manager owns."""
        conflicts = []
        for path in sorted(applied):
            if get_path(live, path) == get_path(config, path):
                continue
            conflicts.extend((entry, path) for entry in self.others(ident)
                             if any(overlaps(path, owned) for owned in entry.fields))
        return conflicts

    def apply(self, live, config, manager, subresource, api_version, time, force):
        """Server-side apply of config onto live (both projections); the merged projection, or a conflict."""
        ident = (manager, 'Apply', subresource)
        applied = leaf_paths(config)
        conflicts = self._conflicts(ident, live, config, applied)
        if conflicts and not force:
            raise ApplyConflict(conflicts)
        for entry, path in conflicts:
            entry.fields = {owned for owned in entry.fields if not overlaps(owned, path)}
        merged = copy.deepcopy(live)
        mine = self.entry(ident, api_version, time)
        for path in mine.fields - applied:
            if not any(overlaps(path, kept) for kept in applied) and not self.owned_by_others(ident, path):
                delete_path(merged, path)
        _ensure_maps(merged, config)
        for path in applied:
            set_path(merged, path, get_path(config, path))
        if mine.fields != applied or merged != live:
            mine.time = time
        mine.fields = applied
        return merged


def _ensure_maps(target, config):
    for key, value in config.items():
        if isinstance(value, dict):
            if not isinstance(target.get(key), dict):
                target[key] = {}
            _ensure_maps(target[key], value)


class ApplyConflict(Exception):
    """Apply would change fields other managers own."""

    def __init__(self, conflicts):
        super().__init__('apply conflict')
        self.conflicts = conflicts

    def _conflicts(self):
        return [(entry, '.' + '.'.join(path)) for entry, path in self.conflicts]

    def error(self, resource, name):
        """kube's 409: `Apply failed with 1 conflict: conflict with "manager": .spec.port`."""
        conflicts = self._conflicts()
        count = len(conflicts)
        if count == 1:
            entry, path = conflicts[0]
            text = f'conflict with {entry.describe()}: {path}'
        else:
            by_manager = {}
            for entry, path in conflicts:
                by_manager.setdefault(entry.describe(), []).append(path)
            text = 'conflicts with ' + '\n'.join(
                f'{manager}:' + ''.join(f'\n- {path}' for path in paths) for manager, paths in by_manager.items())
        message = f'Apply failed with {count} conflict{"s" if count > 1 else ""}: {text}'
        details = {'name': name}
        if resource.group:
            details['group'] = resource.group
        details['kind'] = resource.plural
        details['causes'] = [{'reason': 'FieldManagerConflict', 'message': f'conflict with {entry.describe()}',
                              'field': path} for entry, path in conflicts]
        return ApiError(409, 'Conflict', message, details)
