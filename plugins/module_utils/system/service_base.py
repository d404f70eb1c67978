# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every service manager of a system site shares: the interface, and the wait until the router is ready."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import subprocess

from ansible_collections.appnet.skupper.plugins.module_utils.system import management, paths, readiness

DEFAULT_READY_TIMEOUT = 60
LOG_LINES = 15


class ServiceError(Exception):
    """An expected failure of the service with a message for the user."""


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

    def remove(self, check_mode=False):
        """Remove what install wrote; True when something was removed."""
        return False

    def log_tail(self, lines=LOG_LINES):
        return ''

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
            target = management.management_target(self.home)
        except management.ManagementError as exc:
            raise ServiceError(exc.message)
        ready, problem = readiness.wait_until_ready(target, still_running, self.ready_timeout)
        if not ready:
            tail = self.log_tail()
            raise ServiceError('%s is not running: %s%s' % (
                what, problem, ('; its log ends with:\n%s' % tail) if tail else ''))
