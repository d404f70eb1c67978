"""The redemption record: a token is redeemed once; another url or code under the same name is a new token."""

import os
import stat

import pytest

from ansible_collections.appnet.skupper.plugins.module_utils.system.tokens import grant_client, redemption_record


def token(name='to-west', url='https://west:9090/uid', code='abc'):
    return {'metadata': {'name': name}, 'spec': {'url': url, 'code': code, 'ca': 'pem'}}


DOCS = [{'kind': 'Secret', 'metadata': {'name': 'to-west'}}, {'kind': 'Link', 'metadata': {'name': 'to-west'}}]


def redeemed(home, token):
    """Whether token (a document, or just its name: any url and code) has a redemption record in home."""
    if isinstance(token, str):
        return redemption_record.redeemed_resources(home, {'metadata': {'name': token}}, any_code=True) is not None
    return redemption_record.redeemed_resources(home, token) is not None


def test_record_then_already_redeemed(tmp_path):
    home = str(tmp_path)
    assert redeemed(home, token()) is False
    path = redemption_record.record_redemption(home, token(), DOCS)
    assert path == os.path.join(home, 'internal', 'redeemed', 'to-west.yaml')
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert redeemed(home, token()) is True
    assert redeemed(home, 'to-west') is True
    assert redemption_record.redeemed_resources(home, token()) == [('Secret', 'to-west'), ('Link', 'to-west')]


def test_record_keeps_no_code_in_clear(tmp_path):
    path = redemption_record.record_redemption(str(tmp_path), token(code='s3cr3t-code'), DOCS)
    with open(path) as handle:
        assert 's3cr3t-code' not in handle.read()


def test_same_name_other_url_or_code_is_a_new_token(tmp_path):
    home = str(tmp_path)
    redemption_record.record_redemption(home, token(), [('Secret', 'to-west'), ('Link', 'to-west')])
    assert redeemed(home, token(code='other')) is False
    assert redeemed(home, token(url='https://west:9090/other')) is False
    assert redemption_record.redeemed_resources(home, token(code='other'), any_code=True) == [
        ('Secret', 'to-west'), ('Link', 'to-west')]


def test_forget(tmp_path):
    home = str(tmp_path)
    redemption_record.record_redemption(home, token(), DOCS)
    assert redemption_record.forget_redemption(home, 'to-west') is True
    assert redeemed(home, 'to-west') is False
    assert redemption_record.forget_redemption(home, 'to-west') is False


@pytest.mark.parametrize('name', ['../escape', 'a/b', '.hidden', ''])
def test_names_that_are_not_file_names_are_refused(tmp_path, name):
    with pytest.raises(grant_client.RedeemError):
        redemption_record.record_redemption(str(tmp_path), token(name=name or None), DOCS)
