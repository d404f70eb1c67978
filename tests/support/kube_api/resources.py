"""Resource types served by the API server stand-in (a test double): core kinds and the Skupper CRDs.

CRDs are read from `crds/` of the Skupper reference (tests/support/reference.py);
when it is absent they come from the collection's own model (`tests/support/crds.py`).
"""

import dataclasses
import pathlib

import yaml

from tests.support.reference import reference_path

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
)
CRD_RESOURCE = ResourceType('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', 'customresourcedefinitions',
                            'customresourcedefinition', False, short_names=('crd', 'crds'), read_only=True)


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
        self.crds = crds
        self.types = list(CORE_RESOURCES) + [CRD_RESOURCE]
        for crd in crds:
            self.types.extend(crd_resource_types(crd))
        self._by_path = {(t.group, t.version, t.plural): t for t in self.types}

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
