"""Tests that start routers on this host's network take turns, or get a network of their own.

The renderer picks the ports of a new site by probing (the first free port from 5671, 55671, 45671), as
Skupper does, and a router binds them only when it starts. Two test workers rendering sites at the same time
(in different data homes, which do not see each other's ports) could pick the same port; one router would
then fail to start. The tests that start routers in the host's own network namespace hold router_ports_lock;
a test whose routers, and whatever talks to them, can all run in a network namespace of its own takes
private_network instead, and runs side by side with the others.
"""

import contextlib
import ctypes
import fcntl
import os
import shutil
import signal
import subprocess
import tempfile
import uuid

LOCK = os.path.join(tempfile.gettempdir(), 'appnet-skupper-router-ports.lock')
CLONE_NEWNET = 0x40000000


@contextlib.contextmanager
def router_ports_lock():
    with open(LOCK, 'a') as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def private_network_available():
    """None when this process can make network namespaces (root, iproute2, nsenter), else why not."""
    if os.geteuid() != 0:
        return 'not root'
    missing = [tool for tool in ('ip', 'nsenter') if not shutil.which(tool)]
    if missing:
        return 'no %s command' % ' or '.join(missing)
    return None


class Network(object):
    """Where a test's routers run: a network namespace of its own (name), or the host's (name None).

    prefix: the command prefix that runs a program there (`nsenter --net=...`: only the network namespace changes,
    so container engines still find their cgroups, which `ip netns exec` would hide). inside(): this thread there,
    so that the sockets it makes meanwhile (servers behind connectors, clients of listeners) are there too."""

    def __init__(self, name=None):
        self.name = name
        self.prefix = ['nsenter', '--net=/run/netns/%s' % name] if name else []

    @contextlib.contextmanager
    def inside(self):
        if self.name is None:
            yield
            return
        libc = ctypes.CDLL(None, use_errno=True)
        own = os.open('/proc/thread-self/ns/net', os.O_RDONLY)
        target = os.open('/run/netns/%s' % self.name, os.O_RDONLY)
        try:
            if libc.setns(target, CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), 'setns into network namespace %s' % self.name)
            try:
                yield
            finally:
                if libc.setns(own, CLONE_NEWNET) != 0:
                    raise OSError(ctypes.get_errno(), 'setns back from network namespace %s' % self.name)
        finally:
            os.close(target)
            os.close(own)


@contextlib.contextmanager
def private_network(prefix='appnet-test'):
    """A network namespace of its own (loopback up) as a Network: nothing else on the host sees its ports. At the
    end every process still in it is killed and it is removed. Without root, iproute2 or nsenter
    (private_network_available) it is the host's network with the host's router ports held (router_ports_lock),
    as the tests did before."""
    if private_network_available() is not None:
        with router_ports_lock():
            yield Network()
        return
    name = '%s-%s' % (prefix, uuid.uuid4().hex[:8])
    subprocess.run(['ip', 'netns', 'add', name], check=True)
    try:
        subprocess.run(['ip', '-n', name, 'link', 'set', 'lo', 'up'], check=True)
        yield Network(name)
    finally:
        pids = subprocess.run(['ip', 'netns', 'pids', name], capture_output=True, text=True, check=False).stdout
        for pid in pids.split():
            try:
                os.kill(int(pid), signal.SIGKILL)
            except (OSError, ValueError):
                pass
        subprocess.run(['ip', 'netns', 'del', name], check=False)
