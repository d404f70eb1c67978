# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The system backend: resources as files under <namespace home>/input/resources (Skupper's layout)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import os
import stat

from ansible_collections.appnet.skupper.plugins.module_utils import documents, model, platforms
from ansible_collections.appnet.skupper.plugins.module_utils.backend import ApplyResult, Backend, BackendError
from ansible_collections.appnet.skupper.plugins.module_utils.system.render.site_state import ATTRIBUTES, SiteState
from ansible_collections.appnet.skupper.plugins.module_utils.system.render.sockets import bound_ports, hosts_overlap
from ansible_collections.appnet.skupper.plugins.module_utils.system.service import router_status
from ansible_collections.appnet.skupper.plugins.module_utils.system.store import files, paths, resource_files


def _mode_text(mode):
    return '%04o' % mode


def second_sites(namespace, name, sites):
    """The rule "a namespace holds one site" (Skupper's system sites read one Site): the problems of the Site name
    in a namespace that has the sites {name: where it is} already (itself among them or not)."""
    return ['namespace %r already has the Site %r (%s) and a namespace holds one site: remove that one first '
            '(state=absent) or use another namespace' % (namespace, site, sites[site])
            for site in sorted(sites, key=str) if site != name]


class SystemBackend(Backend):
    """Resources of one Skupper namespace on this host (platform linux, podman or docker)."""

    def __init__(self, namespace, platform=platforms.SYSTEM_DEFAULT, data_home=None):
        self.namespace = namespace or platforms.DEFAULT_NAMESPACE
        self.platform = platform
        self.home = paths.namespace_home(self.namespace, paths.data_home(data_home))

    # paths

    def input_path(self, kind, name):
        return os.path.join(paths.input_resources_dir(self.home), documents.resource_file_name(kind, name))

    def runtime_path(self, kind, name):
        return os.path.join(paths.runtime_resources_dir(self.home), documents.resource_file_name(kind, name))

    # reading

    def _load(self, path):
        data = files.read_bytes(path)
        if data is None:
            return None
        try:
            docs = documents.load_yaml_stream(data.decode('utf-8'))
        except (documents.DocumentError, UnicodeDecodeError) as exc:
            raise BackendError('cannot read %s: %s' % (path, exc))
        return docs[-1] if docs else None

    def read(self, kind, name):
        return self._load(self.input_path(kind, name))

    def read_status(self, kind, name):
        """The status the last render (or a status collector) wrote into runtime/resources."""
        doc = self._load(self.runtime_path(kind, name))
        return (doc or {}).get('status')

    # writing

    def check_supported(self, kind):
        spec = model.get_kind(kind)
        if not spec.supported_on(self.platform):
            raise BackendError('%s is not supported on %s: %s' % (
                kind, platforms.TITLES[self.platform], spec.not_on_system))

    def site_names(self):
        """{name: file} of the Site documents in input/resources."""
        found = {}
        for path in sorted(glob.glob(os.path.join(paths.input_resources_dir(self.home), 'Site-*.yaml'))):
            doc = self._load(path)
            if doc and doc.get('kind') == 'Site':
                found[(doc.get('metadata') or {}).get('name')] = os.path.basename(path)
        return found

    def problems(self, desired):
        """Why desired cannot be applied here, before anything is written: a second Site in the namespace, a port
        another listener or router access of the site binds on the same host."""
        if desired['kind'] != 'Site':
            return socket_conflicts(self.home, self.namespace, desired)
        return second_sites(self.namespace, desired['metadata']['name'], self.site_names())

    def apply(self, desired, check_mode=False):
        kind, name = desired['kind'], desired['metadata']['name']
        self.check_supported(kind)
        problems = self.problems(desired)
        if problems:
            raise BackendError('; '.join(problems))
        path = self.input_path(kind, name)
        current = self.read(kind, name)
        document = dict(desired, metadata=dict(desired['metadata'], namespace=self.namespace))
        mode = resource_files.file_mode(kind)
        changed = documents.normalize(current) != documents.normalize(document)
        extra = {}
        if changed and not check_mode:
            try:
                files.ensure_dir(os.path.dirname(path))
                files.write_atomic(path, documents.dump_yaml(documents.prune(document)), mode)
            except files.WriteError as exc:
                raise BackendError(str(exc))
        elif not changed and current is not None and mode == files.PRIVATE_MODE:
            extra = self._tighten(path, check_mode)
        return ApplyResult(changed or bool(extra), current, document, resource_file=path, reload_required=changed,
                           status=self.read_status(kind, name) or {}, **extra)

    @staticmethod
    def _tighten(path, check_mode):
        """A secret file others may read gets mode 0600 (a change, with a warning); {} when it has it."""
        current_mode = stat.S_IMODE(os.stat(path).st_mode)
        if not current_mode & 0o077:
            return {}
        if not check_mode:
            os.chmod(path, files.PRIVATE_MODE)
        return {'warnings': ['%s holds secrets but had mode %s: %s %s' % (
            path, _mode_text(current_mode), 'would set' if check_mode else 'set', _mode_text(files.PRIVATE_MODE))]}

    def delete(self, kind, name, check_mode=False):
        self.check_supported(kind)
        path = self.input_path(kind, name)
        current = self.read(kind, name)
        if current is not None and not check_mode:
            files.remove_file(path)
        return ApplyResult(current is not None, current, None, resource_file=path, reload_required=current is not None)

    def wait_ready(self, kind, name, timeout, sleep):
        return self.read(kind, name)

    def wait_absent(self, kind, name, timeout, sleep):
        return None

    def network_info(self, expected_links=(), resource_status=True, **options):
        """What the site's router answers and its runtime resources say (service/router_status.py); options:
        skmanage, timeout. The statuses of the other kinds come from the runtime files: always read
        (resource_status is for Kubernetes, where they cost requests)."""
        return router_status.site_network_info(self.home, self.namespace, self.platform, expected_links, **options)


def socket_conflicts(home, namespace, desired):
    """Problems of a Listener, MultiKeyListener or RouterAccess about to be written to input/resources: a port
    another listener, a RouterAccess or the site's own link access (and local management) access already binds
    on the same host. The implicit accesses are those of the last render (runtime/resources), whose ports
    later renders keep. Found before anything is written, with the same rule as the render (bound_ports)."""
    kind = desired.get('kind')
    if kind not in ('Listener', 'MultiKeyListener', 'RouterAccess'):
        return []
    name = documents.name_of(desired)
    state = SiteState(home, namespace)
    directory = paths.input_resources_dir(home)
    found = resource_files.read_documents(directory, copied=False)[0] if os.path.isdir(directory) else []
    for relative, doc in found:
        attr, other = ATTRIBUTES.get((doc.get('apiVersion'), doc.get('kind'))), documents.name_of(doc)
        if attr in ('listeners', 'multi_key_listeners', 'router_accesses') and isinstance(other, str):
            getattr(state, attr)[other] = doc
            state.sources[(doc['kind'], other)] = relative
    state.collection(kind)[name] = desired
    router_accesses = dict(state.router_accesses)
    runtime = paths.runtime_resources_dir(home)
    for path in sorted(glob.glob(os.path.join(runtime, 'RouterAccess-*.yaml'))):  # the renderer's file names
        for doc in resource_files.load_file(path, copied=False):
            access = documents.name_of(doc) if isinstance(doc, dict) else None
            if isinstance(doc, dict) and doc.get('kind') == 'RouterAccess' and isinstance(access, str):
                router_accesses.setdefault(access, doc)
    bound = bound_ports(state, router_accesses)
    mine = [entry for entry in bound if entry[3:] == (kind, name)]
    others = [entry for entry in bound if entry[3:] != (kind, name)]
    problems = []
    for host, port, description, _kind, _name in mine:
        for other_host, other_port, other_description, _other_kind, _other_name in others:
            if port == other_port and hosts_overlap(host, other_host):
                problems.append('port %d of %s (host "%s") is already used by %s (host "%s") of this site; choose '
                                'another port' % (port, description, host or '*', other_description,
                                                  other_host or '*'))
    return problems
