"""Skupper controller stand-in (a test double) for tests without a real cluster.

It talks to a Kubernetes API (the kube_api stand-in or a real one) over HTTP with the `kubernetes`
client, exactly as Skupper's controller talks to kube-apiserver, and runs a real HTTPS grant redeem
endpoint. See core.Controller.
"""

from tests.support.controller.core import Controller

__all__ = ['Controller']
