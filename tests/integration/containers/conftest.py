"""Real container engines for the Podman and Docker site tests: the engine, the router image, dockerd.

- The real router comes from hacking/build_router.sh (a cached source build; built here when missing).
- The router image comes from hacking/build_router_image.sh (imported into the engine when it has not got it).
- Podman is the host's; Docker is a private dockerd this fixture starts (its own data root, exec root, pid
  file and socket in a temporary folder, so it collides with no other daemon) and stops after the tests.
- The routers of a scenario, the servers behind its connectors and the clients of its listeners run in a network
  namespace of the scenario's own (tests/support/host_ports.private_network), so the scenarios run side by side
  with each other and with the other router tests. A container on the host network is on the network of the
  engine that starts it: podman's is the caller's, docker's is dockerd's, so the private dockerd runs in a
  network namespace of its own (Engine.network) that its scenarios use.
- An engine that cannot run a container here makes its tests skip with the engine's own error; with CI=true
  they fail instead (this machine can run both).
- The wall time of each scenario is kept as a user property `wall_seconds` of its test and printed at the end.
"""

import os
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

from tests.support.host_ports import Network, private_network, private_network_available
from tests.support.playbook import ROOT

# What the engines need on the CI machine (docs/containers.md): Podman only runs with runc and explicit ulimits.
RUN_OPTIONS = {
    'podman': {'runtime': 'runc', 'ulimits': ['nofile=4096:4096', 'nproc=4096:4096']},
    'docker': {},
}


def unavailable(reason):
    """Skip, or fail under CI=true (where every engine of this machine must run)."""
    if os.environ.get('CI') == 'true':
        pytest.fail('CI=true, but %s' % reason)
    pytest.skip(reason)


def router_prefix():
    done = subprocess.run(['bash', os.path.join(ROOT, 'hacking', 'build_router.sh'), '--print-prefix'],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        unavailable('the real router could not be built (hacking/build_router.sh): %s' % done.stderr[-1500:])
    return done.stdout.strip()


@pytest.fixture(scope='session')
def real_router():
    """{'skrouterd': path, 'skmanage': path} of the real router built from source."""
    prefix = router_prefix()
    return {'skrouterd': os.path.join(prefix, 'sbin', 'skrouterd'), 'skmanage': os.path.join(prefix, 'bin', 'skmanage')}


def build_image(engine, env):
    """The tag of the router image in this engine (imported when missing); skip/fail when it cannot be built."""
    started = time.time()
    done = subprocess.run(['bash', os.path.join(ROOT, 'hacking', 'build_router_image.sh'), '--engine', engine],
                          capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        unavailable('the router image could not be built for %s: %s' % (engine, done.stderr[-1500:]))
    return done.stdout.strip().splitlines()[-1], time.time() - started


def check_engine_runs(engine, env, image):
    """Skip/fail with the engine's own error when it cannot run a container of the image here."""
    options = RUN_OPTIONS[engine]
    argv = [engine, 'run', '--rm', '--network', 'host']
    if options.get('runtime'):
        argv += ['--runtime', options['runtime']]
    for ulimit in options.get('ulimits', []):
        argv += ['--ulimit', ulimit]
    done = subprocess.run(argv + [image, 'skrouterd', '--version'], capture_output=True, text=True, env=env,
                          timeout=300, check=False)
    if done.returncode != 0:
        unavailable('%s cannot run a container here: %s' % (engine, (done.stderr or done.stdout).strip()[-800:]))


class Engine(object):
    """A container engine the tests use: its name, the environment that reaches it, the image and run options, and
    the network its host-network containers are on when it is not the caller's (docker: dockerd's), else None."""

    def __init__(self, name, env, image, image_seconds, network=None, restart=None):
        self.name, self.env, self.image, self.image_seconds = name, env, image, image_seconds
        self.run_options = RUN_OPTIONS[name]
        self.network = network
        # The engine stopped and started again (the private dockerd); None for an engine without a daemon (podman).
        self.restart = restart

    def run(self, *args, check=False):
        return subprocess.run([self.name] + list(args), capture_output=True, text=True, env=self.env, timeout=300,
                              check=check)

    def container_exists(self, name):
        return self.run('container', 'inspect', name).returncode == 0

    def inspect(self, name, template):
        done = self.run('container', 'inspect', '--format', template, name)
        return done.stdout.strip() if done.returncode == 0 else None


@pytest.fixture(scope='module')
def podman():
    if shutil.which('podman') is None:
        unavailable('podman is not installed (make deps installs it)')
    env = dict(os.environ)
    info = subprocess.run(['podman', 'info'], capture_output=True, text=True, check=False)
    if info.returncode != 0:
        unavailable('podman does not work here: %s' % info.stderr.strip()[-800:])
    image, seconds = build_image('podman', env)
    check_engine_runs('podman', env, image)
    return Engine('podman', env, image, seconds)


@pytest.fixture(scope='module')
def docker():
    """A private dockerd (host networking only: no bridge, no iptables) in a network namespace of its own, stopped
    after the module's tests."""
    if private_network_available() is not None:  # the host's network: each scenario holds its router ports
        yield from _private_dockerd(Network())
        return
    with private_network('appnet-dockerd') as network:
        yield from _private_dockerd(network)


def _private_dockerd(network):
    if shutil.which('dockerd') is None or shutil.which('docker') is None:
        unavailable('docker is not installed (make deps installs docker.io)')
    # Short paths: containerd's sockets live under the exec root (a unix socket path has at most 107 bytes).
    top = tempfile.mkdtemp(prefix='appnet-dockerd-')
    socket_path = os.path.join(top, 'docker.sock')
    log_path = os.path.join(top, 'dockerd.log')
    argv = ['dockerd', '--iptables=false', '--bridge=none', '--data-root', os.path.join(top, 'data'),
            '--exec-root', os.path.join(top, 'exec'), '--pidfile', os.path.join(top, 'dockerd.pid'),
            '--host', 'unix://%s' % socket_path]
    env = dict(os.environ, DOCKER_HOST='unix://%s' % socket_path)
    daemons = []

    def start():
        """Start dockerd; None once it answers, else why not."""
        with open(log_path, 'a') as log:
            daemons.append(subprocess.Popen(network.prefix + argv, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True))
        daemon = daemons[-1]
        deadline = time.time() + 60
        info = None
        while time.time() < deadline and daemon.poll() is None:
            info = subprocess.run(['docker', 'info'], capture_output=True, text=True, env=env, check=False)
            if info.returncode == 0:
                return None
            time.sleep(0.5)
        with open(log_path) as log:
            return 'dockerd does not start here (exit %s): %s' % (daemon.poll(), log.read()[-1500:])

    def restart():
        """dockerd stopped (its containers with it, the containers kept) and started again."""
        stop_dockerd(daemons[-1], env, remove=False)
        problem = start()
        assert problem is None, problem

    try:
        problem = start()
        if problem is not None:
            unavailable(problem)
        image, seconds = build_image('docker', env)
        check_engine_runs('docker', env, image)
        yield Engine('docker', env, image, seconds, network, restart=restart)
    finally:
        for daemon in daemons:
            stop_dockerd(daemon, env)
        unmount_below(top)
        shutil.rmtree(top, ignore_errors=True)


def unmount_below(top):
    """Unmount what dockerd left mounted under top (it bind-mounts its network namespace at exec/netns/default)."""
    with open('/proc/self/mounts') as handle:
        points = [line.split()[1] for line in handle if line.split()[1].startswith(top + os.sep)]
    for point in sorted(points, key=len, reverse=True):
        subprocess.run(['umount', '--lazy', point], capture_output=True, check=False)


def stop_dockerd(daemon, env, remove=True):
    """Remove what is left (unless remove is false), then stop dockerd (SIGTERM, then SIGKILL of its process group)
    and its containerd."""
    if daemon.poll() is None:
        left = subprocess.run(['docker', 'ps', '--all', '--quiet'], capture_output=True, text=True, env=env,
                              check=False).stdout.split()
        if left and remove:
            subprocess.run(['docker', 'rm', '--force'] + left, capture_output=True, env=env, check=False)
        daemon.send_signal(signal.SIGTERM)
        try:
            daemon.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(daemon.pid, signal.SIGKILL)
            daemon.wait(timeout=10)
    # dockerd's own containerd is in its process group: nothing of it may stay behind.
    try:
        os.killpg(daemon.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def pytest_terminal_summary(terminalreporter):
    """The wall time of each container scenario (user property wall_seconds)."""
    lines = []
    for reports in terminalreporter.stats.values():
        for report in reports:
            properties = dict(getattr(report, 'user_properties', None) or [])
            if getattr(report, 'when', None) == 'call' and 'wall_seconds' in properties:
                lines.append('%s: %.1f s' % (report.nodeid, properties['wall_seconds']))
                for key, value in sorted(properties.items()):
                    if key.endswith('_seconds') and key != 'wall_seconds':
                        lines.append('    %s: %.1f s' % (key, value))
    if lines:
        terminalreporter.write_sep('-', 'container scenarios: wall time')
        for line in lines:
            terminalreporter.write_line(line)
