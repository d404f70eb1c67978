"""Resource documents: YAML, normalisation, prune, contains and redaction of secrets."""

import copy
import json

import pytest

from ansible_collections.appnet.skupper.plugins.module_utils import documents

MARK = 'MARKER-7f3a91c2'


def test_prune_drops_none_and_empty_but_keeps_false_and_zero():
    value = {'a': None, 'b': {}, 'c': [], 'd': False, 'e': 0, 'f': '', 'g': {'h': None, 'i': {'j': {}}},
             'k': [{'l': None, 'm': 1}], 'n': {'o': 'x', 'p': None}}
    assert documents.prune(value) == {'d': False, 'e': 0, 'f': '', 'k': [{'m': 1}], 'n': {'o': 'x'}}


def test_prune_does_not_modify_its_input():
    value = {'a': None, 'b': {'c': None}}
    before = copy.deepcopy(value)
    documents.prune(value)
    assert value == before


def test_normalize_drops_status_server_metadata_and_empty_values():
    live = {'apiVersion': 'skupper.io/v2alpha1', 'kind': 'Site',
            'metadata': {'name': 'west', 'namespace': 'w', 'uid': 'u', 'resourceVersion': '5', 'generation': 2,
                         'creationTimestamp': '2024-01-01T00:00:00Z', 'managedFields': [{'manager': 'x'}],
                         'selfLink': '/x', 'finalizers': ['f'], 'ownerReferences': [{'name': 'o'}],
                         'labels': {'app': 'x'}, 'annotations': {}},
            'spec': {'linkAccess': 'default', 'settings': {}, 'edge': False},
            'status': {'status': 'Ready'}}
    assert documents.normalize(live) == {
        'apiVersion': 'skupper.io/v2alpha1', 'kind': 'Site',
        'metadata': {'name': 'west', 'namespace': 'w', 'labels': {'app': 'x'}},
        'spec': {'linkAccess': 'default', 'edge': False}}
    assert live['status'] == {'status': 'Ready'} and 'uid' in live['metadata']  # input untouched


def test_normalize_none_and_equivalence():
    assert documents.normalize(None) is None
    a = {'kind': 'Listener', 'metadata': {'name': 'l'}, 'spec': {'port': 1, 'tlsCredentials': None}}
    b = {'kind': 'Listener', 'metadata': {'name': 'l', 'uid': 'x'}, 'spec': {'port': 1}, 'status': {'a': 1}}
    assert documents.normalize(a) == documents.normalize(b)
    c = {'kind': 'Listener', 'metadata': {'name': 'l'}, 'spec': {'port': 2}}
    assert documents.normalize(a) != documents.normalize(c)


def test_contains():
    live = {'spec': {'port': 1, 'host': 'h', 'roles': [{'name': 'edge', 'port': 1}, {'name': 'inter-router'}]},
            'status': {'x': 1}}
    assert documents.contains(live, {'spec': {'port': 1}})
    assert documents.contains(live, {'spec': {'roles': [{'name': 'edge'}, {'name': 'inter-router'}]}})
    assert not documents.contains(live, {'spec': {'port': 2}})
    assert not documents.contains(live, {'spec': {'missing': 'x'}})
    assert not documents.contains(live, {'spec': {'roles': [{'name': 'edge'}]}})  # list length differs
    assert not documents.contains(live, {'spec': {'roles': [{'name': 'inter-router'}, {'name': 'edge'}]}})
    assert not documents.contains({'spec': 'x'}, {'spec': {'port': 1}})
    assert not documents.contains({'spec': {'roles': 'x'}}, {'spec': {'roles': ['x']}})
    assert documents.contains(live, {})


SECRET = {'apiVersion': 'v1', 'kind': 'Secret', 'metadata': {'name': 's'}, 'type': 'kubernetes.io/tls',
          'data': {'tls.key': MARK + 'a', 'ca.crt': MARK + 'b'}, 'stringData': {'x': MARK + 'c'}}
TOKEN = {'apiVersion': 'skupper.io/v2alpha1', 'kind': 'AccessToken', 'metadata': {'name': 't'},
         'spec': {'url': 'https://h:1/', 'code': MARK + 'd', 'ca': 'PEM'}}
GRANT = {'apiVersion': 'skupper.io/v2alpha1', 'kind': 'AccessGrant', 'metadata': {'name': 'g'},
         'spec': {'code': MARK + 'e', 'redemptionsAllowed': 1},
         'status': {'code': MARK + 'f', 'url': 'https://h:1/', 'ca': 'PEM'}}


@pytest.mark.parametrize('doc', [SECRET, TOKEN, GRANT], ids=['Secret', 'AccessToken', 'AccessGrant'])
def test_redact_never_leaves_a_secret_value(doc):
    original = copy.deepcopy(doc)
    redacted = documents.redact(doc)
    text = json.dumps(redacted) + documents.dump_yaml(redacted)
    assert MARK not in text
    assert doc == original  # the input is not modified


def test_redact_keeps_keys_and_other_fields():
    assert documents.redact(SECRET) == dict(SECRET, data={'tls.key': documents.REDACTED, 'ca.crt': documents.REDACTED},
                                            stringData={'x': documents.REDACTED})
    assert documents.redact(TOKEN)['spec'] == {'url': 'https://h:1/', 'code': documents.REDACTED, 'ca': 'PEM'}
    redacted = documents.redact(GRANT)
    assert redacted['spec'] == {'code': documents.REDACTED, 'redemptionsAllowed': 1}
    assert redacted['status'] == {'code': documents.REDACTED, 'url': 'https://h:1/', 'ca': 'PEM'}


def test_redact_leaves_other_kinds_and_missing_values_alone():
    link = {'kind': 'Link', 'spec': {'code': 'not-a-secret-here'}}
    assert documents.redact(link) == link
    token = {'kind': 'AccessToken', 'spec': {'url': 'u'}}
    assert documents.redact(token) == token
    assert documents.redact(None) is None
    assert documents.redact({'kind': 'Secret'}) == {'kind': 'Secret'}


@pytest.mark.parametrize('doc,expected', [
    (SECRET, sorted([MARK + 'a', MARK + 'b', MARK + 'c'])),
    (TOKEN, [MARK + 'd']),
    (GRANT, sorted([MARK + 'e', MARK + 'f'])),
    ({'kind': 'Listener', 'spec': {'code': 'x'}}, []),
    (None, []),
])
def test_secret_values(doc, expected):
    assert sorted(documents.secret_values(doc)) == expected


def test_dump_yaml_is_sorted_block_style_with_literal_multiline_strings():
    text = documents.dump_yaml({'spec': {'ca': '-----BEGIN-----\nabc\n-----END-----\n', 'b': 1}, 'a': [1]})
    assert text == ('a:\n- 1\nspec:\n  b: 1\n  ca: |\n    -----BEGIN-----\n    abc\n    -----END-----\n')
    assert documents.load_yaml_stream(text) == [{'spec': {'ca': '-----BEGIN-----\nabc\n-----END-----\n', 'b': 1},
                                                 'a': [1]}]


def test_yaml_stream_round_trip_skips_empty_documents():
    docs = [{'kind': 'Site', 'metadata': {'name': 'a'}}, {'kind': 'Link', 'metadata': {'name': 'b'}}]
    text = documents.dump_yaml_stream(docs)
    assert text.count('---\n') == 2
    assert documents.load_yaml_stream(text + '---\n---\n') == docs
    assert documents.load_yaml_stream('{"kind": "Site"}') == [{'kind': 'Site'}]
    assert documents.load_yaml_stream('') == []


def test_resource_file_name():
    assert documents.resource_file_name('RouterAccess', 'skupper-local') == 'RouterAccess-skupper-local.yaml'


@pytest.mark.parametrize('text,where', [
    ('kind: Secret\nstringData:\n  tls.key: SECRETLINE: [oops\n', 'line 3, column 22: mapping values are not allowed here'),
    ('kind: Secret\ndata: {tls.key: "SECRETLINE\n', 'line 3, column 1: found unexpected end of stream'),
    ('- a\nb: SECRETLINE\n', 'line 2, column 1: expected <block end>, but found'),
])
def test_yaml_errors_say_where_without_quoting_the_text(text, where):
    with pytest.raises(documents.DocumentError) as failure:
        documents.load_yaml_stream(text)
    message = str(failure.value)
    assert message.startswith('YAML syntax error at ' + where), message
    assert 'SECRETLINE' not in message


def test_secret_paths_are_the_models_secret_fields():
    assert sorted(documents.SECRET_PATHS) == [
        ('AccessGrant', ('spec', 'code')), ('AccessGrant', ('status', 'code')), ('AccessToken', ('spec', 'code')),
        ('Secret', ('data',)), ('Secret', ('stringData',))]
