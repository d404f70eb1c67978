# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The resource model: one declarative description of every Skupper kind.

It drives each module's argument_spec, input validation, the camelCase document sent to the
platform, the modules' DOCUMENTATION (rendered by hacking/render_module_docs.py and checked by a
test) and the CRD conformance test.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.appnet.skupper.plugins.module_utils import validation

API_VERSION = 'skupper.io/v2alpha1'
GROUP = 'skupper.io'
PLATFORMS = ('kubernetes', 'linux', 'podman', 'docker')
SYSTEM_PLATFORMS = ('linux', 'podman', 'docker')
KUBE = ('kubernetes',)

PLATFORM_TITLES = {'kubernetes': 'Kubernetes', 'linux': 'Linux', 'podman': 'Podman', 'docker': 'Docker'}


def snake(name):
    """camelCase spec name -> snake_case option name."""
    return re.sub(r'(?<=[a-z0-9])([A-Z])', r'_\1', name).lower()


class Field(object):
    """One spec field of a kind.

    type: str, int, bool, list, object (with fields), map (string -> value_type).
    default: the value Skupper uses when the field is omitted (documented, never injected).
    check: an extra value check from validation (name, port, host, duration).
    """

    def __init__(self, name, type, description, required=False, default=None, choices=None,
                 elements=None, fields=None, value_type='str', platforms=PLATFORMS, secret=False,
                 check=None, top_level=False, schema_required=None, required_on=PLATFORMS):
        self.name = name
        self.option = snake(name)
        self.type = type
        self.description = description
        self.required = required
        # The API's required-ness (the CRD) where the modules ask for more (a Link endpoint without a host
        # is useless, the CRD does not say so).
        self.schema_required = required if schema_required is None else schema_required
        # Platforms on which a required field is required (RouterAccess credentials: system sites name
        # them after the RouterAccess).
        self.required_on = tuple(required_on)
        self.default = default
        self.choices = list(choices) if choices else None
        self.elements = elements
        self.fields = list(fields or [])
        self.value_type = value_type
        self.platforms = tuple(platforms)
        self.secret = secret
        self.check = check
        self.top_level = top_level

    def supported_on(self, platform):
        return platform in self.platforms


class Kind(object):
    """One resource kind, with its fields and cross-field rules."""

    def __init__(self, kind, plural, description, fields, api_version=API_VERSION, platforms=PLATFORMS,
                 module=None, one_of=(), not_on_system=None, status_fields=(), linux_required=()):
        self.kind = kind
        self.plural = plural
        self.description = description
        self.fields = list(fields)
        self.api_version = api_version
        self.platforms = tuple(platforms)
        self.module = module
        self.one_of = list(one_of)
        self.not_on_system = not_on_system
        self.status_fields = list(status_fields)
        self.linux_required = tuple(linux_required)

    @property
    def group(self):
        return self.api_version.split('/')[0] if '/' in self.api_version else ''

    @property
    def version(self):
        return self.api_version.split('/')[-1]

    def field(self, name):
        for item in self.fields:
            if item.name == name or item.option == name:
                return item
        return None

    def supported_on(self, platform):
        return platform in self.platforms

    def secret_paths(self):
        return [f.name for f in self.fields if f.secret]


def _settings(what):
    return Field('settings', 'map', 'Advanced settings of the %s, a map of string names to string values.' % what)


def _tls(description, platforms=PLATFORMS):
    return Field('tlsCredentials', 'str', description, check='name', platforms=platforms)


SITE = Kind('Site', 'sites', 'A site: a place where workloads run, one per namespace.', [
    Field('linkAccess', 'str',
          'Whether and how remote sites may link to this site. C(none) (or unset) refuses links; '
          'C(default) uses the platform default (on Linux, a listener on all addresses); on Kubernetes '
          'the access types C(route), C(loadbalancer), C(nodeport) and others are also accepted.',
          default='none'),
    Field('edge', 'bool', 'Run the site router in edge mode. An edge site cannot accept links.', default=False),
    Field('ha', 'bool', 'Run two routers for high availability (not with I(edge)).', default=False),
    Field('defaultIssuer', 'str', 'Name of the Secret holding the CA that signs link certificates of this site.',
          default='skupper-site-ca', platforms=KUBE, check='name'),
    Field('serviceAccount', 'str', 'Kubernetes service account for the router. Generated when unset.', platforms=KUBE),
    _settings('site; for example C(routerLogging) or C(routerDataConnections)'),
], module='site', status_fields=('status', 'message', 'conditions', 'endpoints', 'sitesInNetwork', 'network'))

_ENDPOINT_FIELDS = [
    Field('name', 'str', 'The role of the endpoint.', choices=('inter-router', 'edge'), required=True,
          schema_required=False),
    Field('host', 'str', 'Host name or IP address of the remote router.', required=True, schema_required=False),
    Field('port', 'str', 'Port of the remote router (a number; sent as a string).', required=True, check='port',
          schema_required=False),
    Field('group', 'str', 'Endpoint group (a router of an HA site).'),
]

LINK = Kind('Link', 'links', 'A link from this site to a remote site, over mutual TLS.', [
    Field('endpoints', 'list', 'Where the remote router accepts links.', required=True, elements='object',
          fields=_ENDPOINT_FIELDS),
    _tls('Name of the Secret (Kubernetes) or credentials (Linux) with the client certificate, key and CA for the link.'),
    Field('cost', 'int', 'Routing cost of traffic over this link.', default=1),
    _settings('link'),
], module='link', status_fields=('status', 'message', 'conditions', 'remoteSiteId', 'remoteSiteName'))

_OBSERVERS = ('auto', 'none', 'http1', 'http2')

LISTENER = Kind('Listener', 'listeners', 'A local endpoint for clients, bound to connectors in remote sites by routing key.', [
    Field('routingKey', 'str', 'Routing key that matches this listener with connectors.', required=True),
    Field('host', 'str', 'Host name or IP address the listener serves. On Linux, the address to bind.', required=True,
          check='host'),
    Field('port', 'int', 'Port the listener serves.', required=True, check='port'),
    _tls('Name of the TLS credentials (server certificate and key) clients see.'),
    Field('type', 'str', 'Protocol type.', default='tcp', choices=('tcp',)),
    Field('observer', 'str', 'Protocol observer used for traffic metrics.', choices=_OBSERVERS, default='auto'),
    Field('exposePodsByName', 'bool', 'Expose each pod as its own service.', default=False, platforms=KUBE),
    _settings('listener'),
], module='listener', status_fields=('status', 'message', 'conditions', 'hasMatchingConnector'))

CONNECTOR = Kind('Connector', 'connectors', 'Binds a local workload to listeners in remote sites by routing key.', [
    Field('routingKey', 'str', 'Routing key that matches this connector with listeners.', required=True),
    Field('port', 'int', 'Port of the workload.', required=True, check='port'),
    Field('selector', 'str', 'Kubernetes label selector of the workload pods (C(app=backend)). Exactly one of '
          'I(selector) and I(host) on Kubernetes.', platforms=KUBE),
    Field('host', 'str', 'Host name or IP address of the workload. Required on Linux, Podman and Docker; on '
          'Kubernetes exactly one of I(selector) and I(host).', check='host'),
    _tls('Name of the TLS credentials used towards the workload (a trusted CA, optionally a client certificate).'),
    Field('useClientCert', 'bool', 'Present the client certificate of I(tls_credentials) to the workload.', default=False),
    Field('verifyHostname', 'bool', "Check the workload's host name against its certificate.", default=False),
    Field('type', 'str', 'Protocol type.', default='tcp', choices=('tcp',)),
    Field('includeNotReadyPods', 'bool', 'Also route to pods that are not ready.', default=False, platforms=KUBE),
    Field('exposePodsByName', 'bool', 'Expose each pod as its own service.', default=False, platforms=KUBE),
    _settings('connector'),
], module='connector', one_of=(('selector', 'host'),), linux_required=('host',),
    status_fields=('status', 'message', 'conditions', 'hasMatchingListener', 'selectedPods'))

ACCESS_GRANT = Kind('AccessGrant', 'accessgrants', 'Permission to redeem access tokens for links to this site.', [
    Field('redemptionsAllowed', 'int', 'How many times a token of this grant can be redeemed.', default=1),
    Field('expirationWindow', 'str', 'How long tokens of this grant can be redeemed (a duration such as C(15m)).',
          default='15m', check='duration'),
    Field('code', 'str', 'Secret code tokens must present. Generated by the controller when unset.', secret=True),
    Field('issuer', 'str', 'Name of the Secret with the CA that signs the link certificates. The site default '
          'issuer when unset.', check='name'),
    _settings('grant'),
], platforms=KUBE, module='access_grant',
    not_on_system='a Linux, Podman or Docker site cannot serve access tokens: issue a static link on it with '
                  'appnet.skupper.static_link and apply that on the remote site instead',
    status_fields=('status', 'message', 'conditions', 'url', 'code', 'ca', 'redemptions', 'expirationTime'))

ACCESS_TOKEN = Kind('AccessToken', 'accesstokens', 'A short-lived credential that is redeemed for a link.', [
    Field('url', 'str', 'URL of the grant service of the remote site.', required=True),
    Field('code', 'str', 'Secret code that authenticates the token.', required=True, secret=True),
    Field('ca', 'str', 'PEM certificate of the CA the grant service is signed by.', required=True),
    Field('linkCost', 'int', 'Cost of the link created from this token.', default=1),
    _settings('token'),
], module='access_token', status_fields=('status', 'message', 'conditions', 'redeemed'))

_ROLE_FIELDS = [
    Field('name', 'str', 'Role: C(inter-router) for links between interior routers, C(edge) for links from edge routers.',
          required=True, choices=('inter-router', 'edge')),
    Field('port', 'int', 'Port for this role. Linux defaults: 55671 (inter-router), 45671 (edge).', check='port'),
]

ROUTER_ACCESS = Kind('RouterAccess', 'routeraccesses', "Access to the site's router for incoming links.", [
    Field('roles', 'list', 'The roles the router accepts links for.', required=True, elements='object',
          fields=_ROLE_FIELDS),
    _tls('Name of the TLS credentials (server certificate, key and trusted CA) of the router.'),
    Field('generateTlsCredentials', 'bool', 'Generate the TLS credentials when they do not exist.', default=False),
    Field('issuer', 'str', 'Name of the CA that signs generated credentials.', check='name'),
    Field('accessType', 'str', 'How the router is exposed on Kubernetes (C(route), C(loadbalancer), ...).',
          platforms=KUBE),
    Field('bindHost', 'str', 'Address the router binds to. All addresses when unset.', check='host'),
    Field('subjectAlternativeNames', 'list', 'Host names and IP addresses in the router certificate.', elements='str'),
    _settings('router access'),
], module='router_access', status_fields=('status', 'message', 'conditions', 'endpoints'))
# The CRD requires tlsCredentials; Skupper's system sites fill it in with the RouterAccess name.
ROUTER_ACCESS.field('tlsCredentials').required = True
ROUTER_ACCESS.field('tlsCredentials').schema_required = True
ROUTER_ACCESS.field('tlsCredentials').required_on = KUBE

ATTACHED_CONNECTOR = Kind('AttachedConnector', 'attachedconnectors',
                          'A connector for workloads in a peer namespace, attached to a site in another namespace.', [
                              Field('siteNamespace', 'str', 'Namespace of the site this connector attaches to.',
                                    required=True, check='name'),
                              Field('port', 'int', 'Port of the workload.', required=True, check='port'),
                              Field('selector', 'str', 'Label selector of the workload pods.', required=True),
                              _tls('Name of the TLS credentials used towards the workload.'),
                              Field('useClientCert', 'bool', 'Present the client certificate to the workload.', default=False),
                              Field('type', 'str', 'Protocol type.', default='tcp', choices=('tcp',)),
                              Field('includeNotReadyPods', 'bool', 'Also route to pods that are not ready.', default=False),
                              _settings('attached connector'),
                          ], platforms=KUBE, module='attached_connector',
                          not_on_system='attached connectors select Kubernetes pods in a peer namespace; on a Linux, '
                                        'Podman or Docker site use appnet.skupper.connector with a host instead',
                          status_fields=('status', 'message', 'conditions', 'selectedPods'))

ATTACHED_CONNECTOR_BINDING = Kind('AttachedConnectorBinding', 'attachedconnectorbindings',
                                  'Binds an AttachedConnector from a peer namespace to this site by routing key.', [
                                      Field('connectorNamespace', 'str', 'Namespace of the AttachedConnector.',
                                            required=True, check='name'),
                                      Field('routingKey', 'str', 'Routing key that matches listeners.', required=True),
                                      Field('exposePodsByName', 'bool', 'Expose each pod as its own service.', default=False),
                                      _settings('binding'),
                                  ], platforms=KUBE, module='attached_connector_binding',
                                  not_on_system='attached connector bindings exist only on Kubernetes; on a Linux, '
                                                'Podman or Docker site use appnet.skupper.connector with a host instead',
                                  status_fields=('status', 'message', 'conditions', 'hasMatchingListener'))

CERTIFICATE = Kind('Certificate', 'certificates', 'A certificate request handled by Skupper.', [
    Field('ca', 'str', 'Name of the signing CA.', required=True),
    Field('subject', 'str', 'Common name of the certificate.', required=True),
    Field('hosts', 'list', 'Host names and addresses of the certificate.', elements='str'),
    Field('client', 'bool', 'A client certificate.'),
    Field('server', 'bool', 'A server certificate.'),
    Field('signing', 'bool', 'A signing (CA) certificate.'),
    _settings('certificate'),
], status_fields=('status', 'message', 'conditions', 'expiration'))

SECURED_ACCESS = Kind('SecuredAccess', 'securedaccesses', 'Secure access to selected pods (Kubernetes).', [
    Field('ports', 'list', 'Ports to expose.', required=True, elements='object', fields=[
        Field('name', 'str', 'Port name.', required=True),
        Field('port', 'int', 'Exposed port.', required=True, check='port'),
        Field('targetPort', 'int', 'Target port of the pods.', check='port'),
        Field('protocol', 'str', 'Protocol.'),
    ]),
    Field('selector', 'map', 'Labels of the pods.', required=True),
    Field('issuer', 'str', 'Name of the signing CA.'),
    Field('certificate', 'str', 'Name of the certificate.'),
    Field('accessType', 'str', 'How the pods are exposed.'),
    _settings('secured access'),
], platforms=KUBE, status_fields=('status', 'message', 'conditions', 'endpoints', 'ca'))

MULTI_KEY_LISTENER = Kind('MultiKeyListener', 'multikeylisteners',
                          'A listener that routes to several routing keys by priority or weight.', [
                              Field('host', 'str', 'Host name or IP address the listener serves.', required=True,
                                    check='host'),
                              Field('port', 'int', 'Port the listener serves.', required=True, check='port'),
                              _tls('Name of the TLS credentials clients see.'),
                              Field('requireClientCert', 'bool', 'Require a client certificate.'),
                              Field('observer', 'str', 'Protocol observer.', choices=_OBSERVERS),
                              Field('strategy', 'object', 'Exactly one of I(priority) and I(weighted).', required=True,
                                    fields=[
                                        Field('priority', 'object', 'Routing keys in order of priority.', fields=[
                                            Field('routingKeys', 'list', 'Routing keys, highest priority first.',
                                                  required=True, elements='str')]),
                                        Field('weighted', 'object', 'Routing keys with weights.', fields=[
                                            Field('routingKeys', 'map', 'Routing key to weight.', required=True,
                                                  value_type='int')]),
                                    ]),
                              _settings('listener'),
                          ], status_fields=('status', 'message', 'conditions', 'hasDestination', 'strategy'))

SECRET = Kind('Secret', 'secrets', 'A Kubernetes-style Secret: link credentials (tls.crt, tls.key, ca.crt).', [
    Field('type', 'str', 'Secret type.', default='Opaque', top_level=True),
    Field('data', 'map', 'Base64-encoded values.', secret=True, top_level=True),
    Field('stringData', 'map', 'Plain-text values, encoded into I(data) on write.', secret=True, top_level=True),
], api_version='v1')

KINDS = dict((k.kind, k) for k in (SITE, LINK, LISTENER, CONNECTOR, ACCESS_GRANT, ACCESS_TOKEN, ROUTER_ACCESS,
                                   ATTACHED_CONNECTOR, ATTACHED_CONNECTOR_BINDING, CERTIFICATE, SECURED_ACCESS,
                                   MULTI_KEY_LISTENER, SECRET))
MODULE_KINDS = dict((k.module, k) for k in KINDS.values() if k.module)


def get_kind(kind):
    if kind not in KINDS:
        raise KeyError('unknown kind %r (known: %s)' % (kind, ', '.join(sorted(KINDS))))
    return KINDS[kind]


# ---------------------------------------------------------------------------------------------
# Value checks


_CHECKS = {
    'name': validation.check_name,
    'port': validation.check_port,
    'host': validation.check_host,
    'duration': validation.check_duration,
}

_PY_TYPES = {'str': str, 'int': int, 'bool': bool, 'list': list, 'object': dict, 'map': dict}


def _type_error(field, value):
    if field.type == 'int':
        return isinstance(value, bool) or not isinstance(value, int)
    return not isinstance(value, _PY_TYPES[field.type])


def _label(path, field, style):
    return path if style == 'spec' else snake(path)


def _validate_value(field, value, path, platform, style, errors):
    label = _label(path, field, style)
    if field.type == 'str' and isinstance(value, int) and not isinstance(value, bool) and field.check == 'port':
        value = str(value)
    if _type_error(field, value):
        errors.append('%s: expected %s, got %r' % (label, _type_words(field), value))
        return
    if field.choices and value not in field.choices:
        errors.append('%s: %r is not one of %s' % (label, value, ', '.join(field.choices)))
    if field.check and (field.type != 'str' or value != ''):
        problem = _CHECKS[field.check](value)
        if problem:
            errors.append('%s: %r %s' % (label, value, problem))
    if field.type == 'map':
        want = _PY_TYPES.get(field.value_type, str)
        for key, item in value.items():
            if not isinstance(key, str) or not isinstance(item, want) or (want is int and isinstance(item, bool)):
                errors.append('%s: entry %r must map a string to %s' % (label, key, _type_words_simple(field.value_type)))
    if field.type == 'list':
        for index, item in enumerate(value):
            item_path = '%s[%d]' % (path, index)
            if field.elements == 'object':
                if not isinstance(item, dict):
                    errors.append('%s: expected a mapping, got %r' % (_label(item_path, field, style), item))
                    continue
                _validate_fields(field.fields, item, item_path, platform, style, errors, required=True)
            elif not isinstance(item, _PY_TYPES.get(field.elements, str)):
                errors.append('%s: expected %s, got %r' % (_label(item_path, field, style),
                                                           _type_words_simple(field.elements), item))
    if field.type == 'object':
        _validate_fields(field.fields, value, path, platform, style, errors, required=True)


def _type_words_simple(name):
    return {'str': 'a string', 'int': 'an integer', 'bool': 'a boolean', 'object': 'a mapping'}.get(name, name)


def _type_words(field):
    if field.type == 'list':
        return 'a list of %s' % ({'object': 'mappings', 'str': 'strings'}.get(field.elements, field.elements))
    if field.type == 'map':
        return 'a mapping of strings'
    return _type_words_simple(field.type)


def _validate_fields(fields, values, path, platform, style, errors, required=True):
    known = dict((f.name, f) for f in fields)
    for key in sorted(values):
        if key not in known:
            errors.append('%s: unknown field (known: %s)' % (_join(path, key), ', '.join(sorted(known))))
    for field in fields:
        value = values.get(field.name)
        field_path = _join(path, field.name)
        if value is None:
            if required and field.required and (platform is None or platform in field.required_on):
                errors.append('%s: required field is missing' % _label(field_path, field, style))
            continue
        if platform and not field.supported_on(platform):
            errors.append('%s: is only used on %s, not on %s' % (
                _label(field_path, field, style), ', '.join(PLATFORM_TITLES[p] for p in field.platforms),
                PLATFORM_TITLES[platform]))
            continue
        _validate_value(field, value, field_path, platform, style, errors)


def _join(path, key):
    return '%s.%s' % (path, key) if path else key


def validate_spec(kind, spec, platform=None, style='spec', top=None):
    """Errors (a list of strings) for a spec (camelCase keys) of a kind on a platform.

    style='spec' names fields by their path (spec.port); style='option' by module option (port).
    """
    kind = get_kind(kind) if isinstance(kind, str) else kind
    errors = []
    spec_fields = [f for f in kind.fields if not f.top_level]
    top_fields = [f for f in kind.fields if f.top_level]
    prefix = 'spec' if style == 'spec' else ''
    if spec_fields:
        _validate_fields(spec_fields, spec or {}, prefix, platform, style, errors)
    if top_fields:
        _validate_fields(top_fields, top or {}, '', platform, style, errors)
    errors.extend(_cross_field_errors(kind, spec or {}, platform, style))
    return errors


def _cross_field_errors(kind, spec, platform, style):
    errors = []
    name = snake if style == 'option' else (lambda n: 'spec.' + n)
    for group in kind.one_of:
        present = [n for n in group if spec.get(n) not in (None, '')]
        if platform in SYSTEM_PLATFORMS:
            continue
        if len(present) > 1:
            errors.append('%s: set only one of them, not both' % ' and '.join(name(n) for n in group))
        elif not present:
            errors.append('%s: exactly one of them is required on Kubernetes' % ' or '.join(name(n) for n in group))
    if platform in SYSTEM_PLATFORMS:
        for required in kind.linux_required:
            if spec.get(required) in (None, ''):
                errors.append('%s: required on %s' % (name(required), PLATFORM_TITLES[platform]))
    if kind.kind == 'Site' and spec.get('edge') and spec.get('ha'):
        errors.append('%s and %s: an edge site cannot have HA enabled' % (name('edge'), name('ha')))
    if kind.kind == 'Site' and platform in SYSTEM_PLATFORMS and spec.get('edge') and \
            spec.get('linkAccess') not in (None, '', 'none'):
        errors.append('%s and %s: an edge site cannot accept links, so it cannot have link access'
                      % (name('edge'), name('linkAccess')))
    if kind.kind == 'MultiKeyListener' and isinstance(spec.get('strategy'), dict):
        chosen = [k for k in ('priority', 'weighted') if spec['strategy'].get(k) is not None]
        if len(chosen) != 1:
            errors.append('%s: exactly one of priority and weighted must be set' % name('strategy'))
    return errors


def validate_document(doc, platform=None):
    """Errors (a list of strings) for a whole resource document; [] when it is valid."""
    if not isinstance(doc, dict):
        return ['document: expected a mapping, got %r' % (doc,)]
    kind = KINDS.get(doc.get('kind'))
    if kind is None:
        return ['kind: %r is not a Skupper kind (known: %s)' % (doc.get('kind'), ', '.join(sorted(KINDS)))]
    errors = []
    if doc.get('apiVersion') != kind.api_version:
        errors.append('apiVersion: %s needs %r, got %r' % (kind.kind, kind.api_version, doc.get('apiVersion')))
    if platform and not kind.supported_on(platform):
        errors.append('%s: not supported on %s: %s' % (kind.kind, PLATFORM_TITLES[platform], kind.not_on_system))
    metadata = doc.get('metadata') or {}
    problem = validation.check_name(metadata.get('name'))
    if problem:
        errors.append('metadata.name: %r %s' % (metadata.get('name'), problem))
    if metadata.get('namespace') not in (None, ''):
        problem = validation.check_name(metadata.get('namespace'))
        if problem:
            errors.append('metadata.namespace: %r %s' % (metadata.get('namespace'), problem))
    for key in ('labels', 'annotations'):
        if metadata.get(key) is not None:
            problem = validation.check_labels(metadata[key]) if key == 'labels' else _check_annotations(metadata[key])
            if problem:
                errors.append('metadata.%s: %s' % (key, problem))
    top = dict((f.name, doc.get(f.name)) for f in kind.fields if f.top_level and doc.get(f.name) is not None)
    spec = doc.get('spec')
    if spec is not None and not isinstance(spec, dict):
        return errors + ['spec: expected a mapping, got %r' % (spec,)]
    errors.extend(validate_spec(kind, spec or {}, platform, 'spec', top))
    return errors


def _check_annotations(value):
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        return 'must be a mapping of strings to strings'
    return None


# ---------------------------------------------------------------------------------------------
# Module options <-> documents


def _option_to_value(field, value):
    if value is None:
        return None
    if field.type == 'str' and field.check == 'port' and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if field.type == 'list' and field.elements == 'object':
        return [_options_to_spec(field.fields, item) for item in value]
    if field.type == 'object':
        return _options_to_spec(field.fields, value)
    return value


def _options_to_spec(fields, params):
    spec = {}
    for field in fields:
        value = params.get(field.option)
        if value is None:
            value = params.get(field.name)
        value = _option_to_value(field, value)
        if value is not None:
            spec[field.name] = value
    return spec


def spec_from_params(kind, params):
    kind = get_kind(kind) if isinstance(kind, str) else kind
    return _options_to_spec([f for f in kind.fields if not f.top_level], params)


def build_document(kind, params):
    """The complete document for module parameters: apiVersion, kind, metadata, spec (or Secret fields)."""
    kind = get_kind(kind) if isinstance(kind, str) else kind
    metadata = {'name': params['name'], 'namespace': params.get('namespace') or 'default'}
    for key in ('labels', 'annotations'):
        if params.get(key):
            metadata[key] = dict(params[key])
    doc = {'apiVersion': kind.api_version, 'kind': kind.kind, 'metadata': metadata}
    spec = spec_from_params(kind, params)
    if any(not f.top_level for f in kind.fields):
        doc['spec'] = spec
    doc.update(_options_to_spec([f for f in kind.fields if f.top_level], params))
    return doc


# ---------------------------------------------------------------------------------------------
# argument_spec


_ARG_TYPES = {'str': 'str', 'int': 'int', 'bool': 'bool', 'list': 'list', 'object': 'dict', 'map': 'dict'}


def _argument(field):
    arg = {'type': 'raw' if (field.check == 'port' and field.type == 'str') else _ARG_TYPES[field.type]}
    if field.choices:
        arg['choices'] = list(field.choices)
    if field.secret:
        arg['no_log'] = True
    elif 'key' in field.option or 'code' in field.option:
        arg['no_log'] = False
    if field.type == 'list':
        arg['elements'] = 'dict' if field.elements == 'object' else field.elements
        if field.elements == 'object':
            arg['options'] = _arguments(field.fields, nested=True)
    if field.type == 'object':
        arg['options'] = _arguments(field.fields, nested=True)
    return arg


def _arguments(fields, nested=False):
    spec = {}
    for field in fields:
        arg = _argument(field)
        if nested and field.required:
            arg['required'] = True
        spec[field.option] = arg
    return spec


def argument_spec(kind):
    """Options of a kind's module (without the common options; see args_common)."""
    kind = get_kind(kind) if isinstance(kind, str) else kind
    return _arguments(kind.fields)


def required_if(kind):
    """Fields required when state=present (they may be omitted to delete)."""
    kind = get_kind(kind) if isinstance(kind, str) else kind
    names = [f.option for f in kind.fields if f.required and f.required_on == PLATFORMS]
    return [('state', 'present', names)] if names else []


# ---------------------------------------------------------------------------------------------
# Documentation


def _doc_description(field):
    lines = [field.description]
    if field.default is not None:
        shown = str(field.default).lower() if isinstance(field.default, bool) else field.default
        lines.append('When omitted, Skupper uses C(%s).' % (shown,))
    if tuple(field.platforms) != PLATFORMS:
        lines.append('Only on %s; refused on other platforms.' % ', '.join(PLATFORM_TITLES[p] for p in field.platforms))
    lines.append('Spec field C(%s).' % field.name)
    return lines


def _doc_option(field, nested=False):
    arg = _argument(field)
    doc = {'description': _doc_description(field), 'type': arg['type']}
    if field.choices:
        doc['choices'] = list(field.choices)
    if nested and field.required:
        doc['required'] = True
    if field.type == 'list':
        doc['elements'] = arg['elements']
    if field.type in ('object',) or (field.type == 'list' and field.elements == 'object'):
        doc['suboptions'] = dict((f.option, _doc_option(f, nested=True)) for f in field.fields)
    return doc


def documentation_options(kind):
    """The DOCUMENTATION 'options' of a kind's own fields (common options come from doc fragments)."""
    kind = get_kind(kind) if isinstance(kind, str) else kind
    options = {}
    for field in kind.fields:
        doc = _doc_option(field)
        if field.required and field.required_on == PLATFORMS:
            doc['description'] = doc['description'] + ['Required when I(state=present).']
        elif field.required:
            doc['description'] = doc['description'] + ['Required on %s when I(state=present).' % ', '.join(
                PLATFORM_TITLES[p] for p in field.required_on)]
        options[field.option] = doc
    return options


# ---------------------------------------------------------------------------------------------
# CRDs (for the Kubernetes API stand-in when the reference CRDs are not at hand)


def _schema(field):
    if field.type == 'list':
        items = {'type': 'object', 'properties': _properties(field.fields)} if field.elements == 'object' \
            else {'type': field.elements if field.elements != 'str' else 'string'}
        required = [f.name for f in field.fields if f.schema_required]
        if required:
            items['required'] = required
        return {'type': 'array', 'items': items}
    if field.type == 'object':
        schema = {'type': 'object', 'properties': _properties(field.fields)}
        required = [f.name for f in field.fields if f.schema_required]
        if required:
            schema['required'] = required
        return schema
    if field.type == 'map':
        return {'type': 'object', 'additionalProperties': {'type': 'integer' if field.value_type == 'int' else 'string'}}
    schema = {'type': {'str': 'string', 'int': 'integer', 'bool': 'boolean'}[field.type]}
    if field.choices and field.name == 'observer':
        schema['enum'] = list(field.choices)
    return schema


def _properties(fields):
    return dict((f.name, _schema(f)) for f in fields)


def crd_documents():
    """CustomResourceDefinitions (apiextensions.k8s.io/v1) of every skupper.io kind in the model."""
    crds = []
    for kind in sorted(KINDS.values(), key=lambda k: k.kind):
        if kind.group != GROUP:
            continue
        spec_schema = {'type': 'object', 'properties': _properties(kind.fields)}
        required = [f.name for f in kind.fields if f.schema_required]
        if required:
            spec_schema['required'] = required
        status = {'type': 'object', 'x-kubernetes-preserve-unknown-fields': True}
        crds.append({
            'apiVersion': 'apiextensions.k8s.io/v1',
            'kind': 'CustomResourceDefinition',
            'metadata': {'name': '%s.%s' % (kind.plural, GROUP)},
            'spec': {
                'group': GROUP,
                'names': {'kind': kind.kind, 'listKind': kind.kind + 'List', 'plural': kind.plural,
                          'singular': kind.kind.lower()},
                'scope': 'Namespaced',
                'versions': [{
                    'name': kind.version, 'served': True, 'storage': True,
                    'subresources': {'status': {}},
                    'schema': {'openAPIV3Schema': {'type': 'object', 'properties': {
                        'apiVersion': {'type': 'string'}, 'kind': {'type': 'string'},
                        'metadata': {'type': 'object'}, 'spec': spec_schema, 'status': status}}},
                }],
            },
        })
    return crds
