"""A system run refused before it wrote anything leaves no folder behind (lifecycle.missing_top / remove_empty)."""

import os

from ansible_collections.appnet.skupper.plugins.module_utils.system import lifecycle


def test_the_folders_a_refused_run_made_go_again_and_nothing_else(tmp_path):
    data = tmp_path / 'data'
    home = data / 'namespaces' / 'west'
    assert lifecycle.missing_top(str(home)) == str(data)
    os.makedirs(str(home))
    lifecycle.remove_empty(str(home), str(data))
    assert sorted(os.listdir(str(tmp_path))) == []


def test_an_existing_home_or_one_with_files_stays(tmp_path):
    home = tmp_path / 'namespaces' / 'west'
    os.makedirs(str(home))
    assert lifecycle.missing_top(str(home)) is None
    lifecycle.remove_empty(str(home), None)
    assert home.is_dir()
    other = tmp_path / 'namespaces' / 'east'
    top = lifecycle.missing_top(str(other))
    assert top == str(other)
    os.makedirs(str(other))
    (other / 'input').mkdir()  # another run wrote there meanwhile: not empty, kept
    lifecycle.remove_empty(str(other), top)
    assert (other / 'input').is_dir() and home.is_dir()
