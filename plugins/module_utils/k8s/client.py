# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Requests to the Kubernetes API: paths, server-side apply, retries, and errors a user can read."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import time

from ansible_collections.appnet.skupper.plugins.module_utils import model
from ansible_collections.appnet.skupper.plugins.module_utils.backend import BackendError
from ansible_collections.appnet.skupper.plugins.module_utils.k8s import auth


class ApiException(Exception):
    """Stands for kubernetes.client.rest.ApiException until a KubeClient imports the kubernetes package (the
    import costs about 0.45 s, which a task on a Linux site never pays)."""
    status = None


class Urllib3Error(Exception):
    """Stands for urllib3's HTTPError, likewise."""


def _import_errors():
    global ApiException, Urllib3Error
    from kubernetes.client.rest import ApiException
    from urllib3.exceptions import HTTPError as Urllib3Error


FIELD_MANAGER = 'appnet.skupper'
APPLY = 'application/apply-patch+yaml'
RETRIED_STATUS = (429, 500, 502, 503, 504)
ATTEMPTS = 5
FIRST_DELAY = 0.25
# No single pause (backoff or a server's Retry-After) is longer than this many seconds.
MAX_DELAY = 10.0
# (connect, read) seconds of every request: a server that accepts and never answers is retried, then fails.
REQUEST_TIMEOUT = (10, 60)


def resource_path(kind, namespace, name=None):
    """The API path of a kind's collection in a namespace, or of one object."""
    spec = model.get_kind(kind)
    if spec.group:
        base = '/apis/%s/namespaces/%s/%s' % (spec.api_version, namespace, spec.plural)
    else:
        base = '/api/%s/namespaces/%s/%s' % (spec.api_version, namespace, spec.plural)
    return base + ('/' + name if name else '')


def _status_body(exc):
    try:
        return json.loads(exc.body or '{}')
    except (TypeError, ValueError):
        return {'message': exc.body or exc.reason}


class KubeClient(object):
    """One API server connection (an ApiClient) with retries and error translation."""

    def __init__(self, api_client, sleep=time.sleep, timeout=REQUEST_TIMEOUT):
        _import_errors()
        self.api = api_client
        self.sleep = sleep
        self.timeout = timeout

    @classmethod
    def from_params(cls, params):
        return cls(auth.get_api_client(params))

    @property
    def url(self):
        return self.api.configuration.host

    def request(self, method, path, body=None, query=None, content_type='application/json'):
        """The decoded answer of one request, retried on 429, 5xx, timeouts and dropped connections."""
        delay = FIRST_DELAY
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return self._send(method, path, body, query, content_type)
            except ApiException as exc:
                if exc.status == 0:  # the client's wrapping of an SSL error (no HTTP answer at all)
                    raise BackendError('TLS error talking to the Kubernetes API at %s: %s. Check the URL '
                                       '(https:// to a TLS port), ca_cert (the CA that signed the API server\'s '
                                       'certificate) and validate_certs' % (self.url, _tls_reason(exc)))
                if exc.status not in RETRIED_STATUS or attempt == ATTEMPTS:
                    raise
                self.sleep(min(_retry_after(exc, delay), MAX_DELAY))
            except Urllib3Error as exc:
                if attempt == ATTEMPTS:
                    raise BackendError('cannot reach the Kubernetes API at %s after %d attempts: %s'
                                       % (self.url, ATTEMPTS, _reason(exc)))
                self.sleep(delay)
            delay = min(delay * 2, MAX_DELAY)
        raise AssertionError('unreachable')  # pragma: no cover

    def get_text(self, path, query=None):
        """The text of a GET that answers text, not JSON (a pod's log), retried like request(); ApiException
        for an HTTP error."""
        return self.request('GET', path, query=query, content_type='text/plain')

    def _send(self, method, path, body, query, content_type):
        text_answer = content_type == 'text/plain'
        headers = {'Accept': '*/*' if text_answer else 'application/json', 'Content-Type': content_type}
        if body is not None and not isinstance(body, str) and content_type != 'application/json':
            body = json.dumps(body)  # the client serialises JSON bodies itself, and sends other strings as they are
        query = list((query or {}).items())
        if hasattr(self.api, 'param_serialize'):  # kubernetes >= 31 (the newer OpenAPI generator)
            request = self.api.param_serialize(method, path, query_params=query, header_params=headers, body=body,
                                               auth_settings=['BearerToken'])
            response = self.api.call_api(*request, _request_timeout=self.timeout)
            response.read()
            text = (response.data or b'').decode('utf-8', 'replace')
            if not 200 <= response.status <= 299:
                raise ApiException(http_resp=response, body=text)
            if text_answer:
                return text
            return json.loads(text) if text else None
        return self.api.call_api(path, method, query_params=query, header_params=headers, body=body,
                                 auth_settings=['BearerToken'], response_type='str' if text_answer else 'object',
                                 _return_http_data_only=True, _preload_content=True,
                                 _request_timeout=self.timeout)

    # -- verbs ----------------------------------------------------------------------------------

    def get(self, kind, namespace, name):
        """The object, or None when it does not exist."""
        try:
            return self.request('GET', resource_path(kind, namespace, name))
        except ApiException as exc:
            if exc.status == 404:
                return None
            raise self.error(exc, kind, name, namespace)

    def list(self, kind, namespace):
        """The objects of a kind in a namespace, sorted by name."""
        try:
            items = (self.request('GET', resource_path(kind, namespace)) or {}).get('items') or []
        except ApiException as exc:
            raise self.error(exc, kind, '*', namespace)
        return sorted(items, key=lambda item: item['metadata']['name'])

    def apply(self, document, force=False, dry_run=False):
        """Server-side apply of a whole document; the object as the server has it (or would)."""
        metadata = document['metadata']
        query = {'fieldManager': FIELD_MANAGER}
        if force:
            query['force'] = 'true'
        if dry_run:
            query['dryRun'] = 'All'
        try:
            return self.request('PATCH', resource_path(document['kind'], metadata['namespace'], metadata['name']),
                                body=document, query=query, content_type=APPLY)
        except ApiException as exc:
            raise self.error(exc, document['kind'], metadata['name'], metadata['namespace'])

    def delete(self, kind, namespace, name, dry_run=False):
        """Delete; False when it was already gone."""
        try:
            self.request('DELETE', resource_path(kind, namespace, name), query={'dryRun': 'All'} if dry_run else None)
            return True
        except ApiException as exc:
            if exc.status == 404:
                return False
            raise self.error(exc, kind, name, namespace)

    # -- errors ---------------------------------------------------------------------------------

    def error(self, exc, kind, name, namespace):
        """A BackendError a user can act on, for an ApiException."""
        body = _status_body(exc)
        message = body.get('message') or exc.reason
        details = body.get('details') or {}
        if exc.status == 404 and details.get('kind') == 'namespaces':
            return BackendError('namespace "%s" does not exist on %s: create it first' % (namespace, self.url))
        if exc.status == 422:
            causes = ['%s: %s' % (c.get('field', '?'), c.get('message', '')) for c in details.get('causes') or []]
            return BackendError('%s "%s" is invalid: %s' % (kind, name, '; '.join(causes) or message),
                                causes=details.get('causes') or [])
        if exc.status == 409 and 'conflict' in message.lower():
            fields = ['%s (%s)' % (c.get('field'), c.get('message')) for c in details.get('causes') or []]
            return BackendError('%s "%s": another field manager owns what this task changes: %s. The task '
                                'has force: false, so nothing was changed; leave force out (or set it true) to '
                                'take those fields back.' % (kind, name, ', '.join(fields) or message))
        if exc.status == 401:
            return BackendError('the Kubernetes API at %s refused %s (HTTP 401 Unauthorized): %s. Check the token '
                                'or client certificate' % (self.url, auth.credentials_kind(self.api.configuration),
                                                           message))
        if exc.status == 403:
            return BackendError('the Kubernetes API at %s accepted %s but denied this request (HTTP 403 Forbidden, a '
                                'missing permission): %s. Grant it with RBAC (a Role or ClusterRole bound to that '
                                'user or service account in namespace %s)'
                                % (self.url, auth.credentials_kind(self.api.configuration), message, namespace))
        if exc.status == 404:
            return BackendError('%s: the API at %s does not serve %s (are the Skupper CRDs installed?): %s'
                                % (kind, self.url, resource_path(kind, namespace), message))
        return BackendError('%s "%s" in namespace %s: HTTP %d from %s: %s'
                            % (kind, name, namespace, exc.status, self.url, message))


def _reason(exc):
    reason = getattr(exc, 'reason', None)
    return str(reason or exc)


def _tls_reason(exc):
    """The SSL error inside the client's "SSLError\\n<urllib3 text>" reason, on one line."""
    text = ' '.join(str(exc.reason or '').split())
    marker = 'Caused by '
    if marker in text:
        text = text[text.index(marker) + len(marker):].rstrip(')')
    return text or 'no details'


def _retry_after(exc, default):
    """Seconds a 429/503 answer asks to wait (Retry-After, in seconds), else default."""
    value = (exc.headers or {}).get('Retry-After')
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return default
    return seconds if seconds >= 0 else default
