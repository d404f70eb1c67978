"""AccessGrant rules of the Skupper controller stand-in (a test double): codes, expiry, redeem checks
and the Secret + Link documents a successful redemption returns."""

import datetime
import secrets
import string

import yaml

from tests.support import pki
from tests.support.controller import status as st

# Skupper's controller code uses 10 minutes when spec.expirationWindow is unset (as nonkube-runtime.md
# section 9 says); the AccessGrant CRD's description says 15m. The stand-in follows the code.
DEFAULT_EXPIRATION_WINDOW = '10m'
DEFAULT_REDEMPTIONS_ALLOWED = 1
CODE_ALPHABET = string.ascii_letters + string.digits


class RedeemRefused(Exception):
    """A redemption the grant server refuses: HTTP status and body text."""

    def __init__(self, http_status, message):
        super().__init__(message)
        self.http_status = http_status
        self.message = message


def random_code(length=24):
    return ''.join(secrets.choice(CODE_ALPHABET) for _unused in range(length))


def expiration_time(grant):
    """creationTimestamp + spec.expirationWindow (default 10m), as a datetime; ValueError if invalid."""
    created = st.parse_rfc3339(grant['metadata']['creationTimestamp'])
    window = (grant.get('spec') or {}).get('expirationWindow') or DEFAULT_EXPIRATION_WINDOW
    return created + datetime.timedelta(seconds=st.parse_go_duration(window))


def redemptions_allowed(grant):
    return (grant.get('spec') or {}).get('redemptionsAllowed') or DEFAULT_REDEMPTIONS_ALLOWED


def check_redeemable(grant, code, expected_code, when=None):
    """Raise RedeemRefused unless code may redeem grant now (as the kube grant server decides)."""
    if grant is None or (when or st.now()) > expiration_time(grant):
        raise RedeemRefused(404, 'No such claim')
    if ((grant.get('status') or {}).get('redemptions') or 0) >= redemptions_allowed(grant):
        raise RedeemRefused(404, 'No such access granted')
    if not secrets.compare_digest(code.encode(), (expected_code or '').encode()):
        raise RedeemRefused(403, 'Redemption of access token refused')


def endpoint_groups(endpoints):
    """Endpoints by group, groups in first-seen order: [(group, [endpoint, ...]), ...]."""
    groups = {}
    for endpoint in endpoints:
        groups.setdefault(endpoint.get('group', ''), []).append(endpoint)
    return list(groups.items())


def redeem_documents(name, subject, endpoints, site_ca):
    """The v1 Secret (client certificate for subject, signed by site_ca) and Link(s) to endpoints."""
    hosts = sorted({endpoint['host'] for endpoint in endpoints if endpoint.get('host')})
    client = pki.issue_certificate(site_ca, subject, hosts=hosts, client=True)
    secret = {'apiVersion': 'v1', 'kind': 'Secret', 'type': 'kubernetes.io/tls', 'metadata': {'name': name},
              'data': pki.tls_secret_data(client.cert_pem, client.key_pem, site_ca.cert_pem)}
    links = []
    groups = endpoint_groups(_link_endpoints(endpoints))
    for index, (_unused, group_endpoints) in enumerate(groups, start=1):
        # One group: the Link is `name`; several: `name-1`, `name-2`... (Skupper's token generator).
        link_name = name if len(groups) == 1 else '%s-%d' % (name, index)
        links.append({'apiVersion': 'skupper.io/v2alpha1', 'kind': 'Link', 'metadata': {'name': link_name},
                      'spec': {'endpoints': group_endpoints, 'tlsCredentials': name}})
    return [secret] + links


def _link_endpoints(endpoints):
    return [dict(endpoint) for endpoint in endpoints if endpoint.get('name') in ('inter-router', 'edge')]


def redeem_response(documents):
    return yaml.safe_dump_all(documents, sort_keys=False)
