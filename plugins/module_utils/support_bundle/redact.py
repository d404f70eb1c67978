# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a support bundle must never hold, replaced by a marker: private keys, Secret data, grant and token codes,
passwords and tokens in configurations, and every value learned from them wherever else it shows up (a log line).

A Redactor learns the secret values of the documents it redacts, so that text redacted later (logs, files read
after the documents) loses them too; the archive runs every member through text() once more when it is written."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import binascii
import copy
import json
import re

from ansible_collections.appnet.skupper.plugins.module_utils import documents

MARKER = '<redacted>'
# A PEM private key block (RSA, EC, PKCS#8, encrypted), or one cut short (a truncated file, a log tail).
PRIVATE_KEY = re.compile(r'-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----.*?(?:-----END \1PRIVATE KEY-----|\Z)', re.DOTALL)
# Keys of mappings whose values are secrets, in any document or configuration (compared lower-cased, without
# '-', '_' and '.').
SECRET_KEYS = frozenset(('password', 'passphrase', 'code', 'token', 'apikey', 'privatekey', 'tlskey',
                         'cakey', 'clientkeydata', 'tokendata', 'bearertoken', 'saslpassword'))
# Annotations that repeat a whole object, Secret data included (kubectl apply).
COPY_ANNOTATIONS = ('kubectl.kubernetes.io/last-applied-configuration',)
# A password written as text (key: value, key=value, "key": "value") in a file or a log line.
PASSWORD_TEXT = re.compile(r'''(?i)((?:password|passphrase|api[-_]?key)["']?\s*[:=]\s*["']?)([^"'\s,;}]+)''')
# File names whose whole content is a secret.
SECRET_FILE_NAMES = ('tls.key', 'ca.key')
SECRET_FILE_SUFFIXES = ('.key', '.pem.key')
# A learned value shorter than this is not searched in text (it would hide ordinary words).
MIN_LEARNED = 6


def secret_key(key):
    return isinstance(key, str) and re.sub(r'[-_.]', '', key.lower()) in SECRET_KEYS


def secret_file(name):
    """Whether a file of this name holds a private key (its content is never read into a bundle)."""
    return name in SECRET_FILE_NAMES or name.endswith(SECRET_FILE_SUFFIXES)


class Redactor(object):
    """Redacts documents, JSON values and text; counts what it replaced."""

    def __init__(self):
        self.values = set()
        self.count = 0

    def learn(self, value):
        """Remember a secret value (and its base64 form or decoded form) to take out of any text later."""
        if not isinstance(value, str) or len(value) < MIN_LEARNED or value == MARKER:
            return
        try:
            decoded = base64.b64decode(value, validate=True).decode('utf-8')
        except (binascii.Error, ValueError, UnicodeDecodeError):
            decoded = None
        for text in (value, decoded):
            if text and len(text) >= MIN_LEARNED:
                self.values.add(text)
                self.values.add(base64.b64encode(text.encode('utf-8')).decode('ascii'))

    def _replace(self, value):
        self.learn(value)
        self.count += 1
        return MARKER

    def text(self, text):
        """text without private keys and without any learned secret value."""
        if not isinstance(text, str) or not text:
            return text
        text, found = PRIVATE_KEY.subn(MARKER, text)
        self.count += found
        text, found = PASSWORD_TEXT.subn(lambda match: match.group(1) + MARKER if match.group(2) != MARKER
                                         else match.group(0), text)
        self.count += found
        for value in sorted(self.values, key=len, reverse=True):
            if value in text:
                self.count += text.count(value)
                text = text.replace(value, MARKER)
        return text

    def value(self, data):
        """A JSON-like value with the values of secret keys replaced and every string through text()."""
        if isinstance(data, dict):
            result = {}
            for key, item in data.items():
                if secret_key(key) and item not in (None, '', {}, []):
                    result[key] = self._secret_container(item)
                else:
                    result[key] = self.value(item)
            return result
        if isinstance(data, list):
            return [self.value(item) for item in data]
        return self.text(data) if isinstance(data, str) else data

    def embedded(self, text):
        """A configuration file held in a string (a ConfigMap's value): JSON or YAML redacted as data, else as text."""
        if not isinstance(text, str):
            return self.value(text)
        try:
            return json.dumps(self.value(json.loads(text)), indent=2, sort_keys=True)
        except ValueError:
            pass
        try:
            docs = documents.load_yaml_stream(text)
        except documents.DocumentError:
            docs = None
        if docs and all(isinstance(doc, (dict, list)) for doc in docs):
            return documents.dump_yaml_stream([self.value(doc) for doc in docs])
        return self.text(text)

    def _secret_container(self, item):
        if isinstance(item, dict):
            return dict((key, self._replace(value)) for key, value in item.items())
        if isinstance(item, list):
            return [self._replace(value) for value in item]
        return self._replace(item)

    def document(self, doc):
        """A resource document (Kubernetes object, Skupper resource file) safe to keep: the model's secret fields
        and a Secret's data replaced (their keys kept), the copies of the object in annotations replaced,
        managedFields left out, then value()."""
        if not isinstance(doc, dict):
            return self.value(doc)
        doc = copy.deepcopy(doc)
        metadata = doc.get('metadata')
        if isinstance(metadata, dict):
            metadata.pop('managedFields', None)
            annotations = metadata.get('annotations')
            if isinstance(annotations, dict):
                for name in COPY_ANNOTATIONS:
                    if annotations.get(name):
                        annotations[name] = self._replace(annotations[name])
        for value in documents.secret_values(doc):
            self.learn(value)
        if doc.get('kind') == 'Secret':
            for field in ('data', 'stringData'):
                if isinstance(doc.get(field), dict):
                    doc[field] = dict((key, self._replace(value)) for key, value in doc[field].items())
        if doc.get('kind') == 'ConfigMap' and isinstance(doc.get('data'), dict):
            doc['data'] = dict((key, self.embedded(value)) for key, value in doc['data'].items())
        redacted = documents.redact(doc)
        if redacted != doc:
            self.count += 1
        return self.value(_marker(redacted))


def _marker(value):
    """documents.redact's placeholder turned into the bundle's marker."""
    if isinstance(value, dict):
        return dict((key, _marker(item)) for key, item in value.items())
    if isinstance(value, list):
        return [_marker(item) for item in value]
    return MARKER if value == documents.REDACTED else value
