"""Run the Kubernetes API server stand-in (a test double) until SIGTERM/SIGINT.

    python -m tests.support.kube_api --host 127.0.0.1 --port 8080 [--tls-dir DIR] [--token T] [--client-ca F]
"""

import argparse
import signal
import sys
import threading

from .server import start_server


def parse_args(argv):
    parser = argparse.ArgumentParser(prog='python -m tests.support.kube_api',
                                     description='Kubernetes API server stand-in (test double)')
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=0)
    parser.add_argument('--tls-dir', help='serve HTTPS; write ca.crt, server.crt and keys here')
    parser.add_argument('--token', help='require this bearer token')
    parser.add_argument('--client-ca', help='accept client certificates signed by this CA file')
    parser.add_argument('--crd-dir', help='load the CRDs from this directory')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    server = start_server(args.host, args.port, tls=bool(args.tls_dir), token=args.token,
                          client_ca=args.client_ca, tls_dir=args.tls_dir, crd_dir=args.crd_dir)
    print(f'kube-api stand-in listening on {server.url}', flush=True)
    try:
        stop.wait()
    finally:
        server.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
