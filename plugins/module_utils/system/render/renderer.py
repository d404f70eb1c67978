# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Render a system site from its resource files: the work of `skupper system start/reload` (sections 5 and 10).

Everything is computed in memory first (nothing is written when the input is invalid), then only
files whose bytes change are written (atomically), and runtime files no longer produced are
removed. Identical input renders identical bytes. No service is started here.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import copy
import datetime
import fcntl
import hashlib
import json
import os
import re
import socket
import uuid
from dataclasses import dataclass, field
from typing import List, Optional

from ansible_collections.appnet.skupper.plugins.module_utils import platforms
from ansible_collections.appnet.skupper.plugins.module_utils.system.render import certs, live_config
from ansible_collections.appnet.skupper.plugins.module_utils.system.store import files, paths
from ansible_collections.appnet.skupper.plugins.module_utils.system.tokens import static_links
from ansible_collections.appnet.skupper.plugins.module_utils.system.render.site_status import (
    ready_status, site_status, timestamp)
from ansible_collections.appnet.skupper.plugins.module_utils.system.render.router_config import (
    dump_router_config, referenced_files, render_router_config)
from ansible_collections.appnet.skupper.plugins.module_utils.system.render.site_state import (
    KIND_ORDER, SiteState, SiteStateError, bound_ports, hosts_overlap, load_runtime_resources, load_site_state,
    port_collisions, port_number, resource_yaml, role_port, secret_files)

LOCAL_ACCESS = 'skupper-local'
LOCAL_PORT_START = 5671
INTER_ROUTER_PORT_START = 55671
EDGE_PORT_START = 45671
SITE_CA = 'skupper-site-ca'
LOCAL_CA = 'skupper-local-ca'
SERVICE_CA = 'skupper-service-ca'
FILE_MODE = 0o644
SECRET_MODE = 0o600
DIR_MODE = 0o700
ROUTER_CONFIG = 'runtime/router/skrouterd.json'
PLATFORM_FILE = 'internal/platform.yaml'
MANAGED = ('runtime/router', 'runtime/certs', 'runtime/resources', 'runtime/links', 'internal/snapshot',
           'internal/platform.yaml')
KEPT = ('runtime/resources/ConfigMap-skupper-network-status.yaml',)


@dataclass
class RenderResult(object):
    """What a render produced (or, in a dry run, would produce)."""

    site_id: str
    site_name: str
    router_id: str
    router_config_path: str
    changed_files: List[str] = field(default_factory=list)
    runtime_digest: str = ''
    static_links: List[dict] = field(default_factory=list)
    warnings: List[str] = field(default_factory=list)
    allocated_ports: List[int] = field(default_factory=list)
    # The digest split of live reconfiguration (live_config.py): the digest of all the router reads but its live
    # entities; the config's entities; those of the config on disk before this render, and its runtime digest.
    static_digest: str = ''
    entities: List[list] = field(default_factory=list)
    previous_entities: Optional[List[list]] = None
    previous_digest: Optional[str] = None


class _Plan(object):
    """The files a render wants, by path relative to the namespace home."""

    def __init__(self):
        self.files = {}

    def add(self, relative, content, mode=FILE_MODE):
        data = content.encode('utf-8') if not isinstance(content, bytes) else content
        existing = self.files.get(relative)
        if existing is not None and existing != (data, mode):
            raise SiteStateError('two resources need different content in %s; give them different tls credentials'
                                 % relative)
        self.files[relative] = (data, mode)

    def add_directory(self, relative_dir, content):
        for name, (data, mode) in sorted(content.items()):
            self.add('%s/%s' % (relative_dir, name), data, mode)


# ---------------------------------------------------------------------------------------------
# Site id, router id, host facts


def make_router_id(site_name, site_id):
    """A stable router id: <site name>-<first 8 hex digits of the site id>."""
    compact = site_id.replace('-', '').lower()
    suffix = compact[:8] if re.match(r'^[0-9a-f]{8}', compact) else hashlib.sha256(site_id.encode()).hexdigest()[:8]
    return '%s-%s' % (site_name, suffix)


def previous_site_id(home, previous):
    """The site id of the last render: skrouterd.json router metadata, else the runtime Site uid."""
    try:
        with open(os.path.join(home, ROUTER_CONFIG)) as handle:
            for entity_type, attrs in json.load(handle):
                if entity_type == 'router' and attrs.get('metadata'):
                    return json.loads(attrs['metadata']).get('id') or None
    except (IOError, OSError, ValueError, TypeError, AttributeError):
        pass
    for site in (previous.get('Site') or {}).values():
        return (site.get('metadata') or {}).get('uid') or None
    return None


def _value(given, default):
    if given is None:
        return default()
    return given() if callable(given) else given


def probe_port_free(port):
    """True when a TCP socket can listen on port on all addresses."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(('', port))
        return True
    except OSError:
        return False
    finally:
        sock.close()


# ---------------------------------------------------------------------------------------------
# Implicit router accesses (section 5.4), with ports chosen once and kept


def _role_ports(router_access):
    return dict((r.get('name'), role_port(r)) for r in (router_access.get('spec') or {}).get('roles') or []
                if isinstance(r, dict))


def other_namespace_sockets(home):
    """[(host, port, description)] of what the routers of the other namespaces of the data home bind: their
    RouterAccess roles, listeners and multi-key listeners, as their last render wrote them."""
    sockets = []
    namespaces = os.path.dirname(os.path.abspath(home))
    own = os.path.basename(os.path.abspath(home))
    for namespace in sorted(os.listdir(namespaces)) if os.path.isdir(namespaces) else []:
        if namespace == own:
            continue
        resources = load_runtime_resources(os.path.join(namespaces, namespace))
        other = SiteState(os.path.join(namespaces, namespace), namespace)
        other.listeners = resources.get('Listener') or {}
        other.multi_key_listeners = resources.get('MultiKeyListener') or {}
        for host, port, description, _kind, _name in bound_ports(other, resources.get('RouterAccess') or {}):
            sockets.append((host, port, '%s of namespace "%s"' % (description, namespace)))
    return sockets


def other_namespace_ports(home):
    """Ports the other namespaces of the same data home bind (never chosen for this site's router accesses)."""
    return set(port for _host, port, _description in other_namespace_sockets(home))


def other_namespace_collisions(state, router_accesses, home):
    """Problems for sockets of this site that the router of another namespace binds already."""
    problems = []
    foreign = other_namespace_sockets(home)
    for host, port, description, kind, name in bound_ports(state, router_accesses):
        for other_host, other_port, other_description in foreign:
            if port == other_port and hosts_overlap(host, other_host):
                problems.append('%s: port %d of %s (host "%s") collides with %s (host "%s"); choose another port'
                                % (state.source(kind, name), port, description, host or '*', other_description,
                                   other_host or '*'))
    return problems


def _site_ports(state):
    taken = set()
    for collection in (state.listeners, state.multi_key_listeners):
        taken.update(port_number((doc.get('spec') or {}).get('port')) for doc in collection.values())
    for doc in state.router_accesses.values():
        taken.update(_role_ports(doc).values())
    taken.discard(None)
    return taken


class _PortAllocator(object):
    def __init__(self, taken, is_free):
        self.taken = set(taken)
        self.is_free = is_free

    def allocate(self, start, what):
        port = start
        while port <= 65535:
            if port not in self.taken and self.is_free(port):
                self.taken.add(port)
                return port
            port += 1
        raise SiteStateError('failed to allocate ports for RouterAccess: failed to allocate %s port: no available '
                             'ports found' % what)

    def keep_or_allocate(self, previous_port, start, what, foreign):
        if previous_port and previous_port not in foreign:
            self.taken.add(previous_port)
            return previous_port
        return self.allocate(start, what)


def _router_access_doc(state, name, spec):
    return {'apiVersion': 'skupper.io/v2alpha1', 'kind': 'RouterAccess',
            'metadata': {'name': name, 'namespace': state.namespace}, 'spec': spec}


def add_implicit_router_accesses(state, previous, home, hostname, addresses, is_free, busy=()):
    """Add skupper-local and, with link access, the <site> RouterAccess to state; their names. Ports in busy (the
    router found another program on them) are not kept."""
    foreign = other_namespace_ports(home) | set(busy)
    allocator = _PortAllocator(foreign | _site_ports(state), is_free)
    before = previous.get('RouterAccess') or {}
    added = []
    if LOCAL_ACCESS not in state.router_accesses:
        port = allocator.keep_or_allocate(_role_ports(before.get(LOCAL_ACCESS, {})).get('normal'),
                                          LOCAL_PORT_START, 'local', foreign)
        state.router_accesses[LOCAL_ACCESS] = _router_access_doc(state, LOCAL_ACCESS, {
            'bindHost': '127.0.0.1', 'issuer': LOCAL_CA, 'roles': [{'name': 'normal', 'port': port}],
            'tlsCredentials': 'skupper-local-server'})
        added.append(LOCAL_ACCESS)
    name = state.site_name
    if state.has_link_access and name not in state.router_accesses:
        kept = _role_ports(before.get(name, {}))
        inter_router = allocator.keep_or_allocate(kept.get('inter-router'), INTER_ROUTER_PORT_START,
                                                  'inter-router', foreign)
        edge = allocator.keep_or_allocate(kept.get('edge'), EDGE_PORT_START, 'edge', foreign)
        sans = static_links.local_link_hosts(hostname, addresses) + ['localhost']
        state.router_accesses[name] = _router_access_doc(state, name, {
            'roles': [{'name': 'inter-router', 'port': inter_router}, {'name': 'edge', 'port': edge}],
            'subjectAlternativeNames': sans, 'tlsCredentials': name})
        added.append(name)
    for access_name, doc in state.router_accesses.items():
        doc['spec'].setdefault('tlsCredentials', access_name)
    return added


# ---------------------------------------------------------------------------------------------
# Certificates (section 7)


class _CertificateRequest(object):
    def __init__(self, name, subject, ca=None, hosts=(), client=False, server=False, signing=False):
        self.name = name
        self.subject = subject
        self.ca = ca
        self.hosts = list(hosts)
        self.client = client
        self.server = server
        self.signing = signing

    def spec(self):
        spec = {'subject': self.subject}
        if self.signing:
            spec['signing'] = True
        else:
            spec.update({'ca': self.ca, 'client': self.client or None, 'server': self.server or None,
                         'hosts': self.hosts or None})
        return dict((k, v) for k, v in spec.items() if v is not None)


def _listener_hosts(host, hostname, addresses):
    if host in ('0.0.0.0', '::'):
        return static_links.local_link_hosts(hostname, addresses) + ['localhost']
    return [host]


def certificate_requests(state, hostname, addresses):
    """Every CA and leaf the site needs, CAs first (section 7.1, without the connector server quirk)."""
    requests = [_CertificateRequest(n, n, signing=True) for n in (LOCAL_CA, SITE_CA, SERVICE_CA)]
    leaves = [_CertificateRequest('skupper-local-server', '127.0.0.1', LOCAL_CA, ['127.0.0.1', 'localhost'],
                                  server=True),
              _CertificateRequest('skupper-local-client', '127.0.0.1', LOCAL_CA, ['127.0.0.1', 'localhost'],
                                  client=True)]
    for name in sorted(state.router_accesses):
        access = state.router_accesses[name]
        if not static_links.has_link_roles(access):
            continue
        spec = access['spec']
        issuer = spec.get('issuer') or SITE_CA
        if issuer not in [r.name for r in requests]:
            requests.append(_CertificateRequest(issuer, issuer, signing=True))
        tls = spec['tlsCredentials']
        leaves.append(_CertificateRequest(tls, name, issuer, static_links.server_certificate_hosts(
            access, hostname, addresses), server=True))
        leaves.append(_CertificateRequest('client-%s' % tls, 'client-%s' % tls, issuer, client=True))
    for collection in (state.listeners, state.multi_key_listeners):
        for name in sorted(collection):
            spec = collection[name]['spec']
            if spec.get('tlsCredentials'):
                leaves.append(_CertificateRequest(spec['tlsCredentials'], spec['host'], SERVICE_CA,
                                                  _listener_hosts(spec['host'], hostname, addresses), server=True))
    requests += leaves
    return requests + _user_certificate_requests(state, [r.name for r in requests])


def _user_certificate_requests(state, taken):
    result = []
    for name in sorted(state.certificates):
        spec = state.certificates[name].get('spec') or {}
        if name in taken or not (spec.get('signing') or spec.get('client') or spec.get('server')):
            continue
        result.append(_CertificateRequest(name, spec.get('subject') or name, spec.get('ca'), spec.get('hosts') or [],
                                          client=bool(spec.get('client')), server=bool(spec.get('server')),
                                          signing=bool(spec.get('signing'))))
    result.sort(key=lambda r: not r.signing)
    return result


def _required_keys(name, content, keys):
    missing = [key for key in keys if not (content or {}).get(key)]
    if missing:
        raise SiteStateError('secret "%s" does not contain required keys: %s' % (name, ', '.join(missing)))


def _modes(content):
    return dict((name, (data, SECRET_MODE if name == certs.KEY_FILE else FILE_MODE))
                for name, data in content.items() if name in certs.CREDENTIAL_ORDER)


def _plan_issuer(state, home, request):
    """(CertificateAuthority, files) for a CA: user input > kept runtime files > new."""
    provided = state.provided_issuer(request.name)
    if provided:
        _required_keys(request.name, provided, (certs.CERT_FILE, certs.KEY_FILE))
        try:
            ca = certs.ca_from_pem(request.name, provided[certs.CERT_FILE], provided[certs.KEY_FILE],
                                   'issuer "%s"' % request.name)
        except certs.CertificateError as exc:
            raise SiteStateError(str(exc))
        content = dict(provided, **{certs.CA_FILE: provided.get(certs.CA_FILE) or provided[certs.CERT_FILE]})
        return ca, _modes(content)
    ca, _changed = certs.plan_ca(paths.runtime_dir(home, 'issuers', request.name), request.subject, request.name)
    return ca, ca.files()


def plan_certificates(state, home, plan, requests):
    """Add every certificate file to plan; {name: {file: bytes}} of the leaves and profiles."""
    authorities, leaves = {}, {}
    for request in requests:
        if request.signing:
            authorities[request.name], content = _plan_issuer(state, home, request)
            plan.add_directory('runtime/issuers/%s' % request.name, content)
            continue
        provided = state.provided_credentials(request.name)
        if provided:
            _required_keys(request.name, provided, certs.CREDENTIAL_ORDER)
            content = _modes(provided)
        else:
            if request.ca not in authorities:
                raise SiteStateError('certificate "%s": CA "%s" is not defined' % (request.name, request.ca))
            content, _reissued = certs.plan_leaf(paths.runtime_dir(home, 'certs', request.name),
                                                 authorities[request.ca], request.subject, request.hosts,
                                                 client=True, server=True)
        plan.add_directory('runtime/certs/%s' % request.name, content)
        leaves[request.name] = dict((name, data) for name, (data, _mode) in content.items())
    _plan_link_profiles(state, plan)
    _plan_connector_profiles(state, plan)
    return leaves


def _plan_link_profiles(state, plan):
    for name in sorted(state.links):
        secret = state.links[name]['spec']['tlsCredentials']
        content = secret_files(state.secrets[secret])
        _required_keys(secret, content, certs.CREDENTIAL_ORDER)
        plan.add_directory('runtime/certs/%s-profile' % secret, _modes(content))


def _plan_connector_profiles(state, plan):
    for name in sorted(state.connectors):
        spec = state.connectors[name]['spec']
        tls = spec.get('tlsCredentials')
        if not tls:
            continue
        provided = state.provided_credentials(tls)
        plan.add_directory('runtime/certs/%s-profile' % tls, _modes({certs.CA_FILE: provided[certs.CA_FILE]}))
        if spec.get('useClientCert'):
            plan.add_directory('runtime/certs/%s' % tls, _modes(provided))


# ---------------------------------------------------------------------------------------------
# Static links (section 8)


def plan_static_links(state, leaves, plan, hostname, addresses):
    """Add runtime/links files to plan; [{name, host, path, router_access}]."""
    produced = []
    for name in sorted(state.router_accesses):
        access = state.router_accesses[name]
        client = leaves.get('client-%s' % access['spec']['tlsCredentials'])
        if client is None:
            continue
        for file_name, host, text in static_links.render_static_links(access, client, hostname, addresses):
            plan.add('runtime/links/%s' % file_name, text, SECRET_MODE)
            produced.append({'name': 'link-%s' % name, 'host': host, 'router_access': name,
                             'path': 'runtime/links/%s' % file_name})
    return produced


# ---------------------------------------------------------------------------------------------
# Runtime resources and snapshot (section 10)


def _endpoints(access, primary):
    spec = access['spec']
    found = []
    for role in spec.get('roles') or []:
        endpoint = {'group': 'skupper-router', 'name': '%s-%s' % (access['metadata']['name'], role['name']),
                    'port': str(role_port(role))}
        host = spec.get('bindHost') if spec.get('bindHost') not in (None, '', '0.0.0.0', '::') else primary
        if host:
            endpoint['host'] = host
        found.append(endpoint)
    return found


def _site_endpoints(state, primary):
    found = []
    for name in sorted(state.router_accesses):
        if static_links.has_link_roles(state.router_accesses[name]):
            found += [e for e in _endpoints(state.router_accesses[name], primary) if not e['name'].endswith('-normal')]
    return found


def _redeemed_links(state, token_name):
    return [n for n in state.links if n == token_name or re.match(r'^%s-[0-9]+\Z' % re.escape(token_name), n)]


class _StatusContext(object):
    def __init__(self, state, site_id, previous, now, primary, router_running=True, router_reason=None):
        self.state = state
        self.site_id = site_id
        self.previous = previous
        self.now = now
        self.primary = primary
        self.router_running = router_running
        self.router_reason = router_reason

    def before(self, doc):
        return (self.previous.get(doc['kind']) or {}).get(doc['metadata']['name'])


def _status_for(doc, context):
    """The render-time status of a runtime document (None: keep the document's own, or none)."""
    kind, state = doc['kind'], context.state
    before, now = context.before(doc), context.now
    if kind == 'Site':
        return site_status(doc, _site_endpoints(state, context.primary), context.router_running, before, now,
                           context.router_reason)
    if kind == 'RouterAccess':
        status = ready_status(['Configured', 'Resolved'], {'Configured', 'Resolved'}, before, now)
        status['endpoints'] = _endpoints(doc, context.primary)
        return status
    if kind in ('Listener', 'Connector', 'MultiKeyListener'):
        return ready_status(['Configured', 'Matched'], {'Configured'}, before, now)
    if kind == 'Link':
        return ready_status(['Configured', 'Operational'], {'Configured'}, before, now)
    if kind == 'AccessToken' and _redeemed_links(state, doc['metadata']['name']):
        status = ready_status(['Redeemed'], {'Redeemed'}, before, now)
        status['redeemed'] = True
        return status
    return None


def _certificate_status(content):
    status = {'message': 'OK'}
    if content and content.get(certs.CERT_FILE):
        try:
            status['expiration'] = timestamp(certs.not_after(certs.certificate_from_pem(content[certs.CERT_FILE])))
        except certs.CertificateError:
            pass
    return status


def _renderer_document(doc, namespace):
    """A copy in the renderer's format: creationTimestamp null, namespace set, status {} for Skupper kinds."""
    result = copy.deepcopy(doc)
    metadata = result.setdefault('metadata', {})
    metadata.setdefault('creationTimestamp', None)
    metadata['namespace'] = metadata.get('namespace') or namespace
    if result.get('apiVersion', '').startswith('skupper.io/'):
        result['status'] = {}
    else:
        result.pop('status', None)
    return result


def _file_mode(doc):
    return SECRET_MODE if doc.get('kind') in ('Secret', 'AccessToken') else FILE_MODE


def _file_name(doc):
    return '%s-%s.yaml' % (doc['kind'], doc['metadata']['name'])


def plan_resources(runtime, loaded, plan, context, certificates):
    """runtime/resources (with statuses) and internal/snapshot (the loaded input) into plan."""
    for doc in loaded.documents():
        plan.add('internal/snapshot/%s' % _file_name(doc), resource_yaml(_renderer_document(doc, loaded.namespace)),
                 _file_mode(doc))
    generated = set(doc['metadata']['name'] for doc in certificates)
    documents = [d for d in runtime.documents() if d['kind'] != 'Certificate' or d['metadata']['name'] not in generated]
    documents += certificates
    documents.sort(key=lambda d: (KIND_ORDER.index(d['kind']), d['metadata']['name']))
    for doc in documents:
        result = _renderer_document(doc, runtime.namespace)
        if doc['kind'] == 'Site':
            result['metadata']['uid'] = context.site_id
        status = _status_for(doc, context)
        if status is not None:
            result['status'] = status
        elif doc.get('status'):
            result['status'] = copy.deepcopy(doc['status'])
        plan.add('runtime/resources/%s' % _file_name(result), resource_yaml(result), _file_mode(result))


def certificate_documents(requests, leaves, namespace):
    """Certificate resources for the requests (section 7.1), with status message OK and the expiration."""
    found = []
    for request in requests:
        found.append({'apiVersion': 'skupper.io/v2alpha1', 'kind': 'Certificate',
                      'metadata': {'name': request.name, 'namespace': namespace}, 'spec': request.spec(),
                      'status': _certificate_status(leaves.get(request.name))})
    return found


# ---------------------------------------------------------------------------------------------
# Writing


def _managed_files(home):
    found = set()
    for root in MANAGED:
        path = os.path.join(home, root)
        if os.path.isfile(path):
            found.add(root)
        for directory, _dirs, names in os.walk(path):
            for name in names:
                found.add(os.path.relpath(os.path.join(directory, name), home))
    return found - set(KEPT)


def _differs(path, data, mode):
    if files.read_bytes(path) != data:
        return True
    return (os.stat(path).st_mode & 0o777) != mode


def _remove_empty_directories(home):
    for root in ('runtime/certs', 'runtime/links'):
        for directory, _dirs, _names in sorted(os.walk(os.path.join(home, root)), reverse=True):
            if directory != os.path.join(home, root) and not os.listdir(directory):
                os.rmdir(directory)


def apply_plan(home, plan, dry_run):
    """Write what changed, remove stale managed files; the sorted relative paths that changed."""
    changed = sorted(rel for rel, (data, mode) in plan.files.items() if _differs(os.path.join(home, rel), data, mode))
    stale = sorted(_managed_files(home) - set(plan.files))
    if not dry_run:
        for relative in ('runtime', 'internal', 'runtime/router', 'runtime/certs', 'runtime/issuers',
                         'runtime/links', 'runtime/resources', 'internal/snapshot'):
            files.ensure_dir(os.path.join(home, relative), DIR_MODE)
        written = []
        try:
            for relative in changed:
                path = os.path.join(home, relative)
                files.ensure_dir(os.path.dirname(path), DIR_MODE)
                old = (files.read_bytes(path), os.stat(path).st_mode & 0o777) if os.path.isfile(path) else None
                files.write_atomic(path, plan.files[relative][0], plan.files[relative][1])
                written.append((path, old))
        except files.WriteError:
            _roll_back(home, written)
            raise
        for relative in stale:
            files.remove_file(os.path.join(home, relative))
        _remove_empty_directories(home)
    return sorted(set(changed) | set(stale))


def _roll_back(home, written):
    """Put back what a render that could not finish (a full disk) wrote: new files go, replaced ones come back
    (the new ones first, so that the space they took is free again), so the site is as it was before."""
    for path, old in reversed(written):
        if old is None:
            files.remove_file(path)
    for path, old in reversed(written):
        if old is not None:
            try:
                files.write_atomic(path, old[0], old[1])
            except files.WriteError:
                pass
    _remove_empty_directories(home)


def runtime_digest(plan, entities, base, config=None):
    """sha256 over skrouterd.json (the plan's, or the bytes config) and every file its sslProfiles read."""
    digest = hashlib.sha256()
    for relative in [ROUTER_CONFIG] + referenced_files(entities, base):
        data = config if relative == ROUTER_CONFIG and config is not None else plan.files.get(relative, (b'', 0))[0]
        digest.update(relative.encode('utf-8') + b'\0' + data + b'\0')
    return digest.hexdigest()


def _static_digest(plan, entities, base):
    """runtime_digest() of the config without its live entities (live_config.py): what only a restart changes."""
    static = live_config.static_entities(entities)
    return runtime_digest(plan, static, base, config=dump_router_config(static).encode('utf-8'))


# ---------------------------------------------------------------------------------------------
# Entry point


def _token_warnings(state):
    return ['%s: access token "%s" has not been redeemed into a Link: redeem it with the access_token module; a '
            'render does not redeem tokens' % (state.source('AccessToken', name), name)
            for name in sorted(state.tokens) if not _redeemed_links(state, name)]


@contextlib.contextmanager
def data_home_lock(home):
    """An exclusive lock on the data home of a namespace home: renders that choose ports take turns.

    Without it two namespaces rendered at once (Ansible forks) could both take the first free port. The
    lock is flock(2) on the namespaces directory itself, so no lock file is left behind (a dry run too).
    """
    namespaces = os.path.dirname(os.path.abspath(home))
    files.ensure_dir(namespaces, 0o755)
    fd = os.open(namespaces, os.O_RDONLY | getattr(os, 'O_DIRECTORY', 0))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def render_site(home, namespace, **options):
    """Render the site of a namespace home into runtime/ and internal/ (see the module docstring).

    A dry run of a data home that does not exist yet takes no lock: it would create the folder, and a dry run
    writes nothing.
    """
    if options.get('dry_run') and not os.path.isdir(os.path.dirname(os.path.abspath(home))):
        return _render_site(home, namespace, **options)
    with data_home_lock(home):
        return _render_site(home, namespace, **options)


def check_platform(home, namespace, platform):
    """SiteStateError when the namespace was rendered for another platform (Skupper refuses the change too)."""
    recorded = files.read_bytes(os.path.join(home, PLATFORM_FILE))
    if recorded is None:
        if os.path.isdir(paths.runtime_dir(home, 'resources')):
            raise SiteStateError('unable to determine current platform used in namespace "%s" (%s is missing): '
                                 'remove the site (appnet.skupper.system state=absent) and start it again'
                                 % (namespace, PLATFORM_FILE))
        return
    text = recorded.decode('utf-8', 'replace').strip()
    current = text.split(':', 1)[1].strip() if text.startswith('platform:') else text
    if current != platform:
        raise SiteStateError('existing namespace uses "%s" platform and it cannot change to "%s": remove the site '
                             '(appnet.skupper.system state=absent, on platform %s) before starting it on %s'
                             % (current, platform, current, platform))


def _render_site(home, namespace, *, platform='linux', path_base=None, dry_run=False, hostname=None, addresses=None,
                 port_is_free=None, version='2.1.0', now=None, router_running=True, router_reason=None, pending=None,
                 busy_ports=()):
    check_platform(home, namespace, platform)
    state = load_site_state(home, namespace, platform, pending=pending if dry_run else None)
    host_name = _value(hostname, socket.gethostname)
    host_addresses = list(_value(addresses, static_links.local_addresses))
    previous = load_runtime_resources(home)
    site_id = state.site_id or previous_site_id(home, previous) or str(uuid.uuid4())
    router_id = make_router_id(state.site_name, site_id)
    runtime = copy.deepcopy(state)
    added = add_implicit_router_accesses(runtime, previous, home, host_name, host_addresses,
                                         port_is_free or probe_port_free, busy_ports)
    problems = port_collisions(runtime, runtime.router_accesses, only=added) + \
        other_namespace_collisions(runtime, runtime.router_accesses, home)
    if problems:
        raise SiteStateError(problems)
    plan = _Plan()
    requests = certificate_requests(runtime, host_name, host_addresses)
    leaves = plan_certificates(runtime, home, plan, requests)
    base = path_base or platforms.get(platform).ssl_base or os.path.abspath(home)
    entities = render_router_config(runtime, site_id, router_id, base, platform, version)
    plan.add(ROUTER_CONFIG, dump_router_config(entities))
    links = plan_static_links(runtime, leaves, plan, host_name, host_addresses)
    context = _StatusContext(runtime, site_id, previous, now or datetime.datetime.now(datetime.timezone.utc),
                             static_links.primary_address(host_addresses), router_running, router_reason)
    plan_resources(runtime, state, plan, context, certificate_documents(requests, leaves, runtime.namespace))
    plan.add(PLATFORM_FILE, 'platform: %s\n' % platform)
    before = files.read_bytes(os.path.join(home, ROUTER_CONFIG))
    previous_entities = live_config.parse_config(before)
    changed = apply_plan(home, plan, dry_run)
    for link in links:
        link['path'] = os.path.join(home, link['path'])
    return RenderResult(site_id=site_id, site_name=state.site_name, router_id=router_id,
                        router_config_path=os.path.join(home, ROUTER_CONFIG), changed_files=changed,
                        runtime_digest=runtime_digest(plan, entities, base), static_links=links,
                        static_digest=_static_digest(plan, entities, base), entities=entities,
                        previous_entities=previous_entities,
                        previous_digest=None if previous_entities is None else
                        runtime_digest(plan, previous_entities, base, config=before),
                        warnings=state.warnings + _token_warnings(state),
                        allocated_ports=sorted(port for name in added
                                               for port in _role_ports(runtime.router_accesses[name]).values()))
