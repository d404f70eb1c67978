"""The support bundle's redaction, archive and certificate descriptions (plugins/module_utils/support_bundle)."""

import base64
import io
import json
import tarfile

from ansible_collections.appnet.skupper.plugins.module_utils.support_bundle import certificates
from ansible_collections.appnet.skupper.plugins.module_utils.support_bundle.archive import Bundle
from ansible_collections.appnet.skupper.plugins.module_utils.support_bundle.redact import MARKER, Redactor, secret_file

from tests.support import pki

KEY = pki.make_ca('unit').key_pem


def b64(text):
    return base64.b64encode(text.encode()).decode()


def test_a_secret_keeps_its_keys_and_loses_every_value_also_in_text_read_later():
    redactor = Redactor()
    doc = {'apiVersion': 'v1', 'kind': 'Secret', 'metadata': {'name': 'creds', 'managedFields': [{'manager': 'x'}]},
           'data': {'tls.key': b64(KEY), 'token': b64('grant-token-value-123')},
           'stringData': {'password': 'plain-secret-value'}}
    redacted = redactor.document(doc)
    assert redacted['data'] == {'tls.key': MARKER, 'token': MARKER}
    assert redacted['stringData'] == {'password': MARKER}
    assert 'managedFields' not in redacted['metadata'] and doc['metadata']['managedFields']
    # a log line that repeats a value (decoded or not) loses it
    line = 'redeemed with grant-token-value-123 and plain-secret-value (%s)' % b64('grant-token-value-123')
    assert redactor.text(line) == 'redeemed with %s and %s (%s)' % (MARKER, MARKER, MARKER)


def test_codes_of_grants_and_tokens_and_copies_in_annotations_are_replaced():
    redactor = Redactor()
    grant = {'apiVersion': 'skupper.io/v2alpha1', 'kind': 'AccessGrant',
             'metadata': {'name': 'g', 'annotations': {
                 'kubectl.kubernetes.io/last-applied-configuration': '{"spec": {"code": "abcdefgh1234"}}'}},
             'spec': {'code': 'abcdefgh1234'}, 'status': {'code': 'abcdefgh1234', 'url': 'https://grants/x'}}
    redacted = redactor.document(grant)
    assert redacted['spec']['code'] == MARKER and redacted['status']['code'] == MARKER
    assert redacted['status']['url'] == 'https://grants/x'
    assert redacted['metadata']['annotations']['kubectl.kubernetes.io/last-applied-configuration'] == MARKER
    assert 'abcdefgh1234' not in json.dumps(redacted)


def test_private_keys_in_text_are_replaced_also_when_cut_short():
    redactor = Redactor()
    text = 'before\n%safter\n' % KEY
    assert redactor.text(text) == 'before\n%s\nafter\n' % MARKER
    cut = 'log tail\n' + KEY[:len(KEY) // 2]
    assert redactor.text(cut) == 'log tail\n' + MARKER
    assert 'PRIVATE KEY' not in redactor.text(KEY.replace('PRIVATE KEY', 'EC PRIVATE KEY'))


def test_secret_keys_of_any_configuration_and_passwords_in_text():
    redactor = Redactor()
    config = [['sslProfile', {'name': 'p', 'password': 'pw-123456', 'privateKeyFile': '/certs/tls.key'}],
              ['router', {'id': 'west', 'api_key': 'k-123456', 'codes': ['kept']}]]
    assert redactor.value(config) == [
        ['sslProfile', {'name': 'p', 'password': MARKER, 'privateKeyFile': '/certs/tls.key'}],
        ['router', {'id': 'west', 'api_key': MARKER, 'codes': ['kept']}]]
    assert redactor.text('connect password=hunter22 user=me') == 'connect password=%s user=me' % MARKER
    assert redactor.text('"passphrase": "xyz-987654"') == '"passphrase": "%s"' % MARKER


def test_configmap_configurations_are_redacted_as_data():
    redactor = Redactor()
    doc = {'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': 'c'},
           'data': {'skrouterd.json': json.dumps([['sslProfile', {'password': 'pw-abcdef'}]]),
                    'app.yaml': 'db:\n  password: pw-ghijkl\n  host: db\n', 'plain': 'hello'}}
    redacted = redactor.document(doc)
    assert json.loads(redacted['data']['skrouterd.json']) == [['sslProfile', {'password': MARKER}]]
    assert 'pw-ghijkl' not in redacted['data']['app.yaml'] and 'host: db' in redacted['data']['app.yaml']
    assert redacted['data']['plain'] == 'hello'


def test_key_files_are_known_by_name():
    assert secret_file('tls.key') and secret_file('ca.key') and secret_file('site.key')
    assert not secret_file('tls.crt') and not secret_file('skrouterd.json')


def test_the_archive_redacts_members_again_with_what_was_learned_after_them():
    bundle = Bundle('linux', 'west', host='h', clock=lambda: 0)
    bundle.add_text('logs/router.log', 'token was late-learned-secret\n')
    bundle.add_documents('site/Secret-x.yaml', [{'apiVersion': 'v1', 'kind': 'Secret', 'metadata': {'name': 'x'},
                                                 'stringData': {'code': 'late-learned-secret'}}])
    bundle.collected('logs', 'logs/router.log')
    bundle.failed('management', 'the router is not running')
    bundle.problem('site west is Pending')
    contents = dict(bundle.contents())
    top = 'skupper-dump-west-linux-19700101-000000/'
    assert list(contents)[0] == top + 'index.json'
    assert contents[top + 'logs/router.log'] == ('token was %s\n' % MARKER).encode()
    index = json.loads(contents[top + 'index.json'])
    assert index['files'] == ['logs/router.log', 'site/Secret-x.yaml']
    assert index['failed'] == [{'item': 'management', 'reason': 'the router is not running'}]
    assert index['problems'] == ['site west is Pending'] and index['redaction']['replaced'] >= 2


def test_the_archive_is_a_private_tar_gz(tmp_path):
    bundle = Bundle('podman', 'east', clock=lambda: 0)
    bundle.add_json('status/network_info.json', {'site': {'name': 'east'}})
    path = bundle.write(str(tmp_path))
    assert oct(__import__('os').stat(path).st_mode & 0o777) == '0o600'
    with tarfile.open(path, 'r:gz') as archive:
        names = archive.getnames()
        data = archive.extractfile(names[1]).read()
    assert names == ['skupper-dump-east-podman-19700101-000000/index.json',
                     'skupper-dump-east-podman-19700101-000000/status/network_info.json']
    assert json.load(io.BytesIO(data)) == {'site': {'name': 'east'}}


def test_a_certificate_is_described_not_copied():
    ca = pki.make_ca('described-ca')
    leaf = pki.issue_certificate(ca, 'west', ['west.example', '127.0.0.1'], server=True)
    data = (leaf.cert_pem + ca.cert_pem).encode()
    assert certificates.is_certificate_file('tls.crt', data) and not certificates.is_certificate_file('a.json', data)
    first, second = certificates.summary(data)
    assert first['subject'] == 'CN=west' and first['issuer'] == 'CN=described-ca' and first['ca'] is False
    assert first['names'] == ['west.example', '127.0.0.1'] and first['expired'] is False
    assert second['ca'] is True and len(first['sha256']) == 64
    assert certificates.summary(b'-----BEGIN CERTIFICATE-----\nnot\n-----END CERTIFICATE-----\n')[0]['error']
