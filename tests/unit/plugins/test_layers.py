"""The layers of plugins/: no import cycle between the collection's Python files, the leaves (errors, the
backend interface, the platform registry, value checks) import nothing of the collection, the system/ packages
point one way, and a module file imports only the entry points of module_utils.

The graph is read from the source (every import statement, also those inside functions, as Ansible's module
packaging reads them), so a cycle hidden behind a lazy import counts too."""

import ast
import os

import pytest

ROOT = os.path.dirname(os.path.abspath(__file__))
while not os.path.isfile(os.path.join(ROOT, 'galaxy.yml')):
    ROOT = os.path.dirname(ROOT)
PLUGINS = os.path.join(ROOT, 'plugins')
PREFIX = 'ansible_collections.appnet.skupper.'
# Files that may import nothing of the collection.
LEAVES = ('plugins.module_utils.backend', 'plugins.module_utils.platforms', 'plugins.module_utils.model.values',
          'plugins.module_utils.system.store.files')


def _modules():
    found = {}
    for directory, _dirs, names in os.walk(PLUGINS):
        for name in names:
            if name.endswith('.py'):
                path = os.path.join(directory, name)
                dotted = os.path.relpath(path, ROOT)[:-3].replace(os.sep, '.')
                found[dotted[:-len('.__init__')] if dotted.endswith('.__init__') else dotted] = path
    return found


def _imports(path, modules, name=''):
    """The collection modules a file imports (a name imported from a package counts as its module, if it is one).

    A package's own modules reach their siblings through it without running its __init__ again: the package
    of the importing file is not a step of its imports."""
    with open(path) as handle:
        tree = ast.parse(handle.read(), path)
    found = set()
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PREFIX):
            base = node.module[len(PREFIX):]
            targets = ['%s.%s' % (base, alias.name) for alias in node.names]
            targets = [t if t in modules else base for t in targets]
        elif isinstance(node, ast.Import):
            targets = [a.name[len(PREFIX):] for a in node.names if a.name.startswith(PREFIX)]
        for target in targets:
            # Importing a.b.c runs a.b's __init__ first: a package whose __init__ imports is a step too.
            parts = target.split('.')
            for depth in range(2, len(parts) + 1):
                step = '.'.join(parts[:depth])
                if name.startswith(step + '.'):
                    continue
                if step in modules and (step == target or os.path.getsize(modules[step])):
                    found.add(step)
    return found


def import_graph():
    modules = _modules()
    return dict((name, _imports(path, modules, name) - {name}) for name, path in modules.items())


def cycles(graph):
    """The strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, result = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == node:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return result


def test_the_collection_has_no_import_cycle():
    assert cycles(import_graph()) == []


@pytest.mark.parametrize('leaf', LEAVES)
def test_a_leaf_imports_nothing_of_the_collection(leaf):
    graph = import_graph()
    assert leaf in graph
    assert graph[leaf] == set()


def test_the_cycle_finder_finds_a_cycle_through_a_lazy_import():
    """The check above can fail: a cycle of three, one edge of it inside a function, is found."""
    graph = {'a': {'b'}, 'b': {'c'}, 'c': {'a'}, 'd': {'a'}}
    assert cycles(graph) == [['a', 'b', 'c']]
    tree_edges = _imports_of_source('def f():\n    from ansible_collections.appnet.skupper.plugins.module_utils import backend\n')
    assert tree_edges == {'plugins.module_utils.backend'}


def _imports_of_source(text):
    import tempfile
    with tempfile.NamedTemporaryFile('w', suffix='.py', delete=False) as handle:
        handle.write(text)
    try:
        return _imports(handle.name, _modules())
    finally:
        os.unlink(handle.name)


# system/ packages and the ones each may import: store/ is lowest, system/backend.py on top.
SYSTEM_LAYERS = {
    'store': set(),
    'render': {'store'},
    'tokens': {'store'},
    'service': {'store', 'render'},
    # The backend reads a site's status from its router (Backend.network_info): service/router_status.py.
    'backend': {'store', 'render', 'service'},
    'lifecycle': {'store', 'render', 'service', 'tokens', 'backend'},
    'link_issuing': {'store', 'render'},
}


def _system_package(name):
    parts = name.split('.')
    return parts[3] if len(parts) > 3 and parts[:3] == ['plugins', 'module_utils', 'system'] else None


def test_the_system_packages_import_only_the_ones_below_them():
    found = set()
    for name, imported in import_graph().items():
        mine = _system_package(name)
        for other in imported:
            theirs = _system_package(other)
            if mine and theirs and theirs != mine and theirs not in SYSTEM_LAYERS[mine]:
                found.add('%s -> %s' % (name, other))
    assert sorted(found) == []


def test_the_kubernetes_side_does_not_import_the_runner():
    graph = import_graph()
    assert 'plugins.module_utils.runner' not in graph['plugins.module_utils.k8s.tokens']


# What a module file (plugins/modules/*.py) may import of module_utils: the entry points. A module is documentation,
# an argument spec and a short main that calls one of them; the work and its decisions live behind it.
MODULE_ENTRY_POINTS = {
    'plugins.module_utils.args_common',     # the argument specs shared by modules
    'plugins.module_utils.module_input',    # SkupperModule, the AnsibleModule of the modules
    'plugins.module_utils.platforms',       # the platform names and defaults of an argument spec
    'plugins.module_utils.runner',          # the resource modules, and the backend of a platform
    'plugins.module_utils.backend',         # BackendError, the failure a module reports
    'plugins.module_utils.status',          # network_info: not_ready
    'plugins.module_utils.network_check',   # network_info: the wait and the traffic
    'plugins.module_utils.k8s.auth',        # protect_kubeconfig, before anything else runs
    'plugins.module_utils.k8s.manifest',    # manifest: run_manifest_module
    'plugins.module_utils.k8s.link_generate',  # static_link on Kubernetes: run_link_generate_module
    'plugins.module_utils.system.lifecycle',     # system: run_system_module
    'plugins.module_utils.system.link_issuing',  # static_link: run_static_link_module
    'plugins.module_utils.support_bundle.run',   # support_bundle: run_support_bundle_module
}


def module_imports(graph):
    """{module file: the files of module_utils it imports that are not entry points}."""
    found = {}
    for name, imported in graph.items():
        if name.startswith('plugins.modules.'):
            extra = sorted(other for other in imported
                           if other.startswith('plugins.module_utils.') and other not in MODULE_ENTRY_POINTS)
            if extra:
                found[name] = extra
    return found


def test_a_module_imports_only_entry_points_of_module_utils():
    assert module_imports(import_graph()) == {}


def test_the_entry_point_check_finds_a_module_that_reaches_behind_them():
    graph = {'plugins.modules.site': {'plugins.module_utils.runner'},
             'plugins.modules.static_link': {'plugins.module_utils.args_common',
                                             'plugins.module_utils.system.store.files'},
             'plugins.module_utils.runner': {'plugins.module_utils.model'}}
    assert module_imports(graph) == {'plugins.modules.static_link': ['plugins.module_utils.system.store.files']}


def test_every_entry_point_is_a_file_a_module_imports():
    """The list holds no file that no module needs (it would allow more than the modules use)."""
    used = set()
    for name, imported in import_graph().items():
        if name.startswith('plugins.modules.'):
            used.update(imported)
    assert sorted(MODULE_ENTRY_POINTS - used) == []
