"""The grant redeem endpoint of the Skupper controller stand-in (a test double), and its client side.

Server: real HTTPS on loopback with its own CA; one server for all AccessGrants. The
HTTP layer only accepts POST (405 `Only POST is supported`) and hands (path, body, headers) to a
callback that returns (HTTP status, body text). Client: `redeem_token()` posts a code the way a
Skupper controller redeems an AccessToken, trusting only the token's CA.

Both ends require TLS 1.3, as Skupper's do: its grant server uses a TLS 1.3-only configuration and its
redeeming client sets a TLS 1.3 minimum (nonkube-runtime.md section 9). A client that offers at most TLS 1.2
fails the handshake here, as it would against a real Skupper site.
"""

import http.client
import http.server
import logging
import os
import ssl
import tempfile
import threading
import urllib.parse

import yaml

from tests.support import pki

LOG = logging.getLogger(__name__)
MINIMUM_TLS = ssl.TLSVersion.TLSv1_3


class RedeemError(Exception):
    """A redemption that did not return HTTP 200 (message as Skupper prints it)."""


class _RedeemHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    wbufsize = -1  # one write per response (headers + body), flushed when the request is finished

    def do_POST(self):
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else b''
        code, text = self.server.redeem(self.path, body, self.headers)
        self._reply(code, text, 'application/yaml' if code == 200 else 'text/plain; charset=utf-8')

    def _not_allowed(self):
        self._reply(405, 'Only POST is supported', 'text/plain; charset=utf-8')

    do_GET = do_PUT = do_DELETE = do_PATCH = do_HEAD = _not_allowed

    def _reply(self, code, text, content_type):
        payload = text.encode() if self.command != 'HEAD' else b''
        self.send_response(code)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format, *args):
        LOG.debug('redeem server: ' + format, *args)


class _TLSServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, context, redeem):
        self.context = context
        self.redeem = redeem
        super().__init__(address, _RedeemHandler)

    def finish_request(self, request, client_address):
        """TLS handshake in the request's own thread, so a slow client cannot block the accept loop."""
        try:
            connection = self.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as exc:
            LOG.debug('redeem server: TLS handshake with %s failed: %s', client_address, exc)
            return
        try:
            self.RequestHandlerClass(connection, client_address, self)
        finally:
            connection.close()


class RedeemServer:
    """HTTPS server on host:port (0 = any free port); redeem(path, body, headers) -> (status, text)."""

    def __init__(self, redeem, host='127.0.0.1', port=0):
        self.host = host
        self.ca = pki.make_ca('skupper-grant-server-ca')
        server_pair = pki.issue_certificate(self.ca, host, hosts=_server_hosts(host), server=True)
        self._server = _TLSServer((host, port), _server_context(server_pair), redeem)
        self._thread = None

    @property
    def port(self):
        return self._server.server_address[1]

    @property
    def ca_pem(self):
        return self.ca.cert_pem

    @property
    def base_url(self):
        return 'https://%s:%d' % (self.host, self.port)

    def start(self):
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={'poll_interval': 0.05},
                                        name='redeem-server', daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(5)
            self._thread = None
        self._server.server_close()


def _server_hosts(host):
    hosts = [host, 'localhost', '127.0.0.1']
    return list(dict.fromkeys(hosts))


def _server_context(pair):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = MINIMUM_TLS
    with tempfile.TemporaryDirectory() as folder:
        cert_file, key_file = os.path.join(folder, 'tls.crt'), os.path.join(folder, 'tls.key')
        with open(cert_file, 'w') as handle:
            handle.write(pair.cert_pem)
        with open(key_file, 'w') as handle:
            handle.write(pair.key_pem)
        context.load_cert_chain(cert_file, key_file)
    return context


def redeem_token(url, code, ca_pem, name, subject, timeout=10):
    """POST code to url trusting only ca_pem; the documents returned (Secret, Link...) or RedeemError."""
    parsed = urllib.parse.urlsplit(url)
    if not ca_pem:
        raise RedeemError('token does not have a CA')
    if parsed.scheme != 'https' or not parsed.hostname:
        raise RedeemError('token url scheme must be https')
    context = ssl.create_default_context(cadata=ca_pem)
    context.minimum_version = MINIMUM_TLS
    connection = http.client.HTTPSConnection(parsed.hostname, parsed.port or 443, timeout=timeout, context=context)
    try:
        connection.request('POST', parsed.path or '/', body=(code or '').encode(),
                           headers={'Name': name, 'Subject': subject})
        response = connection.getresponse()
        text = response.read().decode(errors='replace')
    except (OSError, http.client.HTTPException) as exc:
        raise RedeemError('failed to redeem token at %s: %s' % (url, exc))
    finally:
        connection.close()
    if response.status != 200:
        raise RedeemError('Received HTTP Response %d: %s' % (response.status, text.strip()))
    return [doc for doc in yaml.safe_load_all(text) if doc]
