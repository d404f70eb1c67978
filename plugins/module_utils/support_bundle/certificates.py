# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A certificate file as a support bundle holds it: what is in each certificate (subject, issuer, names, validity,
fingerprint), not the PEM text (the same text is a Secret's data value, which a bundle never holds)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    HAS_CRYPTOGRAPHY = True
except ImportError:
    HAS_CRYPTOGRAPHY = False

CERTIFICATE_SUFFIXES = ('.crt', '.pem', '.cert')


def is_certificate_file(name, data):
    return name.endswith(CERTIFICATE_SUFFIXES) and b'-----BEGIN CERTIFICATE-----' in data


def _names(certificate):
    try:
        extension = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return []
    return [str(value) for value in extension.value.get_values_for_type(x509.DNSName)] + \
        [str(value) for value in extension.value.get_values_for_type(x509.IPAddress)]


def _is_ca(certificate):
    try:
        return certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return False


def _time(certificate, name):
    value = getattr(certificate, name + '_utc', None) or getattr(certificate, name)
    return value.strftime('%Y-%m-%dT%H:%M:%SZ')


def summary(data, now=None):
    """[{subject, issuer, names, ca, not_before, not_after, expired, sha256}] of every certificate of a PEM file."""
    if not HAS_CRYPTOGRAPHY:
        return [{'error': 'the Python cryptography library is missing: the certificate is not described'}]
    try:
        certificates = x509.load_pem_x509_certificates(data)
    except ValueError as exc:
        return [{'error': 'not a valid PEM certificate: %s' % exc}]
    now = now or datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
    return [{'subject': certificate.subject.rfc4514_string(), 'issuer': certificate.issuer.rfc4514_string(),
             'names': _names(certificate), 'ca': _is_ca(certificate),
             'not_before': _time(certificate, 'not_valid_before'), 'not_after': _time(certificate, 'not_valid_after'),
             'expired': _time(certificate, 'not_valid_after') < now,
             'sha256': certificate.fingerprint(hashes.SHA256()).hex()} for certificate in certificates]
