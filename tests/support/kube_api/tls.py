"""Certificates and kubeconfig files for the API server stand-in (a test double).

The server certificate is for 127.0.0.1 and localhost, signed by a CA generated per server; its files are
written to a directory (ca.crt, ca.key, server.crt, server.key). Client certificates can be issued by that CA.
"""

import dataclasses
import os
import pathlib

import yaml

from tests.support import pki

SERVER_HOSTS = ('127.0.0.1', 'localhost')


@dataclasses.dataclass(frozen=True)
class TlsFiles:
    """Paths of a stand-in's CA and server key pair."""

    directory: pathlib.Path
    ca_cert: pathlib.Path
    ca_key: pathlib.Path
    cert: pathlib.Path
    key: pathlib.Path


def _write(path, text, private=False):
    path.write_text(text)
    if private:
        os.chmod(path, 0o600)


def write_server_certificates(directory):
    """A new CA and a server certificate for 127.0.0.1/localhost, written to directory."""
    directory = pathlib.Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    ca = pki.make_ca('kube-api-standin-ca')
    server = pki.issue_certificate(ca, 'kube-apiserver', SERVER_HOSTS, server=True)
    files = TlsFiles(directory, directory / 'ca.crt', directory / 'ca.key', directory / 'server.crt',
                     directory / 'server.key')
    _write(files.ca_cert, ca.cert_pem)
    _write(files.ca_key, ca.key_pem, private=True)
    _write(files.cert, server.cert_pem)
    _write(files.key, server.key_pem, private=True)
    return files


def issue_client_certificate(files, common_name, directory=None):
    """A client certificate for common_name signed by the stand-in CA: (cert path, key path)."""
    directory = pathlib.Path(directory or files.directory)
    ca = pki.KeyPair(files.ca_cert.read_text(), files.ca_key.read_text())
    pair = pki.issue_certificate(ca, common_name, client=True)
    cert, key = directory / f'{common_name}.crt', directory / f'{common_name}.key'
    _write(cert, pair.cert_pem)
    _write(key, pair.key_pem, private=True)
    return cert, key


def kubeconfig(url, *, ca_file=None, namespace='default', token=None, client_cert=None, client_key=None,
               context='stand-in'):
    """A kubeconfig dict with two contexts: `<context>` (the given credentials) and `<context>-anonymous`."""
    cluster = {'server': url}
    if ca_file:
        cluster['certificate-authority'] = str(ca_file)
    user = {}
    if token:
        user['token'] = token
    if client_cert:
        user.update({'client-certificate': str(client_cert), 'client-key': str(client_key)})
    return {
        'apiVersion': 'v1', 'kind': 'Config', 'preferences': {}, 'current-context': context,
        'clusters': [{'name': context, 'cluster': cluster}],
        'users': [{'name': f'{context}-user', 'user': user}, {'name': f'{context}-anonymous', 'user': {}}],
        'contexts': [
            {'name': context, 'context': {'cluster': context, 'user': f'{context}-user', 'namespace': namespace}},
            {'name': f'{context}-anonymous',
             'context': {'cluster': context, 'user': f'{context}-anonymous', 'namespace': namespace}},
        ],
    }


def write_kubeconfig(path, config):
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _write(path, yaml.safe_dump(config, sort_keys=False), private=True)
    return config
