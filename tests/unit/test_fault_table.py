"""docs/faults.md against the fault tests, without running them (the figures are compared by the tests themselves:
tests/support/fault_figures.record).

A fault test module declares FAULTS = {fault id: test function name} (a literal). Every fault of every module has a row
in the table that names that module and function; every row names a fault some module declares; every test function
under tests/integration/faults/ is a fault of its module or listed in its NOT_FAULTS (tests of something else kept
there); every fault test records its figures (fault_figures.record in its module, or in the module of a function it
imports); no fault id is recorded that no module declares.
"""

import ast
import os

import pytest

from tests.support import fault_figures

ROOT = fault_figures.ROOT
TESTS = os.path.join(ROOT, 'tests')
FAULTS_DIR = os.path.join('tests', 'integration', 'faults')


def _modules():
    for top, dirs, names in os.walk(TESTS):
        dirs[:] = sorted(d for d in dirs if d not in ('output', '__pycache__'))
        for name in sorted(names):
            if name.endswith('.py'):
                path = os.path.join(top, name)
                with open(path) as handle:
                    yield os.path.relpath(path, ROOT), ast.parse(handle.read(), path)


def _literal(tree, name):
    for node in tree.body:
        if isinstance(node, ast.Assign) and [getattr(t, 'id', None) for t in node.targets] == [name]:
            return ast.literal_eval(node.value)
    return None


def _functions(tree):
    return set(node.name for node in tree.body if isinstance(node, ast.FunctionDef))


def _records(tree):
    """(whether the module calls fault_figures.record, the fault ids it records as string literals)."""
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
             and node.func.attr == 'record' and getattr(node.func.value, 'id', None) == 'fault_figures']
    literals = set(call.args[0].value for call in calls if call.args and isinstance(call.args[0], ast.Constant))
    return bool(calls), literals


def _imported_test_modules(tree):
    return set(node.module.replace('.', os.sep) + '.py' for node in tree.body
               if isinstance(node, ast.ImportFrom) and (node.module or '').startswith('tests.'))


@pytest.fixture(scope='module')
def declared():
    modules = dict(_modules())
    faults, problems = {}, []
    for path, tree in sorted(modules.items()):
        found = _literal(tree, 'FAULTS')
        if found is None:
            if path.startswith(FAULTS_DIR + os.sep) and os.path.basename(path).startswith('test_'):
                problems.append('%s declares no FAULTS' % path)
            continue
        records, _ids = _records(tree)
        records = records or any(_records(modules[other])[0] for other in _imported_test_modules(tree) if other in modules)
        for fault, function in sorted(found.items()):
            if fault in faults:
                problems.append('fault %s is declared twice: %s and %s' % (fault, faults[fault], path))
            if function not in _functions(tree):
                problems.append('%s: FAULTS names %s, which is not a test function of it' % (path, function))
            if not records:
                problems.append('%s: %s records no figures (fault_figures.record)' % (path, function))
            faults[fault] = '%s::%s' % (path, function)
        if path.startswith(FAULTS_DIR + os.sep):
            others = set(_literal(tree, 'NOT_FAULTS') or ())
            for function in sorted(_functions(tree)):
                if function.startswith('test_') and function not in found.values() and function not in others:
                    problems.append('%s: %s is neither a fault (FAULTS) nor in NOT_FAULTS' % (path, function))
    recorded = set()
    for path, tree in modules.items():
        if path != os.path.relpath(os.path.abspath(__file__), ROOT):  # (this file records faults of its own tables)
            recorded |= _records(tree)[1]
    problems += ['fault %s is recorded but no module declares it' % fault for fault in sorted(recorded - set(faults))]
    return faults, problems


def test_every_fault_test_declares_and_records_its_faults(declared):
    faults, problems = declared
    assert problems == []
    assert len(faults) >= 20  # the table is not empty by mistake (a scan that found nothing)


def test_every_fault_has_a_row_naming_its_test_and_every_row_a_declared_fault(declared):
    faults, _problems = declared
    rows = fault_figures.table_rows()
    assert sorted(set(faults) - set(rows)) == [], 'faults without a row in docs/faults.md'
    assert sorted(set(rows) - set(faults)) == [], 'rows of docs/faults.md that no test declares (FAULTS)'
    assert [(fault, rows[fault]['test']) for fault in sorted(faults) if rows[fault]['test'] != faults[fault]] == []


def test_the_table_parser_refuses_a_broken_row():
    good = '| `a-fault` | what | `tests/x.py::test_y` | 3 | 0 | 0 | - |\n'
    assert fault_figures.table_rows(good)['a-fault'] == {
        'fault': 'what', 'test': 'tests/x.py::test_y', 'rounds': 3, 'updates_lost': 0, 'duplicates': 0,
        'corrupted': None}
    with pytest.raises(ValueError, match='has 6 cells'):
        fault_figures.table_rows('| `a-fault` | what | `tests/x.py::test_y` | 3 | 0 | 0 |\n')
    with pytest.raises(ValueError, match='two rows'):
        fault_figures.table_rows(good + good)
    with pytest.raises(ValueError):
        fault_figures.table_rows(good.replace('| 3 |', '| three |'))


def test_record_fails_when_the_table_says_otherwise(tmp_path, monkeypatch):
    table = tmp_path / 'faults.md'
    table.write_text('| `a-fault` | what | `tests/x.py::test_y` | 3 | 0 | 0 | - |\n')
    monkeypatch.setattr(fault_figures, 'TABLE', str(table))
    monkeypatch.setattr(fault_figures, 'RESULTS', str(tmp_path / 'results'))
    monkeypatch.delenv(fault_figures.ROUNDS_VARIABLE, raising=False)
    fault_figures.record('a-fault', rounds=3, updates_lost=0, duplicates=0, corrupted=None)
    assert (tmp_path / 'results' / 'a-fault.json').exists()
    with pytest.raises(AssertionError, match='the test saw'):
        fault_figures.record('a-fault', rounds=3, updates_lost=1, duplicates=0, corrupted=None)
    with pytest.raises(AssertionError, match='no row'):
        fault_figures.record('another-fault', rounds=1, updates_lost=0, duplicates=0, corrupted=0)
    monkeypatch.setenv(fault_figures.ROUNDS_VARIABLE, '7')
    fault_figures.record('a-fault', rounds=7, updates_lost=0, duplicates=0, corrupted=None)
