# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""systemd units of system sites: skupper-<namespace>.service, system scope as root, user scope otherwise.

SystemdUnit writes, enables and removes a unit and asks systemd about it; SystemdService runs the
router with one (Skupper's unit, with an absolute, quoted ExecStart and Restart=on-failure). The
container service uses SystemdUnit for its start/stop scripts.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import pwd

from ansible_collections.appnet.skupper.plugins.module_utils.system.store import files
from ansible_collections.appnet.skupper.plugins.module_utils.system.service.base import (
    LOG_LINES, ServiceError, ServiceManager, run_command)

LINGER_DIR = '/var/lib/systemd/linger'
SHOW_PROPERTIES = ('ActiveState', 'SubState', 'NRestarts', 'MainPID', 'Result')


def unit_name(namespace):
    return 'skupper-%s.service' % namespace


def systemd_is_init():
    return os.path.isdir('/run/systemd/system')


def quote_argument(value):
    """One word of an Exec*= command line (systemd.service(5) "Command lines"): specifiers (%) and
    variables ($) escaped, and double quotes around a word that holds spaces, quotes or backslashes."""
    text = str(value).replace('%', '%%').replace('$', '$$')
    if text and not any(c in text for c in ' \t\n"\'\\;'):
        return text
    return '"%s"' % text.replace('\\', '\\\\').replace('"', '\\"')


def environment_assignment(name, value):
    """An Environment= value, quoted, with specifiers escaped."""
    text = ('%s=%s' % (name, value)).replace('%', '%%').replace('\\', '\\\\').replace('"', '\\"')
    return '"%s"' % text


class SystemdUnit(object):
    """The unit skupper-<namespace>.service of one namespace, in the scope of the user running the module."""

    def __init__(self, namespace, uid=None, env=None, runner=run_command):
        self.namespace = namespace
        self.uid = os.getuid() if uid is None else uid
        self.env = os.environ if env is None else env
        self.runner = runner

    @property
    def name(self):
        return unit_name(self.namespace)

    @property
    def user_scope(self):
        return self.uid != 0

    @property
    def scope(self):
        return 'user' if self.user_scope else 'system'

    @property
    def path(self):
        if not self.user_scope:
            return os.path.join('/etc/systemd/system', self.name)
        config = self.env.get('XDG_CONFIG_HOME') or os.path.join(self.env.get('HOME') or os.path.expanduser('~'),
                                                                 '.config')
        return os.path.join(config, 'systemd', 'user', self.name)

    @property
    def wanted_by(self):
        return 'default.target' if self.user_scope else 'multi-user.target'

    def systemctl(self, *args, **options):
        argv = ['systemctl'] + (['--user'] if self.user_scope else []) + list(args)
        code, out, err = self.runner(argv)
        if code != 0 and options.get('check', True):
            raise ServiceError('%s failed: %s' % (' '.join(argv), (err or out).strip()))
        return code, out

    def preflight(self):
        code, out, err = self.runner(['systemctl'] + (['--user'] if self.user_scope else [])
                                     + ['list-units', '--no-pager', '--no-legend', self.name])
        if code != 0:
            raise ServiceError('systemd cannot be used%s: systemctl%s list-units failed: %s; use '
                               'service_manager=process on hosts without systemd'
                               % (' at user level' if self.user_scope else '', ' --user' if self.user_scope else '',
                                  (err or out).strip()))

    def write(self, text, check_mode=False):
        """Write, daemon-reload and enable the unit; True when its text changed."""
        if files.read_bytes(self.path) == text.encode():
            return False
        if not check_mode:
            files.ensure_dir(os.path.dirname(self.path), 0o755)
            files.write_atomic(self.path, text, 0o644)
            self.systemctl('daemon-reload')
            self.systemctl('enable', self.name)
        return True

    def remove(self, check_mode=False):
        if not os.path.exists(self.path):
            return False
        if not check_mode:
            self.systemctl('stop', self.name, check=False)
            self.systemctl('disable', self.name, check=False)
            files.remove_file(self.path)
            self.systemctl('daemon-reload', check=False)
            self.systemctl('reset-failed', self.name, check=False)
        return True

    def show(self):
        """{property: value} of SHOW_PROPERTIES."""
        _code, out = self.systemctl('show', '-p', ','.join(SHOW_PROPERTIES), self.name, check=False)
        found = dict((key, '') for key in SHOW_PROPERTIES)
        for line in out.splitlines():
            key, _sep, value = line.partition('=')
            if key in found:
                found[key] = value.strip()
        return found

    def is_active(self):
        return self.show()['ActiveState'] == 'active'

    def journal_tail(self, lines=LOG_LINES):
        scope = ['--user'] if self.user_scope else []
        argv = ['journalctl'] + scope + ['-u', self.name, '-n', str(lines), '--no-pager', '-o', 'cat']
        code, out, err = self.runner(argv)
        return out.strip() if code == 0 else '(journalctl failed: %s)' % (err or out).strip()

    def linger_warning(self):
        """A warning when a user unit will not run without a login session (no lingering for the user)."""
        if not self.user_scope:
            return None
        try:
            user = pwd.getpwuid(self.uid).pw_name
        except KeyError:
            user = str(self.uid)
        if os.path.exists(os.path.join(LINGER_DIR, user)):
            return None
        return ('lingering is not enabled for user %s: the user unit %s stops when the last session of %s ends and '
                'does not start at boot; enable it with "loginctl enable-linger %s" (as root, or where polkit allows '
                'it)' % (user, self.name, user, user))


class SystemdService(ServiceManager):
    """The router run by the unit skupper-<namespace>.service."""

    name = 'systemd'

    def __init__(self, namespace, home, router=None, site_id=None, uid=None, env=None, runner=run_command,
                 **options):
        super(SystemdService, self).__init__(namespace, home, router, site_id, **options)
        self.unit = SystemdUnit(namespace, uid, env, runner)

    @property
    def user_scope(self):
        return self.unit.user_scope

    def unit_text(self):
        return '\n'.join([
            '[Unit]',
            'Description=Skupper router of namespace %s' % self.namespace,
            'Wants=network-online.target',
            'After=network-online.target',
            '',
            '[Service]',
            'Type=simple',
            'ExecStart=%s -c %s' % (quote_argument(self.router), quote_argument(self.config)),
            'Environment=%s' % environment_assignment('SKUPPER_SITE_ID', self.site_id or ''),
            'Restart=on-failure',
            'RestartSec=2',
            'TimeoutStopSec=70',
            '',
            '[Install]',
            'WantedBy=%s' % self.unit.wanted_by,
            '',
        ])

    def spec(self):
        return self.unit_text()

    def preflight(self):
        self.unit.preflight()

    def install(self, check_mode=False):
        changed = self.unit.write(self.unit_text(), check_mode)
        warning = self.unit.linger_warning()
        if warning and warning not in self.warnings:
            self.warnings.append(warning)
        return changed

    def start(self):
        self._run('start')

    def restart(self):
        self._run('restart')

    def _run(self, verb):
        self.unit.systemctl(verb, self.unit.name)
        # The counters right after the start: a manual start resets NRestarts, an automatic restart (at the
        # earliest RestartSec=2 after a failure) increments it.
        self.wait_ready(self._still_running(self.unit.show()), 'the router of %s' % self.unit.name)

    def _still_running(self, before):
        """The unit must stay active with the same main process and no restart counted since the start."""
        first = {'pid': before['MainPID']} if before['MainPID'] not in ('', '0') else {}

        def check():
            now = self.unit.show()
            if now['ActiveState'] in ('failed', 'inactive', 'deactivating') or now['SubState'] == 'auto-restart':
                return '%s is %s (%s, result %s)' % (self.unit.name, now['ActiveState'], now['SubState'],
                                                     now['Result'] or 'unknown')
            if now['NRestarts'].isdigit() and before['NRestarts'].isdigit() \
                    and int(now['NRestarts']) > int(before['NRestarts']):
                return '%s restarted the router %d time(s) since it was started' % (
                    self.unit.name, int(now['NRestarts']) - int(before['NRestarts']))
            pid = now['MainPID']
            if pid and pid != '0':
                first.setdefault('pid', pid)
                if pid != first['pid']:
                    return 'the main process of %s changed (%s, then %s): the router was restarted' % (
                        self.unit.name, first['pid'], pid)
            return None
        return check

    def stop(self):
        self.unit.systemctl('stop', self.unit.name, check=False)

    def is_active(self):
        return self.unit.is_active()

    def remove(self, check_mode=False):
        return self.unit.remove(check_mode)

    def log_tail(self, lines=LOG_LINES):
        return self.unit.journal_tail(lines)

    def record(self):
        return {'manager': self.name, 'unit': self.unit.path, 'scope': self.unit.scope}

    def describe(self):
        return dict(self.record(), active=self.is_active())
