# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The declaration of every Skupper kind: fields, types, defaults, choices, platforms, secrets and rules.

Nothing here acts: validate.py checks and normalises documents against these declarations, argspec.py
turns them into module options and docs.py into module documentation.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.appnet.skupper.plugins.module_utils import platforms

API_VERSION = 'skupper.io/v2alpha1'
GROUP = 'skupper.io'
# The collection's annotation on a Link: the name of the site it goes to (set by static_link, the link role and
# the Linux redemption; read by network_info).
REMOTE_SITE_ANNOTATION = 'appnet.skupper/remote-site-name'

# How a Kubernetes site exposes its router (Skupper's controller configuration, "access types").
ACCESS_TYPES = ('local', 'loadbalancer', 'route', 'nodeport', 'ingress-nginx', 'contour-http-proxy', 'gateway')


def snake(name):
    """camelCase spec name -> snake_case option name."""
    return re.sub(r'(?<=[a-z0-9])([A-Z])', r'_\1', name).lower()


def titles(names):
    """'Linux, Podman' of platform names (their titles in the registry, platforms.py)."""
    return ', '.join(platforms.TITLES[name] for name in names)


class Field(object):
    """One spec field of a kind.

    type: str, int, bool, list, object (with fields), map (string -> value_type).
    default: the value Skupper uses when the field is omitted (documented, never injected).
    choices: the values accepted; system_choices: the fewer values a Linux, Podman or Docker site can use
    (None: the same as choices, or any value when choices is None).
    check: an extra value check from validation (name, port, host, duration).
    minimum: the smallest integer accepted (for a list or map: the fewest entries).
    from_int: a string field that also accepts an integer and writes it as a string (a Link endpoint port).
    encoded_into: a top-level map whose values are written base64-encoded into this other field (stringData).
    secret: its values are never shown (no_log, redacted, masked; files holding them are 0600).
    """

    def __init__(self, name, type, description, required=False, default=None, choices=None,
                 elements=None, fields=None, value_type='str', platforms=platforms.NAMES, secret=False,
                 check=None, top_level=False, schema_required=None, required_on=platforms.NAMES,
                 system_choices=None, minimum=None, from_int=False, encoded_into=None, schema_enum=False):
        self.name = name
        self.option = snake(name)
        self.type = type
        self.description = description
        self.required = required
        # The API's required-ness (the CRD) where the modules ask for more (a Link endpoint without a host
        # is useless, the CRD does not say so).
        self.schema_required = required if schema_required is None else schema_required
        # Platforms on which a required field is required (RouterAccess credentials: system sites name
        # them after the RouterAccess; a Connector host: Kubernetes may select pods instead).
        self.required_on = tuple(required_on)
        self.default = default
        self.choices = list(choices) if choices else None
        self.system_choices = list(system_choices) if system_choices else None
        # Whether the API (the CRD) enforces the choices too; other choices are the modules' own checks.
        self.schema_enum = schema_enum
        self.elements = elements
        self.fields = list(fields or [])
        self.value_type = value_type
        self.platforms = tuple(platforms)
        self.secret = secret
        self.check = check
        self.top_level = top_level
        self.minimum = minimum
        self.from_int = from_int
        self.encoded_into = encoded_into

    def supported_on(self, platform):
        return platform in self.platforms

    def choices_on(self, platform):
        """The values accepted on a platform (None: any value)."""
        if platform in platforms.SYSTEM and self.system_choices:
            return self.system_choices
        return self.choices


# ---------------------------------------------------------------------------------------------
# Cross-field rules. Each names its fields by spec name; validate.py reports them.


class OneOf(object):
    """Exactly one of the fields is set (in the spec, or in the object field at path)."""

    def __init__(self, names, path=None, platforms=platforms.NAMES):
        self.names = tuple(names)
        self.path = path
        self.platforms = tuple(platforms)


class Conflict(object):
    """Two fields that cannot both be on; a value in off (or false, empty, unset) is off."""

    def __init__(self, names, reason, platforms=platforms.NAMES, off=()):
        self.names = tuple(names)
        self.reason = reason
        self.platforms = tuple(platforms)
        self.off = tuple(off)


class Distinct(object):
    """The entries of a list field (at path) differ in key: no two RouterAccess roles on one port.

    defaults: {platforms: (entry field, {entry value: default})}: the value an entry without key has on those
    platforms (a role's port on a system site is Skupper's default port of the role).
    """

    def __init__(self, path, key, platforms=platforms.NAMES, defaults=None):
        self.path = path
        self.key = key
        self.platforms = tuple(platforms)
        self.defaults = defaults or {}

    def default_for(self, entry, platform):
        for names, (field, values) in self.defaults.items():
            if platform in names:
                return values.get(entry.get(field))
        return None


class Kind(object):
    """One resource kind, with its fields and cross-field rules."""

    def __init__(self, kind, plural, description, fields, api_version=API_VERSION, platforms=platforms.NAMES,
                 module=None, rules=(), not_on_system=None, status_fields=(), secret_status=()):
        self.kind = kind
        self.plural = plural
        self.description = description
        self.fields = list(fields)
        self.api_version = api_version
        self.platforms = tuple(platforms)
        self.module = module
        self.rules = list(rules)
        self.not_on_system = not_on_system
        self.status_fields = list(status_fields)
        # Status fields whose values are never shown (an AccessGrant's code).
        self.secret_status = tuple(secret_status)

    @property
    def group(self):
        return self.api_version.split('/')[0] if '/' in self.api_version else ''

    @property
    def version(self):
        return self.api_version.split('/')[-1]

    @property
    def one_of(self):
        """The one-of groups of spec fields: {path (None for the spec itself): [names, ...]}."""
        groups = {}
        for rule in self.rules:
            if isinstance(rule, OneOf):
                groups.setdefault(rule.path, []).append(rule.names)
        return groups

    def field(self, name):
        for item in self.fields:
            if item.name == name or item.option == name:
                return item
        return None

    def supported_on(self, platform):
        return platform in self.platforms

    def secret_paths(self):
        """The document paths (tuples of keys) of secret values: secret fields and secret status fields."""
        paths = [(f.name,) if f.top_level else ('spec', f.name) for f in self.fields if f.secret]
        return paths + [('status', name) for name in self.secret_status]

    @property
    def holds_secrets(self):
        """Whether a document of this kind may hold secret values (its files are 0600)."""
        return bool(self.secret_paths())


def _settings(what):
    return Field('settings', 'map', 'Advanced settings of the %s, a map of string names to string values.' % what)


def _tls(description, platforms=platforms.NAMES):
    return Field('tlsCredentials', 'str', description, check='name', platforms=platforms)


def _type(described_tcp_only=True):
    # Listener and Connector: Skupper's CRDs say "Currently only supports tcp" (the schema itself takes any string),
    # and the controller and a system site handle tcp only, so the modules refuse another value on every platform.
    # The AttachedConnector CRD says nothing of it: any string, as its schema.
    return Field('type', 'str', 'Protocol type.', default='tcp', choices=('tcp',) if described_tcp_only else None)


SITE = Kind('Site', 'sites', 'A site: a place where workloads run, one per namespace.', [
    Field('linkAccess', 'str',
          'Whether and how remote sites may link to this site. C(none) refuses links; C(default) uses the platform '
          'default (on Linux, Podman and Docker a router listener on all addresses; on Kubernetes C(route) on '
          'OpenShift, else C(loadbalancer)); the other values are Kubernetes access types.',
          default='none', choices=('none', 'default') + ACCESS_TYPES, system_choices=('none', 'default')),
    Field('edge', 'bool', 'Run the site router in edge mode. An edge site cannot accept links.', default=False),
    Field('ha', 'bool', 'Run two routers for high availability (not with I(edge)).', default=False),
    Field('defaultIssuer', 'str', 'Name of the Secret holding the CA that signs link certificates of this site.',
          default='skupper-site-ca', platforms=platforms.KUBERNETES, check='name'),
    Field('serviceAccount', 'str', 'Kubernetes service account for the router. Generated when unset.', platforms=platforms.KUBERNETES),
    _settings('site; for example C(routerLogging) or C(routerDataConnections)'),
], module='site', rules=[
    Conflict(('edge', 'ha'), 'an edge site cannot have HA enabled'),
    Conflict(('edge', 'linkAccess'), 'an edge site cannot accept links, so it cannot have link access',
             platforms=platforms.SYSTEM, off=('none',)),
], status_fields=('status', 'message', 'conditions', 'endpoints', 'sitesInNetwork', 'network'))

_ENDPOINT_FIELDS = [
    Field('name', 'str', 'The role of the endpoint.', choices=('inter-router', 'edge'), required=True,
          schema_required=False),
    Field('host', 'str', 'Host name or IP address of the remote router.', required=True, schema_required=False),
    Field('port', 'str', 'Port of the remote router (a number; written as a string).', required=True, check='port',
          schema_required=False, from_int=True),
    Field('group', 'str', 'Endpoint group (a router of an HA site).'),
]

LINK = Kind('Link', 'links', 'A link from this site to a remote site, over mutual TLS.', [
    Field('endpoints', 'list', 'Where the remote router accepts links.', required=True, elements='object',
          fields=_ENDPOINT_FIELDS),
    _tls('Name of the Secret (Kubernetes) or credentials (Linux) with the client certificate, key and CA for the link.'),
    Field('cost', 'int', 'Routing cost of traffic over this link.', default=1, minimum=1),
    _settings('link'),
], module='link', status_fields=('status', 'message', 'conditions', 'remoteSiteId', 'remoteSiteName'))

_OBSERVERS = ('auto', 'none', 'http1', 'http2')

LISTENER = Kind('Listener', 'listeners', 'A local endpoint for clients, bound to connectors in remote sites by routing key.', [
    Field('routingKey', 'str', 'Routing key that matches this listener with connectors.', required=True),
    Field('host', 'str', 'Host name or IP address the listener serves. On Linux, the address to bind.', required=True,
          check='host'),
    Field('port', 'int', 'Port the listener serves.', required=True, check='port'),
    _tls('Name of the TLS credentials (server certificate and key) clients see.'),
    _type(),
    Field('observer', 'str', 'Protocol observer used for traffic metrics.', choices=_OBSERVERS, default='auto',
          schema_enum=True),
    Field('exposePodsByName', 'bool', 'Expose each pod as its own service.', default=False, platforms=platforms.KUBERNETES),
    _settings('listener'),
], module='listener', status_fields=('status', 'message', 'conditions', 'hasMatchingConnector'))

CONNECTOR = Kind('Connector', 'connectors', 'Binds a local workload to listeners in remote sites by routing key.', [
    Field('routingKey', 'str', 'Routing key that matches this connector with listeners.', required=True),
    Field('port', 'int', 'Port of the workload.', required=True, check='port'),
    Field('selector', 'str', 'Kubernetes label selector of the workload pods (C(app=backend)). Exactly one of '
          'I(selector) and I(host) on Kubernetes.', platforms=platforms.KUBERNETES),
    Field('host', 'str', 'Host name or IP address of the workload. On Kubernetes exactly one of I(selector) and '
          'I(host).', check='host', required=True, required_on=platforms.SYSTEM, schema_required=False),
    _tls('Name of the TLS credentials used towards the workload (a trusted CA, optionally a client certificate).'),
    Field('useClientCert', 'bool', 'Present the client certificate of I(tls_credentials) to the workload.', default=False),
    Field('verifyHostname', 'bool', "Check the workload's host name against its certificate.", default=False),
    _type(),
    Field('includeNotReadyPods', 'bool', 'Also route to pods that are not ready.', default=False, platforms=platforms.KUBERNETES),
    Field('exposePodsByName', 'bool', 'Expose each pod as its own service.', default=False, platforms=platforms.KUBERNETES),
    _settings('connector'),
], module='connector', rules=[
    OneOf(('selector', 'host'), platforms=platforms.KUBERNETES),
], status_fields=('status', 'message', 'conditions', 'hasMatchingListener', 'selectedPods'))

ACCESS_GRANT = Kind('AccessGrant', 'accessgrants', 'Permission to redeem access tokens for links to this site.', [
    Field('redemptionsAllowed', 'int', 'How many times a token of this grant can be redeemed.', default=1, minimum=1),
    Field('expirationWindow', 'str', 'How long tokens of this grant can be redeemed (a duration such as C(15m)).',
          default='15m', check='duration'),
    Field('code', 'str', 'Secret code tokens must present. Generated by the controller when unset.', secret=True),
    Field('issuer', 'str', 'Name of the Secret with the CA that signs the link certificates. The site default '
          'issuer when unset.', check='name'),
    _settings('grant'),
], platforms=platforms.KUBERNETES, module='access_grant',
    not_on_system='a Linux, Podman or Docker site cannot serve access tokens: issue a static link on it with '
                  'appnet.skupper.static_link and apply that on the remote site instead',
    status_fields=('status', 'message', 'conditions', 'url', 'code', 'ca', 'redemptions', 'expirationTime'),
    secret_status=('code',))

ACCESS_TOKEN = Kind('AccessToken', 'accesstokens', 'A short-lived credential that is redeemed for a link.', [
    Field('url', 'str', 'URL of the grant service of the remote site.', required=True),
    Field('code', 'str', 'Secret code that authenticates the token.', required=True, secret=True),
    Field('ca', 'str', 'PEM certificate of the CA the grant service is signed by.', required=True),
    Field('linkCost', 'int', 'Cost of the link created from this token.', default=1, minimum=1),
    _settings('token'),
], module='access_token', status_fields=('status', 'message', 'conditions', 'redeemed'))

# The RouterAccess roles that links connect to (the router's inter-router and edge listeners and connectors).
LINK_ROLES = ('inter-router', 'edge')
# The ports a system site's router listens on for a link role without a port (Skupper's defaults on Linux).
DEFAULT_ROLE_PORTS = {'inter-router': 55671, 'edge': 45671}

_ROLE_FIELDS = [
    Field('name', 'str', 'Role: C(inter-router) for links between interior routers, C(edge) for links from edge routers.',
          required=True, choices=LINK_ROLES),
    Field('port', 'int', 'Port for this role. Linux defaults: %(inter-router)d (inter-router), %(edge)d (edge).'
          % DEFAULT_ROLE_PORTS, check='port'),
]

ROUTER_ACCESS = Kind('RouterAccess', 'routeraccesses', "Access to the site's router for incoming links.", [
    Field('roles', 'list', 'The roles the router accepts links for.', required=True, elements='object',
          fields=_ROLE_FIELDS),
    # The CRD requires tlsCredentials, and so do the modules on every platform. Skupper's system sites fill an
    # input file without it in with the RouterAccess name; the renderer does the same for such files.
    _tls('Name of the TLS credentials (server certificate, key and trusted CA) of the router.'),
    Field('generateTlsCredentials', 'bool', 'Generate the TLS credentials when they do not exist.', default=False),
    Field('issuer', 'str', 'Name of the CA that signs generated credentials.', check='name'),
    Field('accessType', 'str', 'How the router is exposed on Kubernetes (a Kubernetes access type). The default '
          'is C(route) on OpenShift, else C(loadbalancer).', platforms=platforms.KUBERNETES, choices=ACCESS_TYPES),
    Field('bindHost', 'str', 'Address the router binds to.', check='host', default='0.0.0.0'),
    Field('subjectAlternativeNames', 'list', 'Host names and IP addresses in the router certificate.', elements='str'),
    _settings('router access'),
], module='router_access', rules=[
    Distinct('roles', 'name'),
    # One socket per port: the router refuses to start with two listeners on one port (two roles on the
    # default port of a system site included).
    Distinct('roles', 'port', defaults={platforms.SYSTEM: ('name', DEFAULT_ROLE_PORTS)}),
], status_fields=('status', 'message', 'conditions', 'endpoints'))
ROUTER_ACCESS.field('tlsCredentials').required = True
ROUTER_ACCESS.field('tlsCredentials').schema_required = True
ROUTER_ACCESS.field('tlsCredentials').required_on = platforms.NAMES

ATTACHED_CONNECTOR = Kind('AttachedConnector', 'attachedconnectors',
                          'A connector for workloads in a peer namespace, attached to a site in another namespace.', [
                              Field('siteNamespace', 'str', 'Namespace of the site this connector attaches to.',
                                    required=True, check='name'),
                              Field('port', 'int', 'Port of the workload.', required=True, check='port'),
                              Field('selector', 'str', 'Label selector of the workload pods.', required=True),
                              _tls('Name of the TLS credentials used towards the workload.'),
                              Field('useClientCert', 'bool', 'Present the client certificate to the workload.', default=False),
                              _type(described_tcp_only=False),
                              Field('includeNotReadyPods', 'bool', 'Also route to pods that are not ready.', default=False),
                              _settings('attached connector'),
                          ], platforms=platforms.KUBERNETES, module='attached_connector',
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
                                  ], platforms=platforms.KUBERNETES, module='attached_connector_binding',
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
], platforms=platforms.KUBERNETES, rules=[Distinct('ports', 'name'), Distinct('ports', 'port')],
    not_on_system='secured access exposes Kubernetes pods through a Kubernetes service; on a Linux, Podman or Docker '
                  'site accept links with appnet.skupper.router_access, or reach local servers with a '
                  'appnet.skupper.connector',
    status_fields=('status', 'message', 'conditions', 'endpoints', 'ca'))

MULTI_KEY_LISTENER = Kind('MultiKeyListener', 'multikeylisteners',
                          'A listener that routes to several routing keys by priority or weight.', [
                              Field('host', 'str', 'Host name or IP address the listener serves.', required=True,
                                    check='host'),
                              Field('port', 'int', 'Port the listener serves.', required=True, check='port'),
                              _tls('Name of the TLS credentials clients see.'),
                              Field('requireClientCert', 'bool', 'Require a client certificate.'),
                              Field('observer', 'str', 'Protocol observer.', choices=_OBSERVERS, schema_enum=True),
                              Field('strategy', 'object', 'Exactly one of I(priority) and I(weighted).', required=True,
                                    fields=[
                                        Field('priority', 'object', 'Routing keys in order of priority.', fields=[
                                            Field('routingKeys', 'list', 'Routing keys, highest priority first.',
                                                  required=True, elements='str', minimum=1)]),
                                        Field('weighted', 'object', 'Routing keys with weights.', fields=[
                                            Field('routingKeys', 'map', 'Routing key to weight.', required=True,
                                                  value_type='int', minimum=1)]),
                                    ]),
                              _settings('listener'),
                          ], rules=[OneOf(('priority', 'weighted'), path='strategy')],
                          status_fields=('status', 'message', 'conditions', 'hasDestination', 'strategy'))

SECRET = Kind('Secret', 'secrets', 'A Kubernetes-style Secret: link credentials (tls.crt, tls.key, ca.crt).', [
    Field('type', 'str', 'Secret type.', default='Opaque', top_level=True),
    Field('data', 'map', 'Base64-encoded values.', secret=True, top_level=True),
    Field('stringData', 'map', 'Plain-text values, written base64-encoded into I(data) (on every platform, as the '
          'Kubernetes API stores them and as Skupper reads them on Linux).', secret=True, top_level=True,
          encoded_into='data'),
], api_version='v1')

KINDS = dict((k.kind, k) for k in (SITE, LINK, LISTENER, CONNECTOR, ACCESS_GRANT, ACCESS_TOKEN, ROUTER_ACCESS,
                                   ATTACHED_CONNECTOR, ATTACHED_CONNECTOR_BINDING, CERTIFICATE, SECURED_ACCESS,
                                   MULTI_KEY_LISTENER, SECRET))
MODULE_KINDS = dict((k.module, k) for k in KINDS.values() if k.module)


def get_kind(kind):
    if kind not in KINDS:
        raise KeyError('unknown kind %r (known: %s)' % (kind, ', '.join(sorted(KINDS))))
    return KINDS[kind]
