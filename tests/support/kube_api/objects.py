"""Kind-specific object rules of the API server stand-in (a test double): decoding, defaults, metadata.

Custom resources are pruned with their structural schema; core kinds keep only their known fields and get
kube's defaults (Secret `stringData` folded into base64 `data`, Namespace phase and name label).
"""

import base64
import binascii
import copy
import datetime
import random
import re
import uuid

from . import metadata as metas
from . import schema as schemas
from .errors import ApiError, bad_request, invalid, required

OBJECT_META_KEYS = ('name', 'generateName', 'namespace', 'uid', 'resourceVersion', 'generation',
                    'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels',
                    'annotations', 'ownerReferences', 'finalizers', 'managedFields')
SYSTEM_META_KEYS = ('uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp',
                    'deletionGracePeriodSeconds', 'managedFields')
CORE_FIELDS = {'Secret': ('data', 'stringData', 'type', 'immutable'),
               'ConfigMap': ('data', 'binaryData', 'immutable'),
               'Namespace': ('spec', 'status'), 'CustomResourceDefinition': ('spec', 'status'),
               'ServiceAccount': ('secrets', 'imagePullSecrets', 'automountServiceAccountToken'),
               'Service': ('spec', 'status'), 'Deployment': ('spec', 'status'),
               'Role': ('rules',), 'ClusterRole': ('rules', 'aggregationRule'),
               'RoleBinding': ('subjects', 'roleRef'), 'ClusterRoleBinding': ('subjects', 'roleRef')}
# apps/v1 Deployment defaults (SetDefaults_Deployment) the apiserver fills in when a request leaves them out.
DEPLOYMENT_DEFAULTS = {'replicas': 1, 'revisionHistoryLimit': 10, 'progressDeadlineSeconds': 600,
                       'strategy': {'type': 'RollingUpdate', 'rollingUpdate': {'maxUnavailable': '25%',
                                                                               'maxSurge': '25%'}}}
CRD_NAME_TEXT = 'must be spec.names.plural+"."+spec.group'
CONFIG_KEY = re.compile(r'^[-._a-zA-Z0-9]+$')
NAME_SUFFIX_CHARS = 'bcdfghjklmnpqrstvwxz2456789'


def now():
    """RFC 3339 UTC time with second precision, like kube's metav1.Time."""
    return datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def new_uid():
    return str(uuid.uuid4())


def generated_name(prefix):
    return prefix + ''.join(random.choice(NAME_SUFFIX_CHARS) for _unused in range(5))


def check_type_meta(resource, body):
    """400 when kind/apiVersion are missing (custom resources) or name another type."""
    if not isinstance(body, dict):
        raise bad_request(f'Object of type {type(body).__name__} cannot be handled as a {resource.kind}')
    kind, api_version = body.get('kind'), body.get('apiVersion')
    if resource.custom and not kind:
        raise bad_request(f"Object 'Kind' is missing in '{body}'")
    if kind and kind != resource.kind:
        raise bad_request(f'{kind} in version "{api_version}" cannot be handled as a {resource.kind}: '
                          f'the object kind does not match the endpoint ({resource.kind})')
    if api_version and api_version != resource.api_version:
        raise bad_request(f'the API version in the data ({api_version}) does not match the expected API version '
                          f'({resource.api_version})')
    if not isinstance(body.get('metadata', {}), dict):
        raise bad_request(f'{resource.kind} in version "{resource.version}" cannot be handled as a '
                          f'{resource.kind}: metadata must be an object')
    metas.check_decodable(resource, body.get('metadata') or {})


def pruned(resource, body):
    """The body as decoded: type meta set, unknown fields and nulls dropped; no defaults yet.

    What a server-side apply owns is computed from this (kube owns the fields of the request, not defaults).
    """
    obj = copy.deepcopy(body)
    obj['apiVersion'], obj['kind'] = resource.api_version, resource.kind
    metadata = {key: value for key, value in (obj.get('metadata') or {}).items()
                if key in OBJECT_META_KEYS and value is not None}
    if resource.schema is not None:
        obj = schemas.prune(resource.schema, obj, root=True)
    else:
        kept = CORE_FIELDS.get(resource.kind, ())
        obj = {key: value for key, value in obj.items() if key in kept + ('apiVersion', 'kind') and value is not None}
    obj['metadata'] = metadata
    return obj


def defaulted(resource, obj):
    """A pruned object with kube's defaults and conversions of core kinds (Secret type and data, Namespace)."""
    if resource.group == 'apps' and resource.kind == 'Deployment':
        return _default_deployment(obj)
    normalise = {'Secret': _normalise_secret, 'Namespace': _normalise_namespace}.get(resource.kind)
    return normalise(obj) if normalise and not resource.group else obj


def _default_deployment(obj):
    spec = obj.get('spec')
    if isinstance(spec, dict):
        for key, value in DEPLOYMENT_DEFAULTS.items():
            spec.setdefault(key, copy.deepcopy(value))
    return obj


def decoded(resource, body):
    """The body as the server holds it: pruned, then defaulted."""
    return defaulted(resource, pruned(resource, body))


def is_core(resource, kind):
    return resource.kind == kind and not resource.group


def _illegal_base64_at(text):
    for index, char in enumerate(text):
        if not (char.isalnum() and char.isascii()) and char not in '+/=':
            return index
    return len(text)


def _normalise_secret(obj):
    data = obj.get('data') or {}
    if not isinstance(data, dict):
        raise bad_request('Secret in version "v1" cannot be handled as a Secret: data must be a map')
    for key, value in data.items():
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, TypeError, ValueError):
            position = _illegal_base64_at(value) if isinstance(value, str) else 0
            raise bad_request(f'Secret in version "v1" cannot be handled as a Secret: '
                              f'illegal base64 data at input byte {position}') from None
    for key, value in (obj.pop('stringData', None) or {}).items():
        data[key] = base64.b64encode(str(value).encode()).decode()
    if data:
        obj['data'] = data
    obj.setdefault('type', 'Opaque')
    return obj


def _normalise_namespace(obj):
    name = obj['metadata'].get('name')
    if name:
        obj['metadata'].setdefault('labels', {})['kubernetes.io/metadata.name'] = name
    obj.setdefault('spec', {}).setdefault('finalizers', ['kubernetes'])
    obj['status'] = {'phase': 'Active'}
    return obj


def validation_errors(resource, obj, old=None):
    """FieldErrors of the object: metadata.name, core data keys and the CRD schema."""
    errors = schemas.validate_object_name(obj['metadata'].get('name'), label=is_core(resource, 'Namespace'))
    errors += metas.validation_errors(obj['metadata'], (old or {}).get('metadata'))
    if is_core(resource, 'Secret') or is_core(resource, 'ConfigMap'):
        errors += [invalid(f'data[{key}]', key, "a valid config key must consist of alphanumeric characters, "
                           "'-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or "
                           "'key-name', regex used for validation is '[-._a-zA-Z0-9]+')")
                   for key in (obj.get('data') or {}) if not CONFIG_KEY.match(key)]
    if resource.schema is not None:
        body = {key: value for key, value in obj.items() if key != 'metadata'}
        errors += schemas.validate(resource.schema, body, old)
    checks = {'Deployment': _deployment_errors, 'RoleBinding': _binding_errors, 'ClusterRoleBinding': _binding_errors,
              'CustomResourceDefinition': _crd_errors}
    if resource.kind in checks and not resource.custom:
        errors += checks[resource.kind](obj, old)
    return errors


def _deployment_errors(obj, old):
    """apps/v1 ValidateDeployment, the rules a manifest can break: a selector that selects the pod template's
    labels, and is not changed afterwards."""
    spec = obj.get('spec') or {}
    selector = spec.get('selector')
    if not isinstance(selector, dict) or not (selector.get('matchLabels') or selector.get('matchExpressions')):
        return [required('spec.selector', '')]
    labels = ((spec.get('template') or {}).get('metadata') or {}).get('labels') or {}
    found = []
    if any(labels.get(key) != value for key, value in (selector.get('matchLabels') or {}).items()):
        found.append(invalid('spec.template.metadata.labels', labels, '`selector` does not match template `labels`'))
    if old is not None and (old.get('spec') or {}).get('selector') != selector:
        found.append(invalid('spec.selector', selector, 'field is immutable'))
    return found


def _binding_errors(obj, old):
    """rbac ValidateRoleBinding: a roleRef is required and cannot change."""
    role_ref = obj.get('roleRef')
    if not isinstance(role_ref, dict) or not role_ref.get('name'):
        return [required('roleRef.name', '')]
    if old is not None and old.get('roleRef') != role_ref:
        return [invalid('roleRef', role_ref, 'cannot change roleRef')]
    return []


def _crd_errors(obj, old):
    """apiextensions ValidateCustomResourceDefinition: the name is <plural>.<group>."""
    spec = obj.get('spec') or {}
    names = spec.get('names') or {}
    if obj['metadata'].get('name') != '%s.%s' % (names.get('plural'), spec.get('group')):
        return [invalid('metadata.name', obj['metadata'].get('name'), CRD_NAME_TEXT)]
    if not spec.get('versions'):
        return [required('spec.versions', 'must have exactly one version marked as storage version')]
    return []


def spec_part(obj):
    """Everything that counts for metadata.generation: all but metadata and status."""
    return {key: value for key, value in obj.items() if key not in ('metadata', 'status', 'apiVersion', 'kind')}


def comparable(obj):
    """obj without what a no-op write would change (resourceVersion, managedFields times)."""
    result = copy.deepcopy(obj)
    metadata = result.get('metadata') or {}
    metadata.pop('resourceVersion', None)
    for entry in metadata.get('managedFields') or ():
        entry.pop('time', None)
    return result


def ensure_mapping(value, what):
    if not isinstance(value, dict):
        raise ApiError(400, 'BadRequest', f'{what} must be a JSON object')
    return value
