"""The faults of test_container_faults.py with Docker: a private dockerd (conftest.py) that the test may stop and start
again (its own data root, exec root, pid file and socket), in a file of its own so that it runs side by side with the
Podman test."""

import pytest

from tests.integration.containers.test_container_faults import run_faults

pytestmark = pytest.mark.timeout(1800)

FAULTS = {
    'docker-router-container-killed': 'test_docker_container_faults',
    'docker-router-container-removed': 'test_docker_container_faults',
    'docker-engine-restarted': 'test_docker_container_faults',
    'docker-image-missing-pull-never': 'test_docker_container_faults',
}


def test_docker_container_faults(docker, real_router, tmp_path):
    run_faults(docker, real_router, str(tmp_path))
