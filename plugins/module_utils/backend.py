# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The interface every backend (Kubernetes, system) implements, and its results and errors.

This module imports nothing of the collection: every layer may use it. The choice of a backend for a platform is
runner.get_backend (through platforms.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class BackendError(Exception):
    """An expected failure with a message for the user (no traceback).

    outcome: the ApplyResult of a write that was made before the failure (a wait that timed out), if any.
    """

    def __init__(self, message, **details):
        super(BackendError, self).__init__(message)
        self.message = message
        self.details = details
        self.outcome = None


class ApplyResult(object):
    """The outcome of apply/delete: changed, before and after documents, extra return values."""

    def __init__(self, changed, before=None, after=None, **extra):
        self.changed = changed
        self.before = before
        self.after = after
        self.extra = extra


class Backend(object):
    """read / problems / apply / delete / wait_ready / network_info for one namespace of one platform."""

    platform = None

    def read(self, kind, name):
        raise NotImplementedError

    def problems(self, desired):
        """Why desired cannot be applied on this target, found before anything is written ([] by default)."""
        return []

    def apply(self, desired, check_mode=False):
        raise NotImplementedError

    def delete(self, kind, name, check_mode=False):
        raise NotImplementedError

    def wait_ready(self, kind, name, timeout, sleep):
        raise NotImplementedError

    def wait_absent(self, kind, name, timeout, sleep):
        raise NotImplementedError

    def network_info(self, expected_links=(), **options):
        """The status of the site and its network in module_utils/network_info_shape.py's shape
        (appnet.skupper.network_info); expected_links: the remote sites it should be linked to. options: what the
        backends' readers take (skmanage, timeout: the system backend; resource_status: the Kubernetes backend).
        BackendError when the site cannot be read (asked again while waiting)."""
        raise NotImplementedError
