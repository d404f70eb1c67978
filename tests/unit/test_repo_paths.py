"""No file of the repository names a folder of a development machine.

Every tracked file (`git ls-files`) is read: an absolute path into the machine's work folder, root's home, a
user's home (Linux or macOS) or the target of a tracked symbolic link there means a file that only works, or
only makes sense, on the machine it was written on. Paths relative to the checkout (`../shared/reference`) and
to the user's home (`~/.cache/...`) are fine, and so are the homes of the example users and of the router
image, which are no machine's.
"""

import os
import re
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# The character classes keep these patterns from matching their own source. A path starts the word: not a
# relative folder of the same name, `$ROOTFS/root` or a path in a home (`~/...`).
START = r'(?<![\w.~$}/-])'
MACHINE_FOLDER = re.compile(START + r'/(?:wor[k]|roo[t])(?![\w.-])')
HOME = re.compile(START + r'/(?:hom[e]|User[s])/([\w.-]+)')
# Homes that are no development machine's: the users of examples and golden files, and the router image's
# own (docs/containers.md, hacking/build_router_image.sh).
EXAMPLE_HOMES = {'alice', 'bob', 'a', 'skrouterd', 'runner'}


def tracked_files():
    try:
        listing = subprocess.run(['git', 'ls-files', '-z'], cwd=ROOT, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip('not a git checkout, or no git: %s' % exc)
    return [name for name in listing.decode('utf-8').split('\0') if name]


def machine_paths(text):
    """The development machine's paths named in a text."""
    found = [match.group(0) for match in MACHINE_FOLDER.finditer(text)]
    found += [match.group(0) for match in HOME.finditer(text) if match.group(1) not in EXAMPLE_HOMES]
    return found


def test_no_file_names_a_path_of_a_development_machine():
    offenders = []
    for name in tracked_files():
        path = os.path.join(ROOT, name)
        if os.path.islink(path):
            text = os.readlink(path)
        elif os.path.isfile(path):
            with open(path, 'rb') as handle:
                data = handle.read()
            if b'\0' in data:  # a binary file
                continue
            text = data.decode('utf-8', errors='replace')
        else:  # deleted in the work tree, not yet in the index
            continue
        for number, line in enumerate(text.splitlines(), 1):
            for found in machine_paths(line):
                offenders.append('%s:%d: %s' % (name, number, found))
    assert not offenders, 'paths of a development machine:\n' + '\n'.join(offenders)


@pytest.mark.parametrize('text, found', [
    ('see /%s/notes/x.md' % 'work', ['/%s' % 'work']),
    ('candidate="/%s/shared/reference"' % 'work', ['/%s' % 'work']),
    ('HOME=/%s' % 'root', ['/%s' % 'root']),
    ('(/%s/.pyenv/versions)' % 'root', ['/%s' % 'root']),
    ('/home/%s/src/skupper' % 'dev', ['/home/%s' % 'dev']),
    ('/Users/%s/src' % 'dev', ['/Users/%s' % 'dev']),
    ('~/.cache/appnet-skupper and ../shared/reference', []),
    ('tests/%s/x, $ROOTFS/root/.profile, /workspace, /rootfs' % 'work', []),
    ('/home/alice/.local/share/skupper and /home/skrouterd/bin/launch.sh', []),
])
def test_what_counts_as_a_machine_path(text, found):
    assert machine_paths(text) == found
