# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every management query of a site's status in ONE management session: one process, one AMQP connection.

`skmanage` asks one entity type per run, and each run starts Python, loads Proton and opens a TLS connection
(about a second each). Here skmanage's own interpreter runs a short program that loads skmanage's own client
library (its `Node` and connection options, from the skmanage file itself), connects once with the same options
the tool takes, queries every entity type, then asks the routers at the other end of the links for their router
entity, and every other router of the network for its tcpListeners, over the same connection (their management
node `_topo/0/<router id>/$management`).

query_all() returns None when the tool is not skupper-router's skmanage (another tool or version, a test
double): the caller then runs skmanage once per type (router_queries.py).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import shutil
import subprocess

# The start of every program run with skmanage's Python: connect(request) opens the management session with
# skmanage's own library (its Node, opts_url and opts_ssl_domain, loaded from the skmanage file), with the
# request's bus address and client certificate. It returns (node, None), or (None, exit code) once it has printed
# {"unsupported": why} (the library cannot be loaded: exit 0) or "<error class>: <message>" (exit 1, as skmanage).
CONNECT = r'''
import json, runpy, sys


class Options:
    ssl_password = ssl_password_file = sasl_mechanisms = sasl_username = sasl_password = None
    sasl_password_file = None
    ssl_disable_peer_name_verify = False


def connect(request):
    try:
        tool = runpy.run_path(sys.argv[1], run_name='skmanage_library')
        node_class, opts_url, opts_ssl_domain = tool['Node'], tool['opts_url'], tool['opts_ssl_domain']
    except BaseException as exc:
        print(json.dumps({'unsupported': '%s: %s' % (type(exc).__name__, exc)}))
        return None, 0
    opts = Options()
    opts.bus = request['bus']
    opts.ssl_certificate, opts.ssl_key, opts.ssl_trustfile = request['certificate'], request['key'], request['trustfile']
    try:
        return node_class.connect(opts_url(opts), None, request['timeout'], opts_ssl_domain(opts), None), None
    except Exception as exc:
        print('%s: %s' % (type(exc).__name__, exc))
        return None, 1
'''

# Run as: <skmanage's python> -c PROGRAM <skmanage path>, the request as JSON on standard input. Prints
# {"types": {type: [entities]}, "remote": {router id: router entity}, "remote_listeners": {router id: [listener]},
#  "remote_state": {router id: {type: [entities]}}},
# or what connect prints; a failure prints "<error class>: <message>" and exits 1, as skmanage does.
PROGRAM = CONNECT + r'''

def main():
    request = json.load(sys.stdin)
    node, code = connect(request)
    if node is None:
        return code
    try:
        types = dict((name, node.query(type=name).get_dicts(clean=True)) for name in request['types'])
        peers = sorted(set(item['container'] for item in types.get(request['connection_type']) or []
                           if item.get('role') in request['peer_roles'] and item.get('dir') == 'out'
                           and item.get('container')))
        # Every other router of the network (interior routers of router.node, and the link peers) is asked, over
        # the same connection, for what says which site it is (its router entity: the site id in its metadata;
        # its site entity), its links (connectors and connections) and its listeners and connectors, so that the
        # network can be told from this one site and a connector is matched by a listener whatever site holds
        # it. One attach per router: the router refuses a second link of the same name.
        own = set(item.get('id') for item in types.get(request['router_type']) or [])
        routers = set(item.get('id') for item in types.get(request['node_type']) or [] if item.get('id'))
        remote, listeners, states = {}, {}, {}
        for router in sorted((routers | set(peers)) - own):
            try:
                node.set_client('_topo/0/%s/$management' % router)
            except Exception:
                continue
            state = states.setdefault(router, {})
            for name in request['remote_types']:
                try:
                    state[name] = node.query(type=name).get_dicts(clean=True)
                except Exception:
                    continue
            if state.get(request['router_type']):
                remote[router] = state[request['router_type']][0]
            if request['listener_type'] in state:
                listeners[router] = [dict((key, row.get(key)) for key in ('name', 'address', 'operStatus'))
                                     for row in state[request['listener_type']]]
        print(json.dumps({'types': types, 'remote': remote, 'remote_listeners': listeners, 'remote_state': states}))
        return 0
    except Exception as exc:
        print('%s: %s' % (type(exc).__name__, exc))
        return 1
    finally:
        node.close()


sys.exit(main())
'''


def interpreter(tool):
    """The Python interpreter of a Python tool (its #! line; `env python3` looked up on PATH, as the tool's own
    start does), or None."""
    try:
        with open(tool, 'rb') as handle:
            first = handle.readline(512).decode('utf-8', 'replace').strip()
    except (IOError, OSError):
        return None
    if not first.startswith('#!'):
        return None
    words = first[2:].split()
    if words and os.path.basename(words[0]) == 'env' and len(words) > 1:
        words = words[1:]
        if words and os.sep not in words[0]:
            words[0] = shutil.which(words[0]) or ''
    return words[0] if words and 'python' in os.path.basename(words[0]) and os.sep in words[0] else None


def query_all(tool, target, timeout, entity_types, connection_type, router_type, peer_roles, failure,
              node_type, listener_type, remote_types=()):
    """{'types': {full type: [entities]}, 'remote': {router id: router entity}, 'remote_listeners': {router id:
    [{name, address, operStatus}]}, 'remote_state': {router id: {full type of remote_types: [entities]}}} in one
    session of skmanage's library, or None when tool is not skupper-router's skmanage. failure(argv, output,
    returncode) makes the exception raised for a session that failed (router_queries.tool_failure)."""
    python = interpreter(tool)
    if python is None or not os.access(python, os.X_OK):
        return None
    request = {'bus': 'amqps://127.0.0.1:%d' % target.port, 'certificate': target.certificate, 'key': target.key,
               'trustfile': target.trustfile, 'timeout': timeout, 'types': list(entity_types),
               'connection_type': connection_type, 'router_type': router_type, 'peer_roles': list(peer_roles),
               'node_type': node_type, 'listener_type': listener_type,
               'remote_types': list(remote_types) or [router_type, listener_type]}
    argv = [python, '-c', PROGRAM, tool]
    try:
        done = subprocess.run(argv, input=json.dumps(request), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=timeout * 2 + 5, check=False, universal_newlines=True)
    except subprocess.TimeoutExpired:
        raise failure([tool, 'session'], 'timed out after %d seconds' % (timeout * 2 + 5), 1)
    except OSError:
        return None
    if done.returncode != 0:
        raise failure([tool, 'session'], (done.stdout + '\n' + done.stderr).strip(), done.returncode)
    try:
        answer = json.loads(done.stdout)
    except ValueError:
        raise failure([tool, 'session'], 'printed no JSON: %s' % done.stdout[:300], 1)
    if 'unsupported' in answer:
        return None
    return answer
