"""A TCP echo server on 127.0.0.1, on a free port: the workload behind a connector in the router tests."""

import socket
import threading


class EchoServer(threading.Thread):
    """Echoes every connection's bytes back until the client closes; `close()` stops accepting."""

    def __init__(self):
        super().__init__(daemon=True)
        self.sock = socket.create_server(('127.0.0.1', 0))
        self.port = self.sock.getsockname()[1]

    def run(self):
        while True:
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.echo, args=(conn,), daemon=True).start()

    @staticmethod
    def echo(conn):
        with conn:
            while True:
                data = conn.recv(65536)
                if not data:
                    return
                conn.sendall(data)

    def close(self):
        self.sock.close()


def echoes(conn, text):
    """Whether text comes back whole through the connection conn (an echo server behind it)."""
    conn.sendall(text)
    received = b''
    while len(received) < len(text):
        chunk = conn.recv(65536)
        if not chunk:
            return False
        received += chunk
    return received == text
