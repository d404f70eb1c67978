# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whether the router of a system site is up: its management listener answers the local client.

A router is ready when the skupper-local listener (127.0.0.1:<port of the skupper-local RouterAccess>)
accepts a TLS connection made with runtime/certs/skupper-local-client, the server certificate verifies
against that directory's CA, and the router answers an AMQP protocol header with its own. With TLS 1.3
the server checks the client certificate after the handshake, so the answer (not the handshake alone)
shows that the router accepted the certificate. The probe then reads the router's SASL mechanisms frame and
closes TLS properly (close_notify), so that the router logs no error for it. Only the real ssl module and a
socket are used.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket
import ssl
import struct
import time

# AMQP 1.0 protocol header for the SASL layer (protocol id 3): what management clients send first.
AMQP_SASL_HEADER = b'AMQP\x03\x01\x00\x00'
PROBE_TIMEOUT = 3.0


def probe(target, timeout=PROBE_TIMEOUT):
    """None when the router at target (a router_queries.ManagementTarget) is ready; otherwise why not."""
    where = '127.0.0.1:%d' % target.port
    try:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.check_hostname = False  # the connection goes to 127.0.0.1; the chain is verified
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(target.trustfile)
        context.load_cert_chain(target.certificate, target.key)
    except (OSError, ssl.SSLError) as exc:
        return 'the local client credentials %s cannot be used: %s' % (target.certificate, exc)
    try:
        with socket.create_connection(('127.0.0.1', target.port), timeout=timeout) as raw:
            tls = context.wrap_socket(raw)
            try:
                tls.sendall(AMQP_SASL_HEADER)
                answer = _read(tls, len(AMQP_SASL_HEADER))
                if answer.startswith(b'AMQP'):
                    _read_frame(tls)
                _close(tls)
            finally:
                tls.close()
    except ConnectionRefusedError:
        return 'nothing listens on the management port %s yet' % where
    except ssl.SSLError as exc:
        return 'TLS with the management listener %s failed: %s' % (where, exc)
    except socket.timeout:
        return 'the management listener %s did not answer within %s s' % (where, timeout)
    except OSError as exc:
        return 'cannot connect to the management listener %s: %s' % (where, exc)
    if not answer:
        return ('the management listener %s closed the connection without answering (it refused the client '
                'certificate, or the router is stopping)' % where)
    if not answer.startswith(b'AMQP'):
        return 'the management listener %s answered %r instead of an AMQP header' % (where, answer)
    return None


def _read_frame(tls):
    """Read the router's next AMQP frame (its SASL mechanisms): the 4-byte size, then the rest."""
    size = _read(tls, 4)
    if len(size) == 4:
        _read(tls, max(struct.unpack('>I', size)[0] - 4, 0))


def _close(tls):
    """Close the TLS session properly (close_notify, and the router's own), so that the router sees a client that
    went away, not a connection reset: a reset is an error line in its log."""
    try:
        tls.unwrap()
    except (OSError, ssl.SSLError, ValueError):
        pass


def _read(tls, size):
    data = b''
    while len(data) < size:
        chunk = tls.recv(size - len(data))
        if not chunk:
            break
        data += chunk
    return data


def wait_until_ready(target, still_running, timeout, interval=0.2, settle=0.5, clock=time.time, sleep=time.sleep):
    """Wait until probe(target) succeeds; (True, None) or (False, why not).

    still_running() returns None while the router that was started keeps running, or a text saying
    what happened to it (it exited, it was restarted); that ends the wait at once. After the first
    successful probe the router must keep running for settle seconds more.
    """
    deadline = clock() + timeout
    while True:
        problem = still_running()
        if problem:
            return False, problem
        reason = probe(target, min(PROBE_TIMEOUT, max(deadline - clock(), 0.5)))
        if reason is None:
            break
        if clock() >= deadline:
            return False, 'the router did not become ready within %s seconds: %s' % (timeout, reason)
        sleep(interval)
    sleep(settle)
    problem = still_running()
    return (False, problem) if problem else (True, None)
