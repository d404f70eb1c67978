# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Verification in one module run (appnet.skupper.network_info): ask the site until it and its expected links are
Ready and traffic passes through the listeners to check, or until a deadline. The retries happen here, on the
managed host, not as Ansible `until` loops that cross the wire each time."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket
import time

try:
    from http.client import HTTPConnection, HTTPException
except ImportError:  # Python 2 (never the collection's target; keeps the sanity compile tests quiet)
    from httplib import HTTPConnection, HTTPException  # noqa: F401 pylint: disable=import-error

from ansible_collections.appnet.skupper.plugins.module_utils import network_info_shape, runner
from ansible_collections.appnet.skupper.plugins.module_utils.backend import BackendError
from ansible_collections.appnet.skupper.plugins.module_utils.k8s import auth
from ansible_collections.appnet.skupper.plugins.module_utils.skupper_module import SkupperModule

PROBE_TIMEOUT = 5
# Where the listener binds every address, a probe from the host itself goes to the loopback address.
ANY_ADDRESS = {'0.0.0.0': '127.0.0.1', '::': '::1', '': '127.0.0.1'}


def probe_address(host):
    return ANY_ADDRESS.get(host or '', host)


def probe(check, timeout=PROBE_TIMEOUT):
    """One traffic check: a TCP connect to host:port, or an HTTP GET of http_path that must answer status (200).
    The check with ok and, when it failed, why."""
    host, port = probe_address(check.get('host')), int(check['port'])
    path = check.get('http_path')
    outcome = dict(check, ok=False, reason=None)
    try:
        if path is None:
            socket.create_connection((host, port), timeout).close()
            outcome['ok'] = True
            return outcome
        connection = HTTPConnection(host, port, timeout=timeout)
        try:
            connection.request('GET', path)
            answer = connection.getresponse()
            answer.read()
        finally:
            connection.close()
        expected = int(check.get('status') or 200)
        outcome['http_status'] = answer.status
        outcome['ok'] = answer.status == expected
        if not outcome['ok']:
            outcome['reason'] = 'HTTP %d, expected %d' % (answer.status, expected)
    except (OSError, HTTPException, ValueError) as exc:
        outcome['reason'] = '%s: %s' % (type(exc).__name__, exc) if str(exc) else type(exc).__name__
    return outcome


def traffic_problems(results):
    return ['no traffic through %s:%s%s: %s' % (r.get('host'), r['port'], r.get('http_path') or '',
                                                r['reason'] or 'failed')
            for r in results if not r['ok']]


def watch(read, not_ready, checks=(), timeout=0, sleep=1, retry_on=(), clock=time.monotonic, pause=time.sleep):
    """(info, traffic results, problems, attempts): read() until not_ready(info) is empty and every traffic check
    passes, or until timeout seconds have passed (0: once). Traffic is sent only once the network is ready: before,
    a listener has no connector to reach. An error of retry_on that read() raises (a router that does not answer
    yet) is retried as long as there is time, and raised after."""
    deadline = clock() + max(timeout, 0)
    attempts = 0
    while True:
        attempts += 1
        try:
            info = read()
        except retry_on:
            if clock() + sleep > deadline:
                raise
            pause(sleep)
            continue
        problems = not_ready(info)
        traffic = []
        if not problems:
            traffic = [probe(check) for check in checks]
            problems = traffic_problems(traffic)
        if not problems or clock() + sleep > deadline:
            return info, traffic, problems, attempts
        pause(sleep)


def run_network_info_module(argument_spec):
    """appnet.skupper.network_info's run: its options checked first (SkupperModule), then the site asked through
    the backend of its platform (Backend.network_info), with the wait and the traffic checks above; the module
    exited with the network_info shape."""
    module = SkupperModule(argument_spec=argument_spec, supports_check_mode=True,
                           checked=('namespace', 'timeout', 'wait_timeout', 'wait_sleep', 'expected_links', 'traffic'))
    auth.protect_kubeconfig(module)
    params = module.params
    timeout = params['wait_timeout'] if params['wait'] and not module.check_mode else 0
    try:
        info, traffic, problems, attempts = watch(
            lambda: runner.get_backend(module).network_info(params['expected_links'], skmanage=params['skmanage'],
                                                            timeout=params['timeout'],
                                                            resource_status=params['resource_status']),
            network_info_shape.not_ready, params['traffic'], timeout, params['wait_sleep'], retry_on=(BackendError,))
    except BackendError as exc:
        module.fail_json(msg=str(exc), changed=False)
    result = dict(info, changed=False, not_ready=problems, traffic=traffic, attempts=attempts)
    if params['require_ready'] and problems:
        module.fail_json(msg='the network is not ready: %s' % '; '.join(problems), **result)
    module.exit_json(**result)
