"""Linux test hosts made of network namespaces, each with its own address and a real sshd.

Not a test double: real namespaces, a real bridge, real sshd and ssh. The hosts share this machine's
filesystem, so each inventory host gets its own Skupper data home. Needs root and iproute2 +
openssh-server; `available()` says why not otherwise.
"""

import fcntl
import os
import shutil
import subprocess
import tempfile
import time

# Each set of hosts takes a free slot (a lock held while it lives), so that test runs of several checkouts
# on one machine never share a bridge, a subnet or a namespace name.
SLOTS = 64
SLOT_LOCK = os.path.join(tempfile.gettempdir(), 'appnet-skupper-netns-slot-%d.lock')


def _take_slot():
    """(slot number, open lock file) of the first slot no other live run holds."""
    for slot in range(SLOTS):
        handle = open(SLOT_LOCK % slot, 'a')
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            continue
        return slot, handle
    raise RuntimeError('all %d network namespace slots are taken by other test runs' % SLOTS)


def available():
    """None when namespaces and sshd can be used here, else the reason."""
    if os.geteuid() != 0:
        return 'network namespaces need root'
    for tool in ('ip', 'ssh', 'ssh-keygen'):
        if shutil.which(tool) is None:
            return '%s is not installed' % tool
    if not os.path.exists('/usr/sbin/sshd'):
        return 'openssh-server (/usr/sbin/sshd) is not installed'
    name = 'appnet-probe-%d' % os.getpid()
    probe = subprocess.run(['ip', 'netns', 'add', name], capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        return 'cannot create a network namespace: %s' % probe.stderr.strip()
    subprocess.run(['ip', 'netns', 'delete', name], capture_output=True, check=False)
    return None


def _run(*argv, check=True):
    result = subprocess.run(list(argv), capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise RuntimeError('%s failed: %s' % (' '.join(argv), result.stderr.strip()))
    return result


def subnet(slot):
    return '10.213.%d' % (100 + slot)


class Host:
    """One namespace host: name, address, sshd."""

    def __init__(self, name, index, workdir, slot):
        self.name = name
        self.netns = 'appnet%d-%s' % (slot, name)
        self.address = '%s.%d' % (subnet(slot), 10 + index)
        self.veth = 'ap%dv%d' % (slot, index)
        self.workdir = os.path.join(workdir, name)
        self.sshd = None

    def exec_argv(self, *argv):
        return ['ip', 'netns', 'exec', self.netns] + list(argv)


class NetnsHosts:
    """Several hosts on one bridge; `with NetnsHosts([...], workdir) as hosts:` cleans up after itself."""

    def __init__(self, names, workdir):
        self.workdir = workdir
        self.slot, self._slot_lock = _take_slot()
        self.bridge = 'appnetbr%d' % self.slot
        self.gateway = subnet(self.slot) + '.1'
        self.hosts = [Host(name, index, workdir, self.slot) for index, name in enumerate(names)]
        self.key = os.path.join(workdir, 'id_ed25519')

    def __enter__(self):
        try:
            self._create()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()

    def __getitem__(self, name):
        return next(h for h in self.hosts if h.name == name)

    def _create(self):
        os.makedirs(self.workdir, exist_ok=True)
        _run('ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', self.key)
        self.close_network()
        _run('ip', 'link', 'add', self.bridge, 'type', 'bridge')
        _run('ip', 'addr', 'add', self.gateway + '/24', 'dev', self.bridge)
        _run('ip', 'link', 'set', self.bridge, 'up')
        for host in self.hosts:
            self._create_host(host)
        for host in self.hosts:
            self._wait_for_ssh(host)

    def _create_host(self, host):
        os.makedirs(host.workdir, exist_ok=True)
        _run('ip', 'netns', 'add', host.netns)
        _run('ip', 'link', 'add', host.veth, 'type', 'veth', 'peer', 'name', host.veth + 'p')
        _run('ip', 'link', 'set', host.veth + 'p', 'netns', host.netns)
        _run('ip', 'link', 'set', host.veth, 'master', self.bridge)
        _run('ip', 'link', 'set', host.veth, 'up')
        _run(*host.exec_argv('ip', 'link', 'set', 'lo', 'up'))
        _run(*host.exec_argv('ip', 'link', 'set', host.veth + 'p', 'name', 'eth0'))
        _run(*host.exec_argv('ip', 'addr', 'add', host.address + '/24', 'dev', 'eth0'))
        _run(*host.exec_argv('ip', 'link', 'set', 'eth0', 'up'))
        _run(*host.exec_argv('ip', 'route', 'add', 'default', 'via', self.gateway))
        host.sshd = self._start_sshd(host)

    def _start_sshd(self, host):
        host_key = os.path.join(host.workdir, 'ssh_host_ed25519_key')
        _run('ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', host_key)
        authorized = os.path.join(host.workdir, 'authorized_keys')
        shutil.copy(self.key + '.pub', authorized)
        os.chmod(authorized, 0o600)
        config = os.path.join(host.workdir, 'sshd_config')
        with open(config, 'w') as handle:
            handle.write('\n'.join([
                'ListenAddress %s' % host.address, 'Port 22', 'HostKey %s' % host_key,
                'AuthorizedKeysFile %s' % authorized, 'PermitRootLogin prohibit-password',
                'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'UsePAM no',
                'StrictModes no', 'PidFile %s' % os.path.join(host.workdir, 'sshd.pid'),
                'Subsystem sftp internal-sftp', 'AcceptEnv LANG LC_*', 'MaxStartups 50', '']))
        os.makedirs('/run/sshd', exist_ok=True)
        log = open(os.path.join(host.workdir, 'sshd.log'), 'w')
        return subprocess.Popen(host.exec_argv('/usr/sbin/sshd', '-D', '-e', '-f', config),
                                stdout=log, stderr=subprocess.STDOUT)

    def _wait_for_ssh(self, host, timeout=20):
        deadline = time.time() + timeout
        while True:
            result = subprocess.run(self.ssh_argv(host, 'true'), capture_output=True, text=True, check=False)
            if result.returncode == 0:
                return
            if time.time() > deadline:
                raise RuntimeError('sshd on %s (%s) did not answer: %s' % (host.name, host.address, result.stderr))
            time.sleep(0.2)

    def ssh_options(self):
        return ['-i', self.key, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
                '-o', 'LogLevel=ERROR', '-o', 'BatchMode=yes']

    def ssh_argv(self, host, command):
        return ['ssh'] + self.ssh_options() + ['root@%s' % host.address, command]

    def inventory_vars(self, host):
        """Ansible connection variables for a host."""
        return {
            'ansible_host': host.address,
            'ansible_user': 'root',
            'ansible_connection': 'ssh',
            'ansible_ssh_private_key_file': self.key,
            'ansible_ssh_common_args': '-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null',
        }

    def close_network(self):
        for host in self.hosts:
            _run('ip', 'netns', 'delete', host.netns, check=False)
            _run('ip', 'link', 'delete', host.veth, check=False)
        _run('ip', 'link', 'delete', self.bridge, check=False)

    def close(self):
        for host in self.hosts:
            if host.sshd is not None:
                host.sshd.terminate()
                try:
                    host.sshd.wait(5)
                except subprocess.TimeoutExpired:
                    host.sshd.kill()
            pids = _run('ip', 'netns', 'pids', host.netns, check=False).stdout.split()
            for pid in pids:
                try:
                    os.kill(int(pid), 9)
                except (ValueError, OSError):
                    pass
        self.close_network()
        if self._slot_lock is not None:
            self._slot_lock.close()
            self._slot_lock = None
