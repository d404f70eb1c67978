"""Links and networks in the Skupper controller stand-in (a test double): pure functions.

A Link is operational when its Secret exists, one of its inter-router/edge endpoints is an endpoint
of a known site, and the Secret's certificate is signed by that site's CA. Sites joined by
operational links (either direction, transitively) form one network.
"""

from typing import NamedTuple

from tests.support import pki

LINK_ROLES = ('inter-router', 'edge')


class SiteInfo(NamedTuple):
    """What the controller knows of an active Site."""

    namespace: str
    name: str
    uid: str
    endpoints: list
    ca_cert_pem: str


class LinkState(NamedTuple):
    operational: bool
    message: str
    remote: SiteInfo = None


def site_listening_on(sites, host, port):
    for site in sites:
        for endpoint in site.endpoints:
            if endpoint.get('host') == host and str(endpoint.get('port')) == str(port):
                return site
    return None


def evaluate_link(link, secret_data, sites):
    """LinkState of link; secret_data = decoded data of spec.tlsCredentials' Secret, None if absent."""
    spec = link.get('spec') or {}
    secret_name = spec.get('tlsCredentials') or link['metadata']['name']
    if secret_data is None:
        return LinkState(False, 'secret "%s" not found' % secret_name)
    endpoints = [endpoint for endpoint in spec.get('endpoints') or [] if endpoint.get('name') in LINK_ROLES]
    if not endpoints:
        return LinkState(False, 'link has no inter-router or edge endpoint')
    remote = None
    for endpoint in endpoints:
        remote = site_listening_on(sites, endpoint.get('host'), endpoint.get('port'))
        if remote is not None:
            break
    if remote is None:
        return LinkState(False, 'no site listens on %s:%s' % (endpoints[0].get('host'), endpoints[0].get('port')))
    if not pki.is_signed_by(secret_data.get('tls.crt', ''), remote.ca_cert_pem):
        return LinkState(False, "certificate not signed by the remote site's CA", remote)
    return LinkState(True, 'OK', remote)


def networks(namespaces, edges):
    """{namespace: frozenset of namespaces in its network}; edges are (namespace, namespace) pairs."""
    neighbours = {namespace: set() for namespace in namespaces}
    for left, right in edges:
        if left in neighbours and right in neighbours:
            neighbours[left].add(right)
            neighbours[right].add(left)
    result = {}
    for start in neighbours:
        if start in result:
            continue
        component, pending = set(), [start]
        while pending:
            current = pending.pop()
            if current not in component:
                component.add(current)
                pending.extend(neighbours[current] - component)
        frozen = frozenset(component)
        for member in component:
            result[member] = frozen
    return result
