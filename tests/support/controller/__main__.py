"""Run the Skupper controller stand-in (a test double): python -m tests.support.controller --api URL."""

import argparse
import signal
import sys
import threading

from tests.support.controller.core import Controller


def parse_args(argv):
    parser = argparse.ArgumentParser(prog='python -m tests.support.controller',
                                     description='Skupper controller stand-in (test double).')
    parser.add_argument('--api', required=True, help='Kubernetes API URL, e.g. http://127.0.0.1:8001')
    parser.add_argument('--namespace', '-n', action='append', dest='namespaces',
                        help='namespace to manage (repeatable; default: every namespace)')
    parser.add_argument('--host', default='127.0.0.1', help='address for the redeem endpoint and site endpoints')
    parser.add_argument('--poll-interval', type=float, default=0.2)
    parser.add_argument('--token', help='bearer token for the API')
    parser.add_argument('--ca-file', help='CA bundle for an HTTPS API')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    controller = Controller(args.api, args.namespaces, host=args.host, poll_interval=args.poll_interval,
                            api_token=args.token, api_ca_file=args.ca_file)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    controller.start()
    print('controller stand-in ready: api %s, redeem endpoint %s' % (args.api, controller.redeem_url), flush=True)
    stopped.wait()
    controller.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
