# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The checks of a loaded site input, in Skupper's order and with its wording (its `system reload` checks), plus the
ones Skupper misses; then the resource model's own checks of each document it did not flag."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.appnet.skupper.plugins.module_utils import documents, model, platforms
from ansible_collections.appnet.skupper.plugins.module_utils.model import values
from ansible_collections.appnet.skupper.plugins.module_utils.model.values import host_is_valid, port_number
from ansible_collections.appnet.skupper.plugins.module_utils.system.render.sockets import (
    LOCAL_ACCESS, port_collisions, role_port)

CREDENTIAL_FILES = ('ca.crt', 'tls.crt', 'tls.key')


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
        spec = documents.spec_of(state.router_accesses[name])
        if name_error(name):
            check.add('RouterAccess', name, 'invalid router access name: %s' % name_error(name))
        if name == LOCAL_ACCESS:
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
            if role.get('name') not in model.LINK_ROLES:
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
    """A Link's credentials are the files of input/certs/<tlsCredentials>/ (as the reference says of system sites),
    else the input Secret of that name (Skupper's own renderer reads only the Secret; its wording is kept)."""
    with_files = dict((name, _credential_files(state, documents.spec_of(doc).get('tlsCredentials')))
                      for name, doc in state.links.items())
    if state.links and not state.secrets and not any(with_files.values()):
        check.problems.append('unable to process links (no secrets found in the input, and no input/certs/<name>/ '
                              'folder for them)')
    role = 'edge' if state.is_edge else 'inter-router'
    for name in sorted(state.links):
        spec = documents.spec_of(state.links[name])
        if name_error(name):
            check.add('Link', name, 'invalid link name: %s' % name_error(name))
        secret = spec.get('tlsCredentials')
        if with_files[name]:
            missing = [key for key in CREDENTIAL_FILES if not with_files[name].get(key)]
            if missing:
                check.add('Link', name, 'invalid link "%s" - input/certs/%s/ does not contain required files: %s'
                          % (name, secret, ', '.join(missing)))
        elif (state.secrets or any(with_files.values())) and secret not in state.secrets:
            check.add('Link', name, 'invalid link "%s" - secret "%s" not found (neither a Secret document nor an '
                                    'input/certs/%s/ folder)' % (name, secret or '', secret or ''))
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


def _credential_files(state, name):
    """{file: bytes} of input/certs/<name>/, or None (no such folder, or a name that is no folder name)."""
    if not name or name_error(name):
        return None
    return state.credential_files(name)


def _check_secret_keys(check, state, secret, kind, name):
    content = documents.secret_files(state.secrets[secret])
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
        spec = documents.spec_of(state.listeners[name])
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
        spec = documents.spec_of(state.connectors[name])
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
        spec = documents.spec_of(state.multi_key_listeners[name])
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


def _model_problems(state, platform, flagged):
    """Per-document field errors of the resource model, for documents the checks above did not flag."""
    problems = []
    for doc in state.documents():
        kind, name = doc['kind'], documents.name_of(doc) or ''
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
    if doc.get('kind') != 'RouterAccess' or documents.spec_of(doc).get('tlsCredentials'):
        return doc
    filled = dict(doc)
    filled['spec'] = dict(documents.spec_of(doc), tlsCredentials=documents.name_of(doc))
    return filled


def validate_site_state(state, platform=platforms.SYSTEM_DEFAULT):
    """Every problem of a loaded state (a list, empty when the state can be rendered)."""
    check = _Checker(state)
    _check_site(check, state)
    _check_router_accesses(check, state)
    _check_links(check, state)
    _check_names(check, state, 'AccessToken', state.tokens, 'access token')
    _check_names(check, state, 'AccessGrant', state.grants, 'grant')
    _check_listeners(check, state)
    _check_connectors(check, state)
    listener_ports = dict(((documents.spec_of(doc).get('host'), port_number(documents.spec_of(doc).get('port'))), 'listener: "%s"' % name)
                          for name, doc in sorted(state.listeners.items()))
    _check_multi_key_listeners(check, state, listener_ports)
    check.problems.extend(port_collisions(state, state.router_accesses))
    check.problems.extend(_model_problems(state, platform, check.flagged))
    return check.problems
