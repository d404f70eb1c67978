"""Tests that start routers on this host's network take turns, or get a network of their own.

The renderer picks the ports of a new site by probing (the first free port from 5671, 55671, 45671), as
Skupper does, and a router binds them only when it starts. Two test workers rendering sites at the same time
(in different data homes, which do not see each other's ports) could pick the same port; one router would
then fail to start. The tests that start routers in the host's own network namespace hold router_ports_lock;
a test whose routers (and whatever talks to them) can all run in a private network namespace takes
private_network instead, and runs side by side with the others.
"""

import contextlib
import fcntl
import os
import shutil
import signal
import subprocess
import tempfile
import uuid

LOCK = os.path.join(tempfile.gettempdir(), 'appnet-skupper-router-ports.lock')


@contextlib.contextmanager
def router_ports_lock():
    with open(LOCK, 'a') as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def private_network_available():
    """None when this process can make network namespaces (root, iproute2), else why not."""
    if os.geteuid() != 0:
        return 'not root'
    if not shutil.which('ip'):
        return 'no ip command (iproute2)'
    return None


@contextlib.contextmanager
def private_network(prefix='appnet-test'):
    """A network namespace of its own (loopback up): yields the command prefix that runs a program in it
    (`ip netns exec <name>`). Nothing else on the host sees its ports. At the end every process still in it is
    killed and it is removed. Without root or iproute2 (private_network_available), the prefix is empty and the
    host's router ports are held instead (router_ports_lock), as the tests did before."""
    if private_network_available() is not None:
        with router_ports_lock():
            yield []
        return
    name = '%s-%s' % (prefix, uuid.uuid4().hex[:8])
    subprocess.run(['ip', 'netns', 'add', name], check=True)
    try:
        subprocess.run(['ip', '-n', name, 'link', 'set', 'lo', 'up'], check=True)
        yield ['ip', 'netns', 'exec', name]
    finally:
        pids = subprocess.run(['ip', 'netns', 'pids', name], capture_output=True, text=True, check=False).stdout
        for pid in pids.split():
            try:
                os.kill(int(pid), signal.SIGKILL)
            except (OSError, ValueError):
                pass
        subprocess.run(['ip', 'netns', 'del', name], check=False)
