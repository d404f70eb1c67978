"""Helpers of the fault tests: the real router, modules run as Ansible runs them (one process per task, the
arguments as JSON), sites in private temporary data homes, TCP checks through a listener."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time

import pytest
import yaml

from tests.support.echo_server import EchoServer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
COLLECTIONS = os.path.join(ROOT, '.build', 'collections')


def real_router():
    """The directory of the real skrouterd (SKUPPER_ROUTER_BIN, else hacking/build_router.sh), or skip/fail."""
    given = os.environ.get('SKUPPER_ROUTER_BIN')
    if given and os.access(given, os.X_OK):
        return os.path.abspath(given)
    try:
        out = subprocess.run(['bash', os.path.join(ROOT, 'hacking', 'build_router.sh'), '--print-bin'],
                             capture_output=True, text=True, timeout=1800, check=False)
        path = os.path.join(out.stdout.strip().splitlines()[-1], 'skrouterd') if out.stdout.strip() else ''
    except (OSError, subprocess.TimeoutExpired) as exc:
        path, out = '', exc
    if path and os.access(path, os.X_OK):
        return path
    reason = 'the real router is not available (hacking/build_router.sh --print-bin: %s)' % (
        getattr(out, 'stderr', out) or '')[-300:]
    if os.environ.get('CI') == 'true':
        pytest.fail(reason)
    pytest.skip(reason)


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class Module(object):
    """A module run the way Ansible runs it: its own Python process, the arguments as JSON."""

    def __init__(self, name, args, env=None, check_mode=False, prefix=()):
        self.name = name
        payload = dict(args, _ansible_check_mode=check_mode, _ansible_no_log=False, _ansible_diff=True)
        run_env = dict(os.environ, PYTHONPATH=COLLECTIONS)
        run_env.update(env or {})
        self.process = subprocess.Popen(
            list(prefix) + [sys.executable, '-m', 'ansible_collections.appnet.skupper.plugins.modules.%s' % name],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=run_env, cwd=ROOT)
        self.process.stdin.write(json.dumps({'ANSIBLE_MODULE_ARGS': payload}).encode())
        self.process.stdin.close()

    def wait(self, timeout=600):
        out = self.process.stdout.read()
        err = self.process.stderr.read()
        self.process.wait(timeout)
        self.returncode = self.process.returncode
        try:
            self.result = json.loads(out[out.index(b'{'):]) if b'{' in out else None
        except ValueError:
            self.result = None
        self.stderr = err.decode('utf-8', 'replace')
        return self


def run(name, args, env=None, check_mode=False, prefix=()):
    return Module(name, args, env, check_mode, prefix).wait()


def serves(port, attempts=150, pause=0.2):
    """Whether a listener on 127.0.0.1:port carries bytes to the echo server and back (retried while the
    router binds it: a tcpListener binds once its connector is known)."""
    for _attempt in range(attempts):
        try:
            with socket.create_connection(('127.0.0.1', port), timeout=2) as conn:
                conn.sendall(b'ping %d\n' % port)
                if conn.recv(64) == b'ping %d\n' % port:
                    return True
        except OSError:
            pass
        time.sleep(pause)
    return False


def router_processes(config):
    """Pids of the processes whose command line names this router configuration."""
    found = []
    for entry in os.listdir('/proc'):
        try:
            with open('/proc/%s/cmdline' % entry, 'rb') as handle:
                argv = handle.read().split(b'\0')
            with open('/proc/%s/stat' % entry, 'rb') as handle:
                state = handle.read().split(b')')[-1].split()[0]
        except (OSError, ValueError, IndexError):
            continue
        if config.encode() in argv and state != b'Z':
            found.append(int(entry))
    return sorted(found)


def files_whole(home):
    """Problems of the rendered files: every JSON and YAML file parses, every PEM file has its end line."""
    problems = []
    for top, _dirs, names in os.walk(home):
        for name in names:
            path = os.path.join(top, name)
            with open(path, 'rb') as handle:
                data = handle.read()
            try:
                if name.endswith('.json'):
                    json.loads(data)
                elif name.endswith(('.yaml', '.yml')):
                    list(yaml.safe_load_all(data))
                elif name.endswith(('.crt', '.key', '.pem')) and not data.rstrip().endswith(b'-----'):
                    problems.append('%s: a PEM file without its end line' % path)
            except ValueError as exc:
                problems.append('%s: %s' % (path, exc))
            if name.startswith('.') and '.tmp' in name or name.startswith('.skrouterd'):
                problems.append('%s: a temporary file left behind' % path)
    return problems


class Site(object):
    """A Linux site in a private data home, run by the process manager with the real router."""

    def __init__(self, root, router, namespace='faults', prefix=()):
        self.prefix = list(prefix)  # e.g. ip netns exec <name>: the modules (and so the router) run there
        self.data_home = os.path.join(str(root), 'skupper')
        self.namespace = namespace
        self.router = router
        self.home = os.path.join(self.data_home, 'namespaces', namespace)
        self.config = os.path.join(self.home, 'runtime', 'router', 'skrouterd.json')
        self.echo = EchoServer()
        self.echo.start()
        self.listeners = {}

    @property
    def target(self):
        return {'platform': 'linux', 'namespace': self.namespace, 'data_home': self.data_home}

    def apply(self, docs, env=None):
        return run('resource', dict(self.target, definition=docs), env, prefix=self.prefix)

    def base(self):
        return self.apply([
            {'apiVersion': 'skupper.io/v2alpha1', 'kind': 'Site', 'metadata': {'name': self.namespace},
             'spec': {'linkAccess': 'none'}},
            {'apiVersion': 'skupper.io/v2alpha1', 'kind': 'Connector', 'metadata': {'name': 'echo'},
             'spec': {'routingKey': 'echo', 'host': '127.0.0.1', 'port': self.echo.port}}])

    def listener_doc(self, name, port):
        return {'apiVersion': 'skupper.io/v2alpha1', 'kind': 'Listener', 'metadata': {'name': name},
                'spec': {'routingKey': 'echo', 'host': '127.0.0.1', 'port': port}}

    def add_listener(self, name, env=None):
        port = free_port()
        result = self.apply([self.listener_doc(name, port)], env)
        if result.returncode == 0:
            self.listeners[name] = port
        return result, port

    def system(self, state='reloaded', env=None, check_mode=False, background=False):
        args = dict(self.target, state=state, router_binary=self.router, service_manager='process',
                    ready_timeout=60)
        module = Module('system', args, env, check_mode, self.prefix)
        return module if background else module.wait()

    def stop(self):
        if os.path.isdir(self.home):
            self.system('stopped')
        for pid in router_processes(self.config):
            os.kill(pid, 9)
        self.echo.close()


def cleanup(site):
    site.stop()
    shutil.rmtree(os.path.dirname(site.data_home), ignore_errors=True)
