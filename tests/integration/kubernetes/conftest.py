"""Fixtures of the Kubernetes module tests."""

import os

import pytest

from tests.integration.kubernetes.plays import PATHS
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


# How the playbooks of a test run their Kubernetes tasks: 'in-process' (the task's module run in the controller's
# process: the default for a Kubernetes task on a local connection, plugins/plugin_utils/in_process.py, so what
# users get) or 'module' (shipped as a module, APPNET_SKUPPER_IN_PROCESS=false: what a task with become, async, a
# remote connection or another Python gets). A test marked execution_paths(...) runs the ways it names (the
# representative set that runs both ways, docs/development.md); every other test runs the ways of
# APPNET_TEST_K8S_PATHS, by default in-process only (APPNET_TEST_K8S_PATHS=in-process,module runs all of them both
# ways).
DEFAULT_PATHS = [path for path in os.environ.get('APPNET_TEST_K8S_PATHS', 'in-process').split(',') if path]


def pytest_generate_tests(metafunc):
    if 'execution_path' not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker('execution_paths')
    paths = list(marker.args) if marker else DEFAULT_PATHS
    unknown = set(paths) - set(PATHS)
    if unknown:
        raise ValueError('unknown Kubernetes execution path(s) %s: use %s' % (sorted(unknown), ', '.join(PATHS)))
    # Module scope: a module fixture that runs a playbook once for several tests runs it once per path.
    metafunc.parametrize('execution_path', paths, indirect=True, scope='module')


@pytest.fixture(autouse=True, scope='module')
def execution_path(request):
    """'in-process' or 'module': how the playbooks of the test (and of the module fixtures it uses) run their
    Kubernetes tasks."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv('APPNET_SKUPPER_IN_PROCESS', 'true' if request.param == 'in-process' else 'false')
        yield request.param
