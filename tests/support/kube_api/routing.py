"""Request routing of the API server stand-in (a test double): URL path + method -> kube verb and target."""

import dataclasses

from .errors import method_not_allowed, not_implemented, path_not_found

APPLY_PATCH = 'application/apply-patch+yaml'
DISCOVERY_PATHS = ('/version', '/api', '/apis')


@dataclasses.dataclass
class Target:
    """What a resource request addresses."""

    resource: object
    namespace: str = None
    name: str = None
    subresource: str = None


@dataclasses.dataclass
class Route:
    """A routed request: its kube verb, and either a resource target or a discovery path."""

    verb: str
    target: Target = None
    discovery: str = None


def kube_verb(method, target, query, content_type):
    """get, list, create, update, patch, apply, delete, deletecollection (405 otherwise).

    A watch (watch=true) is answered 400: the product never watches, so the stand-in does not implement it."""
    named = target.name is not None
    if method == 'GET' and query.get('watch', '').lower() in ('true', '1'):
        raise not_implemented('watch (watch=true)')
    verbs = {
        ('GET', True): 'get', ('GET', False): 'list',
        ('POST', False): 'create', ('PUT', True): 'update',
        ('PATCH', True): 'apply' if content_type == APPLY_PATCH else 'patch',
        ('DELETE', True): 'delete', ('DELETE', False): 'deletecollection',
    }
    verb = verbs.get((method, named))
    if verb is None or (target.subresource and verb not in ('get', 'update', 'patch', 'apply')):
        raise method_not_allowed()
    return verb


def _split(path):
    return [part for part in path.split('/') if part]


def _resource_target(registry, group, version, rest):
    """rest: the path parts after the group version."""
    if len(rest) >= 3 and rest[0] == 'namespaces':
        resource = registry.lookup(group, version, rest[2])
        if resource is not None and resource.namespaced and len(rest) <= 5:
            return Target(resource, rest[1], *rest[3:5])
    if not rest or len(rest) > 3:
        raise path_not_found()
    resource = registry.lookup(group, version, rest[0])
    if resource is None or (resource.namespaced and len(rest) > 1):
        raise path_not_found()
    if len(rest) == 3 and not (rest[2] == 'status' and resource.status_subresource):
        raise path_not_found()
    return Target(resource, None, *rest[1:3])


def route(registry, method, path, query, content_type):
    """The Route of a request, or ApiError 404/405."""
    parts = _split(path)
    if path.rstrip('/') in DISCOVERY_PATHS or _is_discovery(parts):
        if method != 'GET':
            raise method_not_allowed()
        return Route('get', discovery='/' + '/'.join(parts))
    if parts[:2] == ['api', 'v1']:
        target = _resource_target(registry, '', 'v1', parts[2:])
    elif len(parts) >= 3 and parts[0] == 'apis':
        target = _resource_target(registry, parts[1], parts[2], parts[3:])
    else:
        raise path_not_found()
    if target.subresource and target.subresource != 'status':
        raise path_not_found()
    return Route(kube_verb(method, target, query, content_type), target=target)


def _is_discovery(parts):
    return parts == ['api', 'v1'] or (parts[:1] == ['apis'] and len(parts) in (2, 3))
