"""Discovery documents of the API server stand-in (a test double): /version, /api, /apis and group versions."""

from .errors import path_not_found

VERSION_INFO = {'major': '1', 'minor': '31', 'gitVersion': 'v1.31.0-appnet-standin', 'gitCommit': 'standin',
                'gitTreeState': 'clean', 'buildDate': '2026-01-01T00:00:00Z', 'goVersion': 'go1.22',
                'compiler': 'gc', 'platform': 'linux/amd64'}


def _resource_entries(resource):
    entry = {'name': resource.plural, 'singularName': resource.singular, 'namespaced': resource.namespaced,
             'kind': resource.kind, 'verbs': resource.verbs}
    if resource.short_names:
        entry['shortNames'] = list(resource.short_names)
    entries = [entry]
    if resource.status_subresource:
        entries.append({'name': f'{resource.plural}/status', 'singularName': '', 'namespaced': resource.namespaced,
                        'kind': resource.kind, 'verbs': ['get', 'patch', 'update']})
    return entries


def resource_list(registry, group, version):
    resources = registry.in_group_version(group, version)
    if not resources:
        raise path_not_found()
    group_version = f'{group}/{version}' if group else version
    return {'kind': 'APIResourceList', 'apiVersion': 'v1', 'groupVersion': group_version,
            'resources': [entry for resource in resources for entry in _resource_entries(resource)]}


def _group(name, versions):
    entries = [{'groupVersion': f'{name}/{version}', 'version': version} for version in versions]
    return {'name': name, 'versions': entries, 'preferredVersion': entries[0]}


def document(registry, path, server_address):
    """The discovery document of a path such as /apis/skupper.io/v2alpha1."""
    parts = [part for part in path.split('/') if part]
    groups = registry.group_versions()
    if parts == ['version']:
        return VERSION_INFO
    if parts == ['api']:
        return {'kind': 'APIVersions', 'versions': ['v1'],
                'serverAddressByClientCIDRs': [{'clientCIDR': '0.0.0.0/0', 'serverAddress': server_address}]}
    if parts == ['api', 'v1']:
        return resource_list(registry, '', 'v1')
    if parts == ['apis']:
        return {'kind': 'APIGroupList', 'apiVersion': 'v1',
                'groups': [_group(name, versions) for name, versions in groups.items()]}
    if len(parts) == 2 and parts[1] in groups:
        return dict(_group(parts[1], groups[parts[1]]), kind='APIGroup', apiVersion='v1')
    if len(parts) == 3:
        return resource_list(registry, parts[1], parts[2])
    raise path_not_found()
