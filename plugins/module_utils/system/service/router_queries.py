# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Router management queries of a system site with skupper-router's `skmanage`.

The tool connects to the site's local management listener (127.0.0.1:<roles[0].port of the
skupper-local RouterAccess>) with mutual TLS, using runtime/certs/skupper-local-client, the client
certificate the render issues for it. On podman and docker the tool of the router image runs inside
the router container (`<engine> exec <namespace>-skupper-router skmanage ...`, host network),
with the certificates at the path the container mounts them (see in_container()).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import shutil
import subprocess
from collections import namedtuple

from ansible_collections.appnet.skupper.plugins.module_utils.model.kinds import LINK_ROLES
from ansible_collections.appnet.skupper.plugins.module_utils.system.render.sockets import LOCAL_ACCESS
from ansible_collections.appnet.skupper.plugins.module_utils.system.service import amqp_session
from ansible_collections.appnet.skupper.plugins.module_utils.system.store import paths, resource_files

DEFAULT_TIMEOUT = 10
LOCAL_CLIENT = 'skupper-local-client'
# The entity types a site's status is read from, by their short names (the keys of query_site()'s result).
# They are asked for by their full names (full_type()): the router answers a short name of some types
# (router.address, router.link) with an empty list.
SITE_ENTITY_TYPES = ('router', 'router.node', 'connector', 'connection', 'listener', 'tcpListener', 'tcpConnector',
                     'router.address')
TYPE_PREFIX = 'io.skupper.router.'
# The key of query_site()'s result that holds the router entities of the routers at the other end of the links.
REMOTE_ROUTERS = 'remote.router'
# {router id: [tcpListener]} of the other routers of the network (one management session only).
REMOTE_LISTENERS = 'remote.tcpListener'
# {router id: {short entity type: [entities]}} of every other router of the network: REMOTE_TYPES in one management
# session, the router and site entities when every type is asked by a run of its own.
REMOTE_STATE = 'remote.state'
REMOTE_TYPES = ('router', 'site', 'connector', 'connection', 'tcpListener', 'tcpConnector')

ManagementTarget = namedtuple('ManagementTarget', 'port certificate key trustfile')
CONTAINER_CERTS = '/etc/skupper-router/runtime/certs'
# What a container engine says when the container cannot run a command: the router is not running.
# podman: "no container with name or ID ... found: no such container", "can only create exec sessions on running
# containers", and "cannot exec in a stopped container" (runc's, when podman lost the container: it says it runs, its
# process is gone); docker: "No such container: ...", "Container ... is not running".
CONTAINER_DOWN = ('no such container', 'exec sessions on running containers', 'is not running',
                  'exec in a stopped container')


class ManagementError(Exception):
    """A management query that failed; reason is missing, refused, timeout, tls, not-rendered or failed."""

    def __init__(self, message, reason='failed'):
        super(ManagementError, self).__init__(message)
        self.message = message
        self.reason = reason


# -- where the router listens ---------------------------------------------------------------------

def management_target(home):
    """The local management listener of the site rendered in home, and the client credentials for it."""
    resources = resource_files.load_runtime_resources(home)
    access = resources.get('RouterAccess', {}).get(LOCAL_ACCESS)
    if access is None:
        raise ManagementError('no rendered site in %s (runtime/resources/RouterAccess-%s.yaml is missing): '
                              'render and start the site first' % (home, LOCAL_ACCESS), 'not-rendered')
    roles = (access.get('spec') or {}).get('roles') or []
    port = roles[0].get('port') if roles else None
    if not port:
        raise ManagementError('the RouterAccess %s in %s has no role port' % (LOCAL_ACCESS, home), 'not-rendered')
    certs = paths.runtime_dir(home, 'certs', LOCAL_CLIENT)
    return ManagementTarget(int(port), os.path.join(certs, 'tls.crt'), os.path.join(certs, 'tls.key'),
                            os.path.join(certs, 'ca.crt'))


def in_container(target, home):
    """target with the credential paths as the router container sees them (runtime/certs is mounted there)."""
    certs = paths.runtime_dir(home, 'certs')

    def inside(path):
        return CONTAINER_CERTS + path[len(certs):] if path.startswith(certs + os.sep) else path
    return target._replace(certificate=inside(target.certificate), key=inside(target.key),
                           trustfile=inside(target.trustfile))


def container_exec(engine, container, stdin=False):
    """The command prefix that runs a tool in the router container (with stdin: its standard input passed on);
    ManagementError without the engine."""
    return [find_tool(engine), 'exec'] + (['--interactive'] if stdin else []) + [container]


def connection_options(target, timeout=DEFAULT_TIMEOUT):
    """The command-line options both tools use to reach target."""
    return ['-b', 'amqps://127.0.0.1:%d' % target.port, '-t', str(timeout),
            '--ssl-certificate', target.certificate, '--ssl-key', target.key, '--ssl-trustfile', target.trustfile]


# -- running the tools ----------------------------------------------------------------------------

def find_tool(tool):
    """The path of tool (a name looked up on PATH, or a path); ManagementError when it is missing."""
    found = shutil.which(tool) if os.sep not in tool else (tool if os.access(tool, os.X_OK) else None)
    if found is None:
        raise ManagementError('%s was not found%s: it ships with the skupper-router package (install it, or give '
                              'the path of the tool)' % (tool, '' if os.sep in tool else ' on PATH'), 'missing')
    return found


def run_tool(argv, target, timeout=DEFAULT_TIMEOUT, prefix=()):
    """Run a management tool (after prefix, e.g. container_exec()); its standard output, or ManagementError."""
    argv = list(prefix) + list(argv)
    try:
        done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout + 5,
                              check=False, universal_newlines=True)
    except subprocess.TimeoutExpired:
        raise ManagementError('%s did not answer within %d seconds: is the router on port %d stuck?'
                              % (os.path.basename(argv[0]), timeout + 5, target.port), 'timeout')
    except OSError as exc:
        raise ManagementError('cannot run %s: %s' % (argv[0], exc), 'missing')
    if done.returncode != 0:
        raise tool_failure(argv[len(prefix):], target, (done.stdout + '\n' + done.stderr).strip(), done.returncode,
                           prefix)
    return done.stdout


def tool_failure(argv, target, output, returncode, prefix=()):
    """The ManagementError for a tool that exited with returncode and printed output."""
    command = '%s %s' % (os.path.basename(argv[0]), argv[1] if len(argv) > 1 else '')
    lowered = output.lower()
    if prefix and any(text in lowered for text in CONTAINER_DOWN):
        return ManagementError('the router container %s is not running (%s): %s'
                               % (prefix[-1], ' '.join(prefix[:2]), output), 'refused')
    if 'connection refused' in lowered:
        return ManagementError('the router is not running on port %d (connection refused at amqps://127.0.0.1:%d)'
                               % (target.port, target.port), 'refused')
    if 'timed out' in lowered or 'timeout' in lowered:
        return ManagementError('the router on port %d did not answer in time: %s' % (target.port, output),
                               'timeout')
    if 'ssl' in lowered or 'certificate' in lowered or 'tls' in lowered:
        return ManagementError('TLS failure talking to the router on port %d with the %s credentials: %s'
                               % (target.port, LOCAL_CLIENT, output), 'tls')
    return ManagementError('%s failed (exit %d): %s' % (command, returncode, output or 'no output'))


def full_type(entity_type):
    """The full name of a management entity type (router.address -> io.skupper.router.router.address)."""
    return entity_type if entity_type.startswith(TYPE_PREFIX) else TYPE_PREFIX + entity_type


def short_type(entity_type):
    """The short name of a management entity type (io.skupper.router.router.address -> router.address)."""
    return entity_type[len(TYPE_PREFIX):] if entity_type.startswith(TYPE_PREFIX) else entity_type


def query(target, entity_type, skmanage='skmanage', timeout=DEFAULT_TIMEOUT, prefix=(), router=None):
    """`skmanage query --type=<full name of entity_type>`: the list of entities (dicts). With prefix
    (container_exec()), the tool is the one in the container (looked up there). With router (a router id), the
    query goes through the local router to that router of the network (`skmanage -r`)."""
    tool = skmanage if prefix else find_tool(skmanage)
    name = full_type(entity_type)
    argv = [tool, 'query', '--type=%s' % name] + (['-r', router] if router else []) \
        + connection_options(target, timeout)
    output = run_tool(argv, target, timeout, prefix)
    try:
        entities = json.loads(output)
    except ValueError:
        raise ManagementError('skmanage query --type=%s printed no JSON: %s' % (name, output[:300]))
    if not isinstance(entities, list):
        raise ManagementError('skmanage query --type=%s printed %s, not a list' % (name, type(entities)))
    return entities


def query_site(home, skmanage='skmanage', timeout=DEFAULT_TIMEOUT, entity_types=SITE_ENTITY_TYPES, container=None):
    """{short entity type: [entities]} of the router of the site in home (router, router.node, connector, ...),
    and under REMOTE_ROUTERS {router id: its router entity} of the routers at the other end of this site's up
    links (asked through the link; the router entity's metadata holds that router's site id).

    container: (engine, container name) to run the tool in the router container (podman, docker).
    """
    target = management_target(home)
    prefix = ()
    if container:
        prefix = container_exec(*container)
        target = in_container(target, home)
    else:
        session = query_in_one_session(target, skmanage, timeout, entity_types)
        if session is not None:
            return session
    result = dict((short_type(entity_type), query(target, entity_type, skmanage, timeout, prefix))
                  for entity_type in entity_types)
    if 'connection' in result:
        result[REMOTE_STATE] = remote_states(result, target, skmanage, timeout, prefix)
        result[REMOTE_ROUTERS] = dict((router, state['router'][0]) for router, state in result[REMOTE_STATE].items()
                                      if state.get('router'))
    return result


def query_in_one_session(target, skmanage='skmanage', timeout=DEFAULT_TIMEOUT, entity_types=SITE_ENTITY_TYPES):
    """query_site()'s result in one management session (amqp_session.py), or None when skmanage is not
    skupper-router's (then every type is asked by a run of its own)."""
    answer = amqp_session.query_all(find_tool(skmanage), target, timeout, [full_type(t) for t in entity_types],
                                    full_type('connection'), full_type('router'), LINK_ROLES,
                                    lambda argv, output, code: tool_failure(argv, target, output, code),
                                    full_type('router.node'), full_type('tcpListener'),
                                    [full_type(t) for t in REMOTE_TYPES])
    if answer is None:
        return None
    result = dict((short_type(name), entities) for name, entities in (answer.get('types') or {}).items())
    if 'connection' in result:
        result[REMOTE_ROUTERS] = answer.get('remote') or {}
        result[REMOTE_STATE] = dict((router, dict((short_type(name), rows) for name, rows in state.items()))
                                    for router, state in (answer.get('remote_state') or {}).items())
    result[REMOTE_LISTENERS] = answer.get('remote_listeners') or {}
    return result


def remote_states(state, target, skmanage='skmanage', timeout=DEFAULT_TIMEOUT, prefix=()):
    """{router id: {'router': [its router entity], 'site': [its site entity]}} of every other router of the network
    (router.node, and the routers this router dialed with a link), asked through the network (`skmanage -r`), one
    run per entity type. A router that does not answer (its link just went down) is left out."""
    own = set(item.get('id') for item in state.get('router') or [])
    peers = set(item['container'] for item in state.get('connection') or []
                if item.get('role') in LINK_ROLES and item.get('dir') == 'out' and item.get('container'))
    nodes = set(item['id'] for item in state.get('router.node') or [] if item.get('id'))
    found = {}
    for router in sorted((peers | nodes) - own):
        answers = {}
        for entity_type in ('router', 'site'):
            try:
                answers[entity_type] = query(target, entity_type, skmanage, timeout, prefix, router=router)
            except ManagementError as exc:
                if exc.reason not in ('failed', 'timeout'):
                    raise
                break
        if answers.get('router'):
            found[router] = answers
    return found
