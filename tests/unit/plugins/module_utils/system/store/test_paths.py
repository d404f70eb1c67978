"""store/paths.py: where a system site lives, for root and for other users."""

import os

from ansible_collections.appnet.skupper.plugins.module_utils.system.store import paths


def test_the_data_home_of_root_and_of_other_users():
    assert paths.data_home(uid=0, env={'XDG_DATA_HOME': '/x', 'HOME': '/home/a'}) == '/var/lib/skupper'
    assert paths.data_home(uid=1000, env={'XDG_DATA_HOME': '/x', 'HOME': '/home/a'}) == '/x/skupper'
    assert paths.data_home(uid=1000, env={'HOME': '/home/a'}) == '/home/a/.local/share/skupper'


def test_the_data_home_option_wins_and_is_made_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv('HOME', str(tmp_path / 'home'))
    assert paths.data_home('relative', uid=0) == str(tmp_path / 'relative')
    assert paths.data_home('~/skupper', uid=0) == str(tmp_path / 'home' / 'skupper')


def test_a_namespace_home_and_what_lies_in_it(tmp_path):
    data_home = str(tmp_path)
    home = paths.namespace_home('east', data_home)
    assert home == os.path.join(data_home, 'namespaces', 'east')
    assert paths.namespace_home('', data_home) == paths.namespace_home(None, data_home) == \
        os.path.join(data_home, 'namespaces', 'default')
    assert paths.input_resources_dir(home) == os.path.join(home, 'input', 'resources')
    assert paths.runtime_resources_dir(home) == os.path.join(home, 'runtime', 'resources')
    assert paths.router_config_path(home) == os.path.join(home, 'runtime', 'router', 'skrouterd.json')
    assert paths.runtime_dir(home, 'certs', 'x') == os.path.join(home, 'runtime', 'certs', 'x')
    assert paths.internal_dir(home, 'service.yaml') == os.path.join(home, 'internal', 'service.yaml')


def test_the_relative_paths_name_the_same_files(tmp_path):
    """A render's plan names files relative to the home: the same files as the path functions."""
    home = str(tmp_path)
    assert os.path.join(home, paths.ROUTER_CONFIG) == paths.router_config_path(home)
    assert os.path.join(home, paths.RUNTIME_RESOURCES) == paths.runtime_resources_dir(home)
