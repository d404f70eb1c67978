"""Management client stand-ins (test doubles) for skupper-router's `skmanage` and `skstat`.

They take the real tools' connection options (-b/--bus, -t/--timeout, --ssl-certificate, --ssl-key,
--ssl-trustfile, --ssl-disable-peer-name-verify), open a real TLS connection with the client
certificate, and speak the one-line JSON protocol of tests/support/fake_skrouterd.py instead of AMQP:
send `{"operation": "QUERY", "type": "<entityType>"}`, read one JSON line (the entity list).
`skmanage query` prints that list as the real tool does (JSON, indent 2); `skstat -c/-l/-n/-a` renders
the real tool's tables from query results. Failures print `<Kind>: <message>` and exit 1, like the
real tools. Used by tests/support/bin/skmanage and tests/support/bin/skstat.
"""

import argparse
import json
import socket
import ssl
import time
import urllib.parse

# skstat asks by the full type names, as the real tool does (the router answers some short names with []).
TYPE_PREFIX = 'io.skupper.router.'
ADDRESS_CLASSES = {'L': 'local', 'M': 'mobile', 'R': 'router', 'T': 'topo', 'A': 'area', 'C': 'link-in',
                   'D': 'link-out', 'E': 'edge'}


class ToolError(Exception):
    """A failure printed as `<kind>: <message>` (exit status 1)."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind


# -- command line -----------------------------------------------------------------------------------

def add_connection_options(parser):
    group = parser.add_argument_group('Connection Options')
    group.add_argument('-b', '--bus', default='0.0.0.0', metavar='URL')
    group.add_argument('-t', '--timeout', type=float, default=5, metavar='SECS')
    group.add_argument('--ssl-certificate', metavar='CERT')
    group.add_argument('--ssl-key', metavar='KEY')
    group.add_argument('--ssl-trustfile', metavar='TRUSTED-CA-DB')
    group.add_argument('--ssl-password')
    group.add_argument('--ssl-password-file')
    group.add_argument('--sasl-mechanisms')
    group.add_argument('--sasl-username')
    group.add_argument('--sasl-password')
    group.add_argument('--sasl-password-file')
    group.add_argument('--ssl-disable-peer-name-verify', action='store_true')


def skmanage_parser():
    parser = argparse.ArgumentParser(prog='skmanage <operation>')
    parser.add_argument('operation')
    parser.add_argument('attributes', nargs='*', help='attribute names to show (query)')
    parser.add_argument('-r', '--router')
    parser.add_argument('-d', '--edge-router')
    parser.add_argument('--type')
    parser.add_argument('--name')
    parser.add_argument('--identity')
    parser.add_argument('--indent', type=int, default=2)
    add_connection_options(parser)
    return parser


def skstat_parser():
    parser = argparse.ArgumentParser(prog='skstat')
    display = parser.add_mutually_exclusive_group()
    for flag, long_name, view in (('-g', '--general', 'general'), ('-c', '--connections', 'connections'),
                                  ('-l', '--links', 'links'), ('-n', '--nodes', 'nodes'),
                                  ('-a', '--address', 'addresses')):
        display.add_argument(flag, long_name, action='store_const', dest='show', const=view)
    parser.set_defaults(show='general')
    parser.add_argument('-r', '--router')
    parser.add_argument('--limit', type=int)
    parser.add_argument('--csv', action='store_true')
    add_connection_options(parser)
    return parser


# -- the connection ---------------------------------------------------------------------------------

def bus_address(bus):
    """(scheme, host, port) of a -b value such as amqps://127.0.0.1:25671 or 127.0.0.1:5672."""
    url = urllib.parse.urlsplit(bus if '://' in bus else 'amqp://' + bus)
    scheme = url.scheme or 'amqp'
    return scheme, url.hostname or '0.0.0.0', url.port or (5671 if scheme == 'amqps' else 5672)


def client_context(opts):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = not opts.ssl_disable_peer_name_verify
    if opts.ssl_trustfile:
        context.load_verify_locations(opts.ssl_trustfile)
    if opts.ssl_certificate:
        context.load_cert_chain(opts.ssl_certificate, opts.ssl_key, opts.ssl_password)
    return context


def _connection_error(url, condition, text):
    return ToolError('ConnectionException', "Connection %s disconnected: Condition('%s', '%s')"
                     % (url, condition, text))


def query(opts, entity_type):
    """The entity list the router returns for entity_type over the one-line protocol (of the router named by
    -r/--router when given: the router asks it through the network)."""
    scheme, host, port = bus_address(opts.bus)
    url = '%s://%s:%d' % (scheme, host, port)
    use_tls = scheme == 'amqps' or bool(opts.ssl_certificate or opts.ssl_trustfile)
    try:
        raw = socket.create_connection((host, port), timeout=opts.timeout)
    except ConnectionRefusedError:
        raise _connection_error(url, 'proton:io', 'Connection refused - disconnected %s:%d' % (host, port))
    except socket.timeout:
        raise ToolError('Timeout', 'Connection %s timed out: Opening connection' % url)
    except OSError as exc:
        raise _connection_error(url, 'proton:io', '%s - disconnected %s:%d' % (exc.strerror or exc, host, port))
    try:
        stream = client_context(opts).wrap_socket(raw, server_hostname=host) if use_tls else raw
        with stream:
            return _exchange(stream, entity_type, getattr(opts, 'router', None))
    except ssl.SSLError as exc:
        raise _connection_error(url, 'amqp:connection:framing-error', 'SSL Failure: %s' % exc)
    except socket.timeout:
        raise ToolError('Timeout', 'Connection %s timed out: Waiting for response' % url)
    except (OSError, ValueError) as exc:
        raise _connection_error(url, 'proton:io', str(exc))


def _exchange(stream, entity_type, router=None):
    request = json.dumps(dict({'operation': 'QUERY', 'type': entity_type}, **({'router': router} if router else {})))
    request += '\n'
    stream.sendall(request.encode())
    reader = stream.makefile('rb')
    line = reader.readline()
    if not line:
        raise ToolError('ConnectionException', 'Connection closed by the router before the response')
    reply = json.loads(line.decode())
    if not isinstance(reply, list):
        message = reply.get('error') or reply.get('message') if isinstance(reply, dict) else reply
        raise ToolError('BadRequestStatus', str(message))
    return reply


# -- skmanage ---------------------------------------------------------------------------------------

def skmanage_main(argv=None):
    opts = skmanage_parser().parse_args(argv)
    if opts.operation.upper() != 'QUERY':
        return _fail(ToolError('NotImplemented', 'this test double only supports query (got %s)' % opts.operation))
    if not opts.type:
        return _fail(ToolError('UsageError', 'query needs --type'))
    try:
        entities = query(opts, opts.type)
    except ToolError as exc:
        return _fail(exc)
    if opts.attributes:
        entities = [{name: entity.get(name) for name in opts.attributes} for entity in entities]
    print(json.dumps(entities, indent=None if opts.indent < 0 else opts.indent))
    return 0


def _fail(error):
    print('%s: %s' % (error.kind, error))
    return 1


# -- skstat -----------------------------------------------------------------------------------------

def time_long(seconds):
    seconds = int(seconds or 0)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    return '%03d:%02d:%02d:%02d' % (days, hours, minutes, seconds)


def render_table(title, heads, rows, prefix='  '):
    """skstat's classic table: columns as wide as their widest cell plus two, the last one unpadded."""
    lines = [title]
    if not rows:
        return lines
    rows = [[str(cell) for cell in row] for row in rows]
    widths = [max([len(head)] + [len(row[index]) for row in rows]) + 2 for index, head in enumerate(heads)]
    lines.append(prefix + _join(heads, widths))
    lines.append(prefix + '=' * sum(widths))
    lines.extend(prefix + _join(row, widths) for row in rows)
    return lines


def _join(cells, widths):
    padded = [cell.ljust(width) for cell, width in zip(cells[:-1], widths[:-1])]
    return ''.join(padded + [cells[-1]])


def _security(connection):
    if connection.get('isEncrypted'):
        return '%s(%s)' % (connection.get('sslProto'), connection.get('sslCipher'))
    return 'no-security'


def _authentication(connection):
    if not connection.get('isAuthenticated'):
        return 'no-auth'
    mechanism = 'x.509' if connection.get('sasl') == 'EXTERNAL' else connection.get('sasl')
    user = connection.get('user')
    return '%s(%s)' % (user, mechanism) if user else mechanism


def connections_table(opts):
    heads = ['id', 'host', 'container', 'role', 'proto', 'dir', 'security', 'authentication', 'meshId',
             'last dlv', 'uptime']
    rows = [[c.get('identity'), c.get('host'), c.get('container'), c.get('role'), c.get('protocol'), c.get('dir'),
             _security(c), _authentication(c), c.get('meshId') or '', time_long(c.get('lastDlvSeconds')),
             time_long(c.get('uptimeSeconds'))] for c in query(opts, TYPE_PREFIX + 'connection')]
    return render_table('Connections', heads, rows)


def nodes_table(opts):
    nodes = sorted(query(opts, TYPE_PREFIX + 'router.node'), key=lambda node: node.get('id') or '')
    lines = ['Routers in the Network']
    changes = [node['lastTopoChange'] for node in nodes if node.get('lastTopoChange')]
    if changes:
        lines.append('Last Topology Change: %s GMT' % time.strftime('%A %b %d %H:%M:%S %Y', time.gmtime(max(changes))))
    rows = [[node.get('id'), node.get('nextHop') or '-', _dash(node.get('routerLink'))] for node in nodes]
    return lines + render_table('', ['router-id', 'next-hop', 'link'], rows)[1:]


def _dash(value):
    return '-' if value is None else value


def _address_parts(key):
    """(class, address) of a router.address key such as M0backend or Lqdhello."""
    kind = ADDRESS_CLASSES.get(key[:1], key[:1])
    text = key[2:] if key[:1] == 'M' and key[1:2].isdigit() else key[1:]
    return kind, text


def addresses_table(opts):
    heads = ['class', 'addr', 'distrib', 'pri', 'local', 'remote', 'in', 'out', 'thru']
    rows = []
    for address in query(opts, TYPE_PREFIX + 'router.address'):
        kind, text = _address_parts(address.get('key') or address.get('name') or '')
        priority = address.get('priority')
        rows.append([kind, text, address.get('distribution'), '-' if priority is None or priority < 0 else priority,
                     address.get('subscriberCount', 0), address.get('remoteCount', 0),
                     address.get('deliveriesIngress', 0), address.get('deliveriesEgress', 0),
                     address.get('deliveriesTransit', 0)])
    rows.sort(key=lambda row: row[1])
    return render_table('Router Addresses', heads, rows)


def links_table(opts):
    heads = ['type', 'dir', 'conn id', 'id', 'class', 'addr', 'cap', 'pri', 'undel', 'unsett', 'deliv', 'presett',
             'psdrop', 'acc', 'rej', 'rel', 'mod', 'delay', 'rate', 'stuck', 'cred', 'blkd']
    rows = []
    for link in query(opts, TYPE_PREFIX + 'router.link'):
        kind, text = _address_parts(link['owningAddr']) if link.get('owningAddr') else ('', '')
        delay = (link.get('deliveriesDelayed1Sec') or 0) + (link.get('deliveriesDelayed10Sec') or 0)
        rows.append([link.get('linkType'), link.get('linkDir'), link.get('connectionId'), link.get('identity'), kind,
                     text, link.get('capacity'), link.get('priority'), link.get('undeliveredCount', 0),
                     link.get('unsettledCount', 0), link.get('deliveryCount', 0), link.get('presettledCount', 0),
                     link.get('droppedPresettledCount', 0), link.get('acceptedCount', 0),
                     link.get('rejectedCount', 0), link.get('releasedCount', 0), link.get('modifiedCount', 0), delay,
                     link.get('settleRate', 0), link.get('deliveriesStuck', 0), link.get('creditAvailable', 0),
                     link.get('zeroCreditSeconds') or '-'])
    return render_table('Router Links', heads, rows)


def general_table(opts):
    router = (query(opts, TYPE_PREFIX + 'router') or [{}])[0]
    rows = [['Mode', router.get('mode')], ['Router Id', router.get('id')], ['Area', router.get('area')]]
    return render_table('Router Statistics', ['attr', 'value'], rows)


VIEWS = {'connections': connections_table, 'nodes': nodes_table, 'addresses': addresses_table,
         'links': links_table, 'general': general_table}


def skstat_main(argv=None):
    opts = skstat_parser().parse_args(argv)
    try:
        router = (query(opts, TYPE_PREFIX + 'router') or [{}])[0]
        body = VIEWS[opts.show](opts)
    except ToolError as exc:
        return _fail(exc)
    stamp = time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime()) + '.000000+00:00 UTC'
    print('\n'.join([stamp, router.get('id') or '', ''] + body))
    return 0
