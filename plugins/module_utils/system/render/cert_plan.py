# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The certificates of a render: the CAs and leaves a site needs, planned from user input, kept
runtime files or new ones; the TLS profiles of links and connectors; the Certificate resources."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.appnet.skupper.plugins.module_utils import model
from ansible_collections.appnet.skupper.plugins.module_utils.system.render import certs
from ansible_collections.appnet.skupper.plugins.module_utils.system.render.ports import LOCAL_CA
from ansible_collections.appnet.skupper.plugins.module_utils.system.render.site_state import SiteStateError
from ansible_collections.appnet.skupper.plugins.module_utils.system.render.runtime_status import timestamp
from ansible_collections.appnet.skupper.plugins.module_utils.system.store import paths
from ansible_collections.appnet.skupper.plugins.module_utils.system.render import static_links

SITE_CA = 'skupper-site-ca'
SERVICE_CA = 'skupper-service-ca'


class CertificateRequest(object):
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
    """Every CA and leaf the site needs, CAs first (Skupper's, but no server certificate for a connector:
    docs/linux-sites.md, "What differs from Skupper's own output")."""
    requests = [CertificateRequest(n, n, signing=True) for n in (LOCAL_CA, SITE_CA, SERVICE_CA)]
    leaves = [CertificateRequest('skupper-local-server', '127.0.0.1', LOCAL_CA, ['127.0.0.1', 'localhost'],
                                 server=True),
              CertificateRequest('skupper-local-client', '127.0.0.1', LOCAL_CA, ['127.0.0.1', 'localhost'],
                                 client=True)]
    for name in sorted(state.router_accesses):
        access = state.router_accesses[name]
        if not static_links.has_link_roles(access):
            continue
        spec = access['spec']
        issuer = spec.get('issuer') or SITE_CA
        if issuer not in [r.name for r in requests]:
            requests.append(CertificateRequest(issuer, issuer, signing=True))
        tls = spec['tlsCredentials']
        leaves.append(CertificateRequest(tls, name, issuer, static_links.server_certificate_hosts(
            access, hostname, addresses), server=True))
        leaves.append(CertificateRequest('client-%s' % tls, 'client-%s' % tls, issuer, client=True))
    for collection in (state.listeners, state.multi_key_listeners):
        for name in sorted(collection):
            spec = collection[name]['spec']
            if spec.get('tlsCredentials'):
                leaves.append(CertificateRequest(spec['tlsCredentials'], spec['host'], SERVICE_CA,
                                                 _listener_hosts(spec['host'], hostname, addresses), server=True))
    requests += leaves
    return requests + _user_certificate_requests(state, [r.name for r in requests])


def _user_certificate_requests(state, taken):
    result = []
    for name in sorted(state.certificates):
        spec = state.certificates[name].get('spec') or {}
        if name in taken or not (spec.get('signing') or spec.get('client') or spec.get('server')):
            continue
        result.append(CertificateRequest(name, spec.get('subject') or name, spec.get('ca'), spec.get('hosts') or [],
                                         client=bool(spec.get('client')), server=bool(spec.get('server')),
                                         signing=bool(spec.get('signing'))))
    result.sort(key=lambda r: not r.signing)
    return result


def _required_keys(name, content, keys):
    missing = [key for key in keys if not (content or {}).get(key)]
    if missing:
        raise SiteStateError('secret "%s" does not contain required keys: %s' % (name, ', '.join(missing)))


def _modes(content):
    return dict((name, (data, certs.KEY_MODE if name == certs.KEY_FILE else certs.CERT_MODE))
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
        content = state.provided_credentials(secret)  # input/certs/<secret>/, else the Secret
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


def certificate_status(content):
    status = {'message': 'OK'}
    if content and content.get(certs.CERT_FILE):
        try:
            status['expiration'] = timestamp(certs.not_after(certs.certificate_from_pem(content[certs.CERT_FILE])))
        except certs.CertificateError:
            pass
    return status


def certificate_documents(requests, leaves, namespace):
    """Certificate resources for the requests, with status message OK and the expiration."""
    found = []
    for request in requests:
        found.append({'apiVersion': model.API_VERSION, 'kind': 'Certificate',
                      'metadata': {'name': request.name, 'namespace': namespace}, 'spec': request.spec(),
                      'status': certificate_status(leaves.get(request.name))})
    return found
