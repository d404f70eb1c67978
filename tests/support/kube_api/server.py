"""The HTTP(S) front of the Kubernetes API server stand-in (a test double for kube-apiserver).

`start_server()` serves the stand-in on 127.0.0.1 in background threads and returns a `StandInServer`:
its URL, request records and counts, fault injection, TLS files and kubeconfig helpers.
"""

import collections
import dataclasses
import http.server
import json
import shutil
import socket
import ssl
import tempfile
import threading
import time
import urllib.parse

from . import discovery, routing, tls
from .errors import ApiError, forbidden, unauthorized
from .operations import Operations, Request, dry_run_requested
from .resources import CRD_RESOURCE, Registry, load_crd_documents
from .store import Store

PRESET_NAMESPACES = ('default', 'kube-node-lease', 'kube-public', 'kube-system')
# The user of the read-only token (RBAC: get, list, watch only); a server-side apply is RBAC verb patch.
READ_ONLY_USER = 'system:serviceaccount:default:reader'
RBAC_VERBS = {'apply': 'patch'}
WRITE_VERBS = ('create', 'update', 'patch', 'apply', 'delete', 'deletecollection')
FAULT_ANSWERS = {429: ('TooManyRequests', 'Too many requests, please try again later.'),
                 500: ('InternalError', 'Internal error occurred: injected fault'),
                 503: ('ServiceUnavailable', 'The server is currently unable to handle the request (injected)')}


@dataclasses.dataclass
class RequestRecord:
    """One request the stand-in answered, in kube audit terms."""

    verb: str
    path: str
    method: str
    code: int
    dry_run: bool = False
    persisted: bool = False
    fault: str = None
    user_agent: str = ''
    at: float = 0.0  # time.monotonic() when it was answered (gaps between retries show backoff)

    def as_dict(self):
        return dataclasses.asdict(self)


@dataclasses.dataclass
class Fault:
    """Answer the next `remaining` requests matching (verb, path prefix) with `action` (429/500/503/'drop')."""

    action: object
    verb: str = None
    path_prefix: str = '/'
    remaining: int = 1
    retry_after: int = 0

    def matches(self, verb, method, path):
        return (self.remaining > 0 and path.startswith(self.path_prefix)
                and self.verb in (None, verb, method))


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'kube-api-standin'
    disable_nagle_algorithm = True

    def setup(self):
        context = self.server.standin.ssl_context
        if context is not None:
            self.request.settimeout(10)
            self.request = context.wrap_socket(self.request, server_side=True)
            self.request.settimeout(None)
        super().setup()

    def log_message(self, format, *args):
        """Quiet: requests are recorded in StandInServer.requests instead."""

    def do_GET(self):
        self._dispatch()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def _read_body(self):
        length = int(self.headers.get('Content-Length') or 0)
        return self.rfile.read(length) if length else b''

    def _dispatch(self):
        url = urllib.parse.urlsplit(self.path)
        query = {key: values[0] for key, values in urllib.parse.parse_qs(url.query, keep_blank_values=True).items()}
        body = self._read_body()
        standin = self.server.standin
        if url.path.startswith('/_standin/'):
            self._send_json(*standin.control(self.command, url.path, body))
            return
        content_type = (self.headers.get('Content-Type') or '').split(';')[0].strip()
        request = Request('', query, body, content_type, self.headers.get('User-Agent') or '')
        record = RequestRecord('', url.path, self.command, 0, user_agent=request.user_agent)
        try:
            answer = self._answer(request, record, content_type)
        except ApiError as error:
            answer = (error.code, error.status(), error.headers)
        record.code = 0 if answer is None else answer[0]
        standin.record(record)
        if answer is None:
            self._drop()
        else:
            self._send_json(*answer)

    def _answer(self, request, record, content_type):
        """(code, body, headers), or None to drop the connection; records as it goes."""
        standin = self.server.standin
        authorization = self.headers.get('Authorization')
        if not standin.authorized(authorization, self.request):
            raise unauthorized()
        route = routing.route(standin.registry, self.command, record.path, request.query, content_type)
        record.verb = request.verb = route.verb
        if route.target is not None and route.verb in WRITE_VERBS and standin.is_read_only(authorization):
            raise forbidden(READ_ONLY_USER, RBAC_VERBS.get(route.verb, route.verb), route.target.resource,
                            route.target.namespace, route.target.name)
        record.dry_run = route.verb in WRITE_VERBS and _dry_run_flag(request)
        fault = standin.take_fault(record.verb, record.method, record.path)
        if fault is not None:
            record.fault = str(fault.action)
            return _fault_answer(fault)
        if route.discovery:
            return 200, discovery.document(standin.registry, route.discovery, f'{standin.host}:{standin.port}'), {}
        outcome = standin.call(route, request)
        record.persisted = outcome.persisted
        return outcome.code, outcome.body, {}

    def _drop(self):
        self.close_connection = True
        self.request.shutdown(socket.SHUT_RDWR)

    def _send_json(self, code, body, headers=None):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


def _fault_answer(fault):
    if fault.action == 'drop':
        return None
    reason, message = FAULT_ANSWERS[fault.action]
    details = {'retryAfterSeconds': fault.retry_after} if fault.action == 429 else None
    headers = {'Retry-After': str(fault.retry_after)} if fault.action == 429 else {}
    raise ApiError(fault.action, reason, message, details, headers)


def bearer_token(authorization):
    """The token of an `Authorization: Bearer <token>` header; kube reads the scheme case-insensitively (the
    kubernetes client's in-cluster configuration sends `bearer`)."""
    scheme, _sep, token = (authorization or '').strip().partition(' ')
    return token.strip() if scheme.lower() == 'bearer' and token.strip() else None


def _dry_run_flag(request):
    try:
        return dry_run_requested(request)
    except ApiError:
        return False


class _HTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """Handshake failures and dropped clients are expected in tests; stay quiet."""


class StandInServer:
    """A running stand-in: `url`, request records and counts, faults, TLS files, kubeconfig helper."""

    def __init__(self, host='127.0.0.1', port=0, tls_dir=None, token=None, client_ca=None, crd_dir=None,
                 read_only_token=None):
        self.registry = Registry(load_crd_documents(crd_dir))
        # Seconds between a CRD's creation and its Established condition (kube's establishing controller runs
        # once the new types are served; a client must wait for it before it creates custom resources).
        self.establish_delay = 0.2
        self.store = Store()
        self.operations = Operations(self.registry, self.store)
        self.token = token
        self.read_only_token = read_only_token
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._requests = []
        self._faults = []
        self._own_tls_dir = None
        self.tls_files = self._tls_files(tls_dir)
        self.client_ca = self._client_ca_path(client_ca)
        self.ssl_context = self._ssl_context()
        self._seed()
        self._http = _HTTPServer((host, port), _Handler)
        self._http.standin = self
        self.host, self.port = self._http.server_address[:2]
        self._thread = threading.Thread(target=self._http.serve_forever, kwargs={'poll_interval': 0.1},
                                        name='kube-api-standin', daemon=True)
        self._thread.start()

    # -- setup ---------------------------------------------------------------------------------------

    def _tls_files(self, tls_dir):
        if tls_dir is None:
            return None
        if tls_dir is True:
            tls_dir = self._own_tls_dir = tempfile.mkdtemp(prefix='kube-api-standin-')
        return tls.write_server_certificates(tls_dir)

    def _client_ca_path(self, client_ca):
        if client_ca is True:
            if self.tls_files is None:
                raise ValueError('client certificates need TLS')
            return str(self.tls_files.ca_cert)
        return str(client_ca) if client_ca else None

    def _ssl_context(self):
        if self.tls_files is None:
            return None
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.tls_files.cert, self.tls_files.key)
        if self.client_ca:
            context.load_verify_locations(self.client_ca)
            context.verify_mode = ssl.CERT_OPTIONAL
        return context

    def _seed(self):
        """The namespaces every cluster has, and the CRDs (readable at apiextensions.k8s.io/v1)."""
        resources = {t.plural: t for t in self.registry.types if not t.custom}
        for name in PRESET_NAMESPACES:
            self._seed_object(resources['namespaces'], {'metadata': {'name': name}})
        for crd in self.registry.crds:
            self._seed_object(resources['customresourcedefinitions'], crd)
            self._establish(crd['metadata']['name'])

    def _seed_object(self, resource, body):
        target = routing.Target(resource)
        request = Request('create', {}, json.dumps(dict(body, apiVersion=resource.api_version,
                                                        kind=resource.kind)).encode(),
                          user_agent='kube-apiserver/standin')
        self.operations.create(target, request)

    # -- serving -------------------------------------------------------------------------------------

    @property
    def scheme(self):
        return 'https' if self.tls_files else 'http'

    @property
    def url(self):
        return f'{self.scheme}://{self.host}:{self.port}'

    @property
    def ca_file(self):
        return str(self.tls_files.ca_cert) if self.tls_files else None

    def stopping(self):
        return self._stopping.is_set()

    def authorized(self, authorization, connection):
        """Open without token/client CA; else a matching bearer token (the read-only one too) or a verified client
        certificate."""
        if self.is_read_only(authorization):
            return True
        if not self.token and not self.client_ca:
            return True
        if self.token and bearer_token(authorization) == self.token:
            return True
        return bool(self.client_ca and isinstance(connection, ssl.SSLSocket) and connection.getpeercert())

    def is_read_only(self, authorization):
        """Whether the request presents the read-only token: RBAC allows it get, list and watch, nothing else."""
        return bool(self.read_only_token) and bearer_token(authorization) == self.read_only_token

    def call(self, route, request):
        handlers = {'get': self.operations.get, 'list': self.operations.list, 'create': self.operations.create,
                    'update': self.operations.update, 'patch': self.operations.patch,
                    'apply': self.operations.apply, 'delete': self.operations.delete,
                    'deletecollection': self.operations.delete_collection}
        if route.target.resource.read_only and route.verb not in ('get', 'list'):
            raise ApiError(405, 'MethodNotAllowed', 'the stand-in serves this resource read-only', {})
        outcome = handlers[route.verb](route.target, request)
        if route.target.resource is CRD_RESOURCE and outcome.persisted and not route.target.subresource:
            self._crds_changed()
        return outcome

    # -- CustomResourceDefinitions (what kube-apiserver's apiextensions controllers do) ---------------

    def _crds_changed(self):
        """Serve what the stored CRDs define: new ones from now on (and Established a moment later, by the
        establishing controller), deleted ones no longer, with their custom resources gone."""
        with self.store.lock:
            stored = {crd['metadata']['name']: crd for crd in self.store.list(CRD_RESOURCE.key)}
            for name in [crd['metadata']['name'] for crd in self.registry.crds if crd['metadata']['name'] not in stored]:
                for resource in self.registry.remove_crd(name):
                    for obj in self.store.list(resource.key):
                        self.store.remove(resource.key, obj)
            for name, crd in stored.items():
                known = [c for c in self.registry.crds if c['metadata']['name'] == name]
                if not known or known[0]['spec'] != crd['spec']:
                    self.registry.set_crd(crd)
                    self.operations.forget_schemas()
                if not crd_established(crd):
                    timer = threading.Timer(self.establish_delay, self._establish, (name,))
                    timer.daemon = True
                    timer.start()

    def _establish(self, name):
        """Set NamesAccepted and Established on a CRD, as the naming and establishing controllers do."""
        with self.store.lock:
            if self.stopping():
                return
            crd = self.store.get(CRD_RESOURCE.key, None, name)
            if crd is None or crd_established(crd):
                return
            crd['status'] = crd_status(crd)
            request = Request('update', {}, json.dumps(crd).encode(), 'application/json', 'kube-apiserver/standin')
            self.operations.update(routing.Target(CRD_RESOURCE, None, name, 'status'), request)

    def stop(self):
        self._stopping.set()
        self._http.shutdown()
        self._http.server_close()
        self._thread.join(5)
        if self._own_tls_dir:
            shutil.rmtree(self._own_tls_dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()

    # -- request records -----------------------------------------------------------------------------

    def record(self, record):
        record.at = time.monotonic()
        with self._lock:
            self._requests.append(record)

    @property
    def requests(self):
        """Every request answered since the start or the last reset_counts(), oldest first."""
        with self._lock:
            return list(self._requests)

    def counts(self, path_prefix='/', persisted=None, dry_run=None):
        """{verb: number} of the recorded requests, optionally filtered."""
        return dict(collections.Counter(
            r.verb for r in self.requests if r.path.startswith(path_prefix)
            and persisted in (None, r.persisted) and dry_run in (None, r.dry_run)))

    def reset_counts(self):
        with self._lock:
            self._requests.clear()

    # -- faults --------------------------------------------------------------------------------------

    def inject_fault(self, action, verb=None, path_prefix='/', times=1, retry_after=0):
        """The next `times` requests matching verb (kube verb or HTTP method) and path prefix get `action`:
        429 (with Retry-After), 500, 503, or 'drop' (the connection closes without an answer)."""
        if action not in FAULT_ANSWERS and action != 'drop':
            raise ValueError(f'unsupported fault {action!r}')
        with self._lock:
            self._faults.append(Fault(action, verb, path_prefix, times, retry_after))

    def clear_faults(self):
        with self._lock:
            self._faults.clear()

    def take_fault(self, verb, method, path):
        with self._lock:
            for fault in self._faults:
                if fault.matches(verb, method, path):
                    fault.remaining -= 1
                    return fault
        return None

    # -- control endpoints (/_standin/...) for tests in other processes ------------------------------

    def control(self, method, path, body):
        """(code, JSON body) of GET /_standin/requests, POST /_standin/reset|faults, DELETE faults."""
        action = (method, path.rstrip('/'))
        if action == ('GET', '/_standin/requests'):
            return 200, {'requests': [r.as_dict() for r in self.requests], 'counts': self.counts()}
        if action == ('POST', '/_standin/reset'):
            self.reset_counts()
            return 200, {'reset': True}
        if action == ('POST', '/_standin/faults'):
            return self._control_fault(body)
        if action == ('DELETE', '/_standin/faults'):
            self.clear_faults()
            return 200, {'cleared': True}
        return 404, {'error': f'no stand-in control endpoint {method} {path}'}

    def _control_fault(self, body):
        try:
            spec = json.loads(body or b'{}')
            self.inject_fault(spec['action'], spec.get('verb'), spec.get('path_prefix', '/'),
                              int(spec.get('times', 1)), int(spec.get('retry_after', 0)))
        except (ValueError, KeyError, TypeError) as exc:
            return 400, {'error': f'bad fault: {exc}'}
        return 200, {'injected': spec}

    # -- credentials ---------------------------------------------------------------------------------

    def issue_client_cert(self, common_name='tester', directory=None):
        """A client certificate signed by this server's CA: (cert path, key path)."""
        if self.tls_files is None:
            raise ValueError('client certificates need a TLS stand-in')
        return tls.issue_client_certificate(self.tls_files, common_name, directory)

    def kubeconfig(self, path=None, namespace='default', token=None, client_cert=None, client_key=None,
                   context='stand-in'):
        """A kubeconfig dict for this server (written to path when given), with contexts `<context>` (the
        server's token, or a client certificate when it requires one) and `<context>-anonymous`."""
        token = token or self.token
        if self.client_ca and not client_cert and not token:
            client_cert, client_key = self.issue_client_cert('kubeconfig-user')
        config = tls.kubeconfig(self.url, ca_file=self.ca_file, namespace=namespace, token=token,
                                client_cert=client_cert, client_key=client_key, context=context)
        return tls.write_kubeconfig(path, config) if path else config


def crd_established(crd):
    return any(c.get('type') == 'Established' and c.get('status') == 'True'
               for c in (crd.get('status') or {}).get('conditions') or [])


def crd_status(crd):
    """The status kube's apiextensions controllers give an accepted CRD."""
    moment = time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())
    names = crd['spec']['names']
    accepted = dict(names, singular=names.get('singular') or names['kind'].lower(),
                    listKind=names.get('listKind') or names['kind'] + 'List')
    return {'acceptedNames': accepted,
            'storedVersions': [v['name'] for v in crd['spec']['versions'] if v.get('storage')],
            'conditions': [
                {'type': 'NamesAccepted', 'status': 'True', 'reason': 'NoConflicts', 'message': 'no conflicts found',
                 'lastTransitionTime': moment},
                {'type': 'Established', 'status': 'True', 'reason': 'InitialNamesAccepted',
                 'message': 'the initial names have been accepted', 'lastTransitionTime': moment}]}


def start_server(host='127.0.0.1', port=0, tls=False, token=None, client_ca=None, tls_dir=None, crd_dir=None,
                 read_only_token=None):
    """Start a stand-in in background threads. tls=True serves HTTPS with certificates written to tls_dir (a
    temporary directory when not given); client_ca is a CA file path, or True for the server's own CA.
    read_only_token: a bearer token that RBAC lets read only (writes answer 403 Forbidden)."""
    if tls and tls_dir is None:
        tls_dir = True
    return StandInServer(host, port, tls_dir if tls or tls_dir else None, token, client_ca, crd_dir, read_only_token)
