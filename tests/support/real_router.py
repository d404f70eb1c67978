"""Where the real Skupper router (skrouterd, skmanage) is, for the tests that run it; one lookup for all of them.

`make test` builds (or reuses) the router from source (hacking/build_router.sh) and exports SKUPPER_ROUTER_BIN
(skrouterd) and SKUPPER_SKMANAGE_BIN (skmanage, beside it). Without them, skrouterd and skmanage on PATH are used.
The stand-ins under tests/support/bin are never taken for the real router.

A test that needs the real router calls require(): it skips, with the reason, when the router is missing, and
fails instead under CI=true (the CI machine builds the router, so a missing one is an error there).
"""

import os
import re
import shutil
import subprocess

import pytest

SUPPORT_BIN = os.sep + os.path.join('tests', 'support', 'bin') + os.sep
ERROR_LINE = re.compile(r'\(error\)')


def _real(path):
    return bool(path) and os.access(path, os.X_OK) and SUPPORT_BIN not in os.path.abspath(path)


def tool(name, variable):
    """The path of a real router tool: the variable, else beside SKUPPER_ROUTER_BIN, else on PATH; or None."""
    candidates = [os.environ.get(variable)]
    router = os.environ.get('SKUPPER_ROUTER_BIN')
    if router and name != 'skrouterd':
        candidates.append(os.path.join(os.path.dirname(router), name))
    candidates.append(shutil.which(name))
    return next((path for path in candidates if _real(path)), None)


def skrouterd():
    return tool('skrouterd', 'SKUPPER_ROUTER_BIN')


def skmanage():
    return tool('skmanage', 'SKUPPER_SKMANAGE_BIN')


def missing_reason():
    """None when both skrouterd and skmanage are there, else why not."""
    router, manage = skrouterd(), skmanage()
    if router and manage:
        return None
    return ('needs the real Skupper router: run `make router` and set SKUPPER_ROUTER_BIN to its skrouterd (`make test` '
            'does both), with skmanage beside it or on PATH (found skrouterd=%s, skmanage=%s)' % (router, manage))


def in_ci():
    return os.environ.get('CI', '').lower() in ('1', 'true', 'yes')


def require():
    """(skrouterd, skmanage) of the real router; skip (fail under CI=true) when it is missing."""
    reason = missing_reason()
    if reason:
        if in_ci():
            pytest.fail('CI=true: ' + reason, pytrace=False)
        pytest.skip(reason)
    return skrouterd(), skmanage()


def version(router):
    """`skrouterd --version` of router."""
    return subprocess.run([router, '--version'], capture_output=True, text=True, check=False).stdout.strip()


def error_lines(lines, expected=()):
    """The `(error)` lines of a router log (its lines) that match none of the regular expressions in expected."""
    return [line.rstrip('\n') for line in lines
            if ERROR_LINE.search(line) and not any(re.search(pattern, line) for pattern in expected)]
