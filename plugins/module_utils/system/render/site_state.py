# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Load and validate the resources of a system site before a render (nonkube-runtime.md sections 2 and 3).

load_site_state() reads every YAML/JSON document under <home>/input/resources, keeps the kinds a
system site uses and checks them all: every problem found is reported at once in one
SiteStateError, one problem per line, each prefixed with the file it comes from.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import binascii
import glob
import os
import re

from ansible_collections.appnet.skupper.plugins.module_utils import model, platforms
from ansible_collections.appnet.skupper.plugins.module_utils.model import values
from ansible_collections.appnet.skupper.plugins.module_utils.model.values import host_is_valid, port_number
from ansible_collections.appnet.skupper.plugins.module_utils.system.store import files, paths
from ansible_collections.appnet.skupper.plugins.module_utils.system.store.resource_files import (
    load_file, name_of, read_documents, resource_files)

# The kinds a system site reads, in the order runtime resources are written (section 10), and the SiteState
# attribute of each. Their apiVersion is the model's; a ConfigMap (not a kind of the model) is core v1.
_SITE_KINDS = (
    ('Site', 'sites'), ('Listener', 'listeners'), ('Connector', 'connectors'), ('RouterAccess', 'router_accesses'),
    ('Link', 'links'), ('AccessGrant', 'grants'), ('AccessToken', 'tokens'), ('Certificate', 'certificates'),
    ('SecuredAccess', 'secured_accesses'), ('MultiKeyListener', 'multi_key_listeners'), ('Secret', 'secrets'),
    ('ConfigMap', 'config_maps'),
)
KINDS = tuple((model.KINDS[kind].api_version if kind in model.KINDS else 'v1', kind, attr)
              for kind, attr in _SITE_KINDS)
ATTRIBUTES = dict(((api, kind), attr) for api, kind, attr in KINDS)
KIND_ORDER = [kind for _api, kind, _attr in KINDS]

LINK_ROLES = ('edge', 'inter-router')
DEFAULT_ROLE_PORTS = {'edge': 45671, 'inter-router': 55671}
WILDCARDS = ('', '0.0.0.0', '::')
CREDENTIAL_FILES = ('ca.crt', 'tls.crt', 'tls.key')
RESERVED_ACCESS = 'skupper-local'


class SiteStateError(Exception):
    """The input of a site cannot be rendered; the message lists every problem, one per line."""

    def __init__(self, problems):
        self.problems = list(problems) if isinstance(problems, (list, tuple)) else [problems]
        super(SiteStateError, self).__init__('\n'.join(self.problems))


class SiteState(object):
    """The resources of one site, keyed by kind attribute then metadata.name."""

    def __init__(self, home, namespace):
        self.home = home
        self.namespace = namespace or platforms.DEFAULT_NAMESPACE
        for _api, _kind, attr in KINDS:
            setattr(self, attr, {})
        self.sources = {}
        self.warnings = []

    @property
    def site(self):
        return next(iter(self.sites.values())) if self.sites else None

    @property
    def site_name(self):
        return self.site['metadata']['name']

    @property
    def site_id(self):
        return (self.site.get('metadata') or {}).get('uid') or None

    @property
    def site_spec(self):
        return self.site.get('spec') or {}

    @property
    def is_edge(self):
        return bool(self.site_spec.get('edge'))

    @property
    def has_link_access(self):
        return self.site_spec.get('linkAccess') not in (None, '', 'none')

    def collection(self, kind):
        return getattr(self, _attribute_of(kind))

    def links_of_token(self, token_name):
        """The Links redeemed from an AccessToken: named as the token, or <token>-<n> (one per endpoint)."""
        return sorted(name for name in self.links
                      if name == token_name or re.match(r'^%s-[0-9]+\Z' % re.escape(token_name), name))

    def source(self, kind, name):
        return self.sources.get((kind, name), '%s-%s' % (kind, name))

    def documents(self):
        """Every document, kinds in the order of section 10, names sorted."""
        found = []
        for _api, _kind, attr in KINDS:
            collection = getattr(self, attr)
            found.extend(collection[name] for name in sorted(collection))
        return found

    def provided_credentials(self, name):
        """User material for name: input/certs/<name>/ files, else the input Secret; {file: bytes} or None."""
        from_files = _read_credential_dir(os.path.join(self.home, 'input', 'certs', name))
        if from_files:
            return from_files
        secret = self.secrets.get(name)
        return secret_files(secret) if secret else None

    def provided_issuer(self, name):
        """User CA for name: input/issuers/<name>/ files, else the input Secret; {file: bytes} or None."""
        from_files = _read_credential_dir(os.path.join(self.home, 'input', 'issuers', name))
        if from_files:
            return from_files
        secret = self.secrets.get(name)
        return secret_files(secret) if secret else None


def _attribute_of(kind):
    for _api, known, attr in KINDS:
        if known == kind:
            return attr
    raise KeyError(kind)


def _read_credential_dir(directory):
    return files.read_files(directory, CREDENTIAL_FILES) if os.path.isdir(directory) else None


def secret_files(secret):
    """{key: bytes} of a Secret's data (base64) and stringData."""
    result = {}
    for key, value in sorted(((secret or {}).get('data') or {}).items()):
        try:
            result[key] = base64.b64decode(str(value), validate=True)
        except (binascii.Error, ValueError):
            result[key] = None
    for key, value in sorted(((secret or {}).get('stringData') or {}).items()):
        result[key] = str(value).encode('utf-8')
    return result


def _one_line(value):
    return ' '.join(str(value).split())


def _collect(state, documents, problems):
    for relative, doc in documents:
        attr = ATTRIBUTES.get((doc.get('apiVersion'), doc.get('kind')))
        if attr is None:
            # Skupper ignores it with a warning and the router restarts without it: an outage for a typo in
            # apiVersion or kind. The render fails instead, naming the file (issue 11).
            problems.append(_unreadable(relative, doc))
            continue
        kind, name = doc['kind'], name_of(doc)
        if kind == 'Site' and state.sites:
            problems.append('%s: multiple sites found, but only one site is allowed for bootstrapping (the other '
                            'one is in %s)' % (relative, state.source('Site', state.site_name)))
            continue
        collection = getattr(state, attr)
        key = name if isinstance(name, str) else ''
        if key in collection:
            problems.append('%s: %s "%s" is already defined in %s' % (relative, kind, key, state.source(kind, key)))
            continue
        collection[key] = doc
        state.sources[(kind, key)] = relative


def _unreadable(relative, doc):
    """The problem of a document that is not a resource a system site reads."""
    kind, api = doc.get('kind'), doc.get('apiVersion')
    known = sorted(set(k for _a, k, _attr in KINDS))
    if kind in known:
        wanted = [a for a, k, _attr in KINDS if k == kind][0]
        return ('%s: cannot be read as a Skupper resource: %s needs apiVersion %r, got %r; fix the file or remove it'
                % (relative, kind, wanted, api))
    model_kind = model.KINDS.get(kind)
    if model_kind is not None and model_kind.not_on_system:
        return '%s: %s is not used on a system site: %s; remove the file' % (relative, kind, model_kind.not_on_system)
    return ('%s: cannot be read as a Skupper resource: apiVersion %r, kind %r (a system site reads %s); fix the '
            'file or remove it' % (relative, api, kind, ', '.join(known)))


def _reconcile_namespaces(state, problems):
    """Documents without a namespace belong to the target namespace; others must name it."""
    found = {}
    for doc in state.documents():
        metadata = doc.setdefault('metadata', {})
        namespace = metadata.get('namespace')
        if namespace in (None, ''):
            metadata['namespace'] = state.namespace
            continue
        found.setdefault(namespace, []).append(state.source(doc['kind'], name_of(doc) or ''))
    if len(found) > 1:
        problems.append('multiple namespaces found, but only a unique namespace must be used across all resources '
                        '- namespaces found: [%s]' % ' '.join(sorted(found)))
    for namespace in sorted(found):
        if namespace != state.namespace:
            for source in found[namespace]:
                problems.append('%s: namespace must be "%s", but sources are defined using "%s"'
                                % (source, state.namespace, namespace))


# ---------------------------------------------------------------------------------------------
# Value checks with Skupper's wording


def name_error(value):
    """Skupper's RFC 1123 message (and a length limit Skupper does not check), or None."""
    if not isinstance(value, str) or not values.RFC1123_LABEL.match(value):
        return ('invalid name "%s": a lowercase RFC 1123 name must consist of lower case alphanumeric characters '
                "or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "
                "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')" % (value if value is not None else ''))
    if len(value) > values.MAX_NAME:
        return 'invalid name "%s": must be no more than %d characters (it has %d)' % (value, values.MAX_NAME,
                                                                                      len(value))
    return None


def _spec(doc):
    spec = doc.get('spec')
    return spec if isinstance(spec, dict) else {}


def role_port(role):
    """The port a RouterAccess role listens on: its port, or Skupper's default for the role."""
    if role.get('port') in (None, 0, '0', ''):
        return DEFAULT_ROLE_PORTS.get(role.get('name'), DEFAULT_ROLE_PORTS['inter-router'])
    return port_number(role.get('port'))


# ---------------------------------------------------------------------------------------------
# Section 3 checks, in Skupper's order, plus the ones Skupper misses


class _Checker(object):
    """Collects problems prefixed by the file of the resource they are about."""

    def __init__(self, state):
        self.state = state
        self.problems = []
        self.flagged = set()

    def add(self, kind, name, message):
        self.problems.append('%s: %s' % (self.state.source(kind, name), message))
        self.flagged.add((kind, name))


def _check_site(check, state):
    site, name = state.site, state.site_name
    namespace = site['metadata'].get('namespace')
    if namespace and name_error(namespace):
        check.add('Site', name, 'invalid namespace "%s": %s' % (namespace, name_error(namespace)))
    if name_error(name):
        check.add('Site', name, 'invalid site name: %s' % name_error(name))
    if state.is_edge and state.site_spec.get('ha'):
        check.add('Site', name, 'invalid site "%s": edge sites cannot have HA enabled' % name)
    if state.is_edge and state.has_link_access:
        check.add('Site', name, 'invalid site "%s": an edge site cannot have link access (linkAccess: %s); the router '
                                'accepts inter-router and edge links only in interior mode'
                  % (name, state.site_spec.get('linkAccess')))


def _check_router_accesses(check, state):
    for name in sorted(state.router_accesses):
        spec = _spec(state.router_accesses[name])
        if name_error(name):
            check.add('RouterAccess', name, 'invalid router access name: %s' % name_error(name))
        if name == RESERVED_ACCESS:
            check.add('RouterAccess', name, 'invalid router access: %s - the name is reserved for the local '
                                            'management access the site creates itself' % name)
        tls = spec.get('tlsCredentials')
        if tls and name_error(tls):
            check.add('RouterAccess', name, 'invalid router access tls credentials: %s' % name_error(tls))
        roles = spec.get('roles') if isinstance(spec.get('roles'), list) else []
        if not roles:
            check.add('RouterAccess', name, 'invalid router access: %s - roles are required' % name)
        for role in roles:
            role = role if isinstance(role, dict) else {}
            if role.get('name') not in LINK_ROLES:
                check.add('RouterAccess', name, 'invalid router access: %s - invalid role: %s (valid roles: '
                                                '[edge inter-router])' % (name, role.get('name')))
            elif role_port(role) is None:
                check.add('RouterAccess', name, 'invalid router access: %s - role %s: port %r is not a port number '
                                                '(1-65535)' % (name, role.get('name'), role.get('port')))
        bind_host = spec.get('bindHost')
        if bind_host and not host_is_valid(bind_host):
            check.add('RouterAccess', name, 'invalid router access: %s - bindHost %r is not a valid IP address or '
                                            'hostname' % (name, bind_host))
        if roles and state.is_edge:
            check.add('RouterAccess', name, 'invalid router access: %s - site "%s" is an edge site, and the router '
                                            'accepts links only in interior mode' % (name, state.site_name))


def _check_links(check, state):
    if state.links and not state.secrets:
        check.problems.append('unable to process links (no secrets found)')
    role = 'edge' if state.is_edge else 'inter-router'
    for name in sorted(state.links):
        spec = _spec(state.links[name])
        if name_error(name):
            check.add('Link', name, 'invalid link name: %s' % name_error(name))
        secret = spec.get('tlsCredentials')
        if state.secrets and secret not in state.secrets:
            check.add('Link', name, 'invalid link "%s" - secret "%s" not found' % (name, secret or ''))
        elif state.secrets:
            _check_secret_keys(check, state, secret, 'Link', name)
        endpoints = [e for e in spec.get('endpoints') or [] if isinstance(e, dict)]
        chosen = [e for e in endpoints if e.get('name') == role]
        if not chosen:
            check.add('Link', name, 'invalid link "%s" - no endpoint for role "%s", which this %s site needs '
                                    '(endpoints: %s)' % (name, role, 'edge' if state.is_edge else 'interior',
                                                         ', '.join(str(e.get('name')) for e in endpoints) or 'none'))
        for endpoint in chosen[:1]:
            if not host_is_valid(endpoint.get('host')) or port_number(endpoint.get('port')) is None:
                check.add('Link', name, 'invalid link "%s" - endpoint %s needs a host and a port (1-65535), got '
                                        'host %r port %r' % (name, role, endpoint.get('host'), endpoint.get('port')))
        if spec.get('cost') is not None and (isinstance(spec['cost'], bool) or not isinstance(spec['cost'], int)):
            check.add('Link', name, 'invalid link "%s" - cost must be an integer, got %r' % (name, spec['cost']))


def _check_secret_keys(check, state, secret, kind, name):
    content = secret_files(state.secrets[secret])
    missing = [key for key in CREDENTIAL_FILES if not content.get(key)]
    if missing:
        check.add(kind, name, 'secret "%s" does not contain required keys: %s (data values must be base64)'
                  % (secret, ', '.join(missing)))


def _check_names(check, state, kind, collection, label):
    for name in sorted(collection):
        if name_error(name):
            check.add(kind, name, 'invalid %s name: %s' % (label, name_error(name)))


def _check_type(check, kind, name, spec, label):
    if spec.get('type') not in (None, '', 'tcp'):
        check.add(kind, name, 'invalid %s: %s - type "%s" is not supported on a system site (only tcp)'
                  % (label, name, spec.get('type')))


def _check_listeners(check, state):
    mapped = {}
    for name in sorted(state.listeners):
        spec = _spec(state.listeners[name])
        if name_error(name):
            check.add('Listener', name, 'invalid listener name: %s' % name_error(name))
        host, port = spec.get('host'), spec.get('port')
        if not host or port in (None, 0, ''):
            check.add('Listener', name, 'invalid listener: %s - host and port are required' % name)
        else:
            if not host_is_valid(host):
                check.add('Listener', name, 'invalid listener host: %s - a valid IP address or hostname is '
                                            'expected (listener: "%s")' % (host, name))
            if port_number(port) is None:
                check.add('Listener', name, 'invalid listener: %s - port %r is not a port number (1-65535)'
                          % (name, port))
            elif (host, port_number(port)) in mapped:
                check.add('Listener', name, 'port %s is already mapped for host "%s" (listener: "%s")'
                          % (port, host, mapped[(host, port_number(port))]))
            else:
                mapped[(host, port_number(port))] = name
        if not spec.get('routingKey'):
            check.add('Listener', name, 'routingKey is missing for listener: %s' % name)
        _check_type(check, 'Listener', name, spec, 'listener')
        _check_tls_name(check, 'Listener', name, spec)


def _check_tls_name(check, kind, name, spec):
    tls = spec.get('tlsCredentials')
    if tls and name_error(tls):
        check.add(kind, name, 'invalid tlsCredentials: %s' % name_error(tls))


def _check_connectors(check, state):
    for name in sorted(state.connectors):
        spec = _spec(state.connectors[name])
        if name_error(name):
            check.add('Connector', name, 'invalid connector name: %s' % name_error(name))
        host, port = spec.get('host'), spec.get('port')
        if not host or port in (None, 0, ''):
            check.add('Connector', name, 'connector host and port are required (connector: "%s")' % name)
        else:
            if not host_is_valid(host):
                check.add('Connector', name, 'invalid connector host: %s - a valid IP address or hostname is '
                                             'expected (connector: "%s")' % (host, name))
            if port_number(port) is None:
                check.add('Connector', name, 'invalid connector: %s - port %r is not a port number (1-65535)'
                          % (name, port))
        if not spec.get('routingKey'):
            check.add('Connector', name, 'routingKey is missing for connector: %s' % name)
        _check_type(check, 'Connector', name, spec, 'connector')
        _check_tls_name(check, 'Connector', name, spec)
        _check_connector_tls(check, state, name, spec)


def _check_connector_tls(check, state, name, spec):
    """A TLS connector needs the CA of the workload, and a client certificate when useClientCert."""
    tls = spec.get('tlsCredentials')
    if not tls or name_error(tls):
        return
    provided = state.provided_credentials(tls) or {}
    needed = ['ca.crt'] + (['tls.crt', 'tls.key'] if spec.get('useClientCert') else [])
    missing = [key for key in needed if not provided.get(key)]
    if missing:
        check.add('Connector', name, 'invalid connector: %s - tlsCredentials "%s" needs %s: put the file(s) in '
                                     'input/certs/%s/ or in a Secret named "%s"'
                  % (name, tls, ', '.join(missing), tls, tls))


def _check_multi_key_listeners(check, state, listener_ports):
    for name in sorted(state.multi_key_listeners):
        spec = _spec(state.multi_key_listeners[name])
        label = 'invalid multikeylistener: %s - ' % name
        if name_error(name):
            check.add('MultiKeyListener', name, 'invalid multikeylistener name: %s' % name_error(name))
        host, port = spec.get('host'), port_number(spec.get('port'))
        if not host or port is None:
            check.add('MultiKeyListener', name, label + 'host and port (1-65535) are required')
        elif not host_is_valid(host):
            check.add('MultiKeyListener', name, label + 'invalid host %s - a valid IP address or hostname is expected'
                      % host)
        elif (host, port) in listener_ports:
            check.add('MultiKeyListener', name, label + 'port %s is already mapped for host "%s" (%s)'
                      % (port, host, listener_ports[(host, port)]))
        else:
            listener_ports[(host, port)] = 'multikeylistener: "%s"' % name
        _check_strategy(check, name, spec.get('strategy'), label)
        _check_tls_name(check, 'MultiKeyListener', name, spec)


def _check_strategy(check, name, strategy, label):
    strategy = strategy if isinstance(strategy, dict) else {}
    chosen = [key for key in ('priority', 'weighted') if strategy.get(key) is not None]
    if len(chosen) != 1:
        check.add('MultiKeyListener', name, label + 'exactly one of strategy.priority and strategy.weighted is required')
        return
    keys = (strategy[chosen[0]] or {}).get('routingKeys')
    if not keys:
        check.add('MultiKeyListener', name, label + 'strategy.%s.routingKeys must not be empty' % chosen[0])
    elif chosen[0] == 'weighted':
        for key, weight in sorted(keys.items()):
            if isinstance(weight, bool) or not isinstance(weight, int) or weight <= 0:
                check.add('MultiKeyListener', name, label + 'weight of routing key "%s" must be a positive integer'
                          % key)
    elif any(not key for key in keys):
        check.add('MultiKeyListener', name, label + 'routing keys must not be empty')


# ---------------------------------------------------------------------------------------------
# Port collisions between listeners and router accesses (Skupper does not check these)


def hosts_overlap(host_a, host_b):
    """Whether sockets bound on two hosts can clash (the same host, or a wildcard)."""
    return host_a in WILDCARDS or host_b in WILDCARDS or host_a == host_b


def bound_ports(state, router_accesses):
    """[(host, port, description, kind, name)] of every socket the router would bind."""
    bound = []
    for kind, collection, label in (('Listener', state.listeners, 'listener'),
                                    ('MultiKeyListener', state.multi_key_listeners, 'multikeylistener')):
        for name in sorted(collection):
            spec = _spec(collection[name])
            port = port_number(spec.get('port'))
            if port is not None and spec.get('host'):
                bound.append((spec['host'], port, '%s "%s"' % (label, name), kind, name))
    for name in sorted(router_accesses):
        spec = _spec(router_accesses[name])
        for role in spec.get('roles') or []:
            port = role_port(role) if isinstance(role, dict) else None
            if port is not None:
                description = 'router access "%s" role %s' % (name, role.get('name'))
                if name == 'skupper-local':
                    description = 'the local management port of the site'
                bound.append((spec.get('bindHost') or '', port, description, 'RouterAccess', name))
    return bound


def _involves(only, *entries):
    return only is None or any(kind == 'RouterAccess' and name in only for kind, name in entries)


def port_collisions(state, router_accesses, only=None):
    """Problems for sockets bound twice; only: restrict to collisions involving these RouterAccess names."""
    problems = []
    bound = bound_ports(state, router_accesses)
    for index, (host, port, description, kind, name) in enumerate(bound):
        for other_host, other_port, other_description, other_kind, other_name in bound[:index]:
            if port != other_port or not hosts_overlap(host, other_host):
                continue
            if kind in ('Listener', 'MultiKeyListener') and other_kind in ('Listener', 'MultiKeyListener') \
                    and host == other_host:
                continue  # reported with Skupper's own message
            if not _involves(only, (kind, name), (other_kind, other_name)):
                continue
            first, second = (host, description, kind, name), (other_host, other_description, other_kind, other_name)
            if (kind, name) not in state.sources:
                first, second = second, first
            problems.append('%s: port %d of %s (host "%s") collides with %s (host "%s"); choose another port'
                            % (state.source(first[2], first[3]), port, first[1], first[0] or '*', second[1],
                               second[0] or '*'))
    return problems


# ---------------------------------------------------------------------------------------------
# Entry points


def _model_problems(state, platform, flagged):
    """Per-document field errors of the resource model, for documents the checks above did not flag."""
    problems = []
    for doc in state.documents():
        kind, name = doc['kind'], name_of(doc) or ''
        known = model.KINDS.get(kind)
        if known is None:
            continue
        if platform and not known.supported_on(platform):
            if (kind, name) not in flagged:
                state.warnings.append('%s: %s "%s" is not used on a %s site and is only copied to the runtime state'
                                      % (state.source(kind, name), kind, name, platform))
            continue
        for error in model.validate_document(_as_model_sees_it(doc), platform):
            # A document the checks above flagged gets only its misspelt fields, the cause of what they
            # found more often than not ("routingKey is missing" for a routingkey).
            if (kind, name) not in flagged or ': unsupported field' in error:
                problems.append('%s: %s "%s": %s' % (state.source(kind, name), kind, name, error))
    return problems


def _as_model_sees_it(doc):
    """A RouterAccess without tlsCredentials uses its own name on system sites (as Skupper fills it in)."""
    if doc.get('kind') != 'RouterAccess' or _spec(doc).get('tlsCredentials'):
        return doc
    filled = dict(doc)
    filled['spec'] = dict(_spec(doc), tlsCredentials=name_of(doc))
    return filled


def validate_site_state(state, platform='linux'):
    """Every problem of a loaded state (a list, empty when the state can be rendered)."""
    check = _Checker(state)
    _check_site(check, state)
    _check_router_accesses(check, state)
    _check_links(check, state)
    _check_names(check, state, 'AccessToken', state.tokens, 'access token')
    _check_names(check, state, 'AccessGrant', state.grants, 'grant')
    _check_listeners(check, state)
    _check_connectors(check, state)
    listener_ports = dict(((_spec(doc).get('host'), port_number(_spec(doc).get('port'))), 'listener: "%s"' % name)
                          for name, doc in sorted(state.listeners.items()))
    _check_multi_key_listeners(check, state, listener_ports)
    check.problems.extend(port_collisions(state, state.router_accesses))
    check.problems.extend(_model_problems(state, platform, check.flagged))
    return check.problems


def _with_pending(documents, pending):
    """The documents of the files with pending ones (what a check run of the resource modules would have written)
    in place of the file of the same kind and name, or added as <Kind>-<name>.yaml."""
    pending = [doc for doc in pending or () if isinstance(doc, dict) and doc.get('kind') and name_of(doc)]
    replaced = set((doc['kind'], name_of(doc)) for doc in pending)
    kept = [(relative, doc) for relative, doc in documents if (doc.get('kind'), name_of(doc)) not in replaced]
    return kept + [('%s-%s.yaml' % (doc['kind'], name_of(doc)), doc) for doc in pending]


def load_site_state(home, namespace, platform='linux', pending=None):
    """The validated resources of input/resources of a namespace home; SiteStateError lists every problem.

    pending: documents a check-mode run would have written to input/resources (a check run writes nothing, so the
    render it predicts reads them in place of the files).
    """
    directory = paths.input_resources_dir(home)
    state = SiteState(home, namespace)
    has_files = os.path.isdir(directory) and resource_files(directory)
    if not has_files and not pending:
        raise SiteStateError('No sources found at: %s' % directory)
    documents, problems = read_documents(directory) if has_files else ([], [])
    documents = _with_pending(documents, pending)
    _collect(state, documents, problems)
    if not state.site or not name_of(state.site):
        raise SiteStateError(problems + ['no valid site definition has been found'])
    _reconcile_namespaces(state, problems)
    problems.extend(validate_site_state(state, platform))
    if problems:
        raise SiteStateError(problems)
    return state


def socket_conflicts(home, namespace, desired):
    """Problems of a Listener, MultiKeyListener or RouterAccess about to be written to input/resources: a port
    another listener, a RouterAccess or the site's own link access (and local management) access already binds
    on the same host. The implicit accesses are those of the last render (runtime/resources), whose ports
    later renders keep. Found before anything is written, with the same rule as the render (bound_ports)."""
    kind = desired.get('kind')
    if kind not in ('Listener', 'MultiKeyListener', 'RouterAccess'):
        return []
    name = name_of(desired)
    state = SiteState(home, namespace)
    directory = paths.input_resources_dir(home)
    documents = read_documents(directory, copied=False)[0] if os.path.isdir(directory) else []
    for relative, doc in documents:
        attr = ATTRIBUTES.get((doc.get('apiVersion'), doc.get('kind')))
        if attr in ('listeners', 'multi_key_listeners', 'router_accesses') and isinstance(name_of(doc), str):
            getattr(state, attr)[name_of(doc)] = doc
            state.sources[(doc['kind'], name_of(doc))] = relative
    state.collection(kind)[name] = desired
    router_accesses = dict(state.router_accesses)
    runtime = paths.runtime_dir(home, 'resources')
    for path in sorted(glob.glob(os.path.join(runtime, 'RouterAccess-*.yaml'))):  # the renderer's file names
        for doc in load_file(path, copied=False):
            if isinstance(doc, dict) and doc.get('kind') == 'RouterAccess' and isinstance(name_of(doc), str):
                router_accesses.setdefault(name_of(doc), doc)
    bound = bound_ports(state, router_accesses)
    mine = [entry for entry in bound if entry[3:] == (kind, name)]
    others = [entry for entry in bound if entry[3:] != (kind, name)]
    problems = []
    for host, port, description, _kind, _name in mine:
        for other_host, other_port, other_description, _other_kind, _other_name in others:
            if port == other_port and hosts_overlap(host, other_host):
                problems.append('port %d of %s (host "%s") is already used by %s (host "%s") of this site; choose '
                                'another port' % (port, description, host or '*', other_description,
                                                  other_host or '*'))
    return problems
