"""A dry run with pending documents (what a check run of the resource modules would have written): the render it
predicts reads them in place of the files, and writes nothing, not even a lock or the data home."""

import os

import pytest

from ansible_collections.appnet.skupper.plugins.module_utils.system.render import renderer
from ansible_collections.appnet.skupper.plugins.module_utils.system.render.site_state import SiteStateError
from tests.unit.plugins.module_utils.system.conftest import EAST_HOST, NOW, resource, write_input

SITE = resource('Site', 'east', {})
LISTENER = resource('Listener', 'backend', {'routingKey': 'backend', 'host': '127.0.0.1', 'port': 8080})


def dry_run(home, pending=None):
    return renderer.render_site(home, 'east', dry_run=True, pending=pending, now=NOW, port_is_free=lambda port: True,
                                **EAST_HOST)


def test_a_site_not_built_yet_renders_from_pending_documents_and_writes_nothing(tmp_path):
    data_home = tmp_path / 'skupper'
    home = str(data_home / 'namespaces' / 'east')
    result = dry_run(home, [SITE, LISTENER])
    assert result.site_name == 'east'
    assert 'runtime/router/skrouterd.json' in result.changed_files
    assert not data_home.exists()


def test_without_pending_documents_a_site_not_built_yet_has_no_sources(tmp_path):
    with pytest.raises(SiteStateError, match='No sources found'):
        dry_run(str(tmp_path / 'skupper' / 'namespaces' / 'east'))
    assert not (tmp_path / 'skupper').exists()


def test_pending_documents_replace_the_files_of_the_same_kind_and_name(tmp_path):
    home = str(tmp_path / 'namespaces' / 'east')
    write_input(home, SITE)
    write_input(home, LISTENER)
    renderer.render_site(home, 'east', now=NOW, port_is_free=lambda port: True, **EAST_HOST)
    before = sorted(os.path.join(d, f) for d, _s, fs in os.walk(str(tmp_path)) for f in fs)
    assert dry_run(home, []).changed_files == []
    moved = dict(LISTENER, spec=dict(LISTENER['spec'], port=8081))
    changed = dry_run(home, [moved]).changed_files
    assert 'runtime/router/skrouterd.json' in changed and 'runtime/resources/Listener-backend.yaml' in changed
    with open(os.path.join(home, 'runtime', 'router', 'skrouterd.json')) as handle:
        assert '8081' not in handle.read()
    after = sorted(os.path.join(d, f) for d, _s, fs in os.walk(str(tmp_path)) for f in fs)
    assert before == after
