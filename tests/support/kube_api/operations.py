"""The verbs of the API server stand-in (a test double): get, list, create, update, patch, apply, delete.

Each verb takes a routing Target and a parsed Request and returns an Outcome (HTTP code, JSON body, whether
stored state changed). Failures are raised as ApiError with kube's Status shape.

What no product path uses is left out and refused with a message that says so (errors.not_implemented): watch,
label and field selectors, JSON patch and strategic merge patch. A merge patch stays (the tests play the
controller's status writes and a user's edits with it).
"""

import base64
import copy
import dataclasses
import json

import yaml

from . import errors, fields, objects, patches
from .routing import APPLY_PATCH

MERGE_PATCH = 'application/merge-patch+json'
JSON_PATCH = 'application/json-patch+json'
STRATEGIC_PATCH = 'application/strategic-merge-patch+json'
CUSTOM_PATCH_TYPES = (JSON_PATCH, MERGE_PATCH, APPLY_PATCH)
SELECTORS = ('labelSelector', 'fieldSelector')
OPTIONS_KIND = {'create': 'CreateOptions', 'update': 'UpdateOptions', 'patch': 'PatchOptions',
                'apply': 'PatchOptions', 'delete': 'DeleteOptions', 'deletecollection': 'DeleteOptions'}


@dataclasses.dataclass
class Request:
    """The parts of an HTTP request the verbs need."""

    verb: str
    query: dict
    body: bytes = b''
    content_type: str = ''
    user_agent: str = ''


@dataclasses.dataclass
class Outcome:
    code: int
    body: dict
    persisted: bool = False


def dry_run_requested(request):
    """True for dryRun=All; 422 for any other dryRun value (kube validates the options)."""
    value = request.query.get('dryRun')
    if value is None:
        return False
    if value != 'All':
        kind = OPTIONS_KIND.get(request.verb, 'CreateOptions')
        raise errors.invalid_object(f'{kind}.meta.k8s.io', '', [errors.FieldError(
            'FieldValueNotSupported', 'dryRun', 'supported values: "All"', value)])
    return True


def field_manager(request):
    """fieldManager from the query, else the User-Agent prefix before '/' (kube's default)."""
    manager = request.query.get('fieldManager')
    if manager:
        return manager
    return (request.user_agent or 'unknown').split('/')[0]


def parse_json(request):
    try:
        return json.loads(request.body or b'null')
    except ValueError as exc:
        raise errors.bad_request(f'error decoding request body: {exc}') from None


def parse_apply_body(request):
    try:
        return _plain(yaml.safe_load(request.body or b''))
    except yaml.YAMLError as exc:
        raise errors.bad_request(f'error decoding YAML: {exc}') from None


def _plain(value):
    """YAML values as JSON would give them (dates as strings)."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if hasattr(value, 'isoformat'):
        return value.isoformat()
    return value


class Operations:
    """Kube verbs over a Store for the resource types of a Registry."""

    def __init__(self, registry, store):
        self.registry = registry
        self.store = store
        self._set_lists = {}

    # -- reads -------------------------------------------------------------------------------------

    def get(self, target, request):
        obj = self.store.get(target.resource.key, target.namespace, target.name)
        if obj is None:
            raise errors.not_found(target.resource, target.name)
        return Outcome(200, obj)

    @staticmethod
    def _refuse_selectors(query):
        for name in SELECTORS:
            if query.get(name):
                raise errors.not_implemented(f'{name} (a list or deletecollection with a selector)')

    def list(self, target, request):
        self._refuse_selectors(request.query)
        with self.store.lock:
            items = self.store.list(target.resource.key, target.namespace)
            revision = self.store.revision
        metadata = {'resourceVersion': str(revision)}
        items = self._page(items, request.query, metadata)
        if not target.resource.custom:
            for item in items:
                item.pop('apiVersion', None)
                item.pop('kind', None)
        return Outcome(200, {'apiVersion': target.resource.api_version, 'kind': target.resource.list_kind,
                             'metadata': metadata, 'items': items})

    @staticmethod
    def _page(items, query, metadata):
        """limit / continue: continue tokens encode the offset of the next item."""
        start = 0
        if query.get('continue'):
            try:
                start = json.loads(base64.b64decode(query['continue']))['offset']
            except (ValueError, KeyError, TypeError):
                raise errors.bad_request('continue key is not valid') from None
        limit = int(query.get('limit') or 0)
        if not limit or start + limit >= len(items):
            return items[start:]
        offset = start + limit
        metadata['continue'] = base64.b64encode(json.dumps({'offset': offset}).encode()).decode()
        metadata['remainingItemCount'] = len(items) - offset
        return items[start:offset]

    # -- writes ------------------------------------------------------------------------------------

    def _require_namespace(self, target):
        if target.resource.namespaced and self.store.get('/namespaces', None, target.namespace) is None:
            raise errors.namespace_not_found(target.namespace)

    def _body(self, target, request):
        body = objects.ensure_mapping(parse_json(request), 'the request body')
        objects.check_type_meta(target.resource, body)
        return body

    def _check_namespace_of(self, target, body):
        namespace = (body.get('metadata') or {}).get('namespace')
        if target.resource.namespaced and namespace and namespace != target.namespace:
            raise errors.bad_request('the namespace of the provided object does not match the namespace sent on '
                                     'the request')

    def _invalid_if_errors(self, resource, obj, old=None):
        found = objects.validation_errors(resource, obj, old)
        if found:
            raise errors.invalid_object(resource.qualified_kind, obj['metadata'].get('name', ''), found)

    def create(self, target, request):
        resource = target.resource
        dry_run = dry_run_requested(request)
        body = self._body(target, request)
        self._check_namespace_of(target, body)
        if (body.get('metadata') or {}).get('resourceVersion'):
            raise errors.ApiError(500, 'InternalError', 'resourceVersion should not be set on objects to be created')
        obj = objects.decoded(resource, body)
        metadata = obj['metadata']
        if not metadata.get('name') and metadata.get('generateName'):
            metadata['name'] = objects.generated_name(metadata['generateName'])
        if resource.namespaced:
            metadata['namespace'] = target.namespace
        if resource.status_subresource and not objects.is_core(resource, 'Namespace'):
            obj.pop('status', None)  # a create sets no status where status is a subresource
        with self.store.lock:
            self._invalid_if_errors(resource, obj)
            self._require_namespace(target)
            if self.store.get(resource.key, target.namespace, metadata['name']) is not None:
                raise errors.already_exists(resource, metadata['name'])
            self._stamp_new(resource, obj)
            ownership = self._ownership(resource, [])
            ownership.record_update({}, self._tracked(resource, obj, None), field_manager(request), '',
                                    resource.api_version, objects.now())
            obj['metadata']['managedFields'] = ownership.managed_fields()
            return self._persist(resource, None, obj, dry_run, 201)

    @staticmethod
    def _stamp_new(resource, obj):
        metadata = obj['metadata']
        for key in objects.SYSTEM_META_KEYS:
            metadata.pop(key, None)
        metadata['uid'] = objects.new_uid()
        metadata['creationTimestamp'] = objects.now()
        if resource.has_generation:
            metadata['generation'] = 1

    def forget_schemas(self):
        """The CRDs changed: set-list paths are computed again from the new schemas."""
        self._set_lists.clear()

    def _ownership(self, resource, managed_fields):
        sets = self._set_lists.get(resource.key)
        if sets is None:
            sets = self._set_lists[resource.key] = fields.set_list_paths(resource.schema)
        return fields.Ownership(managed_fields, sets)

    @staticmethod
    def _tracked(resource, obj, subresource):
        return fields.tracked_fields(obj, subresource, resource.status_subresource)

    def _persist(self, resource, old, new, dry_run, code=200):
        """Store new unless nothing changed; dry runs keep the old resourceVersion (none on create)."""
        if old is not None and objects.comparable(old) == objects.comparable(new):
            return Outcome(code, old)
        if dry_run:
            if old is not None:
                new['metadata']['resourceVersion'] = old['metadata']['resourceVersion']
            return Outcome(code, new)
        new['metadata']['resourceVersion'] = str(self.store.next_revision())
        self.store.put(resource.key, new)
        return Outcome(code, new, persisted=True)

    def update(self, target, request):
        dry_run = dry_run_requested(request)
        body = self._body(target, request)
        self._check_namespace_of(target, body)
        name = (body.get('metadata') or {}).get('name')
        if name != target.name:
            raise errors.bad_request(f'the name of the object ({name}) does not match the name on the URL '
                                     f'({target.name})')
        with self.store.lock:
            old = self._existing(target)
            body_version = (body.get('metadata') or {}).get('resourceVersion')
            if not body_version and target.resource.custom:
                raise errors.invalid_object(target.resource.qualified_kind, target.name, [errors.invalid(
                    'metadata.resourceVersion', '0x0', 'must be specified for an update')])
            return self._write(target, old, body, field_manager(request), dry_run)

    def _existing(self, target):
        old = self.store.get(target.resource.key, target.namespace, target.name)
        if old is None:
            raise errors.not_found(target.resource, target.name)
        return old

    def _write(self, target, old, candidate, manager, dry_run):
        """An Update operation turning old into candidate (the full object a PUT or patch produced)."""
        resource = target.resource
        version = (candidate.get('metadata') or {}).get('resourceVersion')
        if version and version != old['metadata']['resourceVersion']:
            raise errors.conflict(resource, target.name)
        new = self._assemble(resource, old, objects.decoded(resource, candidate), target.subresource)
        self._invalid_if_errors(resource, new, old)
        ownership = self._ownership(resource, old['metadata'].get('managedFields'))
        ownership.record_update(self._tracked(resource, old, target.subresource),
                                self._tracked(resource, new, target.subresource), manager,
                                target.subresource or '', resource.api_version, objects.now())
        new['metadata']['managedFields'] = ownership.managed_fields()
        return self._finish_write(resource, old, new, dry_run)

    def _finish_write(self, resource, old, new, dry_run, code=200):
        if resource.has_generation and objects.spec_part(new) != objects.spec_part(old):
            new['metadata']['generation'] = old['metadata'].get('generation', 1) + 1
        if new['metadata'].get('deletionTimestamp') and not new['metadata'].get('finalizers'):
            # The last finalizer is gone: kube deletes the object and answers with the object of the
            # request (finalizers removed), not with what it stored before.
            if not dry_run:
                self.store.remove(resource.key, old)
            return Outcome(code, new, persisted=not dry_run)
        return self._persist(resource, old, new, dry_run, code)

    @staticmethod
    def _assemble(resource, old, decoded, subresource):
        """The new object: system metadata from old; status only from a status write, the rest otherwise."""
        if subresource == 'status':
            new = copy.deepcopy(old)
            new.pop('status', None)
            if 'status' in decoded:
                new['status'] = decoded['status']
            return new
        new = {key: value for key, value in decoded.items() if key != 'metadata'}
        metadata = {key: value for key, value in old['metadata'].items() if key not in fields.METADATA_TRACKED}
        metadata.update({key: value for key, value in decoded['metadata'].items() if key in fields.METADATA_TRACKED})
        new['metadata'] = metadata
        if resource.status_subresource:
            new.pop('status', None)
            if 'status' in old:
                new['status'] = old['status']
        return new

    def patch(self, target, request):
        resource = target.resource
        dry_run = dry_run_requested(request)
        content_type = request.content_type
        if content_type == STRATEGIC_PATCH and resource.custom:
            raise errors.unsupported_media_type(CUSTOM_PATCH_TYPES)
        if content_type in (JSON_PATCH, STRATEGIC_PATCH):
            raise errors.not_implemented(f'{content_type} patches', 415, 'UnsupportedMediaType')
        if content_type != MERGE_PATCH:
            raise errors.unsupported_media_type(CUSTOM_PATCH_TYPES + (STRATEGIC_PATCH,))
        patch = objects.ensure_mapping(parse_json(request), 'a merge patch')
        with self.store.lock:
            old = self._existing(target)
            candidate = patches.merge_patch(old, patch)
            objects.check_type_meta(resource, candidate)
            if (candidate.get('metadata') or {}).get('name') != target.name:
                raise errors.bad_request('metadata.name: Invalid value: the name of the object may not change')
            return self._write(target, old, candidate, field_manager(request), dry_run)

    def apply(self, target, request):
        resource = target.resource
        dry_run = dry_run_requested(request)
        manager = request.query.get('fieldManager')
        if not manager:
            raise errors.invalid_object('PatchOptions.meta.k8s.io', '', [errors.required(
                'fieldManager', 'is required for apply patch')])
        force = request.query.get('force', '').lower() in ('true', '1')
        config = objects.ensure_mapping(parse_apply_body(request), 'the apply configuration')
        if not config.get('kind') or not config.get('apiVersion'):
            raise errors.bad_request('invalid object type: apiVersion and kind are required for apply')
        objects.check_type_meta(resource, config)
        self._check_namespace_of(target, config)
        config.setdefault('metadata', {}).setdefault('name', target.name)
        if config['metadata']['name'] != target.name:
            raise errors.bad_request(f'the name of the object ({config["metadata"]["name"]}) does not match the '
                                     f'name on the URL ({target.name})')
        metadata = config['metadata']
        if metadata.get('managedFields') is not None:
            raise errors.bad_request('metadata.managedFields must be nil')
        with self.store.lock:
            old = self.store.get(resource.key, target.namespace, target.name)
            if old is None:
                if target.subresource:
                    raise errors.not_found(resource, target.name)
                self._require_namespace(target)
            self._check_apply_preconditions(target, old, metadata)
            return self._apply(target, old, objects.pruned(resource, config), manager, force, dry_run)

    @staticmethod
    def _check_apply_preconditions(target, old, metadata):
        """resourceVersion in an apply must be the stored one (409); a uid must be the stored object's: 409 when
        there is none, 422 (uid is immutable) when it differs."""
        if old is None:
            if metadata.get('uid'):
                raise errors.conflict(target.resource, target.name, f'uid mismatch: the provided object specified '
                                                                    f'uid {metadata["uid"]}, and no existing object '
                                                                    f'was found')
            return
        version = metadata.get('resourceVersion')
        if version and version != old['metadata']['resourceVersion']:
            raise errors.conflict(target.resource, target.name)
        uid = metadata.get('uid')
        if uid and uid != old['metadata']['uid']:
            raise errors.invalid_object(target.resource.qualified_kind, target.name, [errors.invalid(
                'metadata.uid', uid, 'field is immutable')])

    def _apply(self, target, old, config, manager, force, dry_run):
        resource, subresource = target.resource, target.subresource
        base = old or self._skeleton(target)
        ownership = self._ownership(resource, base['metadata'].get('managedFields'))
        try:
            merged = ownership.apply(self._tracked(resource, base, subresource),
                                     self._tracked(resource, config, subresource), manager, subresource or '',
                                     resource.api_version, objects.now(), force)
        except fields.ApplyConflict as conflict:
            raise conflict.error(resource, target.name) from None
        merged_object = dict(merged, apiVersion=resource.api_version, kind=resource.kind,
                             metadata=dict(merged.get('metadata') or {}, name=target.name))
        new = self._assemble(resource, base, objects.decoded(resource, merged_object), subresource)
        new['metadata']['managedFields'] = ownership.managed_fields()
        if old is None:
            self._invalid_if_errors(resource, new)
            managed = new['metadata']['managedFields']
            self._stamp_new(resource, new)
            new['metadata']['managedFields'] = managed
            return self._persist(resource, None, new, dry_run, 201)
        self._invalid_if_errors(resource, new, old)
        return self._finish_write(resource, old, new, dry_run)

    @staticmethod
    def _skeleton(target):
        metadata = {'name': target.name}
        if target.resource.namespaced:
            metadata['namespace'] = target.namespace
        return {'apiVersion': target.resource.api_version, 'kind': target.resource.kind, 'metadata': metadata}

    # -- deletes -----------------------------------------------------------------------------------

    def delete(self, target, request):
        dry_run = dry_run_requested(request)
        options = parse_json(request) if request.body else {}
        options = options if isinstance(options, dict) else {}
        dry_run = dry_run or (options.get('dryRun') or []) == ['All']
        with self.store.lock:
            old = self._existing(target)
            self._check_preconditions(target, old, options.get('preconditions') or {})
            return self._delete(target.resource, old, dry_run)

    def _check_preconditions(self, target, old, preconditions):
        metadata = old['metadata']
        for key, label in (('uid', 'UID'), ('resourceVersion', 'ResourceVersion')):
            wanted = preconditions.get(key)
            if wanted and wanted != metadata.get(key):
                raise errors.conflict(target.resource, target.name,
                                      f'the {label} in the precondition ({wanted}) does not match the {label} in '
                                      f'record ({metadata.get(key)}). The object might have been modified')

    def _delete(self, resource, old, dry_run):
        metadata = old['metadata']
        if metadata.get('finalizers'):
            if metadata.get('deletionTimestamp'):
                return Outcome(200, old)
            new = copy.deepcopy(old)
            new['metadata'].update(deletionTimestamp=objects.now(), deletionGracePeriodSeconds=0)
            if resource.has_generation:
                new['metadata']['generation'] = metadata.get('generation', 1) + 1
            return self._persist(resource, old, new, dry_run)
        if objects.is_core(resource, 'Namespace'):
            return self._delete_namespace(resource, old, dry_run)
        if not dry_run:
            self.store.remove(resource.key, old)
        details = {'name': metadata['name']}
        if resource.group:
            details['group'] = resource.group
        details.update(kind=resource.plural, uid=metadata['uid'])
        return Outcome(200, errors.success_status(details), persisted=not dry_run)

    def _delete_namespace(self, resource, namespace, dry_run):
        """Deletes the namespace and everything in it at once (kube would keep it Terminating a while)."""
        name = namespace['metadata']['name']
        terminating = copy.deepcopy(namespace)
        terminating['metadata']['deletionTimestamp'] = objects.now()
        terminating['status'] = {'phase': 'Terminating'}
        if dry_run:
            return Outcome(200, terminating)
        for member in self.registry.types:
            if member.namespaced:
                for obj in self.store.list(member.key, name):
                    self.store.remove(member.key, obj)
        self.store.remove(resource.key, namespace)
        return Outcome(200, terminating, persisted=True)

    def delete_collection(self, target, request):
        dry_run = dry_run_requested(request)
        self._refuse_selectors(request.query)
        with self.store.lock:
            removed = self.store.list(target.resource.key, target.namespace)
            persisted = False
            for obj in removed:
                persisted = self._delete(target.resource, obj, dry_run).persisted or persisted
            listing = self.list(target, dataclasses.replace(request, query={}))
        listing.body['items'] = removed
        listing.persisted = persisted
        return listing
