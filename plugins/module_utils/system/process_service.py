# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The router of a system site as a supervised background process (hosts and containers without systemd).

Files, under internal/router/: skrouterd.pid (the supervisor), skrouterd.child.pid (the router it
runs), skrouterd.log (both their outputs).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import signal
import subprocess
import sys
import time

from ansible_collections.appnet.skupper.plugins.module_utils.system import files, paths
from ansible_collections.appnet.skupper.plugins.module_utils.system.service_base import LOG_LINES, ServiceManager

STOP_SECONDS = 15

# Runs the router, restarts it when it fails (1 s, 2 s, ... 30 s apart), gives up after 5 failures that
# each came less than 10 s after a start. SIGTERM (or SIGINT) stops the router (SIGKILL 10 s later if it is
# still there) and then the supervisor. The handler only signals: Popen methods are not safe in a handler
# that interrupts child.wait() (they would wait for the lock wait() holds).
SUPERVISOR = r'''
import os, signal, subprocess, sys, time
child_pid_file, argv = sys.argv[1], sys.argv[2:]
child, running, stopping = None, False, False
def stop(signum, frame):
    global stopping
    stopping = True
    if not running:
        sys.exit(0)
    try:
        os.kill(child.pid, signal.SIGTERM)
    except OSError:
        pass
    signal.alarm(10)
def force(signum, frame):
    try:
        os.kill(child.pid, signal.SIGKILL)
    except OSError:
        pass
signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)
signal.signal(signal.SIGALRM, force)
delay, quick_failures = 1, 0
while True:
    started = time.time()
    running = True
    child = subprocess.Popen(argv)
    with open(child_pid_file, 'w') as handle:
        handle.write('%d\n' % child.pid)
    code = child.wait()
    running = False
    if stopping or code == 0:
        sys.exit(0)
    quick_failures = quick_failures + 1 if time.time() - started < 10 else 1
    sys.stderr.write('supervisor: router exited with %d; restarting in %d s\n' % (code, delay))
    sys.stderr.flush()
    if quick_failures >= 5:
        sys.stderr.write('supervisor: router failed 5 times in a row; giving up\n')
        sys.exit(code)
    time.sleep(delay)
    delay = min(delay * 2, 30)
'''


def _read_pid(path):
    data = files.read_bytes(path)
    try:
        return int(data.decode().strip()) if data else None
    except ValueError:
        return None


def _alive(pid):
    """True for a process that exists and is not a zombie."""
    status = files.read_bytes('/proc/%d/stat' % pid) if pid else None
    return bool(status) and status.split(b')')[-1].split()[0:1] != [b'Z']


def _reap(pid):
    try:
        os.waitpid(pid, os.WNOHANG)
    except OSError:
        pass


class ProcessService(ServiceManager):
    """The router as a supervised background process with pid files and a log file."""

    name = 'process'

    @property
    def pid_file(self):
        return paths.internal_dir(self.home, 'router', 'skrouterd.pid')

    @property
    def child_pid_file(self):
        return paths.internal_dir(self.home, 'router', 'skrouterd.child.pid')

    @property
    def log_file(self):
        return paths.internal_dir(self.home, 'router', 'skrouterd.log')

    def argv(self):
        return [self.router, '-c', self.config]

    def spec(self):
        return json.dumps({'argv': self.argv(), 'env': {'SKUPPER_SITE_ID': self.site_id or ''}}, sort_keys=True)

    def _is_ours(self, pid):
        """pid runs with this site's router configuration (the supervisor or the router itself)."""
        cmdline = files.read_bytes('/proc/%d/cmdline' % pid) if pid else None
        return bool(cmdline) and self.config.encode() in cmdline.split(b'\0') and _alive(pid)

    def _supervisor(self):
        pid = _read_pid(self.pid_file)
        return pid if self._is_ours(pid) else None

    def _orphan(self):
        """The pid of a router whose supervisor is gone (killed with SIGKILL, say), or None."""
        if self._supervisor() is not None:
            return None
        pid = _read_pid(self.child_pid_file)
        return pid if self._is_ours(pid) else None

    def is_active(self):
        return self._supervisor() is not None or self._orphan() is not None

    def degraded(self):
        if self._orphan() is not None:
            return 'the router runs without its supervisor (pid %d in %s)' % (self._orphan(), self.child_pid_file)
        return None

    def start(self):
        self._stop_orphan()
        env = dict(os.environ, SKUPPER_SITE_ID=self.site_id or '')
        files.ensure_dir(os.path.dirname(self.log_file))
        files.remove_file(self.child_pid_file)
        with open(self.log_file, 'ab') as log:
            process = subprocess.Popen([sys.executable, '-c', SUPERVISOR, self.child_pid_file] + self.argv(),
                                       stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env,
                                       start_new_session=True, close_fds=True, cwd=self.home)
        files.write_atomic(self.pid_file, '%d\n' % process.pid, 0o600)
        try:
            self.wait_ready(self._still_running(process))
        except Exception:
            self.stop()
            raise

    def _still_running(self, process):
        """still_running() for wait_ready: the router the supervisor started first must keep running."""
        first = {}

        def check():
            if process.poll() is not None:
                return 'the router exited and its supervisor gave up (exit status %s)' % process.returncode
            child = _read_pid(self.child_pid_file)
            if child is None:
                return None
            first.setdefault('pid', child)
            if child != first['pid']:
                return 'the router exited and was restarted by its supervisor'
            if not _alive(child):
                return 'the router exited'
            return None
        return check

    def log_tail(self, lines=LOG_LINES):
        data = files.read_bytes(self.log_file) or b''
        return '\n'.join(data.decode('utf-8', 'replace').splitlines()[-lines:])

    def stop(self):
        pid = _read_pid(self.pid_file)
        if self._is_ours(pid):
            try:
                os.killpg(pid, signal.SIGTERM)
            except OSError:
                pass
            self._wait_gone(pid, lambda: os.killpg(pid, signal.SIGKILL))
        self._stop_orphan()
        files.remove_file(self.pid_file)

    def _stop_orphan(self):
        pid = _read_pid(self.child_pid_file)
        if self._supervisor() is None and self._is_ours(pid):
            try:
                os.kill(pid, signal.SIGTERM)
            except OSError:
                pass
            self._wait_gone(pid, lambda: os.kill(pid, signal.SIGKILL))

    def _wait_gone(self, pid, force):
        deadline = time.time() + STOP_SECONDS
        while time.time() < deadline and self._is_ours(pid):
            _reap(pid)
            time.sleep(0.1)
        if self._is_ours(pid):
            try:
                force()
            except OSError:
                pass
            _reap(pid)

    def record(self):
        return {'manager': self.name, 'pid_file': self.pid_file, 'child_pid_file': self.child_pid_file,
                'log_file': self.log_file}

    def describe(self):
        return dict(self.record(), active=self.is_active())
