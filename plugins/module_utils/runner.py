# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every resource module does: options from the model (or the documents of a definition), validate, apply or
delete (through the backend of the platform, and the handler of the kind), report."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib

from ansible_collections.appnet.skupper.plugins.module_utils.skupper_module import SkupperModule

from ansible_collections.appnet.skupper.plugins.module_utils import (
    args_common, definition, documents, kind_handlers, model, platforms)
from ansible_collections.appnet.skupper.plugins.module_utils.apply import mask_secrets
from ansible_collections.appnet.skupper.plugins.module_utils.backend import BackendError
from ansible_collections.appnet.skupper.plugins.module_utils.k8s import auth


def get_backend(module, namespace=None):
    """The backend of a module's platform (platforms.py: its backend), for its connection options and namespace
    (default: the module's)."""
    params = module.params
    namespace = namespace or params['namespace']
    backend = platforms.get(params['platform']).backend
    if backend == platforms.SYSTEM_BACKEND:
        from ansible_collections.appnet.skupper.plugins.module_utils.system.backend import SystemBackend
        return SystemBackend(namespace, params['platform'], params.get('data_home'))
    from ansible_collections.appnet.skupper.plugins.module_utils.k8s.backend import KubernetesBackend
    return KubernetesBackend.from_module(module, namespace)


def resource_argument_spec(kind):
    return args_common.merge(model.argument_spec(kind), args_common.COMMON, args_common.K8S_AUTH,
                             args_common.WAIT, args_common.APPLY)


def prepare(kind, params):
    """(document, problems) of the module's input: the parameters' document through the same validation and
    normalisation as a document given to appnet.skupper.resource, naming options instead of paths."""
    return model.prepare_document(model.build_document(kind, params), params['platform'], style='option',
                                  state=params['state'])


def result_from(outcome, module):
    """The module result of an ApplyResult: changed, resource, status, diff and extras."""
    after = outcome.after
    mask_secrets(module, outcome.before, after)
    result = dict(outcome.extra)
    # Values a module must return (the code in access_grant's token; its action plugin hides the output).
    for value in result.pop('reveal', []):
        module.no_log_values.discard(value)
    for text in result.pop('warnings', []):
        module.warn(text)
    result['changed'] = outcome.changed
    result['resource'] = documents.redact(after) if after else {}
    if after and 'status' in after:
        result['status'] = after.get('status') or {}
    elif 'status' not in result:
        result['status'] = {}
    result['status'] = documents.redact({'kind': (after or {}).get('kind'), 'status': result['status']})['status']
    if module._diff:
        result['diff'] = {
            'before': documents.redact(documents.normalize(outcome.before)) or {},
            'after': documents.redact(documents.normalize(after)) or {},
        }
    return result


@contextlib.contextmanager
def sites_locked(module, backends):
    """Hold the lock of the system site of every backend (site_lock.py) for the with block; a run that waited
    too long fails naming the run that holds the site. Kubernetes backends need none (the API serialises)."""
    homes = sorted(set(b.home for b in backends if platforms.is_system(getattr(b, 'platform', None))))
    if not homes:
        yield
        return
    from ansible_collections.appnet.skupper.plugins.module_utils.system.store import site_lock
    with contextlib.ExitStack() as stack:
        try:
            for home in homes:
                stack.enter_context(site_lock.site_lock(home, module.check_mode))
        except site_lock.SiteLocked as exc:
            module.fail_json(msg=str(exc), changed=False)
        yield


def run_resource_module(kind_name):
    """Run the module of a kind: its options are the kind's fields, the common ones and those of its handler
    (kind_handlers.EXTRA_SPECS); the kind's handler for the platform's backend applies it."""
    kind = model.get_kind(kind_name)
    extra_spec = kind_handlers.EXTRA_SPECS.get(kind.kind)
    module = SkupperModule(argument_spec=args_common.merge(resource_argument_spec(kind), extra_spec or {}),
                           supports_check_mode=True,
                           required_if=model.required_if(kind))
    auth.protect_kubeconfig(module)
    desired, errors = prepare(kind, module.params)
    if errors:
        module.fail_json(msg='Invalid %s %r: %s' % (kind.kind, module.params.get('name'), '; '.join(errors)),
                         errors=errors, changed=False)
    handler = kind_handlers.module_handler(kind.kind, module.params['platform'])
    try:
        backend = get_backend(module)
        with sites_locked(module, [backend]):
            outcome = handler(module, backend, desired)
    except BackendError as exc:
        # A wait that failed after a write still reports the write.
        module.fail_json(msg=exc.message, changed=bool(exc.outcome and exc.outcome.changed), **exc.details)
    module.exit_json(**result_from(outcome, module))


def read_definition(module):
    """The documents of a module's definition (or src), read, their secret values hidden, every one checked
    against the model; fails the module (nothing applied) when one cannot be read or is invalid."""
    params = module.params
    try:
        loaded = definition.read_documents(params)
    except BackendError as exc:
        if isinstance(params['definition'], str):
            # Unreadable text may hold keys: it is not echoed either.
            params['definition'] = '(not shown: it could not be read)'
        module.fail_json(msg='Cannot read the documents: %s' % exc.message, changed=False)
    definition.hide_secrets(module, loaded)
    prepared, errors = definition.check_documents(loaded, params)
    if errors:
        module.fail_json(msg='Invalid documents: %s' % '; '.join(errors), errors=errors, changed=False)
    return prepared


def definition_targets(module, prepared):
    """(document, backend) of every prepared document; fails the module when a backend cannot be had."""
    try:
        return [(doc, get_backend(module, doc['metadata']['namespace'])) for doc in prepared]
    except BackendError as exc:
        module.fail_json(msg=exc.message, changed=False, **exc.details)


def apply_definition(module, targets):
    """What the targets refuse (a second Site in a Linux namespace, a port in use) before anything is written,
    then every document through the handler of its kind: (the result: changed, results, diff and, on a system site,
    reload_required; the documents written, or in check mode those that would be). Fails the module on a refusal
    (nothing written) or on the first failing document (the result lists what was applied before it). The caller
    holds the sites' locks."""
    params = module.params
    errors = []
    if params['state'] == 'present':
        for doc, backend in targets:
            errors.extend('%s %s: %s' % (doc['kind'], doc['metadata']['name'], p) for p in backend.problems(doc))
    if errors:
        module.fail_json(msg='Invalid documents: %s' % '; '.join(errors), errors=errors, changed=False)
    results, diffs, written = [], [], []
    try:
        for doc, backend in targets:
            metadata = doc['metadata']
            outcome = kind_handlers.document_handler(doc['kind'], params['platform'])(module, backend, doc)
            if outcome.changed and outcome.after:
                written.append(outcome.after)
            item = result_from(outcome, module)
            diff = item.pop('diff', None)
            if diff:
                header = '%s/%s/%s' % (metadata['namespace'], doc['kind'], metadata['name'])
                diffs.append(dict(diff, before_header=header, after_header=header))
            results.append(dict(item, kind=doc['kind'], name=metadata['name'], namespace=metadata['namespace']))
    except BackendError as exc:
        # A write that happened before the failure (a wait that timed out after an apply) counts as a change.
        written = bool(exc.outcome and exc.outcome.changed)
        module.fail_json(msg=exc.message, changed=written or any(r['changed'] for r in results), results=results,
                         **exc.details)
    result = {'changed': any(r['changed'] for r in results), 'results': results}
    if platforms.is_system(params['platform']):
        result['reload_required'] = any(r.get('reload_required') for r in results)
    if module._diff:
        result['diff'] = diffs
    return result, written


def run_definition_module(argument_spec):
    """appnet.skupper.resource: every document of the definition (or src) applied or removed."""
    # A definition may carry a Secret's private key: never in the invocation record, whatever the task's no_log.
    module = SkupperModule(argument_spec=argument_spec, supports_check_mode=True, quiet=('definition',),
                           required_one_of=[('definition', 'src')], mutually_exclusive=[('definition', 'src')])
    auth.protect_kubeconfig(module)
    targets = definition_targets(module, read_definition(module))
    with sites_locked(module, [backend for _doc, backend in targets]):
        result = apply_definition(module, targets)[0]
    module.exit_json(**result)
