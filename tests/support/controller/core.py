"""The Skupper controller stand-in (a test double): a client of the Kubernetes API over HTTP.

For every namespace with a Site it does what Skupper's controller does on Kubernetes, minus the
router: site CA Secret, statuses of every Skupper kind, AccessGrant codes and a real HTTPS redeem
endpoint, AccessToken redemption (Secret + Link), Link checks against the remote site's CA, and
Listener/Connector matching across the networks that Ready links form.
"""

import logging
import socket
import threading
import time
import urllib.parse

from kubernetes import client
from kubernetes.client.rest import ApiException

from tests.support import pki
from tests.support.controller import grants, network, redeem
from tests.support.controller import status as st

LOG = logging.getLogger(__name__)

GROUP, VERSION = 'skupper.io', 'v2alpha1'
PLURALS = {
    'Site': 'sites', 'Listener': 'listeners', 'Connector': 'connectors', 'Link': 'links',
    'AccessGrant': 'accessgrants', 'AccessToken': 'accesstokens', 'RouterAccess': 'routeraccesses',
    'AttachedConnector': 'attachedconnectors', 'AttachedConnectorBinding': 'attachedconnectorbindings',
    'Certificate': 'certificates',
}
SITE_KINDS = ('Listener', 'Connector', 'Link', 'AccessToken', 'RouterAccess', 'AttachedConnectorBinding', 'Certificate')
EVERY_NAMESPACE_KINDS = ('Site', 'AccessGrant', 'AttachedConnector')
SITE_CA_SECRET = 'skupper-site-ca'
LINK_ACCESS_GROUP = 'skupper-router'
CONTROLLER_NAME = 'skupper-controller'
CONTROLLER_VERSION = '2.1.0-standin'
# The User-Agent of its API requests (the API stand-in records it: tests tell the controller's writes apart).
USER_AGENT = 'skupper-controller-standin/' + CONTROLLER_VERSION
TOKEN_RETRY_SECONDS = 1.0
STATUS_WRITE_ATTEMPTS = 3


def api_client(api_url, token=None, ca_file=None):
    """A kubernetes ApiClient for api_url (bearer token and CA file optional)."""
    configuration = client.Configuration()
    configuration.host = api_url.rstrip('/')
    if token:
        configuration.api_key = {'authorization': 'Bearer ' + token}
    if ca_file:
        configuration.ssl_ca_cert = ca_file
    api = client.ApiClient(configuration)
    api.user_agent = USER_AGENT
    return api


def free_port(host):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def _name(obj):
    return obj['metadata']['name']


def _spec(obj):
    return obj.get('spec') or {}


def _is_true(obj, condition_type):
    return any(condition.get('type') == condition_type and condition.get('status') == 'True'
               for condition in (obj.get('status') or {}).get('conditions') or [])


class _State:
    """One reconcile pass's view: objects by namespace and kind, Secrets (decoded data) by namespace."""

    def __init__(self):
        self.objects = {}
        self.secrets = {}

    def items(self, namespace, kind):
        return self.objects.setdefault(namespace, {}).setdefault(kind, [])

    def namespaces(self):
        return sorted(self.objects)


class Controller:
    """Skupper controller stand-in; start()/stop() run it in a thread, reconcile_once() runs one pass."""

    def __init__(self, api_url, namespaces=None, *, host='127.0.0.1', poll_interval=0.2, api_token=None,
                 api_ca_file=None, controller_namespace='skupper'):
        self.api_url = api_url
        self.host = host
        self.poll_interval = poll_interval
        self.controller_namespace = controller_namespace
        self._watched = list(namespaces) if namespaces else None
        self._client = api_client(api_url, api_token, api_ca_file)
        self.custom = client.CustomObjectsApi(self._client)
        self.core = client.CoreV1Api(self._client)
        self._ports = {}
        self._grant_codes = {}
        self._grant_index = {}
        self._redemption_counts = {}
        self._token_attempts = {}
        self._site_cas = {}
        self._sites = {}
        self._reconcile_lock = threading.Lock()
        self._data_lock = threading.Lock()
        self._stopping = threading.Event()
        self._running = threading.Event()
        self._running.set()
        self._thread = None
        self._redeem_server = None
        self.last_error = None

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self):
        self._ensure_redeem_server()
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name='skupper-controller-standin', daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None
        if self._redeem_server is not None:
            self._redeem_server.stop()
            self._redeem_server = None
        self._client.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def pause(self):
        """Stop reconciling (statuses stay as they are) until resume(); returns once no pass is running."""
        self._running.clear()
        with self._reconcile_lock:
            pass

    def resume(self):
        self._running.set()

    def _run(self):
        while not self._stopping.is_set():
            try:
                self._reconcile(only_when_running=True)
                self.last_error = None
            except Exception as exc:  # keep polling like a controller would; tests read last_error
                self.last_error = exc
                LOG.warning('controller stand-in: reconcile failed: %s', exc)
            self._stopping.wait(self.poll_interval)

    def _ensure_redeem_server(self):
        if self._redeem_server is None:
            self._redeem_server = redeem.RedeemServer(self._redeem, host=self.host).start()
        return self._redeem_server

    @property
    def redeem_url(self):
        return self._ensure_redeem_server().base_url

    @property
    def redeem_ca(self):
        return self._ensure_redeem_server().ca_pem

    def redemptions(self, namespace, grant_name):
        """Successful redemptions of grant namespace/grant_name served by this controller."""
        with self._data_lock:
            return self._redemption_counts.get((namespace, grant_name), 0)

    def site_ports(self, namespace):
        """{(group, role): port} allocated for the site (and RouterAccesses) in namespace."""
        with self._data_lock:
            return {(group, role): port for (ns, group, role), port in self._ports.items() if ns == namespace}

    # -- one pass ------------------------------------------------------------------------------

    def reconcile_once(self):
        """Read everything, then bring every status (and the site CAs, redeemed tokens) up to date."""
        self._reconcile()

    def _reconcile(self, only_when_running=False):
        with self._reconcile_lock:
            if only_when_running and not self._running.is_set():
                return
            self._ensure_redeem_server()
            state = self._read_state()
            sites = self._reconcile_sites(state)
            self._redeem_tokens(state, sites)
            link_states = self._reconcile_links(state, sites)
            edges = [(ns, ls.remote.namespace) for (ns, _unused), ls in link_states.items() if ls.operational]
            nets = network.networks(sites, edges)
            self._write_site_statuses(state, sites, nets, link_states)
            self._reconcile_services(state, sites, nets)
            self._reconcile_router_accesses(state, sites)
            self._reconcile_grants(state, sites)
            self._reconcile_certificates(state, sites)

    def _namespaces(self):
        if self._watched is not None:
            return list(self._watched)
        return sorted(item.metadata.name for item in self.core.list_namespace().items)

    def _list(self, namespace, kind):
        try:
            result = self.custom.list_namespaced_custom_object(GROUP, VERSION, namespace, PLURALS[kind])
        except ApiException as exc:
            if exc.status == 404:
                return []
            raise
        return sorted(result.get('items') or [], key=lambda obj: (obj['metadata'].get('creationTimestamp') or '',
                                                                  _name(obj)))

    def _read_state(self):
        state = _State()
        for namespace in self._namespaces():
            for kind in EVERY_NAMESPACE_KINDS:
                state.items(namespace, kind).extend(self._list(namespace, kind))
            if state.items(namespace, 'Site'):
                for kind in SITE_KINDS:
                    state.items(namespace, kind).extend(self._list(namespace, kind))
                state.secrets[namespace] = self._read_secrets(namespace)
        return state

    def _read_secrets(self, namespace):
        secrets = {}
        for item in self.core.list_namespaced_secret(namespace).items:
            secrets[item.metadata.name] = pki.decode_secret_data(item.data)
        return secrets

    # -- status writes -------------------------------------------------------------------------

    def _write_status(self, kind, obj, new_status):
        """PUT the status subresource when it differs (ignoring lastTransitionTime); False on conflict."""
        if not st.status_differs(obj.get('status'), new_status):
            return True
        body = dict(obj, status=new_status)
        body.setdefault('apiVersion', GROUP + '/' + VERSION)
        body.setdefault('kind', kind)
        try:
            updated = self.custom.replace_namespaced_custom_object_status(
                GROUP, VERSION, obj['metadata']['namespace'], PLURALS[kind], _name(obj), body)
        except ApiException as exc:
            if exc.status in (404, 409):
                LOG.debug('status of %s %s not written: %s', kind, _name(obj), exc.reason)
                return False
            raise
        obj['status'] = updated.get('status', new_status)
        obj['metadata'] = updated.get('metadata', obj['metadata'])
        return True

    # -- sites ---------------------------------------------------------------------------------

    def _reconcile_sites(self, state):
        """{namespace: SiteInfo} of the active Site of every namespace (the oldest one)."""
        sites = {}
        for namespace in state.namespaces():
            candidates = state.items(namespace, 'Site')
            if not candidates:
                continue
            active = candidates[0]
            for extra_site in candidates[1:]:
                self._write_status('Site', extra_site, st.build_status(
                    extra_site, {'Configured': st.error_state('An active site already exists in the namespace (%s)'
                                                              % _name(active))}, ('Configured',)))
            ca = self._ensure_site_ca(namespace, state)
            endpoints = self._site_endpoints(namespace, active, state)
            sites[namespace] = network.SiteInfo(namespace, _name(active), active['metadata'].get('uid', ''),
                                                endpoints, ca.cert_pem)
        with self._data_lock:
            self._sites = dict(sites)
        return sites

    def _ensure_site_ca(self, namespace, state):
        data = state.secrets[namespace].get(SITE_CA_SECRET)
        if data and data.get('tls.crt') and data.get('tls.key'):
            ca = pki.KeyPair(data['tls.crt'], data['tls.key'])
        else:
            ca = pki.make_ca(SITE_CA_SECRET)
            body = {'apiVersion': 'v1', 'kind': 'Secret', 'type': 'kubernetes.io/tls',
                    'metadata': {'name': SITE_CA_SECRET, 'namespace': namespace},
                    'data': pki.tls_secret_data(ca.cert_pem, ca.key_pem, ca.cert_pem)}
            self._create_or_replace_secret(namespace, body)
            state.secrets[namespace][SITE_CA_SECRET] = pki.decode_secret_data(body['data'])
        with self._data_lock:
            self._site_cas[namespace] = ca
        return ca

    def _port(self, namespace, group, role):
        key = (namespace, group, role)
        with self._data_lock:
            if key not in self._ports:
                self._ports[key] = free_port(self.host)
            return self._ports[key]

    def _endpoint(self, namespace, group, role):
        return {'name': role, 'host': self.host, 'port': str(self._port(namespace, group, role)), 'group': group}

    def _router_access_endpoints(self, namespace, router_access):
        return [self._endpoint(namespace, _name(router_access), role['name'])
                for role in _spec(router_access).get('roles') or [] if role.get('name')]

    def _site_endpoints(self, namespace, site, state):
        endpoints = []
        if st.has_link_access(site):
            endpoints += [self._endpoint(namespace, LINK_ACCESS_GROUP, role) for role in network.LINK_ROLES]
        for router_access in state.items(namespace, 'RouterAccess'):
            endpoints += self._router_access_endpoints(namespace, router_access)
        unique = {(endpoint['group'], endpoint['name']): endpoint for endpoint in endpoints}
        return list(unique.values())

    def _write_site_statuses(self, state, sites, nets, link_states):
        records = {namespace: self._site_record(namespace, site, state, link_states)
                   for namespace, site in sites.items()}
        for namespace, info in sites.items():
            site = state.items(namespace, 'Site')[0]
            states = {'Configured': st.ready_state(), 'Running': st.ready_state()}
            if st.has_link_access(site) or info.endpoints:
                states['Resolved'] = st.ready_state() if info.endpoints else st.pending_state('Pending')
            extra = {
                'endpoints': info.endpoints or None,
                'sitesInNetwork': len(nets[namespace]),
                'network': [records[member] for member in sorted(nets[namespace])],
                'defaultIssuer': SITE_CA_SECRET,
                'controller': {'name': CONTROLLER_NAME, 'namespace': self.controller_namespace,
                               'version': CONTROLLER_VERSION},
            }
            self._write_status('Site', site, st.build_status(site, states, st.site_required_conditions(site), extra))

    @staticmethod
    def _site_record(namespace, site, state, link_states):
        links = [{'name': link_name, 'remoteSiteId': ls.remote.uid, 'remoteSiteName': ls.remote.name,
                  'operational': True}
                 for (ns, link_name), ls in sorted(link_states.items()) if ns == namespace and ls.operational]
        record = {'id': site.uid, 'name': site.name, 'namespace': namespace, 'platform': 'kubernetes',
                  'version': CONTROLLER_VERSION}
        if links:
            record['links'] = links
        return record

    # -- certificates --------------------------------------------------------------------------

    def _reconcile_certificates(self, state, sites):
        """A Certificate of a site is fulfilled as Skupper's controller does: the Secret of its name, a client or
        server certificate for its subject and hosts signed by its CA (the site CA Secret), with ca.crt; its status
        Ready with the expiration. A CA other than the site's is not there: the status says so."""
        for namespace in sites:
            for certificate in state.items(namespace, 'Certificate'):
                spec = _spec(certificate)
                if spec.get('ca') != SITE_CA_SECRET or spec.get('signing'):
                    self._write_status('Certificate', certificate, st.build_status(
                        certificate, {'Ready': st.error_state('CA secret %s not found' % spec.get('ca'))}, ('Ready',)))
                    continue
                name = _name(certificate)
                ca = self._site_cas[namespace]
                data = state.secrets[namespace].get(name)
                if not (data and data.get('tls.crt') and pki.is_signed_by(data['tls.crt'], ca.cert_pem)):
                    pair = pki.issue_certificate(ca, spec.get('subject') or name, hosts=spec.get('hosts') or (),
                                                 client=bool(spec.get('client')), server=bool(spec.get('server')))
                    body = {'apiVersion': 'v1', 'kind': 'Secret', 'type': 'kubernetes.io/tls',
                            'metadata': {'name': name, 'namespace': namespace},
                            'data': pki.tls_secret_data(pair.cert_pem, pair.key_pem, ca.cert_pem)}
                    self._create_or_replace_secret(namespace, body)
                    data = state.secrets[namespace][name] = pki.decode_secret_data(body['data'])
                self._write_status('Certificate', certificate, st.build_status(
                    certificate, {}, (), {'expiration': pki.not_after(data['tls.crt'])}))

    # -- tokens --------------------------------------------------------------------------------

    def _redeem_tokens(self, state, sites):
        for namespace, site in sites.items():
            for token in state.items(namespace, 'AccessToken'):
                if _is_true(token, 'Redeemed') or not self._token_due(token):
                    continue
                self._redeem_token(namespace, site, token, state)

    def _token_due(self, token):
        key = token['metadata'].get('uid') or _name(token)
        generation = token['metadata'].get('generation')
        last = self._token_attempts.get(key)
        if last is not None and last[0] == generation and time.monotonic() - last[1] < TOKEN_RETRY_SECONDS:
            return False
        self._token_attempts[key] = (generation, time.monotonic())
        return True

    def _redeem_token(self, namespace, site, token, state):
        spec = _spec(token)
        try:
            documents = redeem.redeem_token(spec.get('url'), spec.get('code'), spec.get('ca'), _name(token), site.uid)
            for document in documents:
                self._store_redeemed(namespace, document, spec.get('linkCost'), state)
            outcome, redeemed = st.ready_state(), True
        except (redeem.RedeemError, ApiException) as exc:
            outcome, redeemed = st.error_state(str(exc) if isinstance(exc, redeem.RedeemError)
                                               else 'failed to store redeemed resources: %s' % exc.reason), None
        conditions = [dict(condition) for condition in (token.get('status') or {}).get('conditions') or []]
        st.set_condition(conditions, 'Redeemed', outcome, token['metadata'].get('generation') or 1)
        new_status = {'conditions': conditions, 'status': outcome[1], 'message': outcome[2]}
        if redeemed:
            new_status['redeemed'] = True
        self._write_status('AccessToken', token, new_status)

    def _store_redeemed(self, namespace, document, link_cost, state):
        document = dict(document, metadata=dict(document.get('metadata') or {}, namespace=namespace))
        if document.get('kind') == 'Secret':
            self._create_or_replace_secret(namespace, document)
            state.secrets[namespace][_name(document)] = pki.decode_secret_data(document.get('data'))
        elif document.get('kind') == 'Link':
            if link_cost:
                document['spec'] = dict(document.get('spec') or {}, cost=link_cost)
            stored = self._create_or_replace_custom(namespace, 'Link', document)
            links = state.items(namespace, 'Link')
            links[:] = [link for link in links if _name(link) != _name(stored)] + [stored]

    def _create_or_replace_secret(self, namespace, body):
        try:
            self.core.create_namespaced_secret(namespace, body)
        except ApiException as exc:
            if exc.status != 409:
                raise
            self.core.replace_namespaced_secret(_name(body), namespace, body)

    def _create_or_replace_custom(self, namespace, kind, body):
        try:
            return self.custom.create_namespaced_custom_object(GROUP, VERSION, namespace, PLURALS[kind], body)
        except ApiException as exc:
            if exc.status != 409:
                raise
        current = self.custom.get_namespaced_custom_object(GROUP, VERSION, namespace, PLURALS[kind], _name(body))
        body = dict(body, metadata=dict(body['metadata'], resourceVersion=current['metadata']['resourceVersion']))
        return self.custom.replace_namespaced_custom_object(GROUP, VERSION, namespace, PLURALS[kind], _name(body),
                                                            body)

    # -- links ---------------------------------------------------------------------------------

    def _reconcile_links(self, state, sites):
        """{(namespace, link name): LinkState}, statuses written."""
        known_sites = list(sites.values())
        results = {}
        for namespace in sites:
            for link in state.items(namespace, 'Link'):
                secret_name = _spec(link).get('tlsCredentials') or _name(link)
                link_state = network.evaluate_link(link, state.secrets[namespace].get(secret_name), known_sites)
                results[(namespace, _name(link))] = link_state
                self._write_link_status(link, link_state)
        return results

    def _write_link_status(self, link, link_state):
        operational = st.ready_state() if link_state.operational else st.pending_state(link_state.message)
        extra = {}
        if link_state.operational:
            extra = {'remoteSiteId': link_state.remote.uid, 'remoteSiteName': link_state.remote.name}
        self._write_status('Link', link, st.build_status(
            link, {'Configured': st.ready_state(), 'Operational': operational}, st.REQUIRED_CONDITIONS['Link'],
            extra))

    # -- listeners, connectors, attached connectors ------------------------------------------

    @staticmethod
    def _routing_keys(state, sites, kinds):
        keys = {}
        for namespace in sites:
            for kind in kinds:
                keys.setdefault(namespace, set()).update(
                    _spec(obj).get('routingKey') for obj in state.items(namespace, kind))
        return keys

    @staticmethod
    def _reachable(keys_by_namespace, network_members, routing_key):
        return any(routing_key in keys_by_namespace.get(member, ()) for member in network_members)

    def _reconcile_services(self, state, sites, nets):
        connector_keys = self._routing_keys(state, sites, ('Connector', 'AttachedConnectorBinding'))
        listener_keys = self._routing_keys(state, sites, ('Listener',))
        for namespace in sites:
            members = nets[namespace]
            for listener in state.items(namespace, 'Listener'):
                matched = self._reachable(connector_keys, members, _spec(listener).get('routingKey'))
                self._write_matched('Listener', listener, matched, 'No matching connectors',
                                    {'hasMatchingConnector': True if matched else None})
            for connector in state.items(namespace, 'Connector'):
                matched = self._reachable(listener_keys, members, _spec(connector).get('routingKey'))
                extra = {'hasMatchingListener': True if matched else None}
                if _spec(connector).get('selector'):
                    extra['selectedPods'] = []
                self._write_matched('Connector', connector, matched, 'No matching listeners', extra)
            for binding in state.items(namespace, 'AttachedConnectorBinding'):
                matched = self._reachable(listener_keys, members, _spec(binding).get('routingKey'))
                self._write_matched('AttachedConnectorBinding', binding, matched, 'No matching listeners',
                                    {'hasMatchingListener': True if matched else None})
        self._reconcile_attached_connectors(state, sites, nets, listener_keys)

    def _write_matched(self, kind, obj, matched, pending_message, extra, configured=None):
        matched_state = st.ready_state() if matched else st.pending_state(pending_message)
        self._write_status(kind, obj, st.build_status(
            obj, {'Configured': configured or st.ready_state(), 'Matched': matched_state},
            st.REQUIRED_CONDITIONS[kind], extra))

    def _reconcile_attached_connectors(self, state, sites, nets, listener_keys):
        for namespace in state.namespaces():
            for attached in state.items(namespace, 'AttachedConnector'):
                site_namespace = _spec(attached).get('siteNamespace')
                binding = self._binding_for(state, site_namespace, namespace, _name(attached))
                if site_namespace not in sites:
                    configured = st.pending_state('No active site in namespace %s' % site_namespace)
                    matched = False
                else:
                    configured = st.ready_state()
                    matched = binding is not None and self._reachable(
                        listener_keys, nets[site_namespace], _spec(binding).get('routingKey'))
                message = 'No matching listeners' if binding is not None else 'No matching binding'
                self._write_matched('AttachedConnector', attached, matched, message, {'selectedPods': []},
                                    configured)

    @staticmethod
    def _binding_for(state, site_namespace, connector_namespace, name):
        for binding in state.objects.get(site_namespace, {}).get('AttachedConnectorBinding', []):
            if _name(binding) == name and _spec(binding).get('connectorNamespace') == connector_namespace:
                return binding
        return None

    # -- router accesses -----------------------------------------------------------------------

    def _reconcile_router_accesses(self, state, sites):
        for namespace in sites:
            for router_access in state.items(namespace, 'RouterAccess'):
                endpoints = self._router_access_endpoints(namespace, router_access)
                resolved = st.ready_state() if endpoints else st.pending_state('Pending')
                self._write_status('RouterAccess', router_access, st.build_status(
                    router_access, {'Configured': st.ready_state(), 'Resolved': resolved},
                    st.REQUIRED_CONDITIONS['RouterAccess'], {'endpoints': endpoints or None}))

    # -- access grants -------------------------------------------------------------------------

    def _grant_code(self, grant):
        """spec.code, else the code this controller issued (kept stable for the grant's uid)."""
        spec_code = _spec(grant).get('code')
        if spec_code:
            return spec_code
        uid = grant['metadata'].get('uid') or _name(grant)
        with self._data_lock:
            if uid not in self._grant_codes:
                self._grant_codes[uid] = (grant.get('status') or {}).get('code') or grants.random_code()
            return self._grant_codes[uid]

    def _grant_url(self, grant):
        uid = grant['metadata'].get('uid')
        path = uid if uid else '%s/%s' % (grant['metadata']['namespace'], _name(grant))
        return '%s/%s' % (self.redeem_url, path)

    def _reconcile_grants(self, state, sites):
        for namespace in state.namespaces():
            for grant in state.items(namespace, 'AccessGrant'):
                if grant['metadata'].get('uid'):
                    with self._data_lock:
                        self._grant_index[grant['metadata']['uid']] = (namespace, _name(grant))
                self._write_status('AccessGrant', grant, self._grant_status(grant, sites.get(namespace)))

    def _grant_status(self, grant, site):
        required = st.REQUIRED_CONDITIONS['AccessGrant']
        if site is None:
            return st.build_status(grant, {'Processed': st.pending_state('No active site in namespace')}, required)
        if not site.endpoints:
            return st.build_status(grant, {'Processed': st.pending_state(
                'Site %s does not have link access enabled' % site.name)}, required)
        try:
            expires = st.rfc3339(grants.expiration_time(grant))
        except ValueError as exc:
            return st.build_status(grant, {'Processed': st.error_state(str(exc))}, required)
        extra = {'url': self._grant_url(grant), 'code': self._grant_code(grant), 'ca': self.redeem_ca,
                 'redemptions': (grant.get('status') or {}).get('redemptions') or 0, 'expirationTime': expires}
        return st.build_status(grant, {'Processed': st.ready_state(), 'Resolved': st.ready_state()}, required,
                               extra)

    # -- the redeem endpoint -------------------------------------------------------------------

    def _find_grant(self, path):
        segments = [segment for segment in urllib.parse.urlsplit(path).path.split('/') if segment]
        if not segments:
            return None
        with self._data_lock:
            located = self._grant_index.get(segments[-1])
        if located is None and len(segments) >= 2:
            located = (segments[-2], segments[-1])
        if located is None:
            return None
        try:
            grant = self.custom.get_namespaced_custom_object(GROUP, VERSION, located[0], 'accessgrants', located[1])
        except ApiException:
            return None
        if segments[-1] not in (grant['metadata'].get('uid'), _name(grant)):
            return None
        return grant

    def _redeem(self, path, body, headers):
        """The grant server's decision for one POST: (HTTP status, body text)."""
        try:
            grant = self._claim(path, body.decode(errors='replace'))
        except grants.RedeemRefused as refused:
            return refused.http_status, refused.message
        namespace = grant['metadata']['namespace']
        with self._data_lock:
            site, ca = self._sites.get(namespace), self._site_cas.get(namespace)
            key = (namespace, _name(grant))
            self._redemption_counts[key] = self._redemption_counts.get(key, 0) + 1
        name = headers.get('name') or _name(grant)
        subject = headers.get('subject') or name
        return 200, grants.redeem_response(grants.redeem_documents(name, subject, site.endpoints, ca))

    def _claim(self, path, code):
        """Check the code and count one redemption on the grant (re-read on write conflicts)."""
        for _unused in range(STATUS_WRITE_ATTEMPTS):
            grant = self._find_grant(path)
            if grant is None or not (grant.get('status') or {}).get('url'):
                raise grants.RedeemRefused(404, 'No such claim')
            grants.check_redeemable(grant, code, self._grant_code(grant))
            namespace = grant['metadata']['namespace']
            with self._data_lock:
                site = self._sites.get(namespace)
            if site is None or not site.endpoints or namespace not in self._site_cas:
                raise grants.RedeemRefused(503, 'Site in namespace %s is not ready' % namespace)
            if self._increment_redemptions(grant):
                return grant
        raise grants.RedeemRefused(503, 'Could not update grant status')

    def _increment_redemptions(self, grant):
        """status.redemptions + 1 through the API; False when the grant changed meanwhile (409)."""
        count = ((grant.get('status') or {}).get('redemptions') or 0) + 1
        body = dict(grant, status=dict(grant.get('status') or {}, redemptions=count))
        try:
            self.custom.replace_namespaced_custom_object_status(
                GROUP, VERSION, grant['metadata']['namespace'], PLURALS['AccessGrant'], _name(grant), body)
        except ApiException as exc:
            if exc.status == 409:
                return False
            raise grants.RedeemRefused(503, 'Could not update grant status')
        return True
