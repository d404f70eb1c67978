# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Certificate authorities and leaf certificates of a system site (what differs from Skupper's: docs/linux-sites.md).

A certificate directory holds ca.crt, tls.crt and tls.key (PEM). CAs are created once and kept, and
renewed with the same key when less than RENEW_BEFORE of their validity is left; leaves are re-issued
only when what they are made of changes (subject, host names, issuing CA certificate) or when less than
RENEW_BEFORE of validity is left, and never outlive their CA; otherwise the files are kept byte for byte.

The plan_* functions compute the files without writing them (for dry runs and for writing only
what changed); the ensure_* functions write them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import ipaddress
import os
import secrets

try:
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    HAS_CRYPTOGRAPHY = True
except ImportError:  # pragma: no cover - reported by require_cryptography()
    HAS_CRYPTOGRAPHY = False

from ansible_collections.appnet.skupper.plugins.module_utils.system.store import files

CA_FILE = 'ca.crt'
CERT_FILE = 'tls.crt'
KEY_FILE = 'tls.key'
CREDENTIAL_ORDER = (CA_FILE, CERT_FILE, KEY_FILE)
KEY_MODE = files.PRIVATE_MODE
CERT_MODE = files.PUBLIC_MODE
KEY_SIZE = 2048
VALIDITY = datetime.timedelta(days=5 * 365)
RENEW_BEFORE = datetime.timedelta(days=30)
CLOCK_SKEW = datetime.timedelta(minutes=5)


class CertificateError(Exception):
    """Certificate material that cannot be used (missing keys, unreadable PEM, key not matching)."""


def require_cryptography():
    if not HAS_CRYPTOGRAPHY:
        raise CertificateError('the Python library cryptography is required to create certificates '
                               '(pip install cryptography, or the python3-cryptography package)')


class CertificateAuthority(object):
    """A CA that signs leaves: its certificate, key and PEM bytes as written to disk."""

    def __init__(self, name, certificate, key, cert_pem, key_pem):
        self.name = name
        self.certificate = certificate
        self.key = key
        self.cert_pem = cert_pem
        self.key_pem = key_pem

    def files(self):
        """The CA directory content: {file name: (bytes, mode)}."""
        return {CA_FILE: (self.cert_pem, CERT_MODE), CERT_FILE: (self.cert_pem, CERT_MODE),
                KEY_FILE: (self.key_pem, KEY_MODE)}


# ---------------------------------------------------------------------------------------------
# Reading


def load_certificate(path):
    """The first certificate of a PEM file."""
    require_cryptography()
    data = files.read_bytes(path)
    if data is None:
        raise CertificateError('cannot read certificate %s' % path)
    try:
        return x509.load_pem_x509_certificate(data)
    except ValueError as exc:
        raise CertificateError('%s is not a PEM certificate: %s' % (path, exc))


def certificate_from_pem(data):
    """A certificate from PEM bytes; CertificateError when they are not one."""
    require_cryptography()
    try:
        return x509.load_pem_x509_certificate(data)
    except ValueError as exc:
        raise CertificateError('not a PEM certificate: %s' % exc)


def certificate_hosts(cert):
    """(DNS names, IP addresses as text) of a certificate's subjectAlternativeName."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return [], []
    return list(san.get_values_for_type(x509.DNSName)), [str(ip) for ip in san.get_values_for_type(x509.IPAddress)]


def common_name(cert):
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return names[0].value if names else ''


def load_private_key(data):
    """A PEM private key from a file of this site (0600, written by us or placed by its owner).

    RSA key validation is skipped where cryptography allows it: it costs ~30 ms a key and every render
    reads every key; each key is still checked against its certificate's public key.
    """
    try:
        return serialization.load_pem_private_key(data, password=None, unsafe_skip_rsa_key_validation=True)
    except TypeError:  # cryptography < 39
        return serialization.load_pem_private_key(data, password=None)


def _load_key(data, origin):
    try:
        return load_private_key(data)
    except (ValueError, TypeError) as exc:
        raise CertificateError('%s is not an unencrypted PEM private key: %s' % (origin, exc))


def _key_matches(cert, key):
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    return (cert.public_key().public_bytes(serialization.Encoding.PEM, public)
            == key.public_key().public_bytes(serialization.Encoding.PEM, public))


def ca_from_pem(name, cert_pem, key_pem, origin):
    """A CertificateAuthority from PEM bytes; CertificateError when they do not form a CA."""
    require_cryptography()
    try:
        cert = x509.load_pem_x509_certificate(cert_pem)
    except ValueError as exc:
        raise CertificateError('%s: tls.crt is not a PEM certificate: %s' % (origin, exc))
    key = _load_key(key_pem, origin + ': tls.key')
    if not _key_matches(cert, key):
        raise CertificateError('%s: tls.key does not belong to tls.crt' % origin)
    return CertificateAuthority(name, cert, key, cert_pem, key_pem)


def read_directory(directory, names=(CA_FILE, CERT_FILE, KEY_FILE)):
    """{file name: bytes} of the files present in directory."""
    return files.read_files(directory, names)


def load_ca(directory, name=None):
    """The CA kept in directory, or None when it has no readable CA."""
    content = read_directory(directory)
    if CERT_FILE not in content or KEY_FILE not in content:
        return None
    try:
        return ca_from_pem(name or os.path.basename(directory), content[CERT_FILE], content[KEY_FILE], directory)
    except CertificateError:
        return None


# ---------------------------------------------------------------------------------------------
# Creating


def _now():
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def _name(common_name_value):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name_value)])


def _new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)


def _key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption())


def _cert_pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_usage(ca):
    return x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=True,
                         data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=False,
                         encipher_only=False, decipher_only=False)


def _extended_key_usage(client, server):
    usages = []
    if server:
        usages.append(ExtendedKeyUsageOID.SERVER_AUTH)
    if client:
        usages.append(ExtendedKeyUsageOID.CLIENT_AUTH)
    return x509.ExtendedKeyUsage(usages)


def san_entries(hosts):
    """SAN entries for hosts: an IP becomes an IP SAN and also a DNS SAN (the router matches DNS names only)."""
    dns, ips = [], []
    for host in normalize_hosts(hosts):
        try:
            ips.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            pass
        dns.append(x509.DNSName(host))
    return dns + ips


def normalize_hosts(hosts):
    """Trimmed, de-duplicated host names in their first order."""
    seen = []
    for host in hosts or ():
        host = str(host).strip()
        if host and host not in seen:
            seen.append(host)
    return seen


def _builder(subject, issuer_name, public_key, now, until=None):
    end = now + VALIDITY if until is None else min(now + VALIDITY, until)
    return (x509.CertificateBuilder()
            .subject_name(_name(subject))
            .issuer_name(issuer_name)
            .public_key(public_key)
            .serial_number(secrets.randbits(127) + 1)
            .not_valid_before(now - CLOCK_SKEW)
            .not_valid_after(end))


def _ca_certificate(key, common_name_value, now):
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    return (_builder(common_name_value, _name(common_name_value), key.public_key(), now)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(_key_usage(True), critical=True)
            .add_extension(_extended_key_usage(True, True), critical=False)
            .add_extension(ski, critical=False)
            .sign(key, hashes.SHA256()))


def create_ca(name, common_name_value):
    """A new self-signed CA (RSA 2048, SHA-256)."""
    require_cryptography()
    key = _new_key()
    cert = _ca_certificate(key, common_name_value, _now())
    return CertificateAuthority(name, cert, key, _cert_pem(cert), _key_pem(key))


def renew_ca(ca, now=None):
    """The CA with a new certificate for the same key and subject, valid for VALIDITY from now.

    Certificates the old one signed still verify against the new one (same subject and key), so links
    keep working while the new CA certificate reaches the sites that trust this CA.
    """
    require_cryptography()
    cert = _ca_certificate(ca.key, common_name(ca.certificate), now or _now())
    return CertificateAuthority(ca.name, cert, ca.key, _cert_pem(cert), ca.key_pem)


def create_leaf(ca, common_name_value, hosts, client, server):
    """{file name: (bytes, mode)} of a new leaf certificate signed by ca; it never outlives ca."""
    require_cryptography()
    key = _new_key()
    builder = (_builder(common_name_value, ca.certificate.subject, key.public_key(), _now(),
                        until=not_after(ca.certificate))
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(_key_usage(False), critical=True)
               .add_extension(_extended_key_usage(client, server), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
                              critical=False))
    entries = san_entries(hosts)
    if entries:
        builder = builder.add_extension(x509.SubjectAlternativeName(entries), critical=False)
    cert = builder.sign(ca.key, hashes.SHA256())
    return {CA_FILE: (ca.cert_pem, CERT_MODE), CERT_FILE: (_cert_pem(cert), CERT_MODE),
            KEY_FILE: (_key_pem(key), KEY_MODE)}


# ---------------------------------------------------------------------------------------------
# Deciding whether to keep what exists


def _signed_by(cert, ca):
    if cert.issuer != ca.certificate.subject:
        return False
    try:
        cert.verify_directly_issued_by(ca.certificate)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def not_after(cert):
    """The end of validity of cert, timezone-aware (UTC)."""
    value = getattr(cert, 'not_valid_after_utc', None)
    if value is None:  # cryptography < 42
        value = cert.not_valid_after.replace(tzinfo=datetime.timezone.utc)
    return value


def _usages(cert):
    try:
        return set(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)
    except x509.ExtensionNotFound:
        return set()


def leaf_is_current(content, ca, common_name_value, hosts, client, server, now=None):
    """True when content ({file name: bytes}) is a leaf for exactly these inputs with enough validity left."""
    if set(content) != {CA_FILE, CERT_FILE, KEY_FILE} or content[CA_FILE] != ca.cert_pem:
        return False
    try:
        cert = x509.load_pem_x509_certificate(content[CERT_FILE])
        key = load_private_key(content[KEY_FILE])
    except (ValueError, TypeError):
        return False
    wanted = san_entries(hosts)
    present = []
    try:
        present = list(cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value)
    except x509.ExtensionNotFound:
        pass
    expected_usages = set(_extended_key_usage(client, server))
    return (_key_matches(cert, key) and common_name(cert) == common_name_value
            and set(present) == set(wanted) and _usages(cert) == expected_usages
            and _signed_by(cert, ca) and not_after(cert) - (now or _now()) > RENEW_BEFORE
            and not_after(cert) <= not_after(ca.certificate))


def plan_leaf(directory, ca, common_name_value, hosts, client, server):
    """(files, changed): the leaf files for directory, the existing ones when still current."""
    content = read_directory(directory)
    if leaf_is_current(content, ca, common_name_value, hosts, client, server):
        return dict((name, (data, KEY_MODE if name == KEY_FILE else CERT_MODE)) for name, data in content.items()), False
    return create_leaf(ca, common_name_value, hosts, client, server), True


def unusable_ca(directory, name):
    """Why the CA files kept in directory cannot be used (None when there are none, or they can be)."""
    present = [n for n in (CERT_FILE, KEY_FILE, CA_FILE) if os.path.lexists(os.path.join(directory, n))]
    if not present:
        return None
    for file_name in (CERT_FILE, KEY_FILE):
        path = os.path.join(directory, file_name)
        if not os.path.lexists(path):
            return '%s is missing' % path
        try:
            with open(path, 'rb') as handle:
                handle.read()
        except (IOError, OSError) as exc:
            return '%s cannot be read: %s' % (path, exc.strerror or exc)
    content = read_directory(directory)
    try:
        ca_from_pem(name or os.path.basename(directory), content[CERT_FILE], content[KEY_FILE], directory)
    except CertificateError as exc:
        return str(exc)
    return None


def plan_ca(directory, common_name_value, name=None, now=None):
    """(CertificateAuthority, changed): the CA kept in directory, renewed (same key) when less than RENEW_BEFORE
    of its validity is left, or a new one when there is none. Leaves it signed are then re-issued (see
    leaf_is_current).

    A CA whose files are there but cannot be used (unreadable, missing key, not PEM, key of another
    certificate) is never replaced silently: every link it issued would break. CertificateError says which
    file and how to recover.
    """
    problem = unusable_ca(directory, name)
    if problem:
        raise CertificateError(
            'the CA %s kept in %s cannot be used: %s. It is not replaced silently, as every link and certificate it '
            'issued would stop working: restore the file(s) from a backup, or, to rotate the CA on purpose, remove '
            'the directory %s and run again (a new CA is made; re-issue every link of this site afterwards)'
            % (name or os.path.basename(directory), directory, problem, directory))
    existing = load_ca(directory, name)
    if existing is not None and common_name(existing.certificate) == common_name_value:
        if not_after(existing.certificate) - (now or _now()) <= RENEW_BEFORE:
            return renew_ca(existing, now), True
        complete = read_directory(directory).get(CA_FILE) == existing.cert_pem
        return existing, not complete
    return create_ca(name or os.path.basename(directory), common_name_value), True


def files_differ(directory, content):
    """Whether writing {file name: (bytes, mode)} into directory would change a file (bytes, mode, or a new one)."""
    for name, (data, mode) in content.items():
        path = os.path.join(directory, name)
        if files.read_bytes(path) != data or (os.stat(path).st_mode & 0o777) != mode:
            return True
    return False


def write_files(directory, content):
    """Write {file name: (bytes, mode)} into directory (0700); True when a file changed."""
    files.ensure_dir(directory, files.DIR_MODE)
    changed = False
    for name in sorted(content):
        data, mode = content[name]
        changed = files.write_atomic(os.path.join(directory, name), data, mode) or changed
    return changed
