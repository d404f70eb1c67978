# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A Secret's values, decoded and read before anything is written: `data` must be base64, and the TLS keys
Skupper reads (tls.crt, ca.crt: PEM certificates; tls.key: a PEM private key, the one of tls.crt) must parse.

A message names the key and what is wrong with it, never its value.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import binascii

try:
    from cryptography import x509
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    HAS_CRYPTOGRAPHY = True
except ImportError:  # pragma: no cover - cryptography comes with ansible-core
    HAS_CRYPTOGRAPHY = False

CERTIFICATE_KEYS = ('tls.crt', 'ca.crt')
PRIVATE_KEY_KEYS = ('tls.key',)


def decoded_values(secret):
    """({key: bytes} of data and stringData, [problems]); a value that is not base64 is a problem, not a value."""
    values, problems = {}, []
    data = secret.get('data') if isinstance(secret.get('data'), dict) else {}
    for key, value in sorted(data.items()):
        if not isinstance(value, str):
            continue  # the model's type check reports it
        try:
            values[key] = base64.b64decode(value.encode('ascii'), validate=True)
        except (binascii.Error, ValueError, UnicodeEncodeError):
            problems.append('data.%s: not valid base64 (data values are base64-encoded; put plain text in '
                            'stringData)' % key)
    string_data = secret.get('stringData') if isinstance(secret.get('stringData'), dict) else {}
    for key, value in sorted(string_data.items()):
        if isinstance(value, str):
            values[key] = value.encode('utf-8')
    return values, problems


def _source(secret, key):
    return 'stringData' if key in (secret.get('stringData') or {}) else 'data'


def _certificates(pem):
    """The certificates of a PEM bundle; ValueError when it holds none or one does not parse."""
    if b'-----BEGIN CERTIFICATE-----' not in pem:
        raise ValueError('not a PEM certificate (no "-----BEGIN CERTIFICATE-----" line)')
    try:
        if hasattr(x509, 'load_pem_x509_certificates'):
            return x509.load_pem_x509_certificates(pem)
        return [x509.load_pem_x509_certificate(pem)]
    except (ValueError, UnsupportedAlgorithm):
        # The library's own text is left out: it may quote what it could not read.
        raise ValueError('a PEM certificate that does not parse')


def _private_key(pem):
    if b'PRIVATE KEY-----' not in pem:
        raise ValueError('not a PEM private key (no "-----BEGIN ... PRIVATE KEY-----" line)')
    try:
        return serialization.load_pem_private_key(pem, password=None)
    except TypeError:
        raise ValueError('the private key is encrypted: Skupper needs it without a password')
    except (ValueError, UnsupportedAlgorithm):
        raise ValueError('a PEM private key that does not parse')


def _public_bytes(key):
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def secret_data_errors(secret):
    """Problems of a Secret document's values ([] when every one decodes and every TLS key parses)."""
    if not isinstance(secret, dict):
        return []
    values, problems = decoded_values(secret)
    if not HAS_CRYPTOGRAPHY:  # pragma: no cover
        return problems
    parsed = {}
    for key in CERTIFICATE_KEYS + PRIVATE_KEY_KEYS:
        if key not in values:
            continue
        label = '%s.%s' % (_source(secret, key), key)
        try:
            parsed[key] = _certificates(values[key]) if key in CERTIFICATE_KEYS else _private_key(values[key])
        except ValueError as exc:
            problems.append('%s: %s' % (label, exc))
    if 'tls.crt' in parsed and 'tls.key' in parsed:
        if _public_bytes(parsed['tls.crt'][0].public_key()) != _public_bytes(parsed['tls.key'].public_key()):
            problems.append('%s.tls.key: it is not the private key of the certificate in tls.crt'
                            % _source(secret, 'tls.key'))
    return problems
