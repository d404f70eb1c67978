# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""AccessToken redemption over HTTPS for system sites (the grant server's protocol, as Skupper's controller serves it).

redeem_access_token() posts the token's code to its grant server, trusting only the token's CA, and
returns the documents the server gives back (a Secret, then one or more Links). That a token is redeemed
only once is redemption_record.py's job.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import http.client
import socket
import ssl
from urllib.parse import urlsplit

from ansible_collections.appnet.skupper.plugins.module_utils import documents

DEFAULT_TIMEOUT = 10
SECRET_KEYS = ('tls.crt', 'tls.key', 'ca.crt')
BODY_LIMIT = 500
HINTS = (
    (404, 'No such access granted',
     'the grant has no redemptions left (the token was already used): issue a new token'),
    (404, 'No such claim', 'the grant is unknown or has expired: issue a new token'),
    (403, None, 'the grant server refused the code: check that the token is complete and unmodified'),
    (405, None, 'the URL does not point to a grant server'),
)


class RedeemError(Exception):
    """A token that cannot be redeemed; the message says why and what to do."""


# -- the HTTPS request ----------------------------------------------------------------------------

def redeem_access_token(token, subject, timeout=DEFAULT_TIMEOUT, ssl_min_version=ssl.TLSVersion.TLSv1_2):
    """Redeem an AccessToken document for subject (the site name); [Secret, Link, ...] or RedeemError."""
    name = token_name(token)
    spec = token.get('spec') or {}
    url = _checked_url(spec)
    context = tls_context(spec['ca'], ssl_min_version)
    status, body = _post(url, context, spec.get('code') or '', {'Name': name, 'Subject': subject or ''}, timeout)
    if status != 200:
        raise RedeemError(http_failure_message(status, body))
    return checked_documents(parse_response(body))


def token_name(token):
    """metadata.name of an AccessToken; RedeemError when it is missing."""
    name = ((token or {}).get('metadata') or {}).get('name')
    if not name:
        raise RedeemError('token name is required')
    return name


def _checked_url(spec):
    """The token URL, split; RedeemError unless the token has a CA and an https URL."""
    if not (spec.get('ca') or '').strip():
        raise RedeemError('token does not have a CA')
    raw = spec.get('url') or ''
    try:
        url = urlsplit(raw)
        url.port  # pylint: disable=pointless-statement  # raises ValueError on a bad port
    except ValueError as exc:
        raise RedeemError('could not parse token url: %s' % exc)
    if url.scheme != 'https':
        raise RedeemError('token url scheme must be https (got %r)' % raw)
    if not url.hostname:
        raise RedeemError('could not parse token url: %r has no host' % raw)
    return url


def tls_context(ca_pem, min_version=ssl.TLSVersion.TLSv1_2):
    """A client TLS context trusting only ca_pem (no system CAs), with host name verification."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = min_version
    context.check_hostname = True
    context.verify_mode = ssl.CERT_REQUIRED
    try:
        context.load_verify_locations(cadata=ca_pem)
    except (ssl.SSLError, ValueError) as exc:
        raise RedeemError('the token CA is not a valid PEM certificate: %s' % exc)
    return context


def _request_target(url):
    path = url.path or '/'
    return path + ('?' + url.query if url.query else '')


def _post(url, context, code, headers, timeout):
    """POST code to url; (HTTP status, body text). Redirects are not followed."""
    where = url.geturl()
    connection = http.client.HTTPSConnection(url.hostname, url.port or 443, timeout=timeout, context=context)
    try:
        connection.request('POST', _request_target(url), body=code.encode('utf-8'), headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode('utf-8', 'replace')
    except ssl.SSLCertVerificationError as exc:
        raise RedeemError('TLS: the grant server %s is not trusted by the token CA or does not match its host '
                          'name (%s); nothing was redeemed' % (where, exc.verify_message or exc))
    except ssl.SSLError as exc:
        raise RedeemError('TLS handshake with the grant server %s failed: %s; nothing was redeemed' % (where, exc))
    except ConnectionRefusedError:
        raise RedeemError('cannot reach the grant server %s: connection refused (is the remote site running '
                          'and its grant server port open?)' % where)
    except socket.timeout:
        raise RedeemError('the grant server %s did not answer within %s seconds' % (where, timeout))
    except (OSError, http.client.HTTPException) as exc:
        raise RedeemError('cannot redeem the token at %s: %s' % (where, exc))
    finally:
        connection.close()


def http_failure_message(status, body):
    """`Received HTTP Response <code>: <body>` and, when known, what it means."""
    text = ' '.join((body or '').split())[:BODY_LIMIT]
    message = 'Received HTTP Response %d: %s' % (status, text)
    hint = _hint(status, text)
    return '%s (%s)' % (message, hint) if hint else message


def _hint(status, text):
    if 300 <= status < 400:
        return 'redirects are not followed: use the URL of the grant server itself'
    for code, body_start, hint in HINTS:
        if status == code and (body_start is None or text.startswith(body_start)):
            return hint
    return None


# -- the response ---------------------------------------------------------------------------------

def parse_response(body):
    """The documents of a YAML (or JSON) stream; RedeemError when it cannot be read."""
    if not documents.HAS_YAML:
        raise RedeemError('the Python library PyYAML is required (pip install pyyaml)')
    try:
        docs = documents.load_yaml_stream(body)
    except documents.DocumentError as exc:
        raise RedeemError('the grant server returned a response that is not YAML: %s' % exc)
    for doc in docs:
        if not isinstance(doc, dict) or not doc.get('kind') or not (doc.get('metadata') or {}).get('name'):
            raise RedeemError('the grant server returned a document without kind or metadata.name')
    return docs


def checked_documents(docs):
    """[Secret, Link, ...] from docs; RedeemError unless they hold a complete Secret and Links using it."""
    secrets = [doc for doc in docs if doc['kind'] == 'Secret']
    links = [doc for doc in docs if doc['kind'] == 'Link']
    others = sorted(set(doc['kind'] for doc in docs) - {'Secret', 'Link'})
    if others:
        raise RedeemError('the grant server returned unexpected documents: %s' % ', '.join(others))
    if len(secrets) != 1:
        raise RedeemError('the grant server returned %d Secrets, expected exactly one' % len(secrets))
    secret = secrets[0]
    _check_secret(secret)
    _check_links(links, secret['metadata']['name'])
    return [secret] + links


def _check_secret(secret):
    values = dict(secret.get('stringData') or {}, **(secret.get('data') or {}))
    missing = [key for key in SECRET_KEYS if not values.get(key)]
    if missing:
        raise RedeemError('the Secret %r returned by the grant server lacks %s'
                          % (secret['metadata']['name'], ', '.join(missing)))


def _check_links(links, secret_name):
    if not links:
        raise RedeemError('the grant server returned no Link')
    for link in links:
        spec = link.get('spec') or {}
        if spec.get('tlsCredentials') != secret_name:
            raise RedeemError('the Link %r returned by the grant server does not use the Secret %r'
                              % (link['metadata']['name'], secret_name))
        if not spec.get('endpoints'):
            raise RedeemError('the Link %r returned by the grant server has no endpoints' % link['metadata']['name'])
