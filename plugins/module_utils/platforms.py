# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The platforms a site runs on, one entry each: the one place that says how a platform differs.

An entry names its backend (which Backend applies resources: 'kubernetes', the API server; 'system', the files of
a namespace home), how its router runs (a container engine, the router binary on the host, or a controller), where
the router reads its certificates from, and what it can do while running. The code asks an entry, never a platform
name: runner.get_backend, kind_handlers (by backend), system/service/router_service.service_manager (by engine),
the renderer (ssl_base), system/lifecycle.py and system/service/router_status.py (engine, runs_on_host,
live_reconfigure).

Adding a platform is one entry here plus its own files (docs/architecture.md says which). This module imports
nothing of the collection: the model takes the names and titles from here.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from collections import OrderedDict, namedtuple

KUBERNETES_BACKEND = 'kubernetes'
SYSTEM_BACKEND = 'system'
# The path a container's router reads its sslProfiles from: the engine mounts the namespace home there.
CONTAINER_SSL_BASE = '${SSL_PROFILE_BASE_PATH}'


class Platform(namedtuple('Platform', 'name title backend engine ssl_base')):
    """One platform.

    backend: KUBERNETES_BACKEND or SYSTEM_BACKEND.
    engine: the container engine that runs the router (its command name), or None.
    ssl_base: where the router finds the namespace home's files; None: at their own path (the router runs on the
    host and reads the namespace home itself).
    """

    __slots__ = ()

    @property
    def is_system(self):
        """A site of files in a namespace home, rendered and run by appnet.skupper.system."""
        return self.backend == SYSTEM_BACKEND

    @property
    def runs_on_host(self):
        """The router binary runs on the host under a service manager (systemd or the collection's supervisor)."""
        return self.is_system and self.engine is None

    @property
    def live_reconfigure(self):
        """Listeners and connectors change on the running router through its management (no restart): skmanage's
        library on the host, or inside the router container (engine exec) where an engine runs the router."""
        return self.is_system


PLATFORMS = OrderedDict((entry.name, entry) for entry in (
    Platform('kubernetes', 'Kubernetes', KUBERNETES_BACKEND, None, None),
    Platform('linux', 'Linux', SYSTEM_BACKEND, None, None),
    Platform('podman', 'Podman', SYSTEM_BACKEND, 'podman', CONTAINER_SSL_BASE),
    Platform('docker', 'Docker', SYSTEM_BACKEND, 'docker', CONTAINER_SSL_BASE),
))
NAMES = tuple(PLATFORMS)
DEFAULT = 'kubernetes'
# The platform of the system side's functions when a caller names none: the router on the host.
SYSTEM_DEFAULT = 'linux'
SYSTEM = tuple(name for name, entry in PLATFORMS.items() if entry.is_system)
KUBERNETES = tuple(name for name, entry in PLATFORMS.items() if entry.backend == KUBERNETES_BACKEND)
TITLES = dict((name, entry.title) for name, entry in PLATFORMS.items())
# The namespace of a site when none is given, on every platform (Kubernetes' own default).
DEFAULT_NAMESPACE = 'default'


def get(name):
    """The entry of a platform name (None and '' are the default platform); KeyError for an unknown one."""
    return PLATFORMS[name or DEFAULT]


def is_system(name):
    return get(name).is_system
