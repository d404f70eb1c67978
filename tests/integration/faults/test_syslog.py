"""Secrets never reach syslog: real ansible-playbook runs whose modules log to a real /dev/log, a
datagram socket of this test bind-mounted there in a private mount namespace; a resource task carrying a Secret
(with and without no_log) writes records, none with the key, plain or base64."""

import base64
import os
import shutil
import socket
import subprocess
import sys
import threading

import pytest
import yaml

from tests.support import fault_figures
from tests.support.playbook import COLLECTIONS, ROOT

FAULTS = {'secrets-offered-to-syslog': 'test_no_secret_reaches_the_real_log_target'}

KEY = '-----BEGIN PRIVATE KEY-----\nSYSLOG-MUST-NEVER-SEE-THIS-KEY-0123456789\n-----END PRIVATE KEY-----\n'
CODE = 'TOKEN-CODE-SYSLOG-MUST-NEVER-SEE-0123456789'

# Replaces /dev in the calling mount namespace with a copy whose /dev/log is the test's socket, then runs argv.
PRIVATE_DEV = r'''
set -e
work=$1; shift
mkdir -p "$work/olddev"
mount --bind /dev "$work/olddev"
mount -t tmpfs -o mode=0755 tmpfs /dev
for entry in $(ls -A "$work/olddev"); do
  source="$work/olddev/$entry"
  if [ -L "$source" ]; then cp -P "$source" "/dev/$entry"
  elif [ -d "$source" ]; then mkdir "/dev/$entry"; mount --rbind "$source" "/dev/$entry"
  else touch "/dev/$entry"; mount --bind "$source" "/dev/$entry"; fi
done
rm -f /dev/log; touch /dev/log
mount --bind "$work/log.sock" /dev/log
exec "$@"
'''


class LogSink(threading.Thread):
    def __init__(self, path):
        super().__init__(daemon=True)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.records = []

    def run(self):
        while True:
            try:
                self.records.append(self.sock.recv(1 << 20))
            except OSError:
                return


def test_no_secret_reaches_the_real_log_target(tmp_path):
    if os.geteuid() != 0 or not shutil.which('unshare'):
        pytest.skip('needs root and unshare for a private mount namespace with its own /dev/log')
    sink = LogSink(str(tmp_path / 'log.sock'))
    sink.start()
    data_home = str(tmp_path / 'skupper')
    secret = {'apiVersion': 'v1', 'kind': 'Secret', 'metadata': {'name': 'link-west'},
              'stringData': {'tls.key': KEY, 'tls.crt': 'CRT', 'ca.crt': 'CA'}}
    token = {'apiVersion': 'skupper.io/v2alpha1', 'kind': 'AccessToken', 'metadata': {'name': 'tok'},
             'spec': {'url': 'https://127.0.0.1:1/', 'code': CODE, 'ca': 'CA'}}
    target = {'platform': 'linux', 'namespace': 'west', 'data_home': data_home}
    tasks = [
        {'name': 'a typed module logs its invocation', 'appnet.skupper.site': dict(target, name='west')},
        {'name': 'secret as a list', 'appnet.skupper.resource': dict(target, definition=[secret])},
        # an AccessToken is redeemed at once on Linux: this one cannot be (no grant server), its code is logged nowhere
        {'name': 'token as a list', 'ignore_errors': True, 'appnet.skupper.resource': dict(target, definition=[token])},
        {'name': 'secret as text', 'appnet.skupper.resource': dict(
            target, state='absent', definition=yaml.safe_dump_all([secret]))},
        {'name': 'secret with no_log', 'no_log': True,
         'appnet.skupper.resource': dict(target, definition=yaml.safe_dump_all([secret]))},
        {'name': 'a bad secret document', 'ignore_errors': True, 'appnet.skupper.resource': dict(
            target, definition=[dict(secret, spec={'x': KEY})])},
    ]
    playbook = tmp_path / 'play.yml'
    playbook.write_text(yaml.safe_dump([{'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}]))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_NOCOLOR='1')
    ansible = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
    out = subprocess.run(['unshare', '--mount', '--propagation', 'private', 'sh', '-c', PRIVATE_DEV, 'private-dev',
                          str(tmp_path), ansible, '-i', 'localhost,', '-c', 'local', '-e',
                          'ansible_python_interpreter=%s' % sys.executable, str(playbook)],
                         capture_output=True, text=True, cwd=ROOT, env=env, timeout=900, check=False)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    sink.sock.close()
    sink.join(5)
    records = b'\n'.join(sink.records)
    assert b'ansible-appnet.skupper.site: Invoked with' in records, records[:2000]
    assert b'ansible-appnet.skupper.resource: Invoked with' in records
    assert b'definition=NOT_LOGGING_PARAMETER' in records
    for secret_text in (KEY.split('\n')[1], CODE, base64.b64encode(KEY.encode()).decode()[:40],
                        base64.b64encode(CODE.encode()).decode()[:40]):
        assert secret_text.encode() not in records, secret_text
        assert secret_text not in out.stdout
    key_file = os.path.join(data_home, 'namespaces', 'west', 'input', 'resources', 'Secret-link-west.yaml')
    assert os.stat(key_file).st_mode & 0o777 == 0o600
    print('\nsyslog: %d records from the modules, none with a key or a code' % len(sink.records))
    fault_figures.record('secrets-offered-to-syslog', rounds=1, updates_lost=None, duplicates=None, corrupted=None)
