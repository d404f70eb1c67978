"""Fixtures of the conformance tests: the kube API stand-in, or a real cluster with APPNET_TEST_KUBECONFIG.

`make test-kube-real` sets APPNET_TEST_KUBECONFIG from KUBECONFIG (a path or a list of paths, merged like
kubectl does). Nothing else selects a real cluster: tests/conftest.py removes KUBECONFIG from every test run.
On a real cluster every test gets a throwaway namespace (deleted afterwards); the Skupper CRDs must be installed.
Tests marked `standin_only` (request counts, fault injection, the stand-in's own TLS/auth) are skipped there.
"""

import os
import uuid

import kubernetes
import pytest
import yaml

from tests.conformance.support import Kube
from tests.support.kube_api import start_server
from tests.support.kube_api.resources import reference_crd_directory

KUBECONFIG = os.environ.get('APPNET_TEST_KUBECONFIG')


def pytest_configure(config):
    config.addinivalue_line('markers', 'standin_only: needs the kube API stand-in (skipped on a real cluster)')
    config.addinivalue_line('markers', 'reference_crds: checks schema details of the real Skupper CRDs (skipped '
                                       'on the stand-in when ../shared/reference/crds is absent)')


def pytest_collection_modifyitems(config, items):
    if KUBECONFIG:
        _skip_marked(items, 'standin_only', 'checks a feature of the kube API stand-in (APPNET_TEST_KUBECONFIG set)')
    elif not reference_crd_directory().is_dir():
        _skip_marked(items, 'reference_crds', 'the reference CRDs are absent; the stand-in serves the model\'s CRDs')


def _skip_marked(items, marker, reason):
    skip = pytest.mark.skip(reason=reason)
    for item in items:
        if marker in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope='session')
def standin_server():
    if KUBECONFIG:
        yield None
        return
    server = start_server()
    yield server
    server.stop()


@pytest.fixture(scope='session')
def api_client(standin_server):
    if KUBECONFIG:
        client = kubernetes.config.new_client_from_config(config_file=KUBECONFIG,
                                                          context=_first_current_context(KUBECONFIG))
    else:
        configuration = kubernetes.client.Configuration()
        configuration.host = standin_server.url
        client = kubernetes.client.ApiClient(configuration)
    yield client
    client.close()


def _first_current_context(paths):
    """current-context of a KUBECONFIG list as kubectl takes it: the first file that sets it (the kubernetes
    client would take the last)."""
    for path in paths.split(os.pathsep):
        path = os.path.expanduser(path)
        if path and os.path.isfile(path):
            with open(path) as handle:
                context = (yaml.safe_load(handle) or {}).get('current-context')
            if context:
                return context
    return None


@pytest.fixture
def kube(api_client, standin_server):
    return Kube(api_client, standin_server)


@pytest.fixture
def server(standin_server):
    """The stand-in itself (only for standin_only tests), its request records reset."""
    if standin_server is None:
        pytest.skip('needs the kube API stand-in')
    standin_server.reset_counts()
    standin_server.clear_faults()
    yield standin_server
    standin_server.clear_faults()


@pytest.fixture
def namespace(kube):
    """A unique throwaway namespace, deleted after the test."""
    name = f'conformance-{uuid.uuid4().hex[:10]}'
    kube.core.create_namespace({'metadata': {'name': name}})
    yield name
    try:
        kube.core.delete_namespace(name)
    except kubernetes.client.ApiException as exc:
        if exc.status != 404:
            raise
