# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Small file helpers: atomic writes with explicit modes."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
import tempfile


PRIVATE_DIRS = ('internal',)
# The modes of what a site writes: files anyone on the host may read, files with keys or credentials, folders.
PUBLIC_MODE = 0o644
PRIVATE_MODE = 0o600
DIR_MODE = 0o700


class WriteError(OSError):
    """A file or directory could not be written; the message names the path and what to do (a full disk)."""

    def __str__(self):
        return str(self.strerror)


def _write_error(path, exc):
    hint = {errno.ENOSPC: 'the file system is full: free space on it and run again',
            errno.EDQUOT: 'the disk quota is exhausted: free space and run again',
            errno.EROFS: 'the file system is read-only',
            errno.EACCES: 'permission denied: run as the user that owns the site (become)'}.get(exc.errno)
    return WriteError(exc.errno, 'cannot write %s: %s%s' % (path, exc.strerror or exc, '; %s' % hint if hint else ''))


def ensure_dir(path, mode=0o700):
    """Create path (and parents) with mode; an existing directory keeps its mode. A directory named internal
    (a site's records and router log) is 0700 whoever creates it, also when made as a parent."""
    if not os.path.isdir(path):
        created, parent = [], path
        while parent and not os.path.isdir(parent):
            created.append(parent)
            parent = os.path.dirname(parent)
        try:
            os.makedirs(path, mode)
            os.chmod(path, mode)
        except OSError as exc:
            if isinstance(exc, WriteError):
                raise
            raise _write_error(path, exc)
        for directory in created:
            if os.path.basename(directory) in PRIVATE_DIRS:
                os.chmod(directory, 0o700)


def read_bytes(path):
    try:
        with open(path, 'rb') as handle:
            return handle.read()
    except (IOError, OSError):
        return None


def read_files(directory, names):
    """{file name: bytes} of the named files present in directory."""
    found = {}
    for name in names:
        data = read_bytes(os.path.join(directory, name))
        if data is not None:
            found[name] = data
    return found


def write_atomic(path, content, mode=PUBLIC_MODE):
    """Write content (bytes or text) to path through a temporary file and a rename.

    Returns True when the file changed (new, other bytes or other mode).
    """
    data = content.encode('utf-8') if not isinstance(content, bytes) else content
    if read_bytes(path) == data and (os.stat(path).st_mode & 0o777) == mode:
        return False
    directory = os.path.dirname(path)
    ensure_dir(directory)
    try:
        handle, temp = tempfile.mkstemp(dir=directory, prefix='.' + os.path.basename(path) + '.')
    except OSError as exc:
        raise _write_error(path, exc)
    try:
        with os.fdopen(handle, 'wb') as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, mode)
        os.rename(temp, path)
    except BaseException as exc:
        if os.path.exists(temp):
            os.unlink(temp)
        if isinstance(exc, OSError) and not isinstance(exc, WriteError):
            raise _write_error(path, exc)
        raise
    return True


def remove_file(path):
    """Remove path if it exists; True when something was removed."""
    try:
        os.unlink(path)
        return True
    except OSError:
        return False
