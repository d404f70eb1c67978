"""The scenario of test_container_sites.py with Docker: a private dockerd (conftest.py) in a network namespace of its
own; a file of its own so that it runs side by side with the Podman scenario."""

import pytest

from tests.integration.containers.test_container_sites import refused_run, run_scenario

# As test_container_sites.py: a scenario may take more than pytest.ini's 15 minutes on a busy 2-core machine.
pytestmark = pytest.mark.timeout(1800)


def test_docker_site_with_a_linux_site(docker, real_router, tmp_path, record_property):
    run_scenario(docker, real_router, str(tmp_path), record_property)


def test_a_refused_run_fails_with_the_engine_message_and_leaves_nothing(docker, tmp_path):
    refused_run(docker, str(tmp_path))
