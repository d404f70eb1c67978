"""Fixtures of the Kubernetes module tests."""

import pytest

from tests.support.controller import Controller
from tests.support.kube_api import start_server


@pytest.fixture(scope='module')
def controlled():
    """The API stand-in with the controller stand-in reconciling it (both test doubles): (server, controller)."""
    server = start_server()
    controller = Controller(server.url)
    controller.start()
    yield server, controller
    controller.stop()
    server.stop()
