"""JSON merge patch (RFC 7386) and JSON patch (RFC 6902) for the API server stand-in (a test double)."""

import copy

from .errors import ApiError, bad_request


def merge_patch(target, patch):
    """RFC 7386: objects merge recursively, null removes, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


class PatchFailed(ApiError):
    """A JSON patch operation that cannot be applied (kube answers 422)."""

    def __init__(self, message):
        super().__init__(422, 'Invalid', message)


def _tokens(pointer):
    if pointer == '':
        return []
    if not pointer.startswith('/'):
        raise PatchFailed(f'invalid JSON pointer: {pointer!r}')
    return [token.replace('~1', '/').replace('~0', '~') for token in pointer[1:].split('/')]


def _index(container, token, allow_end=False):
    if token == '-' and allow_end:
        return len(container)
    if not token.isdigit():
        raise PatchFailed(f'invalid array index: {token}')
    index = int(token)
    if index > len(container) or (index == len(container) and not allow_end):
        raise PatchFailed(f'array index out of bounds: {index}')
    return index


def _parent(document, pointer):
    tokens = _tokens(pointer)
    if not tokens:
        raise PatchFailed('cannot operate on the document root')
    node = document
    for token in tokens[:-1]:
        node = _step(node, token, pointer)
    return node, tokens[-1]


def _step(node, token, pointer):
    if isinstance(node, dict) and token in node:
        return node[token]
    if isinstance(node, list):
        return node[_index(node, token)]
    raise PatchFailed(f'doc is missing path: "{pointer}": missing value')


def _get(document, pointer):
    node = document
    for token in _tokens(pointer):
        node = _step(node, token, pointer)
    return node


def _add(document, pointer, value):
    parent, token = _parent(document, pointer)
    if isinstance(parent, list):
        parent.insert(_index(parent, token, allow_end=True), value)
    elif isinstance(parent, dict):
        parent[token] = value
    else:
        raise PatchFailed(f'doc is missing path: "{pointer}"')


def _remove(document, pointer):
    parent, token = _parent(document, pointer)
    if isinstance(parent, list):
        return parent.pop(_index(parent, token))
    if isinstance(parent, dict) and token in parent:
        return parent.pop(token)
    raise PatchFailed(f'unable to remove nonexistent key: {token}: missing value')


def _replace(document, pointer, value):
    _remove(document, pointer)
    _add(document, pointer, value)


def _operation(document, operation):
    op, path = operation.get('op'), operation.get('path')
    if path is None:
        raise PatchFailed(f'missing path in JSON patch operation {op}')
    if op == 'add':
        _add(document, path, copy.deepcopy(operation.get('value')))
    elif op == 'remove':
        _remove(document, path)
    elif op == 'replace':
        _replace(document, path, copy.deepcopy(operation.get('value')))
    elif op == 'move':
        _add(document, path, _remove(document, operation['from']))
    elif op == 'copy':
        _add(document, path, copy.deepcopy(_get(document, operation['from'])))
    elif op == 'test':
        if _get(document, path) != operation.get('value'):
            raise PatchFailed(f'testing value {path} failed: test failed')
    else:
        raise PatchFailed(f'Unexpected kind: {op}')


def json_patch(document, operations):
    """RFC 6902 on a copy of document; any failing operation fails the whole patch."""
    if not isinstance(operations, list):
        raise bad_request('json: cannot unmarshal object into Go value of type jsonpatch.Patch')
    result = copy.deepcopy(document)
    for operation in operations:
        _operation(result, operation)
    return result
