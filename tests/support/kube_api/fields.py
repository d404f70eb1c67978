"""Field ownership (`metadata.managedFields`) and server-side apply for the API server stand-in (a test double).

Ownership is tracked per manager entry (manager, operation, subresource) as a set of leaf paths, as kube's
structured-merge-diff does for the shapes the Skupper CRDs use:
- a scalar, or an atomic list (the default list type), is one leaf, owned and replaced whole;
- an empty map is a leaf of its own (`f:settings: {}`): the manager owns that the map exists, not its keys;
- a list with `x-kubernetes-list-type: set` (and metadata.finalizers) has one leaf per value (`v:"a"`), so
  several managers can own values of one list and an apply merges its values into the others'.
Entries are emitted as kube's FieldsV1 (`{"f:spec": {"f:port": {}}}`).
"""

import copy
import json

from .errors import ApiError

MISSING = object()
METADATA_TRACKED = ('labels', 'annotations', 'finalizers', 'ownerReferences')
# ObjectMeta.finalizers is a +listType=set field.
METADATA_SETS = frozenset({('metadata', 'finalizers')})


class SetItem(object):
    """One value of a set list as a path element (`v:<json>` in FieldsV1)."""

    def __init__(self, value):
        self.value = value
        self.text = json.dumps(value, sort_keys=True, separators=(',', ':'))

    def __eq__(self, other):
        return isinstance(other, SetItem) and other.text == self.text

    def __hash__(self):
        return hash(('v', self.text))

    def __repr__(self):
        return 'v:' + self.text


def set_list_paths(schema, prefix=()):
    """Paths of the `x-kubernetes-list-type: set` lists of a CRD schema (through object properties), plus
    metadata.finalizers."""
    found = set(METADATA_SETS) if not prefix else set()
    if not schema:
        return frozenset(found)
    if schema.get('type') == 'array' and schema.get('x-kubernetes-list-type') == 'set' and prefix:
        found.add(prefix)
    for key, child in (schema.get('properties') or {}).items():
        found |= set_list_paths(child, prefix + (key,))
    return frozenset(found)


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


def leaf_paths(value, sets=frozenset(), prefix=()):
    """Paths (tuples of keys) of every leaf, in document order, without duplicates."""
    if isinstance(value, dict):
        if not value:
            return [prefix] if prefix else []
        paths = []
        for key, item in value.items():
            paths.extend(leaf_paths(item, sets, prefix + (key,)))
        return list(dict.fromkeys(paths))
    if isinstance(value, list) and prefix in sets and value:
        return list(dict.fromkeys(prefix + (SetItem(item),) for item in value))
    return [prefix] if prefix else []


def get_path(value, path):
    for key in path:
        if isinstance(key, SetItem):
            if not isinstance(value, list) or key.value not in value:
                return MISSING
            value = key.value
            continue
        if not isinstance(value, dict) or key not in value:
            return MISSING
        value = value[key]
    return value


def set_path(value, path, item):
    """Set a leaf; a set value is added to its list (kept where it is when present)."""
    if isinstance(path[-1], SetItem):
        container = _parent_map(value, path[:-1])
        values = container.get(path[-2])
        if not isinstance(values, list):
            values = container[path[-2]] = []
        if path[-1].value not in values:
            values.append(copy.deepcopy(path[-1].value))
        return
    _parent_map(value, path)[path[-1]] = copy.deepcopy(item)


def _parent_map(value, path):
    for key in path[:-1]:
        if not isinstance(value.get(key), dict):
            value[key] = {}
        value = value[key]
    return value


def delete_path(value, path):
    """Remove a leaf (a set value from its list), then the maps and set lists it leaves empty (below the top
    level)."""
    parents = []
    for key in path[:-1]:
        if isinstance(key, SetItem) or not isinstance(value, dict) or key not in value:
            return
        parents.append((value, key))
        value = value[key]
    last = path[-1]
    if isinstance(last, SetItem):
        if isinstance(value, list) and last.value in value:
            value.remove(last.value)
    elif isinstance(value, dict):
        value.pop(last, None)
    for parent, key in reversed(parents[1:]):
        if parent[key]:
            break
        del parent[key]


def same_value(live, config):
    """Whether applying config's value at a path leaves live's as it is (an empty map only asks for a map)."""
    if config == {} and isinstance(live, dict):
        return True
    return live == config


def overlaps(path, other, document):
    """Whether owning one path means owning the other: the same path, or one below an atomic value (a scalar
    or atomic list) at the other. A map or a set list only owns its existence, not what it holds."""
    shorter, longer = sorted((path, other), key=len)
    if longer[:len(shorter)] != shorter:
        return False
    if len(shorter) == len(longer):
        return True
    container = get_path(document, shorter)
    if isinstance(container, dict):
        return False
    return not (isinstance(container, list) and isinstance(longer[len(shorter)], SetItem))


def _sort_key(path):
    return [(1, key.text) if isinstance(key, SetItem) else (0, key) for key in path]


def to_fields_v1(paths):
    tree = {}
    for path in sorted(paths, key=_sort_key):
        node = tree
        for key in path:
            node = node.setdefault(repr(key) if isinstance(key, SetItem) else f'f:{key}', {})
    return tree


def _path_key(key):
    if key.startswith('f:'):
        return key[2:]
    if key.startswith('v:'):
        return SetItem(json.loads(key[2:]))
    return key


def from_fields_v1(tree, prefix=()):
    paths = set()
    children = {key: value for key, value in (tree or {}).items() if key != '.'}
    if not children:
        return {prefix} if prefix else set()
    for key, value in children.items():
        paths |= from_fields_v1(value, prefix + (_path_key(key),))
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
    """The managedFields of one object, editable. sets: the paths of its set lists."""

    def __init__(self, managed_fields, sets=METADATA_SETS):
        self.sets = sets
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

    def owned_by_others(self, ident, path, document):
        return any(overlaps(path, owned, document) for entry in self.others(ident) for owned in entry.fields)

    def managed_fields(self):
        return [entry.as_dict() for entry in self.entries if entry.fields]

    def record_update(self, old, new, manager, subresource, api_version, time):
        """An Update operation: its manager owns what it changed; others lose changed or removed fields."""
        old_leaves, new_leaves = set(leaf_paths(old, self.sets)), set(leaf_paths(new, self.sets))
        changed = {path for path in new_leaves if get_path(old, path) != get_path(new, path)}
        removed = old_leaves - new_leaves
        if not changed and not removed:
            return
        for entry in self.entries:
            entry.fields = {owned for owned in entry.fields
                            if not any(overlaps(owned, path, new) for path in changed)
                            and not any(overlaps(owned, path, old) for path in removed)}
        mine = self.entry((manager, 'Update', subresource), api_version, time)
        mine.fields = (mine.fields - removed) | changed
        mine.time = time

    def _conflicts(self, ident, live, config, applied):
        """(entry, path) for every applied field whose value changes and another manager owns."""
        conflicts = []
        for path in sorted(applied, key=_sort_key):
            if same_value(get_path(live, path), get_path(config, path)):
                continue
            conflicts.extend((entry, path) for entry in self.others(ident)
                             if any(overlaps(path, owned, live) for owned in entry.fields))
        return conflicts

    def apply(self, live, config, manager, subresource, api_version, time, force):
        """Server-side apply of config onto live (both projections); the merged projection, or a conflict."""
        ident = (manager, 'Apply', subresource)
        applied = leaf_paths(config, self.sets)
        conflicts = self._conflicts(ident, live, config, applied)
        if conflicts and not force:
            raise ApplyConflict(conflicts)
        for entry, path in conflicts:
            entry.fields = {owned for owned in entry.fields if not overlaps(owned, path, live)}
        merged = copy.deepcopy(live)
        mine = self.entry(ident, api_version, time)
        # Fields this manager applied before and no longer applies go, unless another manager owns them.
        for path in sorted(mine.fields - set(applied), key=_sort_key):
            if not self.owned_by_others(ident, path, live):
                delete_path(merged, path)
        _ensure_maps(merged, config)
        for path in applied:
            value = get_path(config, path)
            if not same_value(get_path(merged, path), value):
                set_path(merged, path, value)
        if mine.fields != set(applied) or merged != live:
            mine.time = time
        mine.fields = set(applied)
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
        return [(entry, '.' + '.'.join(_path_text(key) for key in path)) for entry, path in self.conflicts]

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


def _path_text(key):
    return '[%s]' % key.text if isinstance(key, SetItem) else key
