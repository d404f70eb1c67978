"""The figures of the fault tests, and docs/faults.md kept true to them.

Every fault test names its faults in a module-level literal FAULTS = {fault id: test function name} and, once the
fault was survived, calls record(fault id, rounds=..., updates_lost=..., duplicates=..., corrupted=...) with what it
observed. record() writes the figures to .build/test-results/faults/<fault id>.json and fails the test when
docs/faults.md's row of that fault says otherwise (or there is no row): the table cannot drift from what the tests
see. tests/unit/test_fault_table.py checks the other direction without running anything: every fault of every test
module has a row, every row names a fault test that exists and records its figures.
"""

import json
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TABLE = os.path.join(ROOT, 'docs', 'faults.md')
RESULTS = os.path.join(ROOT, '.build', 'test-results', 'faults')
# The figure columns of the table, in order, after the fault id, the fault and the test.
FIGURES = ('rounds', 'updates_lost', 'duplicates', 'corrupted')
# The environment variable that changes the rounds of the repeated faults (the table gives the default's figures).
ROUNDS_VARIABLE = 'APPNET_FAULT_ROUNDS'
# A figure the test of that fault does not measure (what it checks instead is said in the fault's cell).
NOT_MEASURED = '-'
ROW = re.compile(r'^\|\s*`(?P<fault>[a-z0-9-]+)`\s*\|(?P<rest>.*)\|\s*$')


def table_rows(text=None):
    """{fault id: {'fault': what, 'test': 'tests/...py::test_name', figure: int, ...}} of docs/faults.md."""
    if text is None:
        with open(TABLE) as handle:
            text = handle.read()
    rows = {}
    for line in text.splitlines():
        match = ROW.match(line.strip())
        if not match:
            continue
        cells = [cell.strip() for cell in match.group('rest').split('|')]
        if len(cells) != 2 + len(FIGURES):
            raise ValueError('docs/faults.md: the row of %s has %d cells, not %d'
                             % (match.group('fault'), len(cells) + 1, 3 + len(FIGURES)))
        if match.group('fault') in rows:
            raise ValueError('docs/faults.md: two rows of %s' % match.group('fault'))
        row = {'fault': cells[0], 'test': cells[1].strip('`')}
        for name, cell in zip(FIGURES, cells[2:]):
            row[name] = None if cell == NOT_MEASURED else int(cell)
        rows[match.group('fault')] = row
    return rows


def record(fault, rounds, updates_lost, duplicates, corrupted):
    """Write the figures a fault test observed (None: not measured), and fail (AssertionError) when docs/faults.md
    says otherwise."""
    figures = {'rounds': rounds, 'updates_lost': updates_lost, 'duplicates': duplicates, 'corrupted': corrupted}
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, fault + '.json'), 'w') as handle:
        json.dump(dict(figures, fault=fault, test=os.environ.get('PYTEST_CURRENT_TEST', '').split(' ')[0]), handle,
                  indent=1, sort_keys=True)
    rows = table_rows()
    assert fault in rows, 'docs/faults.md has no row of the fault %s (figures %s)' % (fault, figures)
    documented = dict((name, rows[fault][name]) for name in FIGURES)
    if os.environ.get(ROUNDS_VARIABLE):
        documented['rounds'] = figures['rounds']  # other rounds than the table's, asked for
    assert documented == figures, 'docs/faults.md says %s of %s, the test saw %s' % (documented, fault, figures)
