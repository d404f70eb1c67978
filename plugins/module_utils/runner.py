# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every resource module does: options from the model, validate, apply or delete, report."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.appnet.skupper.plugins.module_utils import args_common, documents, model, validation
from ansible_collections.appnet.skupper.plugins.module_utils.backend import BackendError, get_backend
from ansible_collections.appnet.skupper.plugins.module_utils.k8s import auth


def resource_argument_spec(kind):
    return args_common.merge(model.argument_spec(kind), args_common.COMMON, args_common.K8S_AUTH,
                             args_common.WAIT, args_common.APPLY)


def input_errors(kind, params):
    """Problems with the module's input, each naming the option and the value."""
    errors = []
    for option in ('name', 'namespace'):
        problem = validation.check_name(params.get(option))
        if problem:
            errors.append('%s: %r %s' % (option, params.get(option), problem))
    if params.get('labels') is not None:
        problem = validation.check_labels(params['labels'])
        if problem:
            errors.append('labels: %s' % problem)
    if not kind.supported_on(params['platform']):
        errors.append('%s is not supported on %s: %s' % (
            kind.kind, model.PLATFORM_TITLES[params['platform']], kind.not_on_system))
    elif params['state'] == 'present':
        spec = model.spec_from_params(kind, params)
        errors.extend(model.validate_spec(kind, spec, params['platform'], style='option'))
    return errors


def result_from(outcome, module):
    """The module result of an ApplyResult: changed, resource, status, diff and extras."""
    after = outcome.after
    _mask_secrets(module, outcome.before, after)
    result = dict(outcome.extra)
    # Values a module must return (the code in access_grant's token; its action plugin hides the output).
    for value in result.pop('reveal', []):
        module.no_log_values.discard(value)
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


def _mask_secrets(module, *docs):
    """Secret values of documents (Secret data, token and grant codes) are never shown, not even in the
    module arguments Ansible echoes with -vvv (a Secret given to appnet.skupper.resource)."""
    for doc in docs:
        module.no_log_values.update(documents.secret_values(doc))


def wait_after(outcome, wait, *args):
    """wait(*args); a BackendError it raises carries outcome: what was written before the wait failed."""
    try:
        return wait(*args)
    except BackendError as exc:
        exc.outcome = outcome
        raise


def apply_document(module, backend, desired):
    """The default present/absent behaviour, with wait on platforms that have a controller."""
    _mask_secrets(module, desired)
    params = module.params
    kind, name = desired['kind'], desired['metadata']['name']
    if params['state'] == 'absent':
        outcome = backend.delete(kind, name, module.check_mode)
        # Also when it was already being deleted (unchanged): absent with wait means gone.
        if params['wait'] and outcome.before is not None and not module.check_mode:
            wait_after(outcome, backend.wait_absent, kind, name, params['wait_timeout'], params['wait_sleep'])
            outcome.after = None
        return outcome
    outcome = backend.apply(desired, module.check_mode)
    if params['wait'] and not module.check_mode:
        outcome.after = wait_after(outcome, backend.wait_ready, kind, name, params['wait_timeout'],
                                   params['wait_sleep'])
    return outcome


def run_resource_module(kind_name, handlers=None, extra_spec=None):
    """Run the module of a kind.

    handlers: {platform: callable(module, backend, desired) -> ApplyResult}; apply_document otherwise.
    extra_spec: options of this module beyond the kind's fields and the common ones.
    """
    kind = model.get_kind(kind_name)
    module = AnsibleModule(argument_spec=args_common.merge(resource_argument_spec(kind), extra_spec or {}),
                           supports_check_mode=True,
                           required_if=model.required_if(kind))
    auth.protect_kubeconfig(module)
    errors = input_errors(kind, module.params)
    if errors:
        module.fail_json(msg='Invalid %s %r: %s' % (kind.kind, module.params.get('name'), '; '.join(errors)),
                         errors=errors, changed=False)
    desired = model.build_document(kind, module.params)
    handlers = handlers or {}
    handler = handlers.get(module.params['platform'], apply_document)
    try:
        backend = get_backend(module)
        outcome = handler(module, backend, desired)
    except BackendError as exc:
        # A wait that failed after a write still reports the write.
        module.fail_json(msg=exc.message, changed=bool(exc.outcome and exc.outcome.changed), **exc.details)
    module.exit_json(**result_from(outcome, module))
