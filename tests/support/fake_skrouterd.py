"""Router stand-in (a test double for skrouterd), for tests on machines without the Skupper router.

Run as `skrouterd -c skrouterd.json` (tests/support/bin/skrouterd). What it does like the real router:
- reads the real configuration and exits 1, with the reason on stderr, when the router would refuse it:
  everything tests/support/router_schema.py checks against the router's management schema (entity
  types, attributes, required attributes, values of the types and enums the router accepts, names
  unique across all types, sslProfiles that exist), inter-router/edge listeners in edge mode, and
  sslProfile files that are missing. Without the schema (no reference folder) it says so on stderr and
  checks only names and references;
- binds `listener`s with TLS from their sslProfile (a client certificate is required and verified with
  `authenticatePeer`), the management listener (`normal`) included, so that it accepts a mutual-TLS
  connection once the router is up; an AMQP client's protocol header is answered with the router's SASL
  header. A refused client certificate closes the connection (the real router sends a TLS alert);
- dials `connector`s (links) with the link's client certificate, verifying the server against the
  profile's CA and the host name as the router (Proton) does: against the DNS names of the
  subjectAltName and then the common name, case-insensitively, with `*` wildcards inside labels, never
  against IP address entries;
- reports each connector's `connectionStatus` (SUCCESS / CONNECTING) and `connectionMsg`;
- binds a `tcpListener` only once a `tcpConnector` for its address is reachable (here or at a linked
  router) and carries TCP connections to that connector over TLS between the routers.
What differs: routers exchange one JSON line instead of AMQP; management answers one JSON line
(`{"operation": "QUERY", "type": T}`) on the `normal` listener instead of AMQP management (the
stand-ins of skmanage/skstat speak it); traffic goes over one hop only (no multi-hop routing).
"""

import argparse
import asyncio
import itertools
import json
import os
import signal
import ssl
import sys

from cryptography import x509

from tests.support import reference, router_schema

VERSION = '3.3.0 (appnet.skupper router stand-in)'
LINK_ROLES = ('inter-router', 'edge')
RETRY_SECONDS = 1.0
AMQP_SASL_HEADER = b'AMQP\x03\x01\x00\x00'
TYPE_PREFIX = 'io.skupper.router.'
# Entity types this stand-in answers (others are unknown to it: an error, as the router says for unknown types).
ENTITY_TYPES = ('connector', 'listener', 'tcpListener', 'tcpConnector', 'sslProfile', 'router', 'router.node',
                'connection', 'router.address', 'router.link', 'tcpConnection')
# What the real router answers with [] when asked by the short name (its C management agent knows only the
# full name): what tests/e2e/test_management_fidelity.py records.
SHORT_NAMES_ANSWERED_EMPTY = ('router.address', 'router.link', 'tcpConnection')


class ConfigError(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# Configuration


def load_config(path):
    """The entities of a configuration file; ConfigError for anything the router refuses (see router_schema)."""
    with open(path) as handle:
        try:
            entities = json.load(handle)
        except ValueError as exc:
            raise ConfigError('%s: not JSON: %s' % (path, exc))
    problems = router_schema.structure_problems(entities)
    if not problems:
        try:
            entity_types = router_schema.load_schema()
        except router_schema.SchemaMissing as exc:
            log('WARNING: %s; checking only names and sslProfile references, not entity types, attributes and '
                'values (set %s to the reference folder)' % (exc, reference.ENV))
            problems = router_schema.reference_problems(entities)
        else:
            problems = router_schema.schema_problems(entities, strict=False, entity_types=entity_types)
    if problems:
        raise ConfigError('; '.join(problems))
    return entities


def by_type(entities, entity_type):
    return [dict(attributes) for kind, attributes in entities if kind == entity_type]


def check_config(entities):
    router = (by_type(entities, 'router') or [{}])[0]
    if router.get('mode') == 'edge':
        for listener in by_type(entities, 'listener'):
            if listener.get('role') in LINK_ROLES:
                raise ConfigError("role='%s' only allowed with router mode='interior'" % listener.get('role'))
    for profile in by_type(entities, 'sslProfile'):
        for key in ('certFile', 'privateKeyFile', 'caCertFile'):
            if profile.get(key) and not os.path.exists(profile[key]):
                raise ConfigError('sslProfile %s: %s %s does not exist' % (profile.get('name'), key, profile[key]))


# ---------------------------------------------------------------------------------------------
# TLS


def server_context(profile, require_client):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(profile['certFile'], profile['privateKeyFile'])
    if require_client:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(profile['caCertFile'])
    return context


def client_context(profile):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.check_hostname = False  # checked below against DNS names only, like the router
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(profile['caCertFile'])
    if profile.get('certFile'):
        context.load_cert_chain(profile['certFile'], profile['privateKeyFile'])
    return context


def certificate_names(der):
    """(DNS names of the subjectAltName, common names) of a DER certificate."""
    cert = x509.load_der_x509_certificate(der)
    try:
        dns = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
            x509.DNSName)
    except x509.ExtensionNotFound:
        dns = []
    common = [attribute.value for attribute in cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)]
    return list(dns), common


def _label_matches(pattern, label):
    """One DNS label against one pattern label: case-insensitive, '*' stands for any run of characters."""
    pattern, label = pattern.lower(), label.lower()
    if '*' not in pattern:
        return pattern == label
    prefix, _star, suffix = pattern.partition('*')
    return len(prefix) + len(suffix) <= len(label) and label.startswith(prefix) and label.endswith(suffix)


def name_matches(host, pattern):
    """The router's (Proton's) host name match: label by label, case-insensitive, wildcards inside labels."""
    if '*' not in pattern:
        return host.lower() == pattern.lower()
    host_labels, pattern_labels = host.split('.'), pattern.split('.')
    return len(host_labels) == len(pattern_labels) and all(
        _label_matches(p, h) for p, h in zip(pattern_labels, host_labels))


def host_matches(host, der):
    """Whether the router accepts a peer certificate for host: a DNS name of the subjectAltName matches, or
    else a common name does. IP addresses in the subjectAltName are never looked at, also for an IP host."""
    dns, common = certificate_names(der)
    return any(name_matches(host, name) for name in dns + common)


def as_bool(value, default):
    """A boolean attribute as the router reads it (its schema's conversion)."""
    if value is None:
        return default
    if isinstance(value, str):
        return value.lower() in ('yes', 'true', 'on')
    return bool(value)


# ---------------------------------------------------------------------------------------------
# The router


class Peer:
    """A linked router: its hello and the control stream to it."""

    def __init__(self, hello, writer, direction, host):
        self.router_id = hello['router']
        self.site_id = hello.get('site')
        self.metadata = hello.get('metadata') or json.dumps({'id': self.site_id})
        self.site_entity = hello.get('site_entity')
        self.addresses = set(hello.get('addresses') or [])
        self.writer = writer
        self.direction = direction
        self.host = host


class Router:
    def __init__(self, entities):
        self.entities = entities
        self.router = (by_type(entities, 'router') or [{}])[0]
        self.router_id = self.router.get('id', 'router')
        try:
            self.site_id = json.loads(self.router.get('metadata') or '{}').get('id')
        except ValueError:
            self.site_id = None
        self.profiles = dict((p['name'], p) for p in by_type(entities, 'sslProfile'))
        self.listeners = by_type(entities, 'listener')
        self.connectors = by_type(entities, 'connector')
        self.tcp_listeners = by_type(entities, 'tcpListener')
        self.tcp_connectors = by_type(entities, 'tcpConnector')
        self.local_addresses = set(c.get('address') for c in self.tcp_connectors)
        self.status = dict((c['name'], ('CONNECTING', 'Connection to %s:%s not yet attempted'
                                        % (c.get('host'), c.get('port')))) for c in self.connectors)
        self.peers = {}
        self.bound = {}
        self.bind_errors = {}
        # deliveries (TCP connections) per address: that came in through a listener here, that left to a connector
        self.ingress, self.egress = {}, {}
        self.pending = {}
        self.stream_ids = itertools.count(1)
        self.tasks = []

    # -- hello / peers -----------------------------------------------------------------------

    def hello(self):
        return {'type': 'hello', 'router': self.router_id, 'site': self.site_id, 'mode': self.router.get('mode'),
                'addresses': sorted(self.local_addresses), 'metadata': self.router.get('metadata'),
                'site_entity': (by_type(self.entities, 'site') or [None])[0]}

    @staticmethod
    async def send(writer, message):
        writer.write((json.dumps(message) + '\n').encode())
        await writer.drain()

    @staticmethod
    async def receive(reader):
        line = await reader.readline()
        if not line:
            raise ConnectionError('connection closed')
        return json.loads(line)

    def reachable(self, address):
        return address in self.local_addresses or any(address in p.addresses for p in self.peers.values())

    async def update_tcp_listeners(self):
        for listener in self.tcp_listeners:
            name, address = listener['name'], listener.get('address')
            if self.reachable(address) and name not in self.bound:
                try:
                    self.bound[name] = await asyncio.start_server(
                        lambda r, w, a=address: self.serve_client(r, w, a), listener.get('host') or '0.0.0.0',
                        int(listener['port']))
                    self.bind_errors.pop(name, None)
                except OSError as exc:
                    # the router logs it as an error and reports it in the listener's connectionMsg
                    self.bind_errors[name] = exc.strerror or str(exc)
                    log('(error) tcpListener %s: cannot bind %s:%s: %s'
                        % (name, listener.get('host'), listener['port'], exc))
            elif not self.reachable(address) and name in self.bound:
                self.bound.pop(name).close()

    async def control_loop(self, peer, reader):
        """Messages on a link's control stream until it closes."""
        self.peers[peer.router_id] = peer
        await self.update_tcp_listeners()
        try:
            while True:
                message = await self.receive(reader)
                if message.get('type') == 'open':
                    self.tasks.append(asyncio.ensure_future(self.accept_reverse(peer, message)))
        except (ConnectionError, ValueError, ssl.SSLError, OSError):
            pass
        finally:
            if self.peers.get(peer.router_id) is peer:
                del self.peers[peer.router_id]
            await self.update_tcp_listeners()

    # -- connectors (outgoing links) ------------------------------------------------------------

    async def dial(self, connector, first_message):
        """A verified TLS connection for a link connector, the first message sent."""
        profile = self.profiles[connector['sslProfile']]
        host, port = connector.get('host'), int(connector.get('port'))
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(host, port, ssl=client_context(profile), server_hostname=None), 10)
        der = writer.get_extra_info('ssl_object').getpeercert(binary_form=True)
        if as_bool(connector.get('verifyHostname'), True) and not host_matches(host, der):
            writer.close()
            raise ssl.SSLCertVerificationError('certificate verify failed: no name matching %s found in peer cert '
                                               '(%s)' % (host, ', '.join(sum(certificate_names(der), []))))
        await self.send(writer, first_message)
        return reader, writer

    async def run_connector(self, connector):
        name, host, port = connector['name'], connector.get('host'), connector.get('port')
        while True:
            try:
                reader, writer = await self.dial(connector, self.hello())
                hello = await asyncio.wait_for(self.receive(reader), 10)
                peer = Peer(hello, writer, 'out', '%s:%s' % (host, port))
                self.status[name] = ('SUCCESS', '[C1] Connection Opened: dir=out host=%s:%s encrypted=TLSv1.3 '
                                                'auth=EXTERNAL user=(null) container_id=%s'
                                     % (host, port, peer.router_id))
                await self.control_loop(peer, reader)
                self.status[name] = ('CONNECTING', 'Connection to %s:%s closed by the peer' % (host, port))
            except ssl.SSLError as exc:
                reason = 'tlsv1 alert unknown ca' if 'UNKNOWN_CA' in str(exc).upper() else (
                    'certificate verify failed' if 'verify failed' in str(exc) else str(exc))
                self.status[name] = ('CONNECTING', 'Connection to %s:%s failed: TLS handshake failed: %s'
                                     % (host, port, reason))
            except (OSError, asyncio.TimeoutError, ConnectionError, ValueError) as exc:
                cause = 'Connection refused' if isinstance(exc, ConnectionRefusedError) else str(exc) or type(exc).__name__
                self.status[name] = ('CONNECTING', 'Connection to %s:%s failed: proton:io %s - disconnected %s:%s'
                                     % (host, port, cause, host, port))
            await asyncio.sleep(RETRY_SECONDS)

    # -- listeners (incoming links, management, streams) ---------------------------------------

    async def start_listeners(self):
        for listener in self.listeners:
            profile = self.profiles[listener['sslProfile']]
            context = server_context(profile, as_bool(listener.get('authenticatePeer'), False))
            handler = self.serve_management if listener.get('role') == 'normal' else self.serve_link
            server = await asyncio.start_server(handler, listener.get('host') or None, int(listener['port']),
                                                ssl=context)
            self.tasks.append(server)

    async def serve_link(self, reader, writer):
        try:
            message = await asyncio.wait_for(self.receive(reader), 10)
            if message.get('type') == 'hello':
                await self.send(writer, self.hello())
                peername = writer.get_extra_info('peername') or ('?', 0)
                await self.control_loop(Peer(message, writer, 'in', '%s:%s' % peername[:2]), reader)
            elif message.get('type') == 'stream':
                await self.connect_local(message['address'], reader, writer)
            elif message.get('type') == 'accept':
                future = self.pending.pop(message.get('id'), None)
                if future is not None:
                    future.set_result((reader, writer))
                    return
        except (ConnectionError, ValueError, KeyError, asyncio.TimeoutError, OSError, ssl.SSLError):
            pass
        writer.close()

    async def serve_management(self, reader, writer):
        try:
            start = await asyncio.wait_for(reader.readexactly(len(AMQP_SASL_HEADER)), 10)
            if start.startswith(b'AMQP'):
                # An AMQP client (the real tools, or the system module's readiness check): the router answers
                # a protocol header with its own SASL header; this stand-in then closes the connection.
                writer.write(AMQP_SASL_HEADER)
                await writer.drain()
                writer.close()
                return
            line = start + await reader.readline()
            request = json.loads(line)
            answer = self.query(request.get('type'), request.get('router')) if request.get('operation') == 'QUERY' else \
                {'error': 'unsupported operation %r' % request.get('operation')}
            await self.send(writer, answer)
        except (ConnectionError, ValueError, asyncio.TimeoutError, asyncio.IncompleteReadError, OSError, ssl.SSLError):
            pass
        writer.close()

    # -- TCP traffic ----------------------------------------------------------------------------

    async def serve_client(self, reader, writer, address):
        self.ingress[address] = self.ingress.get(address, 0) + 1
        try:
            if address in self.local_addresses:
                await self.connect_local(address, reader, writer)
                return
            peer = next((p for p in self.peers.values() if address in p.addresses), None)
            if peer is None:
                writer.close()
                return
            if peer.direction == 'out':
                connector = next(c for c in self.connectors if self.status[c['name']][1].endswith(peer.router_id))
                remote_reader, remote_writer = await self.dial(connector, {'type': 'stream', 'address': address})
            else:
                remote_reader, remote_writer = await self.reverse_stream(peer, address)
            await pipe(reader, writer, remote_reader, remote_writer)
        except (OSError, ConnectionError, asyncio.TimeoutError, StopIteration, ssl.SSLError):
            writer.close()

    async def reverse_stream(self, peer, address):
        """A stream to a router that dialed us: ask it to open one back."""
        stream_id = next(self.stream_ids)
        future = asyncio.get_event_loop().create_future()
        self.pending[stream_id] = future
        await self.send(peer.writer, {'type': 'open', 'id': stream_id, 'address': address})
        return await asyncio.wait_for(future, 10)

    async def accept_reverse(self, peer, message):
        connector = next((c for c in self.connectors if self.status[c['name']][1].endswith(peer.router_id)), None)
        if connector is None:
            return
        try:
            reader, writer = await self.dial(connector, {'type': 'accept', 'id': message['id']})
            await self.connect_local(message['address'], reader, writer)
        except (OSError, ConnectionError, asyncio.TimeoutError, ssl.SSLError):
            pass

    async def connect_local(self, address, reader, writer):
        target = next((c for c in self.tcp_connectors if c.get('address') == address), None)
        if target is None:
            writer.close()
            return
        self.egress[address] = self.egress.get(address, 0) + 1
        local_reader, local_writer = await asyncio.open_connection(target.get('host'), int(target['port']))
        await pipe(reader, writer, local_reader, local_writer)

    # -- management -----------------------------------------------------------------------------

    def query(self, requested, router=None):
        """The entities of a management query, as the real router answers: by the full type name
        (io.skupper.router.<type>); a short name of a type the router's C agent serves (router.address,
        router.link, ...) gives [], other short names the entities; an unknown type is an error.
        router: another router's id (skmanage -r): this stand-in knows only the router entity of a linked router
        (its id and site id, from the link's hello)."""
        if router and router != self.router_id:
            return self.remote_query(requested, router)
        if requested.startswith(TYPE_PREFIX):
            entity_type = requested[len(TYPE_PREFIX):]
        elif requested in SHORT_NAMES_ANSWERED_EMPTY:
            return []
        else:
            entity_type = requested
        if entity_type not in ENTITY_TYPES:
            return {'error': "No such entity type '%s'" % (TYPE_PREFIX + entity_type)}

        def entity(kind, attributes, identity):
            # the router gives ports as strings (their type in its schema), whatever the configuration file held
            ports = dict(port=str(attributes['port'])) if attributes.get('port') is not None else {}
            return dict(attributes, identity=identity, type=TYPE_PREFIX + kind, **ports)
        if entity_type == 'connector':
            return [entity('connector', dict(c, verifyHostname=c.get('verifyHostname', True),
                                             connectionStatus=self.status[c['name']][0],
                                             connectionMsg=self.status[c['name']][1]),
                           'connector/%s:%s:%s' % (c.get('host'), c.get('port'), c['name'])) for c in self.connectors]
        if entity_type == 'listener':
            return [entity('listener', item, 'listener/%s:%s:%s' % (item.get('host', ''), item.get('port'), item['name']))
                    for item in self.listeners]
        if entity_type == 'tcpListener':
            return [entity('tcpListener', dict(item, operStatus='up' if item['name'] in self.bound else 'down',
                                               connectionMsg=self.bind_errors.get(item['name'], '')),
                           item['name']) for item in self.tcp_listeners]
        if entity_type == 'tcpConnector':
            return [entity('tcpConnector', item, item['name']) for item in self.tcp_connectors]
        if entity_type == 'sslProfile':
            return [entity('sslProfile', item, item['name']) for item in self.profiles.values()]
        if entity_type == 'router':
            return [entity('router', dict(self.router, name='router/' + self.router_id), 'router/' + self.router_id)]
        if entity_type == 'router.node':
            nodes = [{'id': self.router_id, 'nextHop': '(self)'}] + [
                {'id': peer.router_id, 'nextHop': peer.router_id} for peer in self.peers.values()]
            return [entity('router.node', node, 'router.node/' + node['id']) for node in nodes]
        if entity_type == 'connection':
            return [entity('connection', {'role': 'inter-router', 'dir': peer.direction, 'host': peer.host,
                                          'container': peer.router_id, 'opened': True, 'isEncrypted': True,
                                          'sasl': 'EXTERNAL'}, 'connection/%d' % index)
                    for index, peer in enumerate(self.peers.values(), 1)]
        if entity_type == 'router.address':
            return [entity('router.address', {'key': 'M' + address, 'distribution': 'balanced',
                                              'subscriberCount': int(address in self.local_addresses),
                                              'remoteCount': sum(address in p.addresses for p in self.peers.values()),
                                              'deliveriesIngress': self.ingress.get(address, 0),
                                              'deliveriesEgress': self.egress.get(address, 0),
                                              'deliveriesTransit': 0},
                           'M' + address)
                    for address in sorted(self.local_addresses.union(*[p.addresses for p in self.peers.values()]))]
        return []

    def remote_query(self, requested, router):
        peer = self.peers.get(router)
        if peer is None:
            return {'error': 'no route to router %s' % router}
        if requested in ('site', TYPE_PREFIX + 'site') and peer.site_entity:
            return [dict(peer.site_entity, identity='site/None', type=TYPE_PREFIX + 'site')]
        if requested not in ('router', TYPE_PREFIX + 'router'):
            return {'error': 'this stand-in answers only the router and site entities of another router (asked %s)'
                             % requested}
        return [{'id': peer.router_id, 'metadata': peer.metadata, 'name': 'router/' + peer.router_id,
                 'identity': 'router/' + peer.router_id, 'type': TYPE_PREFIX + 'router'}]

    async def run(self):
        await self.start_listeners()
        await self.update_tcp_listeners()
        for connector in self.connectors:
            if connector.get('role') in LINK_ROLES:
                self.tasks.append(asyncio.ensure_future(self.run_connector(connector)))
        log('router %s running' % self.router_id)
        stop = asyncio.get_event_loop().create_future()
        for signum in (signal.SIGTERM, signal.SIGINT):
            asyncio.get_event_loop().add_signal_handler(signum, lambda: stop.done() or stop.set_result(True))
        await stop
        log('router %s stopping' % self.router_id)


async def pipe(reader_a, writer_a, reader_b, writer_b):
    async def copy(source, target):
        try:
            while True:
                data = await source.read(65536)
                if not data:
                    break
                target.write(data)
                await target.drain()
        except (OSError, ConnectionError, ssl.SSLError):
            pass
        finally:
            try:
                if target.can_write_eof():
                    target.write_eof()
            except (OSError, RuntimeError, ssl.SSLError):
                target.close()
    await asyncio.gather(copy(reader_a, writer_b), copy(reader_b, writer_a))
    writer_a.close()
    writer_b.close()


def log(message):
    sys.stderr.write('skrouterd stand-in: %s\n' % message)
    sys.stderr.flush()


def main(argv=None):
    parser = argparse.ArgumentParser(prog='skrouterd', description='Skupper router stand-in (a test double)')
    parser.add_argument('-c', '--config', help='router configuration (JSON)')
    parser.add_argument('-v', '--version', action='store_true')
    args = parser.parse_args(argv)
    if args.version:
        print(VERSION)
        return 0
    if not args.config:
        parser.error('-c CONFIG is required')
    try:
        entities = load_config(args.config)
        check_config(entities)
        router = Router(entities)
        asyncio.run(router.run())
    except ConfigError as exc:
        log('configuration error: %s' % exc)
        return 1
    except OSError as exc:
        log('cannot start: %s' % exc)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
