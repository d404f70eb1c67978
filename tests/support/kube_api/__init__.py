"""Kubernetes API server stand-in: a test double serving kube's REST API over real HTTP on loopback.

It serves namespaces, secrets, config maps and every Skupper custom resource (from the CRDs) closely enough
for the official `kubernetes` Python client; see docs in server.py and tests/conformance for the contract.

    server = start_server()            # or start_server(tls=True, token='t', client_ca=True)
    ... kubernetes client against server.url ...
    server.counts()                    # {'create': 2, 'apply': 1, ...}
    server.stop()
"""

from .server import RequestRecord, StandInServer, start_server

__all__ = ['RequestRecord', 'StandInServer', 'start_server']
