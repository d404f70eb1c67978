"""Small certificate helpers for the test doubles (CAs, leaf certificates, signature checks).

Test support only: the keys are EC P-256 (fast to generate), nothing here is meant for production.
"""

import base64
import datetime
import ipaddress
from typing import NamedTuple

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


class KeyPair(NamedTuple):
    """A certificate and its private key, both PEM text."""

    cert_pem: str
    key_pem: str


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def _new_key():
    return ec.generate_private_key(ec.SECP256R1())


def _key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _san_entries(hosts):
    entries = []
    for host in hosts:
        try:
            entries.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            entries.append(x509.DNSName(host))
    return entries


def _builder(subject, issuer, public_key, days):
    now = _now()
    return (x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=days)))


def make_ca(common_name, days=365):
    """A self-signed CA certificate (basicConstraints CA:TRUE, keyCertSign)."""
    key = _new_key()
    cert = (_builder(_name(common_name), _name(common_name), key.public_key(), days)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return KeyPair(cert.public_bytes(serialization.Encoding.PEM).decode(), _key_pem(key))


def issue_certificate(ca, common_name, hosts=(), *, server=False, client=False, days=365):
    """A leaf certificate for common_name signed by ca (a KeyPair); hosts become IP or DNS SANs."""
    ca_cert = x509.load_pem_x509_certificate(ca.cert_pem.encode())
    ca_key = serialization.load_pem_private_key(ca.key_pem.encode(), password=None)
    key = _new_key()
    builder = (_builder(_name(common_name), ca_cert.subject, key.public_key(), days)
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True))
    usages = [oid for flag, oid in ((server, ExtendedKeyUsageOID.SERVER_AUTH),
                                    (client, ExtendedKeyUsageOID.CLIENT_AUTH)) if flag]
    if usages:
        builder = builder.add_extension(x509.ExtendedKeyUsage(usages), critical=False)
    if hosts:
        builder = builder.add_extension(x509.SubjectAlternativeName(_san_entries(hosts)), critical=False)
    cert = builder.sign(ca_key, hashes.SHA256())
    return KeyPair(cert.public_bytes(serialization.Encoding.PEM).decode(), _key_pem(key))


def is_signed_by(cert_pem, ca_cert_pem):
    """True when cert_pem's signature verifies with ca_cert_pem's key (and the issuer name matches)."""
    try:
        cert = x509.load_pem_x509_certificate(_as_bytes(cert_pem))
        ca_cert = x509.load_pem_x509_certificate(_as_bytes(ca_cert_pem))
        cert.verify_directly_issued_by(ca_cert)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def not_after(cert_pem):
    """When a PEM certificate expires, as RFC 3339 (UTC, seconds)."""
    cert = x509.load_pem_x509_certificate(_as_bytes(cert_pem))
    return cert.not_valid_after_utc.strftime('%Y-%m-%dT%H:%M:%SZ')


def common_name(cert_pem):
    """The subject CN of a PEM certificate."""
    cert = x509.load_pem_x509_certificate(_as_bytes(cert_pem))
    return cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value


def _as_bytes(text):
    return text.encode() if isinstance(text, str) else text


def tls_secret_data(cert_pem, key_pem, ca_pem):
    """The base64 `data` of a kubernetes.io/tls Secret (tls.crt, tls.key, ca.crt)."""
    return {key: base64.b64encode(value.encode()).decode()
            for key, value in (('tls.crt', cert_pem), ('tls.key', key_pem), ('ca.crt', ca_pem))}


def decode_secret_data(data):
    """Secret `data` (base64 values) as text values."""
    return {key: base64.b64decode(value).decode() for key, value in (data or {}).items()}
