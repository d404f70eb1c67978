# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The router image in a container with host networking: platforms podman and docker (docs/containers.md).

The container <namespace>-skupper-router mounts runtime/router and runtime/certs and carries Skupper's
labels, environment and user. internal/scripts/start.sh and stop.sh (0755) start and stop every
container of the site (found by its labels); where systemd runs the host, the unit
skupper-<namespace>.service runs them, so the router comes back after a reboot.

The image is pulled as the engines' --pull policy says (pull=missing|always|never), only when the container
is created; the container is created when it is absent or when the command that creates it changed (image,
run options: its digest is a label of the container), else it is started or restarted as it is. What a
host's engine needs beyond Skupper's options (an OCI runtime, ulimits, other run arguments) comes from
container_run_options (or from the engine's own configuration, e.g. containers.conf).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import grp
import hashlib
import json
import os
import re
import shlex
import shutil
import time

from ansible_collections.appnet.skupper.plugins.module_utils.args_common import CONTAINER
from ansible_collections.appnet.skupper.plugins.module_utils.system.store import files, paths
from ansible_collections.appnet.skupper.plugins.module_utils.system.service.base import (
    LOG_LINES, ServiceError, ServiceManager, run_command)
from ansible_collections.appnet.skupper.plugins.module_utils.system.service.systemd_service import (
    SystemdUnit, quote_argument, systemd_is_init)

DEFAULT_IMAGE = CONTAINER['router_image']['default']
CONTAINER_HOME = '/etc/skupper-router'
SCRIPT_MODE = 0o755
PULL_POLICIES = ('missing', 'always', 'never')
RUN_DIGEST_LABEL = 'io.appnet-skupper.run-digest'
ULIMIT = re.compile(r'^[a-z_]+=(-1|[0-9]+)(:(-1|[0-9]+))?$')
# Run arguments the collection sets itself (or that have their own option): refused in container_run_options.args.
OWN_FLAGS = ('--name', '--network', '--net', '--user', '-u', '--userns', '--detach', '-d', '--runtime', '--ulimit',
             '--pull', '--rm')


def container_name(namespace):
    return '%s-skupper-router' % namespace


def docker_group_gid():
    """The gid of the docker group, or 0 when there is none (Skupper's choice for the docker user)."""
    try:
        return grp.getgrnam('docker').gr_gid
    except KeyError:
        return 0


def check_run_options(options):
    """container_run_options normalized ({'runtime', 'ulimits', 'args'}), or ServiceError naming what is wrong."""
    options = dict(options or {})
    unknown = sorted(set(options) - {'runtime', 'ulimits', 'args'})
    if unknown:
        raise ServiceError('container_run_options: unknown key(s) %s (known: runtime, ulimits, args)' % ', '.join(unknown))
    runtime = options.get('runtime') or None
    if runtime is not None and (not isinstance(runtime, str) or not runtime.strip() or runtime.startswith('-')):
        raise ServiceError('container_run_options.runtime must be the name or path of an OCI runtime (e.g. runc), '
                           'not %r' % (runtime,))
    ulimits = list(options.get('ulimits') or [])
    for ulimit in ulimits:
        if not isinstance(ulimit, str) or not ULIMIT.match(ulimit):
            raise ServiceError('container_run_options.ulimits: %r is not <name>=<soft>[:<hard>] (e.g. nofile=4096:4096)'
                               % (ulimit,))
    args = list(options.get('args') or [])
    for arg in args:
        if not isinstance(arg, str):
            raise ServiceError('container_run_options.args: %r is not a string' % (arg,))
        flag = arg.split('=', 1)[0]
        if flag in OWN_FLAGS:
            raise ServiceError('container_run_options.args: %s is set by the collection (runtime, ulimits and pull have '
                               'their own options; the name, network and user are Skupper\'s)' % flag)
    return {'runtime': runtime, 'ulimits': ulimits, 'args': args}


# What container_condition reads of a container (docker and podman both answer it).
CONDITION_FORMAT = '{{.State.Status}}|{{.State.ExitCode}}|{{.State.FinishedAt}}|{{.State.Pid}}'
# What the engines answer when the container does not exist (podman: "no such container"; docker: "No such container",
# "No such object").
NO_CONTAINER = ('no such container', 'no such object')


def process_gone(pid):
    """Whether the host process pid (an engine's State.Pid) is gone: not there, or a zombie (0 or not a number: no)."""
    if not pid.isdigit() or int(pid) == 0 or not os.path.isdir('/proc/1'):
        return False
    try:
        with open('/proc/%s/stat' % pid) as handle:
            return handle.read().rsplit(')', 1)[-1].split()[0] == 'Z'
    except (OSError, IndexError):
        return True


def container_condition(engine, container, code, out, err):
    """The condition of a container from `<engine> container inspect --format CONDITION_FORMAT` (its exit status and
    output): None when it runs, else what happened to it and what brings it back."""
    if code != 0:
        text = (err or out).strip()
        if any(words in text.lower() for words in NO_CONTAINER):
            return ('the router container %s does not exist (it was removed): the next appnet.skupper.system run '
                    'creates it again' % container)
        return ('%s does not answer about the router container %s (%s container inspect exited %d: %s)'
                % (engine, container, engine, code, text[-500:]))
    parts = out.strip().split('|')
    status, exit_code, finished, pid = (parts + ['', '', '', ''])[:4]
    if status == 'running':
        if not process_gone(pid):
            return None
        return ('%s says the router container %s is running, but its process %s is gone (the engine lost it, e.g. its '
                'monitor was killed): the next appnet.skupper.system run creates the container again'
                % (engine, container, pid))
    return ('the router container %s is %s (exit code %s, at %s): the next appnet.skupper.system run starts it'
            % (container, status or 'not running', exit_code or '?', finished or '?'))


def condition_of(engine, container, runner=run_command):
    """What the engine says of the router container when it does not run (None when it runs): absent, exited (with
    its exit code and when), lost (the engine says it runs, its process is gone), or the engine does not answer."""
    code, out, err = runner([engine, 'container', 'inspect', '--format', CONDITION_FORMAT, container], timeout=60)
    return container_condition(engine, container, code, out, err)


def runtime_dir(uid, env):
    """$XDG_RUNTIME_DIR, else /run/user/<uid>; /run for root (where Skupper puts runtime files of a user)."""
    if uid == 0:
        return '/run'
    return env.get('XDG_RUNTIME_DIR') or '/run/user/%d' % uid


class ContainerService(ServiceManager):
    """The router image in a container with host networking (platforms podman and docker)."""

    name = 'container'

    def __init__(self, namespace, home, engine='podman', image=None, site_id=None, uid=None, gid=None, env=None,
                 runner=run_command, with_unit=None, pull='missing', run_options=None, **options):
        super(ContainerService, self).__init__(namespace, home, None, site_id, **options)
        self.engine = engine
        self.image = image or DEFAULT_IMAGE
        if pull not in PULL_POLICIES:
            raise ServiceError('pull must be one of %s, not %r' % (', '.join(PULL_POLICIES), pull))
        self.pull = pull
        self.run_options = check_run_options(run_options)
        self.uid = os.getuid() if uid is None else uid
        self.gid = os.getgid() if gid is None else gid
        self.env = os.environ if env is None else env
        self.runner = runner
        use_unit = systemd_is_init() if with_unit is None else with_unit
        self.unit = SystemdUnit(namespace, self.uid, self.env, runner) if use_unit else None

    @property
    def container(self):
        return container_name(self.namespace)

    @property
    def scripts_dir(self):
        return paths.internal_dir(self.home, 'scripts')

    # -- the container ------------------------------------------------------------------------------

    def user_options(self):
        """--user (and --userns) so that the router can read the site's files (0700 directories, 0600 keys).

        Rootless podman: the host user's uid:gid with userns keep-id. Rootful podman: 0:0 (root, the owner
        of the files). Docker: 0:<docker group gid>, as Skupper does (root in the container may read them).
        """
        if self.engine == 'docker':
            return ['--user', '0:%d' % docker_group_gid()]
        if self.uid != 0:
            return ['--userns', 'keep-id', '--user', '%d:%d' % (self.uid, self.gid)]
        return ['--user', '0:0']

    def engine_options(self):
        """What container_run_options adds to the run command (before the image)."""
        argv = ['--runtime', self.run_options['runtime']] if self.run_options['runtime'] else []
        for ulimit in self.run_options['ulimits']:
            argv += ['--ulimit', ulimit]
        return argv + self.run_options['args']

    def run_argv(self):
        """The command that creates and starts the router container; labelled with the digest of itself."""
        argv = self._run_argv()
        return argv[:-1] + ['--label', '%s=%s' % (RUN_DIGEST_LABEL, self.run_digest(argv)), argv[-1]]

    @staticmethod
    def run_digest(argv):
        return hashlib.sha256(json.dumps(argv).encode('utf-8')).hexdigest()[:32]

    def _run_argv(self):
        router_dir = paths.runtime_dir(self.home, 'router')
        certs_dir = paths.runtime_dir(self.home, 'certs')
        site_id = self.site_id or ''
        return ([self.engine, 'run', '--detach', '--name', self.container, '--network', 'host',
                 '--restart', 'always',
                 '--label', 'application=skupper-v2', '--label', 'skupper.io/v2-component=router',
                 '--label', 'skupper.io/site-id=%s' % site_id,
                 '--env', 'APPLICATION_NAME=skupper-router',
                 '--env', 'QDROUTERD_CONF=%s/config/skrouterd.json' % CONTAINER_HOME,
                 '--env', 'QDROUTERD_CONF_TYPE=json',
                 '--env', 'SKUPPER_SITE_ID=%s' % site_id,
                 '--env', 'SSL_PROFILE_BASE_PATH=%s' % CONTAINER_HOME,
                 '--volume', '%s:%s/config:z' % (router_dir, CONTAINER_HOME),
                 '--volume', '%s:%s/runtime/certs:z' % (certs_dir, CONTAINER_HOME)]
                + self.user_options() + self.engine_options() + [self.image])

    def spec(self):
        return json.dumps({'run': self.run_argv(), 'unit': self.unit_text() if self.unit else None}, sort_keys=True)

    def _engine(self, *args, **options):
        code, out, err = self.runner([self.engine] + list(args), timeout=options.get('timeout', 300))
        return code, out, err

    def preflight(self):
        if shutil.which(self.engine) is None:
            raise ServiceError('%s is not installed (not found on PATH): the %s platform runs the router in a '
                               'container; install %s, or use platform linux with the skrouterd binary'
                               % (self.engine, self.engine, self.engine))
        code, out, err = self._engine('info', timeout=60)
        if code != 0:
            raise ServiceError('%s does not work here (%s info exited %d: %s)'
                               % (self.engine, self.engine, code, (err or out).strip()[:500]))
        if self.pull == 'never' and not self._image_present():
            raise ServiceError(self._no_image_message())
        if self.unit is not None:
            try:
                self.unit.preflight()
            except ServiceError as exc:
                self.warnings.append('%s; the router container will not be started at boot by %s'
                                     % (exc, self.unit.name))
                self.unit = None

    def _exists(self):
        return self._engine('container', 'inspect', self.container)[0] == 0

    def _state(self):
        """{'running': bool, 'restarts': text, 'started': text, 'lost': bool} of the container (running False when
        absent; lost: the engine says it runs, but its process is gone)."""
        code, out, _err = self._engine('container', 'inspect', '--format',
                                       '{{.State.Running}} {{.State.Pid}} {{.RestartCount}} {{.State.StartedAt}}',
                                       self.container)
        parts = out.split() if code == 0 else []
        lost = parts[:1] == ['true'] and len(parts) > 1 and process_gone(parts[1])
        return {'running': parts[:1] == ['true'] and not lost, 'restarts': parts[2] if len(parts) > 2 else '',
                'started': ' '.join(parts[3:]), 'lost': lost}

    def is_active(self):
        return shutil.which(self.engine) is not None and self._state()['running']

    def container_state(self):
        """What the engine says of the container: running, restart count, start time (support bundles)."""
        return dict(self._state(), container=self.container, engine=self.engine)

    def condition(self):
        return condition_of(self.engine, self.container, self.runner)

    def _image_present(self):
        return self._engine('image', 'inspect', self.image, timeout=60)[0] == 0

    def _no_image_message(self):
        return ('the router image %s is not on this host (%s image inspect found none) and pull is never: load it first '
                '(%s load -i <image archive>, e.g. one that %s save wrote on a host that has it), or build it (make '
                'router-image builds one from the router sources), or set pull to missing'
                % (self.image, self.engine, self.engine, self.engine))

    def _ensure_image(self):
        """Pull the image as the policy says: missing (only when absent), always, never (fail when absent)."""
        if self.pull != 'always' and self._image_present():
            return
        if self.pull == 'never':
            raise ServiceError(self._no_image_message())
        code, out, err = self._engine('pull', self.image, timeout=900)
        if code != 0:
            raise ServiceError('cannot pull the router image %s (pull=%s; %s pull exited %d): %s'
                               % (self.image, self.pull, self.engine, code, (err or out).strip()[-800:]))

    def _container_digest(self):
        """The run digest label of the existing container ('' without one), or None when there is no container."""
        code, out, _err = self._engine('container', 'inspect', '--format',
                                       '{{ index .Config.Labels "%s" }}' % RUN_DIGEST_LABEL, self.container)
        if code != 0:
            return None
        value = out.strip()
        return '' if value in ('', '<no value>') else value

    def _image_id(self, kind, name):
        """The image id of a container (kind 'container') or of an image name (kind 'image'), or None."""
        code, out, _err = self._engine(kind, 'inspect', '--format', '{{.Image}}' if kind == 'container' else '{{.Id}}',
                                       name, timeout=60)
        value = out.strip() if code == 0 else ''
        return value.split(':', 1)[-1] if value else None

    def _stale_image(self):
        """Whether the container runs another image than the one its image name now stands for (e.g. rebuilt)."""
        running = self._image_id('container', self.container)
        current = self._image_id('image', self.image)
        return bool(running and current and running != current)

    def _current(self):
        """Whether the existing container was created by the current run command, from the current image."""
        return self._container_digest() == self.run_digest(self._run_argv()) and not self._stale_image()

    def degraded(self):
        if self._stale_image():
            return 'the router image %s is not the one the container was created from' % self.image
        return None

    def _create(self):
        self._ensure_image()
        if self._exists():
            self._engine('rm', '--force', self.container)
        argv = self.run_argv()
        code, out, err = self._engine(*argv[1:])
        if code != 0:
            tail = self.log_tail()
            self._engine('rm', '--force', self.container)
            raise ServiceError('cannot run the router container %s (%s run exited %d): %s%s' % (
                self.container, self.engine, code, (err or out).strip()[-1500:],
                ('; its log ends with:\n%s' % tail) if tail else ''))

    def start(self):
        """Start the container as it is when it was created by the current command (and the engine has not lost
        it); else (re-)create it."""
        self._since = time.time()
        if self._current() and not self._state()['lost']:
            code, out, err = self._engine('start', self.container)
            if code != 0:
                tail = self.log_tail()
                raise ServiceError('cannot start the router container %s (%s start exited %d): %s%s' % (
                    self.container, self.engine, code, (err or out).strip()[-1500:],
                    ('; its log ends with:\n%s' % tail) if tail else ''))
        else:
            self._create()
        self._wait()

    def restart(self):
        """Restart the container as it is when its command is unchanged (no pull) and the engine has not lost it;
        else re-create it."""
        self._since = time.time()
        if self._current() and not self._state()['lost']:
            code, out, err = self._engine('restart', '--time', '10', self.container)
            if code != 0:
                raise ServiceError('cannot restart the router container %s (%s restart exited %d): %s' % (
                    self.container, self.engine, code, (err or out).strip()[-1500:]))
        else:
            self._create()
        self._wait()

    def _wait(self):
        self.wait_ready(self._still_running(self._state()), 'the router container %s' % self.container)

    def _still_running(self, before):
        def check():
            now = self._state()
            if not now['running']:
                return 'the container %s is not running' % self.container
            if now['restarts'] != before['restarts'] or now['started'] != before['started']:
                return 'the container %s was restarted (restart count %s, then %s)' % (
                    self.container, before['restarts'] or '?', now['restarts'] or '?')
            return None
        return check

    def stop(self):
        self._engine('stop', '--time', '10', self.container)

    def log_tail(self, lines=LOG_LINES):
        code, out, err = self._engine('logs', '--tail', str(lines), self.container)
        return (out + err).strip() if code == 0 else ''

    def fresh_log(self):
        since = time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(getattr(self, '_since', 0)))
        code, out, err = self._engine('logs', '--since', since, self.container)
        return out + err if code == 0 else ''

    # -- the start/stop scripts and the unit ----------------------------------------------------------

    def _engine_path(self):
        return shutil.which(self.engine) or self.engine

    def script_text(self, action):
        """internal/scripts/<start|stop>.sh: start or stop every container labelled with this site's id."""
        engine = shlex.quote(self._engine_path())
        verb = 'start' if action == 'start' else 'stop --time 10'
        return '\n'.join([
            '#!/bin/sh',
            '# %s the Skupper router container(s) of namespace %s (site %s).' % (
                'Starts' if action == 'start' else 'Stops', self.namespace, self.site_id or ''),
            '# Written by appnet.skupper.system; run by %s.' % ('the unit skupper-%s.service' % self.namespace),
            'set -eu',
            'for container in $(%s container ls --all --filter label=application=skupper-v2 --filter %s '
            "--format '{{.Names}}'); do" % (engine, shlex.quote('label=skupper.io/site-id=%s' % (self.site_id or ''))),
            '    %s %s "$container"' % (engine, verb),
            'done',
            '',
        ])

    def script_path(self, action):
        return os.path.join(self.scripts_dir, '%s.sh' % action)

    def unit_text(self):
        """skupper-<namespace>.service: runs start.sh at boot and stop.sh at shutdown."""
        dependencies = []
        if self.engine == 'podman':
            dependencies.append('RequiresMountsFor=%s/containers' % runtime_dir(self.uid, self.env))
        elif self.uid == 0:
            dependencies += ['Wants=docker.service', 'After=docker.service']
        return '\n'.join([
            '[Unit]',
            'Description=Skupper router container of namespace %s' % self.namespace,
            'Wants=network-online.target',
            'After=network-online.target',
        ] + dependencies + [
            '',
            '[Service]',
            'Type=oneshot',
            'RemainAfterExit=yes',
            'ExecStart=/bin/sh %s' % quote_argument(self.script_path('start')),
            'ExecStop=/bin/sh %s' % quote_argument(self.script_path('stop')),
            'TimeoutStopSec=70',
            '',
            '[Install]',
            'WantedBy=%s' % self.unit.wanted_by,
            '',
        ])

    def install(self, check_mode=False):
        changed = False
        for action in ('start', 'stop'):
            path, text = self.script_path(action), self.script_text(action)
            if files.read_bytes(path) != text.encode() or (os.stat(path).st_mode & 0o777) != SCRIPT_MODE:
                changed = True
                if not check_mode:
                    files.ensure_dir(self.scripts_dir, 0o700)
                    files.write_atomic(path, text, SCRIPT_MODE)
        if self.unit is not None:
            changed = self.unit.write(self.unit_text(), check_mode) or changed
            warning = self.unit.linger_warning()
            if warning and warning not in self.warnings:
                self.warnings.append(warning)
        return changed

    def remove(self, check_mode=False):
        removed = False
        if shutil.which(self.engine) is not None and self._exists():
            removed = True
            if not check_mode:
                self._engine('rm', '--force', self.container)
        if self.unit is not None:
            removed = self.unit.remove(check_mode) or removed
        return removed

    def record(self):
        found = {'manager': self.name, 'engine': self.engine, 'container': self.container, 'image': self.image,
                 'pull': self.pull}
        if self.unit is not None:
            found.update(unit=self.unit.path, scope=self.unit.scope)
        return found

    def describe(self):
        return dict(self.record(), active=self.is_active())
