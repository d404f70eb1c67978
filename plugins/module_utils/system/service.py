# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How the router of a system site runs: a systemd unit, a supervised process, or a container."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import signal
import subprocess
import sys
import time

from ansible_collections.appnet.skupper.plugins.module_utils.system import files, paths

DEFAULT_IMAGE = 'quay.io/skupper/skupper-router:3.3.0'
INSTALL_HINT = ('install the Skupper router (the skupper-router package, which provides skrouterd and skmanage), '
                'set router_binary to its path, or use platform podman or docker, which run the router image')


class ServiceError(Exception):
    """An expected failure of the service with a message for the user."""


def unit_name(namespace):
    return 'skupper-%s.service' % namespace


def find_router(router_binary=None):
    """The absolute path of a router binary that runs, or ServiceError naming what was tried."""
    tried = [router_binary] if router_binary else [shutil.which('skrouterd') or 'skrouterd (on PATH)']
    path = tried[0]
    if not path or not os.path.isfile(path) or not os.access(path, os.X_OK):
        raise ServiceError('the Skupper router was not found or is not executable (tried: %s); %s'
                           % (', '.join(tried), INSTALL_HINT))
    try:
        answer = subprocess.run([path, '--version'], capture_output=True, text=True, timeout=15, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ServiceError('the Skupper router %s does not run: %s; %s' % (path, exc, INSTALL_HINT))
    if answer.returncode != 0:
        raise ServiceError('the Skupper router %s does not run (%s --version exited %d: %s); %s'
                           % (path, path, answer.returncode, (answer.stderr or answer.stdout).strip(), INSTALL_HINT))
    return os.path.abspath(path)


def systemd_is_init():
    return os.path.isdir('/run/systemd/system')


class ServiceManager(object):
    """Runs the router of one namespace. Subclasses: SystemdService, ProcessService, ContainerService."""

    name = None

    def __init__(self, namespace, home, router=None, site_id=None):
        self.namespace = namespace
        self.home = home
        self.router = router
        self.site_id = site_id
        self.config = paths.router_config_path(home)

    def install(self, check_mode=False):
        """Write what the service needs; True when something changed."""
        return False

    def start(self):
        raise NotImplementedError

    def stop(self):
        raise NotImplementedError

    def restart(self):
        self.stop()
        self.start()

    def is_active(self):
        raise NotImplementedError

    def remove(self, check_mode=False):
        """Remove what install wrote; True when something was removed."""
        return False

    def describe(self):
        return {'manager': self.name, 'active': self.is_active()}


# ---------------------------------------------------------------------------------------------
# A supervised background process (hosts and containers without systemd)

# Runs the router, restarts it when it fails (1 s, 2 s, ... 30 s apart), gives up after 5 failures that
# each came less than 10 s after a start; SIGTERM stops the router and the supervisor.
SUPERVISOR = r'''
import os, signal, subprocess, sys, time
child_pid_file, argv = sys.argv[1], sys.argv[2:]
child = None
def stop(signum, frame):
    if child is not None and child.poll() is None:
        child.terminate()
        try:
            child.wait(10)
        except subprocess.TimeoutExpired:
            child.kill()
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)
delay, quick_failures = 1, 0
while True:
    started = time.time()
    child = subprocess.Popen(argv)
    with open(child_pid_file, 'w') as handle:
        handle.write('%d\n' % child.pid)
    code = child.wait()
    if code == 0:
        sys.exit(0)
    quick_failures = quick_failures + 1 if time.time() - started < 10 else 1
    sys.stderr.write('supervisor: router exited with %d; restarting in %d s\n' % (code, delay))
    sys.stderr.flush()
    if quick_failures >= 5:
        sys.stderr.write('supervisor: router failed 5 times in a row; giving up\n')
        sys.exit(code)
    time.sleep(delay)
    delay = min(delay * 2, 30)
'''


class ProcessService(ServiceManager):
    """The router as a supervised background process with a pid file and a log file."""

    name = 'process'

    @property
    def pid_file(self):
        return paths.internal_dir(self.home, 'router', 'skrouterd.pid')

    @property
    def child_pid_file(self):
        return paths.internal_dir(self.home, 'router', 'skrouterd.child.pid')

    @property
    def log_file(self):
        return paths.internal_dir(self.home, 'router', 'skrouterd.log')

    def _pid(self):
        data = files.read_bytes(self.pid_file)
        try:
            return int(data.decode().strip()) if data else None
        except ValueError:
            return None

    def _is_ours(self, pid):
        cmdline = files.read_bytes('/proc/%d/cmdline' % pid)
        return bool(cmdline) and self.config.encode() in cmdline

    def is_active(self):
        pid = self._pid()
        return pid is not None and self._is_ours(pid)

    def start(self):
        env = dict(os.environ, SKUPPER_SITE_ID=self.site_id or '')
        files.ensure_dir(os.path.dirname(self.log_file))
        files.remove_file(self.child_pid_file)
        with open(self.log_file, 'ab') as log:
            process = subprocess.Popen([sys.executable, '-c', SUPERVISOR, self.child_pid_file, self.router, '-c', self.config],
                                       stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env,
                                       start_new_session=True, close_fds=True, cwd=self.home)
        files.write_atomic(self.pid_file, '%d\n' % process.pid, 0o600)
        if not self._router_stays_up(process):
            self.stop()
            raise ServiceError('the router stopped right after it started; its log %s ends with:\n%s'
                               % (self.log_file, self.log_tail()))

    def _router_stays_up(self, process, seconds=1.5):
        """Whether the router the supervisor started is still running after a moment."""
        time.sleep(seconds)
        data = files.read_bytes(self.child_pid_file)
        if process.poll() is not None or not data:
            return False
        try:
            os.kill(int(data.decode().strip()), 0)
        except (OSError, ValueError):
            return False
        return self._child_alive(int(data.decode().strip()))

    @staticmethod
    def _child_alive(pid):
        status = files.read_bytes('/proc/%d/stat' % pid) or b''
        return bool(status) and status.split(b')')[-1].split()[0:1] != [b'Z']

    def log_tail(self, lines=15):
        data = files.read_bytes(self.log_file) or b''
        return '\n'.join(data.decode('utf-8', 'replace').splitlines()[-lines:])

    def stop(self):
        pid = self._pid()
        if pid is None or not self._is_ours(pid):
            files.remove_file(self.pid_file)
            return
        try:
            os.killpg(pid, signal.SIGTERM)
        except OSError:
            pass
        deadline = time.time() + 15
        while time.time() < deadline and self._is_ours(pid):
            self._reap(pid)
            time.sleep(0.1)
        if self._is_ours(pid):
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
        files.remove_file(self.pid_file)

    @staticmethod
    def _reap(pid):
        try:
            os.waitpid(pid, os.WNOHANG)
        except OSError:
            pass

    def describe(self):
        return {'manager': self.name, 'active': self.is_active(), 'pid_file': self.pid_file, 'log_file': self.log_file}


# ---------------------------------------------------------------------------------------------
# systemd


class SystemdService(ServiceManager):
    """A systemd unit skupper-<namespace>.service (system scope for root, user scope otherwise)."""

    name = 'systemd'

    def __init__(self, namespace, home, router=None, site_id=None, uid=None, env=None):
        super(SystemdService, self).__init__(namespace, home, router, site_id)
        self.uid = os.getuid() if uid is None else uid
        self.env = os.environ if env is None else env

    @property
    def user_scope(self):
        return self.uid != 0

    @property
    def unit_path(self):
        if not self.user_scope:
            return os.path.join('/etc/systemd/system', unit_name(self.namespace))
        config = self.env.get('XDG_CONFIG_HOME') or os.path.join(self.env.get('HOME') or os.path.expanduser('~'), '.config')
        return os.path.join(config, 'systemd', 'user', unit_name(self.namespace))

    def unit_text(self):
        return '\n'.join([
            '[Unit]',
            'Description=Skupper router of namespace %s' % self.namespace,
            'Wants=network-online.target',
            'After=network-online.target',
            '',
            '[Service]',
            'Type=simple',
            'ExecStart=%s -c %s' % (self.router, self.config),
            'Environment="SKUPPER_SITE_ID=%s"' % (self.site_id or ''),
            'Restart=on-failure',
            'RestartSec=2',
            'TimeoutStopSec=70',
            '',
            '[Install]',
            'WantedBy=%s' % ('default.target' if self.user_scope else 'multi-user.target'),
            '',
        ])

    def systemctl(self, *args):
        argv = ['systemctl'] + (['--user'] if self.user_scope else []) + list(args)
        result = subprocess.run(argv, capture_output=True, text=True, check=False)
        if result.returncode != 0 and args[0] not in ('is-active', 'stop', 'disable', 'reset-failed'):
            raise ServiceError('%s failed: %s' % (' '.join(argv), (result.stderr or result.stdout).strip()))
        return result

    def install(self, check_mode=False):
        text = self.unit_text()
        if files.read_bytes(self.unit_path) == text.encode():
            return False
        if not check_mode:
            files.ensure_dir(os.path.dirname(self.unit_path), 0o755)
            files.write_atomic(self.unit_path, text, 0o644)
            self.systemctl('daemon-reload')
            self.systemctl('enable', unit_name(self.namespace))
        return True

    def start(self):
        self.systemctl('start', unit_name(self.namespace))

    def restart(self):
        self.systemctl('restart', unit_name(self.namespace))

    def stop(self):
        self.systemctl('stop', unit_name(self.namespace))

    def is_active(self):
        return self.systemctl('is-active', unit_name(self.namespace)).stdout.strip() == 'active'

    def remove(self, check_mode=False):
        if not os.path.exists(self.unit_path):
            return False
        if not check_mode:
            self.systemctl('stop', unit_name(self.namespace))
            self.systemctl('disable', unit_name(self.namespace))
            files.remove_file(self.unit_path)
            self.systemctl('daemon-reload')
            self.systemctl('reset-failed', unit_name(self.namespace))
        return True

    def describe(self):
        return {'manager': self.name, 'active': self.is_active(), 'unit': self.unit_path}


# ---------------------------------------------------------------------------------------------
# podman / docker


class ContainerService(ServiceManager):
    """The router image in a container with host networking (platforms podman and docker)."""

    name = 'container'

    def __init__(self, namespace, home, engine='podman', image=None, site_id=None, uid=None, gid=None):
        super(ContainerService, self).__init__(namespace, home, None, site_id)
        self.engine = engine
        self.image = image or DEFAULT_IMAGE
        self.uid = os.getuid() if uid is None else uid
        self.gid = os.getgid() if gid is None else gid

    @property
    def container(self):
        return '%s-skupper-router' % self.namespace

    def run_argv(self):
        """The command that creates and starts the router container."""
        router_dir = paths.runtime_dir(self.home, 'router')
        certs_dir = paths.runtime_dir(self.home, 'certs')
        argv = [self.engine, 'run', '--detach', '--name', self.container, '--network', 'host',
                '--restart', 'always',
                '--label', 'application=skupper-v2', '--label', 'skupper.io/v2-component=router',
                '--label', 'skupper.io/site-id=%s' % (self.site_id or ''),
                '--env', 'APPLICATION_NAME=skupper-router',
                '--env', 'QDROUTERD_CONF=/etc/skupper-router/config/skrouterd.json',
                '--env', 'QDROUTERD_CONF_TYPE=json',
                '--env', 'SKUPPER_SITE_ID=%s' % (self.site_id or ''),
                '--env', 'SSL_PROFILE_BASE_PATH=/etc/skupper-router',
                '--volume', '%s:/etc/skupper-router/config:z' % router_dir,
                '--volume', '%s:/etc/skupper-router/runtime/certs:z' % certs_dir]
        if self.engine == 'podman' and self.uid != 0:
            argv += ['--userns', 'keep-id', '--user', '%d:%d' % (self.uid, self.gid)]
        return argv + [self.image]

    def _engine(self, *args):
        if shutil.which(self.engine) is None:
            raise ServiceError('%s is not installed: the %s platform runs the router in a container' % (self.engine, self.engine))
        return subprocess.run([self.engine] + list(args), capture_output=True, text=True, check=False)

    def _exists(self):
        return self._engine('container', 'exists', self.container).returncode == 0 if self.engine == 'podman' else \
            self._engine('inspect', self.container).returncode == 0

    def is_active(self):
        if shutil.which(self.engine) is None:
            return False
        result = self._engine('inspect', '--format', '{{.State.Running}}', self.container)
        return result.returncode == 0 and result.stdout.strip() == 'true'

    def start(self):
        result = self._engine('start', self.container) if self._exists() else self._engine(*self.run_argv()[1:])
        if result.returncode != 0:
            raise ServiceError('cannot start container %s: %s' % (self.container, result.stderr.strip()))

    def stop(self):
        self._engine('stop', '--time', '10', self.container)

    def restart(self):
        self._engine('rm', '--force', self.container)
        self.start()

    def remove(self, check_mode=False):
        if shutil.which(self.engine) is None or not self._exists():
            return False
        if not check_mode:
            self._engine('rm', '--force', self.container)
        return True

    def describe(self):
        return {'manager': self.name, 'active': self.is_active(), 'container': self.container, 'image': self.image}


def service_manager(choice, platform, namespace, home, router=None, site_id=None, image=None):
    """The manager for a service_manager option ('auto', 'systemd', 'process') and a platform."""
    if platform in ('podman', 'docker'):
        return ContainerService(namespace, home, engine=platform, image=image, site_id=site_id)
    if choice == 'systemd' or (choice == 'auto' and systemd_is_init()):
        return SystemdService(namespace, home, router, site_id)
    return ProcessService(namespace, home, router, site_id)
