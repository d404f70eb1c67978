"""Kubernetes `Status` failures raised by the API server stand-in (a test double).

Every failure the stand-in answers with is an `ApiError`; its `status()` is the JSON body kube-apiserver
would send (`kind: Status`, `status: Failure`, `reason`, `message`, `details`, `code`).
"""

import json


class ApiError(Exception):
    """An HTTP failure answered as a kube `Status` object."""

    def __init__(self, code, reason, message, details=None, headers=None):
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
        self.headers = headers or {}

    def status(self):
        body = {'kind': 'Status', 'apiVersion': 'v1', 'metadata': {}, 'status': 'Failure',
                'message': self.message, 'reason': self.reason}
        if self.details is not None:
            body['details'] = self.details
        body['code'] = self.code
        return body


def success_status(details):
    """The `Status` kube answers for an immediate delete of a custom resource or core object."""
    return {'kind': 'Status', 'apiVersion': 'v1', 'metadata': {}, 'status': 'Success', 'details': details}


def _details(resource, name):
    details = {'name': name}
    if resource.group:
        details['group'] = resource.group
    details['kind'] = resource.plural
    return details


def not_found(resource, name):
    return ApiError(404, 'NotFound', f'{resource.qualified} "{name}" not found', _details(resource, name))


def namespace_not_found(namespace):
    return ApiError(404, 'NotFound', f'namespaces "{namespace}" not found',
                    {'name': namespace, 'kind': 'namespaces'})


def already_exists(resource, name):
    return ApiError(409, 'AlreadyExists', f'{resource.qualified} "{name}" already exists',
                    _details(resource, name))


def conflict(resource, name, detail='the object has been modified; please apply your changes to the latest '
                                    'version and try again'):
    return ApiError(409, 'Conflict', f'Operation cannot be fulfilled on {resource.qualified} "{name}": {detail}',
                    _details(resource, name))


def format_value(value):
    """A value as kube's field errors print it (Go %#v-like: quoted strings, bare numbers)."""
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if value is None:
        return 'null'
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    return json.dumps(value, sort_keys=True)


class FieldError:
    """One `field.Error` of kube: a reason (FieldValueRequired, ...), a field path and its text."""

    _TYPES = {'FieldValueRequired': 'Required value', 'FieldValueInvalid': 'Invalid value',
              'FieldValueTypeInvalid': 'Invalid value', 'FieldValueNotSupported': 'Unsupported value',
              'FieldValueTooMany': 'Too many', 'FieldValueTooLong': 'Too long',
              'FieldValueForbidden': 'Forbidden', 'FieldValueDuplicate': 'Duplicate value'}
    _WITH_VALUE = ('FieldValueInvalid', 'FieldValueTypeInvalid', 'FieldValueNotSupported', 'FieldValueTooMany',
                   'FieldValueDuplicate')

    def __init__(self, reason, field, detail='', value=None):
        self.reason = reason
        self.field = field
        self.detail = detail
        self.value = value

    def body(self):
        text = self._TYPES[self.reason]
        if self.reason in self._WITH_VALUE:
            text += ': ' + format_value(self.value)
        if self.detail:
            text += ': ' + self.detail
        return text

    def __str__(self):
        return f'{self.field}: {self.body()}'

    def __repr__(self):
        return f'FieldError({self})'


def required(field, detail=''):
    return FieldError('FieldValueRequired', field, detail)


def invalid(field, value, detail):
    return FieldError('FieldValueInvalid', field, detail, value)


def invalid_object(qualified_kind, name, errors):
    """422 Invalid with kube's message `<Kind>.<group> "<name>" is invalid: [...]` and one cause per error."""
    texts = [str(error) for error in errors]
    summary = texts[0] if len(texts) == 1 else '[' + ', '.join(texts) + ']'
    kind, _unused, group = qualified_kind.partition('.')
    details = {'name': name}
    if group:
        details['group'] = group
    details['kind'] = kind
    details['causes'] = [{'reason': e.reason, 'message': e.body(), 'field': e.field} for e in errors]
    return ApiError(422, 'Invalid', f'{qualified_kind} "{name}" is invalid: {summary}', details)


def bad_request(message):
    return ApiError(400, 'BadRequest', message)


def unsupported_media_type(accepted):
    return ApiError(415, 'UnsupportedMediaType',
                    'the body of the request was in an unknown format - accepted media types include: '
                    + ', '.join(accepted))


def unauthorized():
    return ApiError(401, 'Unauthorized', 'Unauthorized')


def forbidden(user, verb, resource, namespace=None, name=None):
    """403 Forbidden as kube's RBAC authorizer words it."""
    what = f'{resource.qualified} "{name}"' if name else resource.qualified
    scope = f' in the namespace "{namespace}"' if namespace else ' at the cluster scope'
    message = (f'{what} is forbidden: User "{user}" cannot {verb} resource "{resource.plural}" in API group '
               f'"{resource.group}"{scope}')
    details = _details(resource, name)
    if not name:
        del details['name']
    return ApiError(403, 'Forbidden', message, details)


def path_not_found():
    return ApiError(404, 'NotFound', 'the server could not find the requested resource', {})


def method_not_allowed():
    return ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {})


def not_implemented(feature, code=400, reason='BadRequest'):
    """A request for a feature of kube-apiserver that the stand-in leaves out (no product path uses it): answered
    with an error that says so, never with a wrong answer."""
    return ApiError(code, reason, f'the API server stand-in (a test double) does not implement {feature}: '
                                  f'no product path uses it')
