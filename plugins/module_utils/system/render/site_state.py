# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Load and validate the resources of a system site (the files of input/resources) before a render.

load_site_state() reads every YAML/JSON document under <home>/input/resources, keeps the kinds a
system site uses and checks them all: every problem found is reported at once in one
SiteStateError, one problem per line, each prefixed with the file it comes from.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.appnet.skupper.plugins.module_utils import documents, model, platforms
from ansible_collections.appnet.skupper.plugins.module_utils.model import REMOTE_SITE_ANNOTATION, values
from ansible_collections.appnet.skupper.plugins.module_utils.system.render.input_checks import (
    CREDENTIAL_FILES, validate_site_state)
from ansible_collections.appnet.skupper.plugins.module_utils.system.store import files, paths
from ansible_collections.appnet.skupper.plugins.module_utils.system.store.resource_files import (
    read_documents, resource_files)

# The kinds a system site reads, in the order Skupper writes runtime resources, and the SiteState
# attribute of each. Their apiVersion is the model's; a ConfigMap (not a kind of the model) is core v1.
_SITE_KINDS = (
    ('Site', 'sites'), ('Listener', 'listeners'), ('Connector', 'connectors'), ('RouterAccess', 'router_accesses'),
    ('Link', 'links'), ('AccessGrant', 'grants'), ('AccessToken', 'tokens'), ('Certificate', 'certificates'),
    ('SecuredAccess', 'secured_accesses'), ('MultiKeyListener', 'multi_key_listeners'), ('Secret', 'secrets'),
    ('ConfigMap', 'config_maps'),
)
KINDS = tuple((model.KINDS[kind].api_version if kind in model.KINDS else 'v1', kind, attr)
              for kind, attr in _SITE_KINDS)
ATTRIBUTES = dict(((api, kind), attr) for api, kind, attr in KINDS)
KIND_ORDER = [kind for _api, kind, _attr in KINDS]


class SiteStateError(Exception):
    """The input of a site cannot be rendered; the message lists every problem, one per line."""

    def __init__(self, problems):
        self.problems = list(problems) if isinstance(problems, (list, tuple)) else [problems]
        super(SiteStateError, self).__init__('\n'.join(self.problems))


class SiteState(object):
    """The resources of one site, keyed by kind attribute then metadata.name."""

    def __init__(self, home, namespace):
        self.home = home
        self.namespace = namespace or platforms.DEFAULT_NAMESPACE
        for _api, _kind, attr in KINDS:
            setattr(self, attr, {})
        self.sources = {}
        self.warnings = []

    @property
    def site(self):
        return next(iter(self.sites.values())) if self.sites else None

    @property
    def site_name(self):
        return self.site['metadata']['name']

    @property
    def site_id(self):
        return (self.site.get('metadata') or {}).get('uid') or None

    @property
    def site_spec(self):
        return self.site.get('spec') or {}

    @property
    def is_edge(self):
        return bool(self.site_spec.get('edge'))

    @property
    def has_link_access(self):
        return self.site_spec.get('linkAccess') not in (None, '', 'none')

    def collection(self, kind):
        return getattr(self, _attribute_of(kind))

    def links_of_token(self, token_name):
        """The Links redeemed from an AccessToken (values.links_of_token)."""
        return values.links_of_token(token_name, self.links)

    def summary(self):
        """What the next phases of a rollout need to know of the site without asking its router: its links (name,
        cost, the remote site they name), listeners and connectors (name, routing key, host, port)."""
        def spec(doc):
            return doc.get('spec') or {}

        def endpoint(doc):
            return {'name': doc['metadata']['name'], 'routing_key': spec(doc).get('routingKey'),
                    'host': spec(doc).get('host'), 'port': values.port_number(spec(doc).get('port'))}
        return {
            'links': [{'name': name, 'cost': spec(doc).get('cost'),
                       'remote_site_name': ((doc['metadata'].get('annotations') or {}).get(REMOTE_SITE_ANNOTATION))}
                      for name, doc in sorted(self.links.items())],
            'listeners': [endpoint(doc) for _name, doc in sorted(self.listeners.items())],
            'connectors': [endpoint(doc) for _name, doc in sorted(self.connectors.items())],
        }

    def source(self, kind, name):
        return self.sources.get((kind, name), '%s-%s' % (kind, name))

    def documents(self):
        """Every document, kinds in the order of _SITE_KINDS, names sorted."""
        found = []
        for _api, _kind, attr in KINDS:
            collection = getattr(self, attr)
            found.extend(collection[name] for name in sorted(collection))
        return found

    def provided_credentials(self, name):
        """User material for name: input/certs/<name>/ files, else the input Secret; {file: bytes} or None."""
        return self._provided('certs', name)

    def provided_issuer(self, name):
        """User CA for name: input/issuers/<name>/ files, else the input Secret; {file: bytes} or None."""
        return self._provided('issuers', name)

    def credential_files(self, name):
        """The files of input/certs/<name>/ ({file: bytes}), or None when there are none."""
        return self._files('certs', name)

    def _files(self, folder, name):
        directory = os.path.join(self.home, 'input', folder, name)
        return (files.read_files(directory, CREDENTIAL_FILES) or None) if os.path.isdir(directory) else None

    def _provided(self, folder, name):
        from_files = self._files(folder, name)
        if from_files:
            return from_files
        secret = self.secrets.get(name)
        return documents.secret_files(secret) if secret else None


def _attribute_of(kind):
    for _api, known, attr in KINDS:
        if known == kind:
            return attr
    raise KeyError(kind)


def _collect(state, docs, problems):
    for relative, doc in docs:
        attr = ATTRIBUTES.get((doc.get('apiVersion'), doc.get('kind')))
        if attr is None:
            # Skupper ignores it with a warning and the router restarts without it: an outage for a typo in
            # apiVersion or kind. The render fails instead, naming the file.
            problems.append(_unreadable(relative, doc))
            continue
        kind, name = doc['kind'], documents.name_of(doc)
        if kind == 'Site' and state.sites:
            problems.append('%s: multiple sites found, but only one site is allowed for bootstrapping (the other '
                            'one is in %s)' % (relative, state.source('Site', state.site_name)))
            continue
        collection = getattr(state, attr)
        key = name if isinstance(name, str) else ''
        if key in collection:
            problems.append('%s: %s "%s" is already defined in %s' % (relative, kind, key, state.source(kind, key)))
            continue
        collection[key] = doc
        state.sources[(kind, key)] = relative


def _unreadable(relative, doc):
    """The problem of a document that is not a resource a system site reads."""
    kind, api = doc.get('kind'), doc.get('apiVersion')
    known = sorted(set(k for _a, k, _attr in KINDS))
    if kind in known:
        wanted = [a for a, k, _attr in KINDS if k == kind][0]
        return ('%s: cannot be read as a Skupper resource: %s needs apiVersion %r, got %r; fix the file or remove it'
                % (relative, kind, wanted, api))
    model_kind = model.KINDS.get(kind)
    if model_kind is not None and model_kind.not_on_system:
        return '%s: %s is not used on a system site: %s; remove the file' % (relative, kind, model_kind.not_on_system)
    return ('%s: cannot be read as a Skupper resource: apiVersion %r, kind %r (a system site reads %s); fix the '
            'file or remove it' % (relative, api, kind, ', '.join(known)))


def _reconcile_namespaces(state, problems):
    """Documents without a namespace belong to the target namespace; others must name it."""
    found = {}
    for doc in state.documents():
        metadata = doc.setdefault('metadata', {})
        namespace = metadata.get('namespace')
        if namespace in (None, ''):
            metadata['namespace'] = state.namespace
            continue
        found.setdefault(namespace, []).append(state.source(doc['kind'], documents.name_of(doc) or ''))
    if len(found) > 1:
        problems.append('multiple namespaces found, but only a unique namespace must be used across all resources '
                        '- namespaces found: [%s]' % ' '.join(sorted(found)))
    for namespace in sorted(found):
        if namespace != state.namespace:
            for source in found[namespace]:
                problems.append('%s: namespace must be "%s", but sources are defined using "%s"'
                                % (source, state.namespace, namespace))


def _with_pending(docs, pending):
    """The documents of the files with pending ones (what a check run of the resource modules would have written)
    in place of the file of the same kind and name, or added as <Kind>-<name>.yaml."""
    pending = [doc for doc in pending or () if isinstance(doc, dict) and doc.get('kind') and documents.name_of(doc)]
    replaced = set((doc['kind'], documents.name_of(doc)) for doc in pending)
    kept = [(relative, doc) for relative, doc in docs if (doc.get('kind'), documents.name_of(doc)) not in replaced]
    return kept + [('%s-%s.yaml' % (doc['kind'], documents.name_of(doc)), doc) for doc in pending]


def load_site_state(home, namespace, platform=platforms.SYSTEM_DEFAULT, pending=None):
    """The validated resources of input/resources of a namespace home; SiteStateError lists every problem.

    pending: documents a check-mode run would have written to input/resources (a check run writes nothing, so the
    render it predicts reads them in place of the files).
    """
    directory = paths.input_resources_dir(home)
    state = SiteState(home, namespace)
    has_files = os.path.isdir(directory) and resource_files(directory)
    if not has_files and not pending:
        raise SiteStateError('No sources found at: %s' % directory)
    docs, problems = read_documents(directory) if has_files else ([], [])
    docs = _with_pending(docs, pending)
    _collect(state, docs, problems)
    if not state.site or not documents.name_of(state.site):
        raise SiteStateError(problems + ['no valid site definition has been found'])
    _reconcile_namespaces(state, problems)
    problems.extend(validate_site_state(state, platform))
    if problems:
        raise SiteStateError(problems)
    return state
