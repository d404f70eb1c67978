# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a support bundle holds of a Linux, Podman or Docker site: the files of its namespace home (input, runtime,
internal; private keys never read), the router's management snapshot and the status read from it
(system/service/router_status.py), the router's version, the service (systemd unit, supervised process or
container) and the last lines of the router's log."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import shutil
import stat
import subprocess

from ansible_collections.appnet.skupper.plugins.module_utils import documents, platforms
from ansible_collections.appnet.skupper.plugins.module_utils.system.service import router_queries, router_service, router_status
from ansible_collections.appnet.skupper.plugins.module_utils.system.service.container_service import container_name
from ansible_collections.appnet.skupper.plugins.module_utils.system.store import files, resource_files
from ansible_collections.appnet.skupper.plugins.module_utils.support_bundle import certificates
from ansible_collections.appnet.skupper.plugins.module_utils.support_bundle.redact import MARKER, secret_file

# The parts of a namespace home a bundle copies (Skupper's layout).
PARTS = ('input', 'runtime', 'internal')
# The router's own log file (process manager): in logs/router.log as its last lines, not whole.
LOG_FILES = (os.path.join('internal', 'router', 'skrouterd.log'),)
MAX_FILE_BYTES = 1024 * 1024
# The management snapshot: what network_info reads, plus the router's AMQP links and its TLS profiles.
SNAPSHOT_TYPES = router_queries.SITE_ENTITY_TYPES + ('router.link', 'sslProfile')


def _file_text(bundle, path, relative):
    """The member text of one file of the namespace home (redacted), or None when it is not kept (binary)."""
    if secret_file(os.path.basename(path)):
        return '%s (a private key: its content is never put in a bundle)\n' % MARKER
    data = files.read_bytes(path)
    if data is None:
        raise OSError('cannot be read')
    note = ''
    if b'PRIVATE KEY' not in data and certificates.is_certificate_file(relative, data):
        return json.dumps({'certificates': certificates.summary(data),
                           'note': 'a certificate file, described (its PEM text is not in the bundle)'},
                          indent=2, sort_keys=True)
    if len(data) > MAX_FILE_BYTES:
        if b'PRIVATE KEY' in data:  # the cut could split a key block: none of it is kept
            return '%s (a file of %d bytes that holds a private key)\n' % (MARKER, len(data))
        data, note = data[-MAX_FILE_BYTES:], '# (its last %d bytes of %d)\n' % (MAX_FILE_BYTES, len(data))
    try:
        text = data.decode('utf-8')
    except UnicodeDecodeError:
        return None
    if relative.endswith(('.yaml', '.yml')) and not note:
        try:
            docs = documents.load_yaml_stream(text)
        except documents.DocumentError:
            docs = None
        if docs is not None and all(isinstance(doc, dict) for doc in docs):
            return documents.dump_yaml_stream([bundle.redactor.document(doc) for doc in docs])
    if relative.endswith('.json') and not note:
        try:
            return json.dumps(bundle.redactor.value(json.loads(text)), indent=2, sort_keys=True)
        except ValueError:
            pass
    return note + text


def collect_files(bundle, home):
    """Every regular file of input/, runtime/ and internal/ as site/<relative path> (a certificate file as what
    its certificates say, a private key file as the marker)."""
    paths, skipped = [], []
    for part in PARTS:
        top = os.path.join(home, part)
        for directory, folders, names in os.walk(top):
            folders.sort()
            for name in sorted(names):
                path = os.path.join(directory, name)
                relative = os.path.relpath(path, home)
                if relative in LOG_FILES or not stat.S_ISREG(os.lstat(path).st_mode):
                    continue
                try:
                    text = _file_text(bundle, path, relative)
                except OSError as exc:
                    skipped.append('%s (%s)' % (relative, getattr(exc, 'strerror', None) or exc))
                    continue
                if text is None:
                    skipped.append('%s (not text)' % relative)
                    continue
                paths.append(bundle.add_text('site/' + relative, text))
    if paths:
        bundle.collected('site files', *paths)
    else:
        bundle.failed('site files', 'the namespace home %s has no input, runtime or internal files' % home)
    for entry in skipped:
        bundle.failed('site file', entry)


def collect_status(bundle, home, namespace, platform, skmanage, timeout):
    """The management snapshot and the status of the site read from it (network_info's shape); the router's
    state (None when it could not be asked)."""
    resources = resource_files.load_runtime_resources(home)
    if resources:
        site = next(iter(sorted((resources.get('Site') or {}).items())), (None, None))[1]
        bundle.index['site'] = documents.name_of(site)
    entry = platforms.get(platform)
    state, router_error = None, None
    try:
        container = (entry.engine, container_name(namespace)) if entry.engine else None
        state = router_queries.query_site(home, skmanage, timeout, SNAPSHOT_TYPES, container=container)
        bundle.collected('management', bundle.add_json('management/snapshot.json', state),
                         entity_types=sorted(state))
    except router_queries.ManagementError as exc:
        router_error = exc.message
        bundle.failed('management', exc.message)  # the site's status below says it too
    if not resources:
        if router_error:
            bundle.problem('the router did not answer its management: %s' % router_error)
        bundle.failed('status', 'the site was never rendered (no runtime/resources): run appnet.skupper.system')
        return state
    info = router_status.from_router(state, resources, namespace, platform, router_error)
    bundle.site_status(info)
    return state


def _run(argv):
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, str(exc)
    text = (done.stdout or done.stderr).strip()
    return (text, None) if done.returncode == 0 else (None, text or 'exit %d' % done.returncode)


def collect_versions(bundle, state, record, platform, namespace, running):
    """The router's version (its management answer, else its binary or the container's), the engine's."""
    versions = {}
    router = ((state or {}).get('router') or [{}])[0]
    engine = platforms.get(platform).engine
    if router.get('version'):
        versions['router'] = {'version': router['version'], 'source': 'management (router entity)'}
    elif engine and running:
        text, error = _run([shutil.which(engine) or engine, 'exec', container_name(namespace), 'skrouterd', '--version'])
        versions['router'] = {'version': text, 'source': 'skrouterd --version in the container', 'error': error}
    elif not engine and (record.get('router') or shutil.which('skrouterd')):
        binary = record.get('router') or shutil.which('skrouterd')
        text, error = _run([binary, '--version'])
        versions['router'] = {'version': text, 'source': '%s --version' % binary, 'error': error}
    if record.get('image'):
        versions['router_image'] = record['image']
    if engine:
        text, error = _run([shutil.which(engine) or engine, '--version'])
        versions[engine] = text or error
    bundle.index['versions'].update(versions)
    if (versions.get('router') or {}).get('version'):
        bundle.collected('version', bundle.add_json('version.json', versions))
    else:
        bundle.add_json('version.json', versions)
        bundle.failed('version', 'the router did not answer and no router binary or running container could tell its '
                                 'version')


def collect_service(bundle, home, namespace, platform, log_lines):
    """The service that runs the router (as internal/service.yaml records it) and its log tail; (record, running)."""
    record = router_service.read_record(home)
    manager = router_service.recorded_manager(record, namespace, home) if record else None
    if manager is None:
        bundle.failed('service', 'no record of the router service (internal/service.yaml): the site was never started '
                                 'by appnet.skupper.system')
        bundle.failed('logs', 'no router service, so no log')
        bundle.problem('the router of the site was never started')
        return record, False
    described = manager.describe()
    if hasattr(manager, 'container_state'):
        described['container'] = manager.container_state()
    bundle.collected('service', bundle.add_json('service/state.json', dict(described, record=record)))
    running = bool(described.get('active'))
    if not running:
        bundle.problem('the router service (%s) is not running' % (record.get('unit') or record.get('manager')))
    tail = manager.log_tail(log_lines)
    if tail and not tail.startswith('(journalctl failed'):
        bundle.collected('logs', bundle.add_text('logs/router.log', tail), lines=len(tail.splitlines()))
    else:
        bundle.failed('logs', tail or 'the %s manager has no log of the router' % record.get('manager'))
    return record, running


def collect(bundle, home, namespace, platform, skmanage='skmanage', timeout=router_queries.DEFAULT_TIMEOUT,
            log_lines=200):
    """Fill bundle with the site of namespace home."""
    if not os.path.isdir(home):
        bundle.failed('site', 'there is no site: %s does not exist' % home)
        bundle.problem('namespace %s has no site on this host (%s does not exist)' % (namespace, home))
        return
    collect_files(bundle, home)
    record, running = collect_service(bundle, home, namespace, platform, log_lines)
    state = collect_status(bundle, home, namespace, platform, skmanage, timeout)
    collect_versions(bundle, state, record, platform, namespace, running)
