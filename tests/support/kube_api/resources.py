"""Resource types served by the API server stand-in (a test double): core kinds and the Skupper CRDs.

CRDs are read from `crds/` of the Skupper reference (tests/support/reference.py);
when it is absent they come from the collection's own model (`tests/support/crds.py`). A CRD created, applied or
deleted through the API adds or removes its resource types at once (Registry.set_crd / remove_crd), as
kube-apiserver's apiextensions server starts and stops serving them.

Built-in kinds beyond the core ones are those a controller installation is made of: apps/v1 Deployments,
ServiceAccounts, Services and the rbac.authorization.k8s.io/v1 Roles, ClusterRoles and their bindings.
"""

import dataclasses
import pathlib

import yaml

from tests.support.reference import reference_path

RBAC = 'rbac.authorization.k8s.io'
CUSTOM_VERBS = ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch']
STATUS_VERBS = ['get', 'patch', 'update']


@dataclasses.dataclass(frozen=True)
class ResourceType:
    """One REST resource: where it is served, its kind and (for CRDs) its schema."""

    group: str
    version: str
    kind: str
    plural: str
    singular: str
    namespaced: bool
    schema: dict = None
    status_subresource: bool = False
    short_names: tuple = ()
    custom: bool = False
    read_only: bool = False
    # Built-in kinds whose metadata.generation kube bumps on spec changes (every custom resource has one).
    generation: bool = False

    @property
    def has_generation(self):
        return self.custom or self.generation

    @property
    def api_version(self):
        return f'{self.group}/{self.version}' if self.group else self.version

    @property
    def qualified(self):
        """`listeners.skupper.io` or `secrets`: how kube names the resource in messages."""
        return f'{self.plural}.{self.group}' if self.group else self.plural

    @property
    def qualified_kind(self):
        """`Listener.skupper.io` or `Secret`: how kube names the kind in Invalid messages."""
        return f'{self.kind}.{self.group}' if self.group else self.kind

    @property
    def key(self):
        return f'{self.group}/{self.plural}'

    @property
    def list_kind(self):
        return self.kind + 'List'

    @property
    def verbs(self):
        return ['get', 'list', 'watch'] if self.read_only else CUSTOM_VERBS


CORE_RESOURCES = (
    ResourceType('', 'v1', 'Namespace', 'namespaces', 'namespace', False, short_names=('ns',),
                 status_subresource=True),
    ResourceType('', 'v1', 'Secret', 'secrets', 'secret', True),
    ResourceType('', 'v1', 'ConfigMap', 'configmaps', 'configmap', True, short_names=('cm',)),
    ResourceType('', 'v1', 'ServiceAccount', 'serviceaccounts', 'serviceaccount', True, short_names=('sa',)),
    ResourceType('', 'v1', 'Service', 'services', 'service', True, short_names=('svc',), status_subresource=True),
    ResourceType('apps', 'v1', 'Deployment', 'deployments', 'deployment', True, short_names=('deploy',),
                 status_subresource=True, generation=True),
    ResourceType(RBAC, 'v1', 'Role', 'roles', 'role', True),
    ResourceType(RBAC, 'v1', 'RoleBinding', 'rolebindings', 'rolebinding', True),
    ResourceType(RBAC, 'v1', 'ClusterRole', 'clusterroles', 'clusterrole', False),
    ResourceType(RBAC, 'v1', 'ClusterRoleBinding', 'clusterrolebindings', 'clusterrolebinding', False),
)
CRD_RESOURCE = ResourceType('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', 'customresourcedefinitions',
                            'customresourcedefinition', False, short_names=('crd', 'crds'), status_subresource=True,
                            generation=True)


def reference_crd_directory():
    """The directory holding the Skupper CRD files (it may not exist)."""
    return pathlib.Path(reference_path('crds'))


def load_crd_documents(directory=None):
    """Every CRD document of the directory, else the ones generated from the model (tests/support/crds.py)."""
    directory = pathlib.Path(directory) if directory else reference_crd_directory()
    if directory.is_dir():
        documents = []
        for path in sorted(directory.glob('*.y*ml')):
            documents.extend(doc for doc in yaml.safe_load_all(path.read_text())
                             if doc and doc.get('kind') == 'CustomResourceDefinition')
        return documents
    from tests.support.crds import crd_documents
    return crd_documents()


def crd_resource_types(crd):
    """The ResourceType of every served version of a CRD document."""
    spec = crd['spec']
    names = spec['names']
    types = []
    for version in spec['versions']:
        if not version.get('served', True):
            continue
        schema = (version.get('schema') or {}).get('openAPIV3Schema') or {}
        types.append(ResourceType(
            spec['group'], version['name'], names['kind'], names['plural'],
            names.get('singular') or names['kind'].lower(), spec.get('scope', 'Namespaced') == 'Namespaced',
            schema=schema, status_subresource='status' in (version.get('subresources') or {}),
            short_names=tuple(names.get('shortNames') or ()), custom=True))
    return types


class Registry:
    """All resource types, by (group, version, plural) and by kind."""

    def __init__(self, crds):
        self.crds = list(crds)
        self._index()

    def _index(self):
        self.types = list(CORE_RESOURCES) + [CRD_RESOURCE]
        for crd in self.crds:
            self.types.extend(crd_resource_types(crd))
        self._by_path = {(t.group, t.version, t.plural): t for t in self.types}

    def set_crd(self, crd):
        """Serve the types of a CRD (created or changed); its previous types go."""
        name = crd['metadata']['name']
        self.crds = [known for known in self.crds if known['metadata']['name'] != name] + [crd]
        self._index()

    def remove_crd(self, name):
        """Stop serving the types of the CRD called name; the types it had."""
        gone = [crd for crd in self.crds if crd['metadata']['name'] == name]
        self.crds = [crd for crd in self.crds if crd['metadata']['name'] != name]
        self._index()
        return [resource for crd in gone for resource in crd_resource_types(crd)]

    def lookup(self, group, version, plural):
        return self._by_path.get((group, version, plural))

    def group_versions(self):
        """{group: [versions]} of the named API groups (not the core group), in registration order."""
        groups = {}
        for resource in self.types:
            if resource.group and resource.version not in groups.setdefault(resource.group, []):
                groups[resource.group].append(resource.version)
        return groups

    def in_group_version(self, group, version):
        return [t for t in self.types if t.group == group and t.version == version]
