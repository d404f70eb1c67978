# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Static links of a system site: Link + Secret bundles remote sites apply (what Skupper's `link generate` prints).

Unlike Skupper, links are produced only for hosts a remote router can use and that the router's
server certificate names (never 0.0.0.0, :: or link-local addresses), always with explicit ports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import ipaddress
import os
import socket

from ansible_collections.appnet.skupper.plugins.module_utils import documents, model
from ansible_collections.appnet.skupper.plugins.module_utils.system.render import certs
from ansible_collections.appnet.skupper.plugins.module_utils.system.store import files, paths
from ansible_collections.appnet.skupper.plugins.module_utils.system.render.sockets import (
    WILDCARDS, role_port)
from ansible_collections.appnet.skupper.plugins.module_utils.system.store.resource_files import load_runtime_resources

LOOPBACK_LINK_HOST = '127.0.0.1'
ISSUED_DIR = 'issued'


class StaticLinkError(Exception):
    """A static link cannot be issued (no rendered site, no link access, unknown host)."""


# ---------------------------------------------------------------------------------------------
# Hosts


def _ip(value):
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def is_useful_address(value):
    """True for an address a remote router can dial: not a wildcard, loopback, link-local or multicast."""
    address = _ip(value)
    return address is not None and not (address.is_unspecified or address.is_loopback or address.is_link_local
                                        or address.is_multicast)


def useful_host(value):
    """True for a host worth a static link: a name (not localhost) or a useful address."""
    if not value or value in WILDCARDS or value == 'localhost':
        return False
    return is_useful_address(value) if _ip(value) is not None else True


def local_addresses():
    """This host's addresses, primary first (the one of the default route), then the resolver's."""
    found = []
    for family, probe in ((socket.AF_INET, '192.0.2.1'), (socket.AF_INET6, '2001:db8::1')):
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as sock:
                sock.connect((probe, 9))
                found.append(sock.getsockname()[0])
        except OSError:
            continue
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None):
            found.append(info[4][0].split('%')[0])
    except OSError:
        pass
    return _unique(found)


def _unique(values):
    result = []
    for value in values:
        if value and value not in result:
            result.append(value)
    return result


def primary_address(addresses):
    """The first useful address, or None."""
    return next((a for a in addresses or () if is_useful_address(a)), None)


def local_link_hosts(hostname, addresses):
    """Hosts a wildcard-bound router is reachable at: primary address, host name, other addresses, 127.0.0.1."""
    useful = [a for a in addresses or () if is_useful_address(a)]
    hosts = useful[:1] + ([hostname] if useful_host(hostname) else []) + useful[1:] + [LOOPBACK_LINK_HOST]
    return _unique(hosts)


def server_certificate_hosts(router_access, hostname, addresses):
    """Host names of a RouterAccess server certificate: its SANs and bind host, and for a wildcard bind host
    every local host name a static link may use, with 127.0.0.1 and localhost for the loopback link."""
    spec = documents.spec_of(router_access)
    hosts = list(spec.get('subjectAlternativeNames') or [])
    bind_host = spec.get('bindHost') or ''
    if bind_host:
        hosts.append(bind_host)
    if bind_host in WILDCARDS:
        hosts += local_link_hosts(hostname, addresses) + ['localhost']
    return certs.normalize_hosts(hosts)


def link_hosts(router_access, hostname, addresses):
    """Hosts that get a static link: the bind host when it is specific, else every useful host of the certificate."""
    spec = documents.spec_of(router_access)
    bind_host = spec.get('bindHost') or ''
    if bind_host not in WILDCARDS:
        return [bind_host]
    candidates = local_link_hosts(hostname, addresses)[:-1] + list(spec.get('subjectAlternativeNames') or [])
    return _unique([h for h in candidates if useful_host(h)] + [LOOPBACK_LINK_HOST])


# ---------------------------------------------------------------------------------------------
# Documents


def link_roles(router_access):
    """[(role, port)] of the inter-router and edge roles of a RouterAccess, inter-router first."""
    roles = dict((r.get('name'), role_port(r)) for r in documents.spec_of(router_access).get('roles') or [] if isinstance(r, dict))
    return [(role, roles[role]) for role in ('inter-router', 'edge') if role in roles]


def has_link_roles(router_access):
    return any(role in model.LINK_ROLES for role, _port in link_roles(router_access))


def _b64(data):
    return base64.b64encode(data).decode('ascii')


def secret_document(name, credentials):
    """A kubernetes.io/tls Secret from {file name: bytes} (ca.crt, tls.crt, tls.key)."""
    return {'apiVersion': 'v1', 'kind': 'Secret', 'metadata': {'creationTimestamp': None, 'name': name},
            'type': 'kubernetes.io/tls',
            'data': dict((key, _b64(credentials[key])) for key in certs.CREDENTIAL_ORDER if key in credentials)}


def link_document(name, host, roles, cost=1, remote_site=None):
    """A Link to host with one endpoint per (role, port), ports as strings.

    remote_site: the name of the site the link goes to, kept as the annotation model.REMOTE_SITE_ANNOTATION, so
    that the linking site reports its remote site from this fact instead of parsing router ids.
    """
    endpoints = [{'host': host, 'name': role, 'port': str(port)} for role, port in roles]
    metadata = {'creationTimestamp': None, 'name': name}
    if remote_site:
        metadata['annotations'] = {model.REMOTE_SITE_ANNOTATION: remote_site}
    return {'apiVersion': model.API_VERSION, 'kind': 'Link', 'metadata': metadata,
            'spec': {'cost': int(cost), 'endpoints': endpoints, 'tlsCredentials': name}, 'status': {}}


def static_link_text(secret_doc, link_doc):
    """The static link file: the Secret then the Link, each document introduced by ---."""
    return '---\n' + documents.resource_yaml(secret_doc) + '---\n' + documents.resource_yaml(link_doc)


def link_file_name(router_access_name, host):
    return 'link-%s-%s.yaml' % (router_access_name, host)


def render_static_links(router_access, client_credentials, hostname, addresses):
    """[(file name, host, text)] of the static links of one RouterAccess (none without link roles)."""
    roles = link_roles(router_access)
    if not roles:
        return []
    name = router_access['metadata']['name']
    secret = secret_document('link-%s' % name, client_credentials)
    result = []
    for host in link_hosts(router_access, hostname, addresses):
        link = link_document('link-%s' % name, host, roles)
        result.append((link_file_name(name, host), host, static_link_text(secret, link)))
    return result


# ---------------------------------------------------------------------------------------------
# Issuing a link for a named remote site


def _rendered_site(runtime):
    sites = runtime.get('Site') or {}
    if not sites:
        raise StaticLinkError('there is no rendered site in this namespace: render (start) the site first')
    return next(iter(sorted(sites.items())))[1]


def _link_access(runtime, site_name):
    candidates = dict((n, ra) for n, ra in (runtime.get('RouterAccess') or {}).items() if has_link_roles(ra))
    if not candidates:
        raise StaticLinkError('site "%s" is not enabled for link access: set linkAccess on the site (or add a '
                              'RouterAccess with an inter-router or edge role) and render it again' % site_name)
    return candidates.get(site_name) or candidates[sorted(candidates)[0]]


def _choose_host(host, server_cert, addresses):
    dns, _ips = certs.certificate_hosts(server_cert)
    if host:
        if host not in dns:
            raise StaticLinkError('host "%s" is not in the router certificate (it names %s): add it to the router '
                                  "access' subjectAlternativeNames and render again" % (host, ', '.join(dns)))
        return host
    primary = primary_address(addresses)
    if primary in dns:
        return primary
    usable = [name for name in dns if useful_host(name)]
    if not usable:
        raise StaticLinkError('the router certificate names no host a remote site can use (%s): give host' % dns)
    return usable[0]


def _server_certificate(home, router_access):
    tls = documents.spec_of(router_access).get('tlsCredentials') or router_access['metadata']['name']
    path = os.path.join(paths.runtime_dir(home, 'certs', tls), certs.CERT_FILE)
    try:
        return certs.load_certificate(path)
    except certs.CertificateError:
        raise StaticLinkError('the site has not been rendered completely: %s is missing' % path)


def issue_static_link(home, subject, host=None, cost=1, name=None, addresses=None, check_mode=False):
    """(secret_doc, link_doc, changed): credentials and a Link for the remote site subject.

    The client certificate (CN = subject) is kept under runtime/issued/<subject>/, so the same
    subject gets the same credentials back (changed False). In check mode nothing is written; when
    the credentials would be (re-)issued the result is (None, None, True).
    """
    if not subject or '/' in subject or subject.startswith('.'):
        raise StaticLinkError('subject must be a non-empty name without "/", got %r' % (subject,))
    runtime = load_runtime_resources(home)
    site = _rendered_site(runtime)
    site_name = site['metadata']['name']
    router_access = _link_access(runtime, site_name)
    issuer = documents.spec_of(router_access).get('issuer') or 'skupper-site-ca'
    problem = certs.unusable_ca(paths.runtime_dir(home, 'issuers', issuer), issuer)
    if problem:
        raise StaticLinkError('the CA "%s" of the site cannot be used: %s; restore it from a backup (a new CA would '
                              'break every link it issued)' % (issuer, problem))
    ca = certs.load_ca(paths.runtime_dir(home, 'issuers', issuer), issuer)
    if ca is None:
        raise StaticLinkError('the site has not been rendered completely: CA "%s" is missing' % issuer)
    chosen = _choose_host(host, _server_certificate(home, router_access),
                          local_addresses() if addresses is None else addresses)
    directory = paths.runtime_dir(home, ISSUED_DIR, subject)
    content, _reissued = certs.plan_leaf(directory, ca, subject, [], client=True, server=True)
    changed = certs.files_differ(directory, content)
    if check_mode and changed:
        return None, None, True
    if changed:
        files.ensure_dir(paths.runtime_dir(home, ISSUED_DIR), files.DIR_MODE)
        certs.write_files(directory, content)
    credentials = dict((file_name, data) for file_name, (data, _mode) in content.items())
    link_name = name or 'link-%s' % site_name
    return (secret_document(link_name, credentials),
            link_document(link_name, chosen, link_roles(router_access), cost, remote_site=site_name), changed)
