# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every service manager of a system site shares: the interface, and the wait until the router is ready."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import re
import subprocess
import time

from ansible_collections.appnet.skupper.plugins.module_utils.system.service import readiness, router_queries
from ansible_collections.appnet.skupper.plugins.module_utils.system.store import paths

DEFAULT_READY_TIMEOUT = 60
LOG_LINES = 15


# What the router logs when an AMQP listener (a RouterAccess role, the management listener) cannot bind its port
# (qd_listener.c); a tcpListener's failure reads "Listener <name>: proactor listener error on ..." instead.
BIND_FAILURE = re.compile(r'Listener error on \S*?:(\d+): Address already in use')
BIND_CHECK_INTERVAL = 1.0


class ServiceError(Exception):
    """An expected failure of the service with a message for the user."""


class PortsInUse(ServiceError):
    """The router started but another program holds ports its RouterAccess roles bind (ports: the numbers)."""

    def __init__(self, message, ports):
        super(PortsInUse, self).__init__(message)
        self.ports = ports


def ports_in_use(log_text):
    """The ports of AMQP listeners that the router could not bind, by its log."""
    return sorted(set(int(port) for port in BIND_FAILURE.findall(log_text or '')))


def run_command(argv, timeout=120):
    """(returncode, stdout, stderr) of argv; a missing program is returncode 127."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    except OSError as exc:
        return 127, '', str(exc)
    except subprocess.TimeoutExpired:
        return 124, '', '%s did not finish within %d seconds' % (argv[0], timeout)
    return done.returncode, done.stdout, done.stderr


class ServiceManager(object):
    """Runs the router of one namespace. Subclasses: SystemdService, ProcessService, ContainerService.

    start() and restart() return once the router is ready (its management listener answers the local
    client, see readiness.py) and raise ServiceError with the router's log tail when it is not ready
    within ready_timeout seconds, or when it exits or is restarted meanwhile.
    """

    name = None

    def __init__(self, namespace, home, router=None, site_id=None, ready_timeout=DEFAULT_READY_TIMEOUT):
        self.namespace = namespace
        self.home = home
        self.router = router
        self.site_id = site_id
        self.ready_timeout = ready_timeout
        self.config = paths.router_config_path(home)
        self.warnings = []

    # -- what subclasses provide --------------------------------------------------------------------

    def preflight(self):
        """ServiceError when this manager cannot work on this host (checked before anything changes)."""

    def spec(self):
        """The text of what the router is started with (command, environment, unit); a change restarts it."""
        raise NotImplementedError

    def install(self, check_mode=False):
        """Write what the service needs (unit, scripts); True when something changed."""
        return False

    def start(self):
        raise NotImplementedError

    def stop(self):
        raise NotImplementedError

    def restart(self):
        self.stop()
        self.start()

    def is_active(self):
        raise NotImplementedError

    def degraded(self):
        """Why a running router must be restarted to be run properly (None when it needs not)."""
        return None

    def condition(self):
        """What happened to a router that does not run, as its manager knows it (None: nothing more to say)."""
        return None

    def remove(self, check_mode=False):
        """Remove what install wrote; True when something was removed."""
        return False

    def log_tail(self, lines=LOG_LINES):
        return ''

    def fresh_log(self):
        """What the router logged since the last start (for its bind failures)."""
        return self.log_tail()

    def record(self):
        """What internal/service.yaml keeps about this manager, so that later runs find the router."""
        return {'manager': self.name}

    def describe(self):
        return {'manager': self.name, 'active': self.is_active()}

    # -- shared -------------------------------------------------------------------------------------

    def spec_digest(self):
        return hashlib.sha256(self.spec().encode('utf-8')).hexdigest()

    def wait_ready(self, still_running, what='the router'):
        """Return once the router answers on its management listener; ServiceError (with the log) otherwise."""
        try:
            target = router_queries.management_target(self.home)
        except router_queries.ManagementError as exc:
            raise ServiceError(exc.message)
        watch = _BindWatch(self, still_running)
        ready, problem = readiness.wait_until_ready(target, watch.check, self.ready_timeout)
        ports = watch.ports or ports_in_use(self.fresh_log())
        if ports:
            raise PortsInUse('%s cannot listen on port%s %s: another program uses %s' % (
                what, 's' if len(ports) > 1 else '', ', '.join(str(p) for p in ports),
                'them' if len(ports) > 1 else 'it'), ports)
        if not ready:
            tail = self.log_tail()
            raise ServiceError('%s is not running: %s%s' % (
                what, problem, ('; its log ends with:\n%s' % tail) if tail else ''))


class _BindWatch(object):
    """still_running() for the readiness wait that also ends it once the router logs a port it cannot bind
    (the management listener's would otherwise be waited for until the timeout); the log is read at most once a
    second."""

    def __init__(self, manager, still_running, clock=time.time):
        self.manager = manager
        self.still_running = still_running
        self.clock = clock
        self.checked = 0.0
        self.ports = []

    def check(self):
        problem = self.still_running()
        if problem or self.clock() - self.checked < BIND_CHECK_INTERVAL:
            return problem
        self.checked = self.clock()
        self.ports = ports_in_use(self.manager.fresh_log())
        return 'ports in use' if self.ports else None
