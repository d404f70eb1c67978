# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Small file helpers: atomic writes with explicit modes."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import tempfile


def ensure_dir(path, mode=0o700):
    """Create path (and parents) with mode; an existing directory keeps its mode."""
    if not os.path.isdir(path):
        os.makedirs(path, mode)
        os.chmod(path, mode)


def read_bytes(path):
    try:
        with open(path, 'rb') as handle:
            return handle.read()
    except (IOError, OSError):
        return None


def write_atomic(path, content, mode=0o644):
    """Write content (bytes or text) to path through a temporary file and a rename.

    Returns True when the file changed (new, other bytes or other mode).
    """
    data = content.encode('utf-8') if not isinstance(content, bytes) else content
    if read_bytes(path) == data and (os.stat(path).st_mode & 0o777) == mode:
        return False
    directory = os.path.dirname(path)
    ensure_dir(directory)
    handle, temp = tempfile.mkstemp(dir=directory, prefix='.' + os.path.basename(path) + '.')
    try:
        with os.fdopen(handle, 'wb') as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, mode)
        os.rename(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise
    return True


def remove_file(path):
    """Remove path if it exists; True when something was removed."""
    try:
        os.unlink(path)
        return True
    except OSError:
        return False
