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

from ansible_collections.appnet.skupper.plugins.module_utils.system.store import files, paths
from ansible_collections.appnet.skupper.plugins.module_utils.system.service.base import LOG_LINES, ServiceManager

STOP_SECONDS = 15

# Runs the router and restarts it when it fails, 1 s, 2 s, ... 30 s apart (the first delay is an argument).
# A router that ran for HEALTHY s (an argument too) before it failed was healthy: its failure counts as the
# first in a row again and it is restarted after the first delay, however long the delays had grown before.
# After 5 failures in a row (each less than HEALTHY s after a start) it does not give up: it backs off (BACKOFF s
# between tries) and keeps trying, so a router that failed for a while (a port taken, a disk full) comes back
# by itself once the cause is gone. It writes what it is doing to the state file (JSON: state running,
# restarting or backing-off, failures in a row, last exit status, when the next start is due) for network_info
# and the system module. SIGTERM (or SIGINT) stops the router (SIGKILL 10 s later if it is still there) and then
# the supervisor. The handler only signals: Popen methods are not safe in a handler that interrupts child.wait()
# (they would wait for the lock wait() holds).
BACKOFF = 60
HEALTHY = 10
SUPERVISOR = r'''
import json, os, signal, subprocess, sys, time
child_pid_file, state_file, argv = sys.argv[1], sys.argv[2], sys.argv[5:]
first_delay, healthy = float(sys.argv[3]), float(sys.argv[4])
BACKOFF = %d
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
def record(**state):
    temp = state_file + '.tmp'
    with open(temp, 'w') as handle:
        json.dump(dict(state, supervisor_pid=os.getpid(), time=time.time()), handle)
    os.rename(temp, state_file)
signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)
signal.signal(signal.SIGALRM, force)
delay, failures, code = first_delay, 0, None
while True:
    started = time.time()
    running = True
    child = subprocess.Popen(argv)
    with open(child_pid_file, 'w') as handle:
        handle.write('%%d\n' %% child.pid)
    record(state='running', failures=failures, last_exit=code, router_pid=child.pid)
    code = child.wait()
    running = False
    if stopping or code == 0:
        sys.exit(0)
    if time.time() - started >= healthy:
        delay, failures = first_delay, 0
    failures += 1
    if failures >= 5:
        wait, state = max(delay, BACKOFF * first_delay), 'backing-off'
        sys.stderr.write('supervisor: router exited with %%d, %%d quick failures in a row; backing off, next start '
                         'in %%g s\n' %% (code, failures, wait))
    else:
        wait, state = delay, 'restarting'
        sys.stderr.write('supervisor: router exited with %%d; restarting in %%g s\n' %% (code, wait))
    sys.stderr.flush()
    record(state=state, failures=failures, last_exit=code, next_start=time.time() + wait)
    time.sleep(wait)
    delay = min(delay * 2, 30 * first_delay)
''' % BACKOFF


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


def router_processes(config):
    """Pids of every live process with config as an argument of its command line: the routers of a site and
    their supervisors, whether a pid file tracks them or not (a run killed before it wrote one)."""
    wanted = config.encode()
    found = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        cmdline = files.read_bytes('/proc/%s/cmdline' % entry)
        if cmdline and wanted in cmdline.split(b'\0') and _alive(int(entry)):
            found.append(int(entry))
    return sorted(found)


def stop_router_processes(config, check_mode=False):
    """Stop every process router_processes finds (supervisors first, so that none restarts its router);
    the pids found."""
    found = router_processes(config)
    if check_mode or not found:
        return found
    supervisors = [pid for pid in found if b'supervisor' in (files.read_bytes('/proc/%d/cmdline' % pid) or b'')]
    for group in (supervisors, [pid for pid in found if pid not in supervisors]):
        for pid in group:
            try:
                os.kill(pid, signal.SIGTERM)
            except OSError:
                pass
        deadline = time.time() + STOP_SECONDS
        while time.time() < deadline and any(_alive(pid) for pid in group):
            for pid in group:
                _reap(pid)
            time.sleep(0.1)
        for pid in group:
            if _alive(pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
                _reap(pid)
    return found


class ProcessService(ServiceManager):
    """The router as a supervised background process with pid files and a log file."""

    name = 'process'
    # Seconds before the first restart of a failed router (doubling up to 30 times this; BACKOFF times this
    # after 5 quick failures).
    restart_delay = 1
    # Seconds a router runs before its failure counts as the first in a row again (restarted after restart_delay).
    healthy_seconds = HEALTHY

    @property
    def pid_file(self):
        return paths.internal_dir(self.home, 'router', 'skrouterd.pid')

    @property
    def child_pid_file(self):
        return paths.internal_dir(self.home, 'router', 'skrouterd.child.pid')

    @property
    def state_file(self):
        return paths.internal_dir(self.home, 'router', 'skrouterd.state')

    def supervisor_state(self):
        """What the supervisor last wrote (state running, restarting or backing-off, failures in a row, last exit
        status, next start), with the log tail when the router is not running; None without a supervisor."""
        if self._supervisor() is None:
            return None
        try:
            state = json.loads((files.read_bytes(self.state_file) or b'{}').decode('utf-8'))
        except ValueError:
            state = {}
        if state.get('state') in ('restarting', 'backing-off'):
            state['log_tail'] = self.log_tail()
        return state or None

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
        state = self.supervisor_state() or {}
        if state.get('state') in ('restarting', 'backing-off'):
            return 'the router keeps failing (%s failures in a row, last exit status %s; its supervisor is %s)' % (
                state.get('failures'), state.get('last_exit'), state['state'])
        return None

    def start(self):
        process = self.spawn()
        try:
            self.wait_ready(self._still_running(process))
        except Exception:
            self.stop()
            raise

    def spawn(self):
        """Start the supervisor (and so the router) without waiting for the router; its Popen."""
        self._stop_orphan()
        # A router of this site that no pid file tracks would hold the ports ("Address already in use").
        stop_router_processes(self.config)
        env = dict(os.environ, SKUPPER_SITE_ID=self.site_id or '')
        files.ensure_dir(os.path.dirname(self.log_file))
        files.remove_file(self.child_pid_file)
        try:
            self._log_offset = os.path.getsize(self.log_file)
        except OSError:
            self._log_offset = 0
        # The log holds what the router says about its peers and addresses: not for every user of the host.
        log_fd = os.open(self.log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.fchmod(log_fd, 0o600)
        with os.fdopen(log_fd, 'ab') as log:
            process = subprocess.Popen([sys.executable, '-c', SUPERVISOR, self.child_pid_file, self.state_file,
                                        str(self.restart_delay), str(self.healthy_seconds)] + self.argv(),
                                       stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env,
                                       start_new_session=True, close_fds=True, cwd=self.home)
        files.write_atomic(self.pid_file, '%d\n' % process.pid, 0o600)
        return process

    def _still_running(self, process):
        """still_running() for wait_ready: the router the supervisor started first must keep running."""
        first = {}

        def check():
            if process.poll() is not None:
                return 'the router exited and so did its supervisor (exit status %s)' % process.returncode
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

    def fresh_log(self):
        data = files.read_bytes(self.log_file) or b''
        return data[getattr(self, '_log_offset', 0):].decode('utf-8', 'replace')

    def stop(self):
        pid = _read_pid(self.pid_file)
        if self._is_ours(pid):
            try:
                os.killpg(pid, signal.SIGTERM)
            except OSError:
                pass
            self._wait_gone(pid, lambda: os.killpg(pid, signal.SIGKILL))
        self._stop_orphan()
        stop_router_processes(self.config)
        files.remove_file(self.pid_file)
        files.remove_file(self.state_file)

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
        described = dict(self.record(), active=self.is_active())
        state = self.supervisor_state()
        if state:
            described['supervisor'] = state
        return described


def supervisor_summary(home):
    """One sentence on the supervisor of a process-managed site whose router does not answer (for network_info):
    whether it keeps trying (restarting, backing off) or is gone, with the log tail; None without a record."""
    service = ProcessService(None, home)
    if not os.path.exists(service.pid_file) and not os.path.exists(service.state_file):
        return None
    state = service.supervisor_state()
    if state is None:
        return 'its supervisor is not running (the router was stopped, or failed for good); log tail:\n%s' % (
            service.log_tail())
    if state.get('state') == 'running':
        return 'its supervisor started it again (pid %s) after %s failures in a row' % (
            state.get('router_pid'), state.get('failures'))
    return 'its supervisor is %s after %s failures in a row (last exit status %s) and keeps trying, next start in ' \
           '%d s; log tail:\n%s' % (state['state'], state.get('failures'), state.get('last_exit'),
                                    max(0, int(state.get('next_start', 0) - time.time())), state.get('log_tail', ''))
