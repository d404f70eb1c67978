"""A Secret's values are decoded and its certificates and keys parsed before anything is written
(plugins/module_utils/model/secret_data.py, through model.validate_document): the message names the key."""

import base64

import pytest

from ansible_collections.appnet.skupper.plugins.module_utils import model
from tests.support.pki import make_ca, tls_string_data

TLS = tls_string_data('link-west')


def secret(data=None, string_data=None):
    doc = {'apiVersion': 'v1', 'kind': 'Secret', 'metadata': {'name': 'link-west'}}
    if data is not None:
        doc['data'] = data
    if string_data is not None:
        doc['stringData'] = string_data
    return doc


def encoded(values):
    return {key: base64.b64encode(value.encode()).decode() for key, value in values.items()}


@pytest.mark.parametrize('platform', [None, 'linux', 'kubernetes'])
def test_real_credentials_as_data_or_string_data_are_accepted(platform):
    assert model.validate_document(secret(data=encoded(TLS)), platform) == []
    assert model.validate_document(secret(string_data=TLS), platform) == []
    mixed = secret(data=encoded({'ca.crt': TLS['ca.crt']}),
                   string_data={'tls.crt': TLS['tls.crt'], 'tls.key': TLS['tls.key']})
    assert model.validate_document(mixed, platform) == []
    assert model.validate_document(secret(data={'password': 'c2VjcmV0'}), platform) == [], 'other keys: base64 only'


def test_a_data_value_that_is_not_base64_is_refused_naming_the_key():
    assert model.validate_document(secret(data=dict(encoded(TLS), token='not base64!'))) == [
        'data.token: not valid base64 (data values are base64-encoded; put plain text in stringData)']


@pytest.mark.parametrize('key, value, words', [
    ('tls.crt', 'CRT', 'stringData.tls.crt: not a PEM certificate'),
    ('ca.crt', '-----BEGIN CERTIFICATE-----\nTRUNCATED\n-----END CERTIFICATE-----\n',
     'stringData.ca.crt: a PEM certificate that does not parse'),
    ('tls.key', 'KEY', 'stringData.tls.key: not a PEM private key'),
    ('tls.key', '-----BEGIN PRIVATE KEY-----\nSECRET-LINE\n-----END PRIVATE KEY-----\n',
     'stringData.tls.key: a PEM private key that does not parse'),
    ('tls.key', make_ca('other').key_pem, 'stringData.tls.key: it is not the private key of the certificate in '
                                          'tls.crt'),
])
def test_a_bad_certificate_or_key_is_refused_naming_the_key_never_its_value(key, value, words):
    errors = model.validate_document(secret(string_data=dict(TLS, **{key: value})))
    assert len(errors) == 1 and errors[0].startswith(words), errors
    assert 'SECRET-LINE' not in errors[0] and 'TRUNCATED' not in errors[0]


def test_a_truncated_certificate_in_data_is_named_as_data():
    truncated = TLS['tls.crt'][:len(TLS['tls.crt']) // 2] + '\n-----END CERTIFICATE-----\n'
    assert model.validate_document(secret(data=encoded(dict(TLS, **{'tls.crt': truncated})))) == [
        'data.tls.crt: a PEM certificate that does not parse']


def test_an_encrypted_key_is_refused():
    from cryptography.hazmat.primitives import serialization
    key = serialization.load_pem_private_key(TLS['tls.key'].encode(), password=None)
    locked = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                               serialization.BestAvailableEncryption(b'pw')).decode()
    assert model.validate_document(secret(string_data=dict(TLS, **{'tls.key': locked}))) == [
        'stringData.tls.key: the private key is encrypted: Skupper needs it without a password']


def test_a_removal_does_not_read_the_values():
    assert model.validate_document(secret(string_data={'tls.crt': 'CRT'}), state='absent') == []
