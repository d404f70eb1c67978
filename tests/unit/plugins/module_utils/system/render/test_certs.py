"""certs.py: CAs kept, leaves kept or re-issued, SANs, key usage, file modes, chains, user-provided issuers."""

import os
import shutil

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from ansible_collections.appnet.skupper.plugins.module_utils.system.render import certs

from tests.unit.plugins.module_utils.system.conftest import snapshot_tree, write_input, resource


def _mode(path):
    return os.stat(path).st_mode & 0o777


def ensure_ca(directory, common_name_value):
    """The CA kept in directory, created once when missing: the render's plan_ca, then write_files."""
    ca, _changed = certs.plan_ca(directory, common_name_value)
    certs.write_files(directory, ca.files())
    return ca


def ensure_leaf(directory, ca, common_name_value, hosts, client, server):
    """Issue (or keep) the leaf in directory, as the render does; True when its files changed."""
    content, _reissued = certs.plan_leaf(directory, ca, common_name_value, hosts, client, server)
    return certs.write_files(directory, content)


def test_ca_is_created_once_and_kept(tmp_path):
    directory = str(tmp_path / 'issuers' / 'ca')
    first = ensure_ca(directory, 'my-ca')
    before = snapshot_tree(directory)
    second = ensure_ca(directory, 'my-ca')
    assert second.cert_pem == first.cert_pem and snapshot_tree(directory) == before
    assert sorted(before) == ['ca.crt', 'tls.crt', 'tls.key']
    assert before['ca.crt'][0] == before['tls.crt'][0]
    assert _mode(directory) == 0o700 and before['tls.key'][1] == 0o600 and before['tls.crt'][1] == 0o644
    assert b'BEGIN RSA PRIVATE KEY' in before['tls.key'][0]
    constraints = first.certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
    assert constraints.ca is True
    assert first.certificate.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign


def test_leaf_chain_sans_and_usages(tmp_path):
    ca = ensure_ca(str(tmp_path / 'ca'), 'site-ca')
    directory = str(tmp_path / 'leaf')
    assert ensure_leaf(directory, ca, 'west', ['west-host', '192.168.1.5', '::1'], client=True, server=True)
    cert = certs.load_certificate(os.path.join(directory, 'tls.crt'))
    cert.verify_directly_issued_by(ca.certificate)
    dns, ips = certs.certificate_hosts(cert)
    assert dns == ['west-host', '192.168.1.5', '::1'] and ips == ['192.168.1.5', '::1']
    assert certs.common_name(cert) == 'west'
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.key_encipherment and not usage.key_cert_sign
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert set(eku) == {ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH}
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    assert cert.signature_hash_algorithm.name == 'sha256' and cert.public_key().key_size == 2048
    assert open(os.path.join(directory, 'ca.crt'), 'rb').read() == ca.cert_pem
    assert _mode(os.path.join(directory, 'tls.key')) == 0o600 and _mode(directory) == 0o700


def test_leaf_is_kept_until_its_inputs_change(tmp_path):
    ca = ensure_ca(str(tmp_path / 'ca'), 'site-ca')
    directory = str(tmp_path / 'leaf')
    ensure_leaf(directory, ca, 'west', ['a.example'], client=True, server=True)
    before = snapshot_tree(directory)
    assert not ensure_leaf(directory, ca, 'west', ['a.example'], client=True, server=True)
    assert snapshot_tree(directory) == before
    assert ensure_leaf(directory, ca, 'west', ['a.example', 'b.example'], client=True, server=True)
    assert certs.certificate_hosts(certs.load_certificate(os.path.join(directory, 'tls.crt')))[0] == [
        'a.example', 'b.example']
    assert ensure_leaf(directory, ca, 'east', ['a.example', 'b.example'], client=True, server=True)
    other = ensure_ca(str(tmp_path / 'other'), 'other-ca')
    assert ensure_leaf(directory, other, 'east', ['a.example', 'b.example'], client=True, server=True)
    certs.load_certificate(os.path.join(directory, 'tls.crt')).verify_directly_issued_by(other.certificate)


def test_leaf_close_to_expiry_is_not_current(tmp_path):
    import datetime
    ca = ensure_ca(str(tmp_path / 'ca'), 'site-ca')
    directory = str(tmp_path / 'leaf')
    ensure_leaf(directory, ca, 'west', [], client=True, server=True)
    content = certs.read_directory(directory)
    later = datetime.datetime.now(datetime.timezone.utc) + certs.VALIDITY - datetime.timedelta(days=29)
    assert certs.leaf_is_current(content, ca, 'west', [], True, True)
    assert not certs.leaf_is_current(content, ca, 'west', [], True, True, now=later)


def test_render_keeps_cas_and_leaves_and_reissues_on_a_new_san(west):
    west.render('west')
    home = west.home('west')
    issuers = snapshot_tree(os.path.join(home, 'runtime/issuers'))
    server = snapshot_tree(os.path.join(home, 'runtime/certs/west'))
    result = west.render('west', addresses=['192.168.122.10', '10.1.1.1'])
    assert snapshot_tree(os.path.join(home, 'runtime/issuers')) == issuers
    assert 'runtime/certs/west/tls.crt' in result.changed_files
    assert snapshot_tree(os.path.join(home, 'runtime/certs/west')) != server
    assert 'runtime/certs/client-west/tls.crt' not in result.changed_files
    cert = certs.load_certificate(os.path.join(home, 'runtime/certs/west/tls.crt'))
    assert '10.1.1.1' in certs.certificate_hosts(cert)[0]
    assert {'127.0.0.1', 'localhost', 'west-host'} <= set(certs.certificate_hosts(cert)[0])
    assert not {'0.0.0.0', '::'} & set(certs.certificate_hosts(cert)[0])


def test_user_provided_issuer_takes_precedence(west, tmp_path):
    user = ensure_ca(str(tmp_path / 'mine'), 'my-site-ca')
    home = west.home('west')
    west.render('west')
    shutil.copytree(str(tmp_path / 'mine'), os.path.join(home, 'input/issuers/skupper-site-ca'))
    west.render('west')
    assert open(os.path.join(home, 'runtime/issuers/skupper-site-ca/tls.crt'), 'rb').read() == user.cert_pem
    cert = certs.load_certificate(os.path.join(home, 'runtime/certs/west/tls.crt'))
    cert.verify_directly_issued_by(user.certificate)


def test_user_provided_leaf_from_a_secret(west, tmp_path):
    import base64
    ca = ensure_ca(str(tmp_path / 'ca'), 'svc')
    ensure_leaf(str(tmp_path / 'leaf'), ca, 'backend', ['backend.example'], client=False, server=True)
    content = certs.read_directory(str(tmp_path / 'leaf'))
    home = west.home('west')
    write_input(home, resource('Secret', 'backend-tls', api='v1', type='kubernetes.io/tls',
                               data=dict((k, base64.b64encode(v).decode()) for k, v in content.items())))
    write_input(home, resource('Listener', 'secure', {'host': '127.0.0.1', 'port': 8443, 'routingKey': 'secure',
                                                      'tlsCredentials': 'backend-tls'}, 'west'))
    west.render('west')
    assert certs.read_directory(os.path.join(home, 'runtime/certs/backend-tls')) == content
    assert _mode(os.path.join(home, 'runtime/resources/Secret-backend-tls.yaml')) == 0o600


def _expiring_ca(directory, common_name_value, days_left):
    """A CA in directory whose certificate ends in days_left days (same layout as ensure_ca writes)."""
    import datetime
    ca = ensure_ca(directory, common_name_value)
    start = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) - certs.VALIDITY + \
        datetime.timedelta(days=days_left)
    short = certs.renew_ca(ca, now=start)
    certs.write_files(directory, short.files())
    return short


def test_a_ca_close_to_expiry_is_renewed_with_its_key_and_leaves_follow(tmp_path):
    import datetime
    directory = str(tmp_path / 'ca')
    old = _expiring_ca(directory, 'site-ca', days_left=10)
    leaf_dir = str(tmp_path / 'leaf')
    ensure_leaf(leaf_dir, old, 'client-west', [], client=True, server=True)
    old_leaf = certs.load_certificate(os.path.join(leaf_dir, 'tls.crt'))
    assert certs.not_after(old_leaf) == certs.not_after(old.certificate), 'a leaf never outlives its CA'
    renewed, changed = certs.plan_ca(directory, 'site-ca')
    assert changed and renewed.key_pem == old.key_pem and renewed.cert_pem != old.cert_pem
    left = certs.not_after(renewed.certificate) - datetime.datetime.now(datetime.timezone.utc)
    assert left > certs.VALIDITY - datetime.timedelta(days=1)
    # what the old certificate signed still verifies with the renewed one (same subject and key) ...
    old_leaf.verify_directly_issued_by(renewed.certificate)
    # ... but leaves are re-issued, with the renewed CA certificate and its validity
    assert not certs.leaf_is_current(certs.read_directory(leaf_dir), renewed, 'client-west', [], True, True)
    assert ensure_leaf(leaf_dir, renewed, 'client-west', [], client=True, server=True)
    assert open(os.path.join(leaf_dir, 'ca.crt'), 'rb').read() == renewed.cert_pem
    assert certs.not_after(certs.load_certificate(os.path.join(leaf_dir, 'tls.crt'))) > certs.not_after(old_leaf)


def test_a_ca_with_time_left_is_kept_and_caps_its_leaves(tmp_path):
    directory = str(tmp_path / 'ca')
    ca = _expiring_ca(directory, 'site-ca', days_left=100)
    kept, changed = certs.plan_ca(directory, 'site-ca')
    assert changed is False and kept.cert_pem == ca.cert_pem
    ensure_leaf(str(tmp_path / 'leaf'), ca, 'west', ['west-host'], client=True, server=True)
    leaf = certs.load_certificate(str(tmp_path / 'leaf' / 'tls.crt'))
    assert certs.not_after(leaf) == certs.not_after(ca.certificate)


def test_render_renews_an_expiring_site_ca_and_reissues_what_it_signed(west):
    home = west.home('west')
    west.render('west')
    old = _expiring_ca(os.path.join(home, 'runtime/issuers/skupper-site-ca'), 'skupper-site-ca', days_left=20)
    key = open(os.path.join(home, 'runtime/issuers/skupper-site-ca/tls.key'), 'rb').read()
    result = west.render('west')
    assert 'runtime/issuers/skupper-site-ca/tls.crt' in result.changed_files
    assert 'runtime/issuers/skupper-site-ca/tls.key' not in result.changed_files
    assert open(os.path.join(home, 'runtime/issuers/skupper-site-ca/tls.key'), 'rb').read() == key
    renewed = certs.load_ca(os.path.join(home, 'runtime/issuers/skupper-site-ca'))
    assert renewed.cert_pem != old.cert_pem
    for leaf in ('west', 'client-west'):
        assert 'runtime/certs/%s/tls.crt' % leaf in result.changed_files
        cert = certs.load_certificate(os.path.join(home, 'runtime/certs/%s/tls.crt' % leaf))
        cert.verify_directly_issued_by(renewed.certificate)
        assert certs.not_after(cert) <= certs.not_after(renewed.certificate)
