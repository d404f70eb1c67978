"""The layers of plugins/: no import cycle between the collection's Python files, the leaves (errors, the
backend interface, the platform registry, value checks) import nothing of the collection, the system/ packages
point one way, and each module file imports only its own entry point of module_utils (MODULE_IMPORTS).

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


# What each module file (plugins/modules/<name>.py) may import of module_utils: its one entry point (the function its
# main calls) and the argument specs it shares (args_common). A module is documentation, an argument spec and a short
# main; the work and its decisions live behind the entry point. A new module adds its line here.
RESOURCE_MODULE = {'plugins.module_utils.runner'}   # run_resource_module("<Kind>"): options, docs and all from the model
MODULE_IMPORTS = {
    'access_grant': RESOURCE_MODULE,
    'access_token': RESOURCE_MODULE,
    'attached_connector': RESOURCE_MODULE,
    'attached_connector_binding': RESOURCE_MODULE,
    'connector': RESOURCE_MODULE,
    'link': RESOURCE_MODULE,
    'listener': RESOURCE_MODULE,
    'router_access': RESOURCE_MODULE,
    'site': RESOURCE_MODULE,
    'resource': {'plugins.module_utils.args_common', 'plugins.module_utils.runner'},          # run_definition_module
    'network_info': {'plugins.module_utils.args_common', 'plugins.module_utils.network_check'},  # run_network_info_module
    'manifest': {'plugins.module_utils.args_common', 'plugins.module_utils.k8s.manifest'},    # run_manifest_module
    'system': {'plugins.module_utils.args_common', 'plugins.module_utils.system.lifecycle'},  # run_system_module
    'static_link': {'plugins.module_utils.args_common', 'plugins.module_utils.issue_link'},     # run_static_link_module
    'support_bundle': {'plugins.module_utils.args_common', 'plugins.module_utils.support_bundle.run'},
    # Their action plugins do the work on the controller; the module file is documentation and a refusal.
    'inventory_check': set(),
    'network_picture': set(),
}


def module_imports(graph):
    """{module file: the files of module_utils it imports that MODULE_IMPORTS does not allow it}; a module file
    missing from MODULE_IMPORTS is allowed nothing."""
    found = {}
    for name, imported in graph.items():
        if name.startswith('plugins.modules.'):
            allowed = MODULE_IMPORTS.get(name[len('plugins.modules.'):], set())
            extra = sorted(other for other in imported
                           if other.startswith('plugins.module_utils.') and other not in allowed)
            if extra:
                found[name] = extra
    return found


def _module_files():
    return sorted(name[len('plugins.modules.'):] for name in import_graph() if name.startswith('plugins.modules.'))


def test_every_module_file_says_what_it_may_import():
    assert sorted(MODULE_IMPORTS) == _module_files()


def test_a_module_imports_only_its_entry_point_of_module_utils():
    assert module_imports(import_graph()) == {}


def test_the_entry_point_check_finds_a_module_that_reaches_behind_it():
    graph = {'plugins.modules.site': {'plugins.module_utils.runner'},
             'plugins.modules.static_link': {'plugins.module_utils.args_common',
                                             'plugins.module_utils.system.store.files'},
             'plugins.modules.system': {'plugins.module_utils.args_common', 'plugins.module_utils.runner'},
             'plugins.modules.brand_new': {'plugins.module_utils.runner'},
             'plugins.module_utils.runner': {'plugins.module_utils.model'}}
    assert module_imports(graph) == {'plugins.modules.brand_new': ['plugins.module_utils.runner'],
                                     'plugins.modules.static_link': ['plugins.module_utils.system.store.files'],
                                     'plugins.modules.system': ['plugins.module_utils.runner']}


def test_every_allowed_import_is_one_the_module_makes():
    """The table allows no file that its module does not import (it would allow more than the module uses)."""
    graph = import_graph()
    unused = dict((name, sorted(allowed - graph['plugins.modules.' + name]))
                  for name, allowed in MODULE_IMPORTS.items() if allowed - graph.get('plugins.modules.' + name, set()))
    assert unused == {}
