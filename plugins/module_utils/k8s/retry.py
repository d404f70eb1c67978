# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which failed Kubernetes API requests are sent again, and after how long.

A request is sent again only when that cannot do it twice:
- reads (GET), and idempotent writes (server-side apply, DELETE, PUT with metadata.resourceVersion), after any
  5xx or 429 answer and after an answer that never came (timeout, reset);
- other writes (POST, merge or JSON patches, PUT without resourceVersion) only when the server says it did not
  carry them out (429, 503) or the request never left (connection refused or connect timeout). When such a
  write was sent and its answer lost, the caller must look (GET) before it sends it again: VERIFY.
Pauses double from FIRST_DELAY, and a server's Retry-After is honoured; no pause is longer than MAX_DELAY.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

APPLY = 'application/apply-patch+yaml'
ATTEMPTS = 5
FIRST_DELAY = 0.25
MAX_DELAY = 10.0
# The server says it did not carry the request out.
NOT_DONE_STATUS = (429, 503)
# The server may have carried the request out (or part of it).
MAYBE_DONE_STATUS = (500, 502, 504)

RETRY = 'retry'
VERIFY = 'verify'
FAIL = 'fail'


def idempotent(method, content_type=None, body=None):
    """Whether sending the request twice has the effect of sending it once."""
    if method in ('GET', 'HEAD', 'DELETE'):
        return True
    if method == 'PATCH':
        return content_type == APPLY
    if method == 'PUT':
        metadata = body.get('metadata') if isinstance(body, dict) else None
        return bool(isinstance(metadata, dict) and metadata.get('resourceVersion'))
    return False


def on_status(method, status, content_type=None, body=None):
    """RETRY or FAIL for an HTTP error answer."""
    if status in NOT_DONE_STATUS:
        return RETRY
    if status in MAYBE_DONE_STATUS and idempotent(method, content_type, body):
        return RETRY
    return FAIL


def on_no_answer(method, sent, content_type=None, body=None):
    """RETRY, or VERIFY (look whether it was carried out before sending it again) for a request without an
    answer. sent: False when the request cannot have reached the server (the connection was never made)."""
    if not sent or idempotent(method, content_type, body):
        return RETRY
    return VERIFY


def pause(attempt, retry_after=None):
    """Seconds to wait after failed attempt number `attempt` (1, 2, ...): the server's Retry-After when it gave
    one, else FIRST_DELAY doubled per attempt; at most MAX_DELAY."""
    if retry_after is not None and retry_after >= 0:
        return min(float(retry_after), MAX_DELAY)
    return min(FIRST_DELAY * 2 ** (attempt - 1), MAX_DELAY)


def retry_after_seconds(headers):
    """The Retry-After of an answer's headers in seconds, None when absent or not a number of seconds."""
    value = (headers or {}).get('Retry-After')
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    return seconds if seconds >= 0 else None
