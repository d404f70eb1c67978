"""The network_info shape's constants (module_utils/network_info_shape.py)."""

import os

import yaml

from ansible_collections.appnet.skupper.plugins.module_utils import network_info_shape
from tests.support.playbook import ROOT


def test_the_collection_version_reported_is_galaxy_yml_s():
    with open(os.path.join(ROOT, 'galaxy.yml')) as handle:
        assert network_info_shape.COLLECTION_VERSION == yaml.safe_load(handle)['version']


def test_a_status_of_message_ok_only_is_ready_and_an_error_is_kept():
    assert network_info_shape.status_of({'status': {'message': 'OK'}}) == ('Ready', None)
    assert network_info_shape.status_of({'status': {'status': 'Error', 'message': 'bad'}}) == ('Error', 'bad')
    assert network_info_shape.status_of({'status': {'status': 'Pending', 'conditions': [
        {'type': 'Resolved', 'status': 'False', 'message': 'no endpoint'}]}}) == ('Pending', 'no endpoint')
    assert network_info_shape.status_of({}) == ('Pending', 'no status yet')
