#!/usr/bin/env python
"""Pre-seed ansible-test's pip bootstrap cache so `ansible-test sanity --local/--venv` works offline.

ansible-test creates a virtual environment per sanity test and bootstraps pip in it by running
`get-pip-<version>.py`, which it downloads from a host that is not reachable from every machine
(not from this project's CI). It first looks for `~/.ansible/test/cache/get_pip_<version>.py`; this
script writes a small replacement there that:

1. runs `ensurepip.bootstrap()` (the pip wheel bundled with Python, no network);
2. removes `PIP_CONFIG_FILE` from the environment: ensurepip sets it to /dev/null, which hides the
   machine's pip configuration (index, find-links, certificate settings) from the next pip call;
3. runs `python -m pip install <the packages ansible-test asked for>` (e.g. `pip==24.2`) with the
   machine's own pip configuration.

Usage: hacking/bootstrap_ansible_test.py [--python PYTHON]
PYTHON is the interpreter that has ansible-core installed (default: this one); the pip version comes
from its ansible_test, so the cache always matches the installed ansible-core. Idempotent.
"""

import argparse
import os
import subprocess
import sys

FALLBACK_PIP_VERSION = '24.2'

GET_PIP = '''\
"""get-pip replacement written by appnet.skupper hacking/bootstrap_ansible_test.py (no download)."""
import ensurepip
import os
import subprocess
import sys

PIP_VERSION = %(version)r

# ansible-test runs this as `get-pip.py <pip options> <packages> [--no-setuptools] [--no-wheel]`.
ARGS = [a for a in sys.argv[1:] if a not in ('--no-setuptools', '--no-wheel')]
if not any(not a.startswith('-') for a in ARGS):
    ARGS.append('pip==' + PIP_VERSION)

ensurepip.bootstrap(upgrade=True)
# ensurepip sets PIP_CONFIG_FILE=/dev/null for its own pip run and leaves it set: drop it so the
# machine's pip configuration (index, find-links, certificates) applies to the install below.
os.environ.pop('PIP_CONFIG_FILE', None)
sys.exit(subprocess.call([sys.executable, '-m', 'pip', 'install'] + ARGS))
'''


def pip_version(python):
    """The pip version the given interpreter's ansible-test bootstraps in its virtual environments."""
    code = ('import sys\n'
            'from ansible_test._internal.python_requirements import get_venv_packages\n'
            'class P: version = "%d.%d" % sys.version_info[:2]\n'
            'print(get_venv_packages(P())["pip"])\n')
    result = subprocess.run([python, '-c', code], capture_output=True, text=True, check=False)
    version = result.stdout.strip()
    return version or FALLBACK_PIP_VERSION


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--python', default=sys.executable, help='interpreter with ansible-core installed')
    args = parser.parse_args()

    version = pip_version(args.python)
    cache = os.path.expanduser('~/.ansible/test/cache')
    path = os.path.join(cache, 'get_pip_%s.py' % version.replace('.', '_'))
    text = GET_PIP % {'version': version}
    try:
        with open(path) as handle:
            if handle.read() == text:
                return 0
    except OSError:
        pass
    os.makedirs(cache, exist_ok=True)
    with open(path + '.tmp', 'w') as handle:
        handle.write(text)
    os.replace(path + '.tmp', path)
    print('wrote %s (pip %s via ensurepip)' % (path, version))
    return 0


if __name__ == '__main__':
    sys.exit(main())
