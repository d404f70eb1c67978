"""SystemBackend: resource files whose mode follows the model's secret fields, and one Site per namespace."""

import os
import stat

import pytest

from ansible_collections.appnet.skupper.plugins.module_utils import model
from ansible_collections.appnet.skupper.plugins.module_utils.backend import BackendError
from ansible_collections.appnet.skupper.plugins.module_utils.system.backend import SystemBackend
from ansible_collections.appnet.skupper.plugins.module_utils.system.store.resource_files import file_mode


def _doc(kind, name, spec=None):
    doc = {'apiVersion': model.get_kind(kind).api_version, 'kind': kind, 'metadata': {'name': name}}
    if spec is not None:
        doc['spec'] = spec
    return doc


@pytest.mark.parametrize('kind', sorted(model.KINDS))
def test_file_mode_follows_the_secret_fields(kind):
    assert file_mode(kind) == (0o600 if any(f.secret for f in model.KINDS[kind].fields) else 0o644)


def test_an_access_token_file_is_private(tmp_path):
    backend = SystemBackend('east', data_home=str(tmp_path))
    outcome = backend.apply(_doc('AccessToken', 'tok', {'url': 'https://x', 'code': 'CODE', 'ca': 'CA'}))
    assert stat.S_IMODE(os.stat(outcome.extra['resource_file']).st_mode) == 0o600


def test_a_second_site_is_refused_before_anything_is_written(tmp_path):
    backend = SystemBackend('east', data_home=str(tmp_path))
    backend.apply(_doc('Site', 'east', {}))
    assert backend.problems(_doc('Site', 'east', {'linkAccess': 'default'})) == []
    assert backend.problems(_doc('Listener', 'l', {})) == []
    with pytest.raises(BackendError) as failure:
        backend.apply(_doc('Site', 'west', {}), check_mode=True)
    assert failure.value.message.startswith("namespace 'east' already has the Site 'east' (Site-east.yaml)")
    assert sorted(os.listdir(os.path.dirname(backend.input_path('Site', 'east')))) == ['Site-east.yaml']
