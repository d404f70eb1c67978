# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Apply or remove the objects of a manifest, any apiVersion and kind, by server-side apply.

Order (what a controller installation needs): CustomResourceDefinitions first, each waited for until Established
(the API serves its kind only then); Namespaces next; then the rest in manifest order; then, with wait, every
Deployment of the manifest until its rollout is complete and available (kubectl rollout status). Each object is
read first and written only when the live one lacks what the manifest says (or has fields this field manager set
before that the manifest no longer has), so a second run sends no write. Check mode sends dry-run applies
(dryRun=All): the server validates what would be written and nothing is stored. Removal goes in reverse order and
keeps CustomResourceDefinitions (their removal deletes every custom resource of the kind in the cluster) and
Namespaces unless asked.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.appnet.skupper.plugins.module_utils import documents
from ansible_collections.appnet.skupper.plugins.module_utils.backend import BackendError
from ansible_collections.appnet.skupper.plugins.module_utils.k8s import (
    auth, client as k8s_client, controller_config, manifest_source)
from ansible_collections.appnet.skupper.plugins.module_utils.k8s.backend import (
    Deadline, apply_body, dropped_fields, secret_with_data, terminating)
from ansible_collections.appnet.skupper.plugins.module_utils.k8s.discovery import ApiResources
from ansible_collections.appnet.skupper.plugins.module_utils.k8s.manifest_source import describe
from ansible_collections.appnet.skupper.plugins.module_utils.skupper_module import SkupperModule

CRD = ('apiextensions.k8s.io', 'CustomResourceDefinition')
NAMESPACE = ('', 'Namespace')
DEPLOYMENT = ('apps', 'Deployment')
# Seconds before the first check of a wait (the pause doubles up to wait_sleep).
FIRST_CHECK = 0.25


def group_kind(obj):
    api_version = obj['apiVersion']
    return (api_version.split('/')[0] if '/' in api_version else ''), obj['kind']


def is_established(crd):
    return any(c.get('type') == 'Established' and c.get('status') == 'True'
               for c in ((crd or {}).get('status') or {}).get('conditions') or [])


def rollout_pending(deployment):
    """Why a Deployment's rollout is not complete and available (kubectl rollout status's rules), or None."""
    if deployment is None:
        return 'it does not exist'
    metadata, spec, status = deployment['metadata'], deployment.get('spec') or {}, deployment.get('status') or {}
    if status.get('observedGeneration', 0) < metadata.get('generation', 1):
        return 'the deployment controller has not seen generation %s yet' % metadata.get('generation')
    wanted = spec.get('replicas', 1)
    if status.get('updatedReplicas', 0) < wanted:
        return '%s of %s replicas updated' % (status.get('updatedReplicas', 0), wanted)
    if status.get('replicas', 0) > status.get('updatedReplicas', 0):
        return '%s old replicas pending termination' % (status['replicas'] - status.get('updatedReplicas', 0))
    if status.get('availableReplicas', 0) < status.get('updatedReplicas', 0):
        return '%s of %s updated replicas available' % (status.get('availableReplicas', 0),
                                                        status.get('updatedReplicas', 0))
    available = [c for c in status.get('conditions') or [] if c.get('type') == 'Available']
    if available and available[0].get('status') != 'True':
        return 'Available is %s: %s' % (available[0].get('status'), available[0].get('message'))
    return None


class Outcome(object):
    """What happened to one object: created, updated, unchanged, deleted, absent or kept."""

    def __init__(self, obj, result, before=None, after=None):
        self.obj = obj
        self.result = result
        self.before = before
        self.after = after

    @property
    def changed(self):
        return self.result in ('created', 'updated', 'deleted')

    def summary(self):
        metadata = self.obj['metadata']
        return {'api_version': self.obj['apiVersion'], 'kind': self.obj['kind'], 'name': metadata['name'],
                'namespace': metadata.get('namespace'), 'result': self.result}

    def diff(self):
        def text(doc):
            return documents.dump_yaml(documents.redact(documents.normalize(doc))) if doc else ''
        return {'before_header': describe(self.obj), 'after_header': describe(self.obj),
                'before': text(self.before), 'after': text(self.after)}


class ManifestApplier(object):
    """The objects of a manifest on one cluster; namespace: where namespaced objects without one go."""

    def __init__(self, client, namespace, force=True, sleep=time.sleep, clock=time.time):
        self.client = client
        self.namespace = namespace
        self.force = force
        self.sleep = sleep
        self.clock = clock
        self.resources = ApiResources(client)
        # Outcomes so far: a failure after some writes (a wait that timed out) still reports them.
        self.done = []

    # -- requests to an object's path (any kind; KubeClient's own verbs know the model's kinds) -----

    def _error(self, exc, obj):
        metadata = obj['metadata']
        details = (k8s_client._status_body(exc).get('details') or {})
        if exc.status == 404 and details.get('kind') != 'namespaces':
            return BackendError('%s: the Kubernetes API at %s answered 404 Not Found for it'
                                % (describe(obj), self.client.url))
        return self.client.error(exc, obj['kind'], metadata['name'], metadata.get('namespace'))

    def _get(self, obj, path):
        try:
            return self.client.request('GET', path, what=describe(obj))
        except k8s_client.ApiException as exc:
            if exc.status == 404:
                return None
            raise self._error(exc, obj)

    def _apply(self, document, path, check_mode):
        query = {'fieldManager': k8s_client.FIELD_MANAGER}
        if self.force:
            query['force'] = 'true'
        if check_mode:
            query['dryRun'] = 'All'
        try:
            return self.client.request('PATCH', path, body=document, query=query, content_type=k8s_client.APPLY,
                                       what=describe(document))
        except k8s_client.ApiException as exc:
            raise self._error(exc, document)

    def _delete(self, obj, path, check_mode):
        try:
            self.client.request('DELETE', path, query={'dryRun': 'All'} if check_mode else None, what=describe(obj))
        except k8s_client.ApiException as exc:
            if exc.status != 404:
                raise self._error(exc, obj)

    # -- where each object lives -----------------------------------------------------------------

    def _placed(self, obj):
        """(object with its namespace set, or removed for cluster-scoped kinds; its API path), or (obj, None)
        when the server does not serve the kind yet and a CRD of the manifest defines it."""
        metadata = obj['metadata']
        found = self.resources.find(obj['apiVersion'], obj['kind'])
        if found is None:
            return obj, None
        _plural, namespaced = found
        metadata = dict(metadata)
        if namespaced:
            metadata['namespace'] = metadata.get('namespace') or self.namespace
        else:
            metadata.pop('namespace', None)
        placed = dict(obj, metadata=metadata)
        path = self.resources.path(obj['apiVersion'], obj['kind'], metadata.get('namespace'), metadata['name'])[0]
        return placed, path

    def check_kinds(self, objects):
        """BackendError, before any write, for a kind the server does not serve and no CRD of the manifest
        defines."""
        defined = set()
        for obj in objects:
            if group_kind(obj) == CRD:
                spec = obj.get('spec') or {}
                for version in spec.get('versions') or []:
                    defined.add(('%s/%s' % (spec.get('group'), version.get('name')), (spec.get('names') or {}).get('kind')))
        unknown = [obj for obj in objects if (obj['apiVersion'], obj['kind']) not in defined
                   and self.resources.find(obj['apiVersion'], obj['kind']) is None]
        if unknown:
            raise BackendError('the Kubernetes API at %s does not serve %s, and no CustomResourceDefinition of the '
                               'manifest defines it; nothing was changed'
                               % (self.client.url, ', '.join('%s (%s %s)' % (describe(o), o['apiVersion'], o['kind'])
                                                             for o in unknown)))

    # -- present -----------------------------------------------------------------------------------

    def apply_one(self, obj, check_mode, created_namespaces=()):
        outcome = self._apply_one(obj, check_mode, created_namespaces)
        self.done.append(outcome)
        return outcome

    def _apply_one(self, obj, check_mode, created_namespaces):
        placed, path = self._placed(obj)
        namespace = placed['metadata'].get('namespace')
        if path is None or (check_mode and namespace in created_namespaces):
            # Check mode: the kind (or the namespace) would come with this run; the server cannot dry-run it yet.
            return Outcome(placed, 'created', None, placed)
        desired = secret_with_data(apply_body(placed))
        live = self._get(placed, path)
        if terminating(live):
            raise BackendError('%s is being deleted (deletionTimestamp %s): it cannot be applied until it is gone; '
                               'run again later' % (describe(placed), terminating(live)))
        if live is not None and documents.contains(live, documents.prune(desired)) and not dropped_fields(live, desired):
            return Outcome(placed, 'unchanged', live, live)
        after = self._apply(desired, path, check_mode)
        return Outcome(placed, 'updated' if live is not None else 'created', live, after)

    def present(self, objects, check_mode, wait, timeout, sleep):
        """Outcomes of applying every object (see the module docstring for the order)."""
        self.check_kinds(objects)
        crds = [o for o in objects if group_kind(o) == CRD]
        namespaces = [o for o in objects if group_kind(o) == NAMESPACE]
        rest = [o for o in objects if group_kind(o) not in (CRD, NAMESPACE)]
        outcomes = [self.apply_one(crd, check_mode) for crd in crds]
        if not check_mode:
            for outcome in outcomes:
                self.wait_for(outcome.obj, timeout, sleep, 'Established',
                              lambda crd: None if is_established(crd) else 'no Established condition yet'
                              if crd else 'it does not exist')
        outcomes += [self.apply_one(namespace, check_mode) for namespace in namespaces]
        created = set(o.obj['metadata']['name'] for o in outcomes if o.result == 'created'
                      and group_kind(o.obj) == NAMESPACE)
        outcomes += [self.apply_one(obj, check_mode, created) for obj in rest]
        if wait and not check_mode:
            for outcome in outcomes:
                if group_kind(outcome.obj) == DEPLOYMENT:
                    outcome.after = self.wait_for(outcome.obj, timeout, sleep, 'available', rollout_pending)
        return outcomes

    def wait_for(self, obj, timeout, sleep, what, pending_reason):
        """The object once pending_reason(object) is None; BackendError with the last reason after timeout.

        Checks come 0.25 s apart at first, the pause doubling up to sleep seconds: a CRD is Established, and a
        small Deployment rolled out, within moments on a healthy cluster.
        """
        placed, path = self._placed(obj)
        deadline = Deadline(self, timeout, FIRST_CHECK)
        while True:
            current = self._get(placed, path)
            reason = pending_reason(current)
            if reason is None:
                return current
            if deadline.passed():
                raise BackendError('%s was not %s after %d s: %s' % (describe(placed), what, timeout, reason))
            deadline.sleep()
            deadline.every = min(deadline.every * 2, max(sleep, FIRST_CHECK))

    # -- absent ------------------------------------------------------------------------------------

    def absent(self, objects, check_mode, delete_crds, delete_namespaces, wait, timeout, sleep):
        """Outcomes of deleting every object, in reverse order; CRDs and Namespaces kept unless asked."""
        outcomes = []
        for obj in reversed(objects):
            kept = (group_kind(obj) == CRD and not delete_crds) or (group_kind(obj) == NAMESPACE and not delete_namespaces)
            placed, path = self._placed(obj)
            if kept:
                outcomes.append(Outcome(placed, 'kept'))
                continue
            if path is None:  # the kind is not served: nothing of it can exist
                outcomes.append(Outcome(placed, 'absent'))
                continue
            live = self._get(placed, path)
            if live is None or terminating(live):
                outcomes.append(Outcome(placed, 'absent', live, live))
                continue
            self._delete(placed, path, check_mode)
            outcomes.append(Outcome(placed, 'deleted', live, None))
            self.done.append(outcomes[-1])
        if wait and not check_mode:
            for outcome in outcomes:
                if outcome.result == 'deleted':
                    self.wait_for(outcome.obj, timeout, sleep, 'deleted', _gone)
        outcomes.reverse()
        return outcomes


def _gone(obj):
    if obj is None:
        return None
    return 'it still exists (finalizers: %s)' % (', '.join(obj['metadata'].get('finalizers') or []) or 'none')


# -- appnet.skupper.manifest -------------------------------------------------------------------------

def controller_config_spec():
    """The argument spec of appnet.skupper.manifest's controller_config (one suboption per controller option)."""
    options = {}
    for key, option in controller_config.OPTIONS.items():
        options[key] = {'type': option.type}
        if option.type == 'list':
            options[key]['elements'] = 'str'
        # (no choices: Ansible checks a suboption's choices against an unset value (None) too, and the role
        # passes every option; controller_config.problems names an unknown access type)
    return {'controller_config': {'type': 'dict', 'options': options}}


def load(module):
    """The objects of the manifest of src or url, with controller_config set on its controller Deployment."""
    params = module.params
    if params['src']:
        objects = manifest_source.parse(manifest_source.read_path(params['src']))
    else:
        objects = manifest_source.parse(manifest_source.fetch_url(module, params['url'], params['url_timeout']))
    if params.get('state') == 'present':
        try:
            objects = controller_config.configure(objects, params.get('controller_config'))
        except controller_config.ControllerConfigError as exc:
            raise manifest_source.ManifestError(str(exc))
    return objects


def run_manifest_module(argument_spec):
    """appnet.skupper.manifest's run: its options checked first (SkupperModule), then the manifest of src or url
    applied (state=present) or removed, and the module exited with every object's outcome."""
    module = SkupperModule(argument_spec=argument_spec, supports_check_mode=True,
                           checked=('namespace', 'url_timeout', 'wait_timeout', 'wait_sleep'),
                           required_one_of=[('src', 'url')], mutually_exclusive=[('src', 'url')])
    auth.protect_kubeconfig(module)
    params = module.params
    applier = None
    try:
        objects = load(module)
        applier = ManifestApplier(k8s_client.KubeClient.from_params(params), params['namespace'],
                                  force=params['force'])
        if params['state'] == 'present':
            outcomes = applier.present(objects, module.check_mode, params['wait'], params['wait_timeout'],
                                       params['wait_sleep'])
        else:
            outcomes = applier.absent(objects, module.check_mode, params['delete_crds'], params['delete_namespaces'],
                                      params['wait'], params['wait_timeout'], params['wait_sleep'])
    except manifest_source.ManifestError as exc:
        module.fail_json(msg=str(exc), changed=False, objects=[])
    except BackendError as exc:
        done = applier.done if applier else []
        module.fail_json(msg=exc.message, changed=any(o.changed for o in done), objects=[o.summary() for o in done])
    result = {'changed': any(o.changed for o in outcomes), 'objects': [o.summary() for o in outcomes]}
    if module._diff:
        result['diff'] = [o.diff() for o in outcomes if o.changed]
    module.exit_json(**result)
