"""Fixtures of the Kubernetes module tests."""

import os

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


# Every test of this suite runs both ways: the task's module run in the controller's process (the default for a
# Kubernetes task on a local connection, plugins/plugin_utils/in_process.py) and shipped as a module
# (APPNET_SKUPPER_IN_PROCESS=false). APPNET_TEST_K8S_PATHS=in-process (or module) runs one of them.
EXECUTION_PATHS = [path for path in os.environ.get('APPNET_TEST_K8S_PATHS', 'in-process,module').split(',') if path]


@pytest.fixture(autouse=True, params=EXECUTION_PATHS)
def execution_path(request, monkeypatch):
    """'in-process' or 'module': how the playbooks of the test run their Kubernetes tasks."""
    monkeypatch.setenv('APPNET_SKUPPER_IN_PROCESS', 'true' if request.param == 'in-process' else 'false')
    return request.param
