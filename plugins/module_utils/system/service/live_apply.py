# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Make a live change (live_config.Changes) on a running router of a system site in ONE management session.

As amqp_session.py does for queries, skmanage's own interpreter runs a short program that loads skmanage's client
library (its `Node` and connection options) and connects once to the site's local management listener with mutual
TLS (the skupper-local-client certificate). On Linux that is the skmanage beside the router binary; on Podman and
Docker it is the skmanage of the router image, run inside the router container (`<engine> exec --interactive`: the
container is on the host network, and sees the client certificate where it mounts runtime/certs), so the host needs
no router tools. It runs the DELETE and CREATE operations in order, stopping at the first
the router refuses, then reads back the tcpListeners and tcpConnectors, so the caller checks that the router holds
exactly what the configuration on disk says.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import subprocess

from ansible_collections.appnet.skupper.plugins.module_utils.system.render import live_config
from ansible_collections.appnet.skupper.plugins.module_utils.system.service import amqp_session, router_queries

TIMEOUT = 10
# The start of the session inside a router container: the image's skmanage (found on its PATH) run by its python3,
# as the image's skmanage itself is; PROGRAM is the shell's $1. No skmanage there: the library does not load, and
# the session says "unsupported".
IN_CONTAINER = 'exec python3 -c "$1" "$(command -v skmanage || echo skmanage)"'

# Run as: <skmanage's python> -c PROGRAM <skmanage path>, the request as JSON on standard input. Prints
# {"done": number of operations made, "error": why the next one failed or null, "types": {type: [entities]}}, or
# what amqp_session.CONNECT prints when there is no session.
PROGRAM = amqp_session.CONNECT + r'''

def main():
    request = json.load(sys.stdin)
    node, code = connect(request)
    if node is None:
        return code
    done, error = 0, None
    try:
        for operation, entity_type, name, attributes in request['operations']:
            try:
                if operation == 'DELETE':
                    node.delete(type=entity_type, name=name)
                else:
                    node.create(attributes, type=entity_type, name=name)
            except Exception as exc:
                error = '%s of %s %s: %s: %s' % (operation, entity_type, name, type(exc).__name__, exc)
                break
            done += 1
        types = {}
        for entity_type in request['types']:
            try:
                types[entity_type] = node.query(type=entity_type).get_dicts(clean=True)
            except Exception as exc:
                error = error or 'QUERY of %s: %s: %s' % (entity_type, type(exc).__name__, exc)
        print(json.dumps({'done': done, 'error': error, 'types': types}))
        return 0
    finally:
        node.close()


sys.exit(main())
'''


def session_argv(tool, container):
    """The command that runs PROGRAM: with tool's interpreter on this host, or (container: (engine, container
    name)) with the image's skmanage in the router container."""
    if container is not None:
        try:
            prefix = router_queries.container_exec(container[0], container[1], stdin=True)
        except router_queries.ManagementError as exc:
            raise live_config.LiveChangeFailed(exc.message)
        return prefix + ['sh', '-c', IN_CONTAINER, 'sh', PROGRAM], prefix
    python = amqp_session.interpreter(tool)
    if python is None or not os.access(python, os.X_OK):
        raise live_config.LiveChangeFailed('%s is not skupper-router\'s skmanage (no Python interpreter in its first '
                                           'line)' % tool)
    return [python, '-c', PROGRAM, tool], ()


def run_operations(tool, target, operations, types, timeout=TIMEOUT, container=None):
    """Run operations (live_config.Changes.operations) on the router at target in one session of tool's library
    (container: (engine, container name), the library of the router image in that container; tool is not used);
    {'done', 'error', 'types'} as PROGRAM prints. LiveChangeFailed when no session could be had."""
    argv, prefix = session_argv(tool, container)
    tool = tool or 'skmanage'
    request = {'bus': 'amqps://127.0.0.1:%d' % target.port, 'certificate': target.certificate, 'key': target.key,
               'trustfile': target.trustfile, 'timeout': timeout, 'types': list(types),
               'operations': [[operation, router_queries.full_type(entity_type), name, attributes]
                              for operation, entity_type, name, attributes in operations]}
    try:
        done = subprocess.run(argv, input=json.dumps(request), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=timeout * 2 + 5, check=False, universal_newlines=True)
    except subprocess.TimeoutExpired:
        raise live_config.LiveChangeFailed('the management session did not end within %d seconds'
                                           % (timeout * 2 + 5))
    except OSError as exc:
        raise live_config.LiveChangeFailed('cannot run %s: %s' % (argv[0], exc))
    if done.returncode != 0:
        raise live_config.LiveChangeFailed(router_queries.tool_failure([tool, 'session'], target, (
            done.stdout + '\n' + done.stderr).strip(), done.returncode, prefix).message)
    try:
        answer = json.loads(done.stdout)
    except ValueError:
        raise live_config.LiveChangeFailed('the management session printed no JSON: %s' % done.stdout[:300])
    if 'unsupported' in answer:
        raise live_config.LiveChangeFailed('%s is not skupper-router\'s skmanage: %s' % (tool, answer['unsupported']))
    return answer


def apply_changes(home, skmanage, changes, entities, timeout=TIMEOUT, container=None):
    """Bring the running router of the site in home to the live entities of its config (entities) with changes;
    LiveChangeFailed when the router refused an operation or does not hold them afterwards. container: (engine,
    container name) of a router container (Podman, Docker): the session runs in it, skmanage is not used."""
    if skmanage is None and container is None:
        raise live_config.LiveChangeFailed('no skmanage beside the router binary or on PATH')
    try:
        target = router_queries.management_target(home)
    except router_queries.ManagementError as exc:
        raise live_config.LiveChangeFailed(exc.message)
    if container is not None:
        target = router_queries.in_container(target, home)
    answer = run_operations(skmanage, target, changes.operations,
                            [router_queries.full_type(name) for name in live_config.LIVE_TYPES], timeout, container)
    if answer.get('error'):
        raise live_config.LiveChangeFailed('the router refused %s (after %d of %d operations)'
                                           % (answer['error'], answer.get('done', 0), len(changes.operations)))
    found = dict((router_queries.short_type(name), items) for name, items in (answer.get('types') or {}).items())
    problems = live_config.mismatches(entities, found)
    if problems:
        raise live_config.LiveChangeFailed('the router does not hold what its configuration says: %s'
                                           % '; '.join(problems))
