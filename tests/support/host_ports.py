"""Tests that start routers on this host's network take turns.

The renderer picks the ports of a new site by probing (the first free port from 5671, 55671, 45671), as
Skupper does, and a router binds them only when it starts. Two test workers rendering sites at the same time
(in different data homes, which do not see each other's ports) could pick the same port; one router would
then fail to start. The tests that start routers in the host's own network namespace hold this lock.
"""

import contextlib
import fcntl
import os
import tempfile

LOCK = os.path.join(tempfile.gettempdir(), 'appnet-skupper-router-ports.lock')


@contextlib.contextmanager
def router_ports_lock():
    with open(LOCK, 'a') as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
