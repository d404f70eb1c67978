"""Fixtures of the system renderer tests: namespace homes with the worked example of nonkube-runtime.md §13."""

import datetime
import json
import os

import pytest
import yaml

from ansible_collections.appnet.skupper.plugins.module_utils.system.render import renderer
from tests.support import router_schema
from tests.support.reference import absent_reason

GOLDEN = os.path.join(os.path.dirname(__file__), 'golden')
WEST_ID = '0f9c2d0e-6f0a-4c4e-9a53-3c1f3b0c9b11'
EAST_ID = '7d1e3c55-2a41-4b7e-8d0f-5c6b9a1e2f34'
NOW = datetime.datetime(2026, 7, 23, 10, 1, 11, tzinfo=datetime.timezone.utc)
WEST_HOST = {'hostname': 'west-host', 'addresses': ['192.168.122.10', 'fe80::5054:ff:fe12:3456', '127.0.0.1']}
EAST_HOST = {'hostname': 'east-host', 'addresses': ['192.168.122.20']}


def resource(kind, name, spec=None, namespace=None, api='skupper.io/v2alpha1', **extra):
    doc = {'apiVersion': api, 'kind': kind, 'metadata': {'name': name}}
    if namespace:
        doc['metadata']['namespace'] = namespace
    if spec is not None:
        doc['spec'] = spec
    doc.update(extra)
    return doc


def write_input(home, doc, file_name=None):
    directory = os.path.join(home, 'input', 'resources')
    os.makedirs(directory, exist_ok=True)
    name = file_name or '%s-%s.yaml' % (doc['kind'], doc['metadata']['name'])
    with open(os.path.join(directory, name), 'w') as handle:
        yaml.safe_dump(doc, handle)
    return os.path.join(directory, name)


def west_documents(uid=WEST_ID):
    site = resource('Site', 'west', {'linkAccess': 'default'}, 'west')
    if uid:
        site['metadata']['uid'] = uid
    return [site,
            resource('Listener', 'backend', {'host': '0.0.0.0', 'port': 8080, 'routingKey': 'backend', 'type': 'tcp'},
                     'west'),
            resource('Connector', 'database', {'host': '127.0.0.1', 'port': 5432, 'routingKey': 'database',
                                               'type': 'tcp'}, 'west')]


class Host(object):
    """A data home with namespaces; render() with injected host facts and a fixed clock."""

    def __init__(self, root):
        self.root = str(root)

    def home(self, namespace):
        return os.path.join(self.root, 'namespaces', namespace)

    def add(self, namespace, docs):
        for doc in docs:
            write_input(self.home(namespace), doc)
        return self.home(namespace)

    def render(self, namespace, facts=None, **kwargs):
        options = dict(facts or WEST_HOST)
        options.setdefault('port_is_free', lambda port: True)
        options.setdefault('now', NOW)
        options.update(kwargs)
        return renderer.render_site(self.home(namespace), namespace, **options)


@pytest.fixture
def host(tmp_path):
    return Host(tmp_path)


@pytest.fixture
def west(host):
    host.add('west', west_documents())
    return host


def snapshot_tree(path):
    """{relative path: (bytes, mode)} of every file under path."""
    found = {}
    for directory, _dirs, names in os.walk(path):
        for name in names:
            full = os.path.join(directory, name)
            with open(full, 'rb') as handle:
                found[os.path.relpath(full, path)] = (handle.read(), os.stat(full).st_mode & 0o777)
    return found


def load_json(path):
    with open(path) as handle:
        return json.load(handle)


def read_yaml_stream(path):
    with open(path) as handle:
        return [doc for doc in yaml.safe_load_all(handle) if doc]


# ---------------------------------------------------------------------------------------------
# Router schema conformance (the one checker of tests/support/router_schema.py)


def check_schema(entities):
    if not os.path.exists(router_schema.SCHEMA):
        pytest.skip(absent_reason('router', 'skrouter.json'))
    assert router_schema.schema_problems(entities) == []
