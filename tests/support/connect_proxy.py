"""An HTTP CONNECT proxy test double on 127.0.0.1: tunnels TCP to the requested host and port, records targets.

    proxy = ConnectProxy().start()
    ... a client with proxy=proxy.url reaches an HTTPS server through it ...
    proxy.tunnels    # ['127.0.0.1:6443', ...]
    proxy.stop()

Only CONNECT is served (what clients send a proxy for an https:// URL); other methods get 405.
"""

import select
import socket
import socketserver
import threading


class _TunnelHandler(socketserver.StreamRequestHandler):
    def handle(self):
        request_line = self.rfile.readline(8192).decode('latin-1').strip()
        while self.rfile.readline(8192) not in (b'\r\n', b'\n', b''):
            pass  # the request's headers
        method, _sep, rest = request_line.partition(' ')
        target = rest.split(' ')[0]
        if method != 'CONNECT':
            self.wfile.write(b'HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n')
            return
        host, _sep, port = target.rpartition(':')
        try:
            upstream = socket.create_connection((host, int(port)), timeout=10)
        except (OSError, ValueError):
            self.wfile.write(b'HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n')
            return
        self.server.proxy.record(target)
        self.wfile.write(b'HTTP/1.1 200 Connection established\r\n\r\n')
        self.wfile.flush()
        with upstream:
            _pipe(self.connection, upstream, self.server.proxy.stopping)


def _pipe(client, upstream, stopping):
    """Copy bytes both ways until either side closes."""
    sockets = [client, upstream]
    while not stopping.is_set():
        readable, _unused, _unused = select.select(sockets, [], [], 0.2)
        for source in readable:
            data = source.recv(65536)
            if not data:
                return
            (upstream if source is client else client).sendall(data)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class ConnectProxy(object):
    """The proxy: url (http://127.0.0.1:PORT), tunnels (targets in order), start(), stop()."""

    def __init__(self, host='127.0.0.1'):
        self._server = _Server((host, 0), _TunnelHandler)
        self._server.proxy = self
        self._lock = threading.Lock()
        self._tunnels = []
        self.stopping = threading.Event()
        self._thread = None

    @property
    def url(self):
        host, port = self._server.server_address[:2]
        return 'http://%s:%d' % (host, port)

    @property
    def tunnels(self):
        with self._lock:
            return list(self._tunnels)

    def record(self, target):
        with self._lock:
            self._tunnels.append(target)

    def start(self):
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={'poll_interval': 0.1},
                                        name='connect-proxy', daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()
