# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How the router of a system site runs: the choice of a service manager, the router binary, and the record
internal/service.yaml that says which manager runs the router (so stop and removal find it later).

The managers: systemd_service.SystemdService, process_service.ProcessService,
container_service.ContainerService (all base.ServiceManager).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import subprocess

from ansible_collections.appnet.skupper.plugins.module_utils import documents, platforms
from ansible_collections.appnet.skupper.plugins.module_utils.system.store import files, paths
from ansible_collections.appnet.skupper.plugins.module_utils.system.service.container_service import (
    DEFAULT_IMAGE, ContainerService)
from ansible_collections.appnet.skupper.plugins.module_utils.system.service.process_service import ProcessService
from ansible_collections.appnet.skupper.plugins.module_utils.system.service.base import (
    DEFAULT_READY_TIMEOUT, PortsInUse, ServiceError, ServiceManager, ports_in_use)
from ansible_collections.appnet.skupper.plugins.module_utils.system.service.systemd_service import (
    SystemdService, systemd_is_init, unit_name)

# What the system module and the tests use from here (the managers live in their own files).
__all__ = ['DEFAULT_IMAGE', 'DEFAULT_READY_TIMEOUT', 'ContainerService', 'PortsInUse', 'ProcessService',
           'ServiceError', 'ServiceManager', 'SystemdService', 'find_router', 'ports_in_use', 'read_record',
           'record_path', 'recorded_manager', 'same_manager', 'service_manager', 'systemd_is_init', 'unit_name', 'write_record']

INSTALL_HINT = ('install the Skupper router (the skupper-router package, which provides skrouterd and skmanage), '
                'set router_binary to its path, or use platform podman or docker, which run the router image')
RECORD = 'service.yaml'


def find_router(router_binary=None):
    """The absolute path of a router binary that runs, or ServiceError naming what was tried.

    router_binary: a path, or a bare name looked up on PATH; default skrouterd on PATH.
    """
    wanted = router_binary or 'skrouterd'
    if os.sep in wanted:
        path, tried = wanted, wanted
    else:
        path = shutil.which(wanted)
        tried = path or '%s (on PATH: %s)' % (wanted, os.environ.get('PATH', ''))
    if not path or not os.path.isfile(path) or not os.access(path, os.X_OK):
        raise ServiceError('the Skupper router was not found or is not executable (tried: %s); %s'
                           % (tried, INSTALL_HINT))
    try:
        answer = subprocess.run([path, '--version'], capture_output=True, text=True, timeout=15, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ServiceError('the Skupper router %s does not run: %s; %s' % (path, exc, INSTALL_HINT))
    if answer.returncode != 0:
        raise ServiceError('the Skupper router %s does not run (%s --version exited %d: %s); %s'
                           % (path, path, answer.returncode, (answer.stderr or answer.stdout).strip(), INSTALL_HINT))
    return os.path.abspath(path)


def service_manager(choice, platform, namespace, home, router=None, site_id=None, image=None,
                    ready_timeout=DEFAULT_READY_TIMEOUT, pull='missing', run_options=None):
    """The manager for a service_manager option ('auto', 'systemd', 'process') and a platform.

    image, pull and run_options (container_run_options) are those of podman and docker."""
    engine = platforms.get(platform).engine
    if engine:
        return ContainerService(namespace, home, engine=engine, image=image, site_id=site_id,
                                ready_timeout=ready_timeout, pull=pull, run_options=run_options)
    if choice == 'systemd' or (choice == 'auto' and systemd_is_init()):
        return SystemdService(namespace, home, router, site_id, ready_timeout=ready_timeout)
    return ProcessService(namespace, home, router, site_id, ready_timeout=ready_timeout)


# -- the record ---------------------------------------------------------------------------------------

def record_path(home):
    return paths.internal_dir(home, RECORD)


def read_record(home):
    """The record of the last run (a dict), or {} when there is none or it cannot be read."""
    data = files.read_bytes(record_path(home))
    record = documents.last_document(data) if data and documents.HAS_YAML else None
    return record if isinstance(record, dict) else {}


def write_record(home, manager, **extra):
    """Record manager (and extra values such as the digests) in internal/service.yaml; True when it changed."""
    record = dict(manager.record(), platform=extra.pop('platform', None), router=manager.router,
                  site_id=manager.site_id, **extra)
    text = documents.dump_yaml(dict((k, v) for k, v in record.items() if v is not None), literal=False)
    files.ensure_dir(paths.internal_dir(home), files.DIR_MODE)
    return files.write_atomic(record_path(home), text, files.PRIVATE_MODE)


def recorded_manager(record, namespace, home, ready_timeout=DEFAULT_READY_TIMEOUT):
    """The manager a record names (None without a record): it runs, or ran, the router of the namespace."""
    kind = record.get('manager')
    common = {'site_id': record.get('site_id'), 'ready_timeout': ready_timeout}
    if kind == 'process':
        return ProcessService(namespace, home, record.get('router'), **common)
    if kind == 'systemd':
        uid = 0 if record.get('scope') == 'system' else None
        return SystemdService(namespace, home, record.get('router'), uid=uid, **common)
    if kind == 'container':
        return ContainerService(namespace, home, engine=record.get('engine') or 'podman', image=record.get('image'),
                                with_unit=bool(record.get('unit')), **common)
    return None


def same_manager(one, other):
    """Whether two managers run the router the same way: same kind, and the same scope (systemd) or engine."""
    mine, theirs = one.record(), other.record()
    keys = ('manager', 'engine') + (('scope',) if mine.get('manager') == 'systemd' else ())
    return all(mine.get(key) == theirs.get(key) for key in keys)
