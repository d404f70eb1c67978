"""Without the kubernetes library, platform kubernetes fails with Ansible's missing-library message."""

import pytest
from ansible.module_utils.basic import missing_required_lib

from ansible_collections.appnet.skupper.plugins.module_utils.backend import BackendError
from ansible_collections.appnet.skupper.plugins.module_utils.k8s import auth


def test_api_client_without_the_library(monkeypatch):
    monkeypatch.setattr(auth, 'HAS_KUBERNETES', False)
    monkeypatch.delattr(auth, 'k8s_client')  # as after a failed import
    with pytest.raises(BackendError) as failure:
        auth.get_api_client({'api_host': 'https://127.0.0.1:6443'})
    assert failure.value.message == missing_required_lib('kubernetes', reason='for platform kubernetes')
