# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One run at a time per system site: every module that writes a site (system, the resource modules,
static_link, access_token) holds an exclusive lock on the namespace home for the whole run, render and
restart included; a check-mode run holds a shared one (it reads a whole site, never half of a write).

The lock is flock(2) on the namespace home directory itself: no lock file is ever created, so nothing is
left behind (a check-mode run of a site that does not exist locks nothing and creates nothing). A run
that cannot get the lock within the timeout fails naming the holder: its pid and module, read from
/proc/locks and the holder's command line.

Renders that choose ports take turns on the whole data home (data_home_lock), so that two namespaces rendered
at once never take the same free port.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import errno
import fcntl
import os
import re
import time

from ansible_collections.appnet.skupper.plugins.module_utils.system.store import files

# Seconds a run waits for another run of the same site (a restart waits up to ready_timeout, a stop 15 s).
DEFAULT_TIMEOUT = 300
# Overrides DEFAULT_TIMEOUT (seconds); the tests use it to see a run give up quickly.
TIMEOUT_VARIABLE = 'APPNET_SKUPPER_LOCK_TIMEOUT'
POLL = 0.1


class SiteLocked(Exception):
    """Another run holds the site; the message names it."""


def lock_timeout():
    try:
        return float(os.environ.get(TIMEOUT_VARIABLE, DEFAULT_TIMEOUT))
    except ValueError:
        return float(DEFAULT_TIMEOUT)


def _module_of(pid):
    """What a pid runs, for a message: the Ansible module (AnsiballZ_<module>.py) or its command."""
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as handle:
            argv = [part.decode('utf-8', 'replace') for part in handle.read().split(b'\0') if part]
    except (IOError, OSError):
        return None
    for part in argv:
        found = re.search(r'AnsiballZ_([A-Za-z0-9_]+)\.py|appnet\.skupper\.plugins\.modules\.([A-Za-z0-9_]+)', part)
        if found:
            return 'appnet.skupper.%s' % (found.group(1) or found.group(2))
    return ' '.join(argv)[:120] or None


def holders(path):
    """[(pid, what it runs)] of the processes holding a flock on path (from /proc/locks)."""
    try:
        inode = os.stat(path).st_ino
        with open('/proc/locks') as handle:
            lines = handle.read().splitlines()
    except (IOError, OSError):
        return []
    found = []
    for line in lines:
        fields = line.split()
        # "1: FLOCK  ADVISORY  WRITE 1234 00:2e:5678 0 EOF"; blocked waiters are "1: -> FLOCK ..."
        if len(fields) < 6 or fields[1] != 'FLOCK':
            continue
        try:
            pid, lock_inode = int(fields[4]), int(fields[5].rsplit(':', 1)[1])
        except (ValueError, IndexError):
            continue
        if lock_inode == inode and pid != os.getpid() and pid not in [p for p, _w in found]:
            found.append((pid, _module_of(pid)))
    return found


def _describe(path):
    found = holders(path)
    if not found:
        return 'another run'
    return ', '.join('pid %d (%s)' % (pid, what or 'unknown') for pid, what in found)


@contextlib.contextmanager
def site_lock(home, check_mode=False, timeout=None, create=True):
    """Hold the lock of a namespace home for the with block.

    A real run creates the home when it is missing (it is about to write it; not with create=False, as
    for a stop) and locks it exclusively; a check-mode run locks an existing home shared and a missing one
    not at all. SiteLocked after timeout seconds (default lock_timeout()).
    """
    timeout = lock_timeout() if timeout is None else timeout
    if not os.path.isdir(home):
        if check_mode or not create:
            yield
            return
        os.makedirs(home, 0o755)
    mode = fcntl.LOCK_SH if check_mode else fcntl.LOCK_EX
    deadline = time.time() + timeout
    while True:
        fd = os.open(home, os.O_RDONLY | getattr(os, 'O_DIRECTORY', 0))
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
        except (IOError, OSError) as exc:
            os.close(fd)
            if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise
            if time.time() >= deadline:
                raise SiteLocked('the site at %s is in use by %s; waited %d s for it to finish (a second run '
                                 'of the same site waits; set %s to wait longer)'
                                 % (home, _describe(home), timeout, TIMEOUT_VARIABLE))
            time.sleep(POLL)
            continue
        # A home removed (absent with purge) and made again while this run waited is another directory.
        if not os.path.isdir(home) or os.stat(home).st_ino != os.fstat(fd).st_ino:
            os.close(fd)
            if not check_mode and not os.path.isdir(home):
                os.makedirs(home, 0o755)
            if check_mode and not os.path.isdir(home):
                yield
                return
            continue
        break
    try:
        yield
    finally:
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


@contextlib.contextmanager
def data_home_lock(home):
    """An exclusive lock on the data home of a namespace home: renders that choose ports take turns.

    Without it two namespaces rendered at once (Ansible forks) could both take the first free port. The
    lock is flock(2) on the namespaces directory itself, so no lock file is left behind (a dry run too).
    """
    namespaces = os.path.dirname(os.path.abspath(home))
    files.ensure_dir(namespaces, 0o755)
    fd = os.open(namespaces, os.O_RDONLY | getattr(os, 'O_DIRECTORY', 0))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
