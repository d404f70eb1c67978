"""Linux test hosts made of network namespaces, each with its own address and a real sshd.

Not a test double: real namespaces, a real bridge, real sshd and ssh. The hosts share this machine's
filesystem, so each inventory host gets its own Skupper data home. Needs root and iproute2 +
openssh-server; `available()` says why not otherwise.

Hosts that outlive the process that made them (molecule's create and destroy are two runs):
`python -m tests.support.netns_hosts create WORKDIR NAME...` makes them, leaves them running (a keeper
process holds the slot), writes WORKDIR/netns-hosts.json and prints molecule's instance config;
`python -m tests.support.netns_hosts destroy WORKDIR` removes them (every process in each namespace, the
namespaces, the links, the bridge, the keeper, the state file) and prints what it removed.
`python -m tests.support.netns_hosts stop-sshd NETNS` kills every sshd of a host (a host cut off: the rollout fault
tests run it from a callback plugin; NetnsHosts.restore starts a new one).
"""

import argparse
import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

# Each set of hosts takes a free slot (a lock held while it lives), so that test runs of several checkouts
# on one machine never share a bridge, a subnet or a namespace name.
SLOTS = 64
SLOT_LOCK = os.path.join(tempfile.gettempdir(), 'appnet-skupper-netns-slot-%d.lock')
# What a detached set of hosts leaves in its workdir: what destroy removes.
STATE_FILE = 'netns-hosts.json'
# The process that holds the slot lock of a detached set of hosts (it inherits the lock) until destroy ends it.
KEEPER = 'import signal, sys; signal.pause()'


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

    def serve_http(self, folder, port, text):
        """An HTTP server in this host on 127.0.0.1:port whose index.html (in folder, made here) is text; the
        process (the caller terminates it; destroying the namespace kills it too)."""
        os.makedirs(folder)
        with open(os.path.join(folder, 'index.html'), 'w') as handle:
            handle.write(text)
        return subprocess.Popen(self.exec_argv(sys.executable, '-m', 'http.server', str(port), '--bind', '127.0.0.1'),
                                cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class NetnsHosts:
    """Several hosts on one bridge; `with NetnsHosts([...], workdir) as hosts:` cleans up after itself."""

    def __init__(self, names, workdir):
        self.workdir = workdir
        self.slot, self._slot_lock = _take_slot()
        self.bridge = 'appnetbr%d' % self.slot
        self.gateway = subnet(self.slot) + '.1'
        self.hosts = [Host(name, index, workdir, self.slot) for index, name in enumerate(names)]
        self.key = os.path.join(workdir, 'id_ed25519')
        # sshd in a session of its own when the hosts are to outlive this process (detach())
        self.new_session = False
        self.detached = False

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

    def _start_sshd(self, host, keys=True):
        host_key = os.path.join(host.workdir, 'ssh_host_ed25519_key')
        if keys:
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
        log = open(os.path.join(host.workdir, 'sshd.log'), 'a')
        return subprocess.Popen(host.exec_argv('/usr/sbin/sshd', '-D', '-e', '-f', config), stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=self.new_session)

    def _wait_for_ssh(self, host, timeout=20):
        deadline = time.time() + timeout
        while True:
            result = subprocess.run(self.ssh_argv(host, 'true'), capture_output=True, text=True, check=False)
            if result.returncode == 0:
                return
            if time.time() > deadline:
                raise RuntimeError('sshd on %s (%s) did not answer: %s' % (host.name, host.address, result.stderr))
            time.sleep(0.2)

    def cut_argv(self, host, how):
        """The command that cuts host off: 'link' takes its namespace's link down (packets to it are lost), 'sshd'
        kills every sshd of its namespace, the listener and the sessions (connections to it are refused)."""
        if how == 'link':
            return host.exec_argv('ip', 'link', 'set', 'eth0', 'down')
        if how == 'sshd':
            return [sys.executable, '-m', 'tests.support.netns_hosts', 'stop-sshd', host.netns]
        raise ValueError('no such cut: %r' % how)

    def restore(self, host, how):
        """Undo cut_argv(host, how): the link up with its route again, or a new sshd; then wait until ssh answers."""
        if how == 'link':
            _run(*host.exec_argv('ip', 'link', 'set', 'eth0', 'up'))
            _run(*host.exec_argv('ip', 'route', 'replace', 'default', 'via', self.gateway))
        elif how == 'sshd':
            if host.sshd is not None:
                host.sshd.kill()
                host.sshd.wait()
            host.sshd = self._start_sshd(host, keys=False)
        else:
            raise ValueError('no such cut: %r' % how)
        self._wait_for_ssh(host)

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
        if self.detached:
            return
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

    def detach(self):
        """Leave the hosts running after this process: a keeper process takes over the slot lock, and the state
        file in the workdir says what destroy() removes. close() leaves them alone from then on."""
        keeper = subprocess.Popen([sys.executable, '-c', KEEPER, 'appnet-netns-slot-%d' % self.slot],
                                  pass_fds=(self._slot_lock.fileno(),), start_new_session=True,
                                  stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        state = {
            'slot': self.slot, 'bridge': self.bridge, 'key': self.key, 'keeper_pid': keeper.pid,
            'hosts': [{'name': host.name, 'netns': host.netns, 'veth': host.veth, 'address': host.address,
                       'workdir': host.workdir, 'sshd_pid': host.sshd.pid} for host in self.hosts],
        }
        path = os.path.join(self.workdir, STATE_FILE)
        with open(path + '.tmp', 'w') as handle:
            json.dump(state, handle, indent=1)
        os.rename(path + '.tmp', path)
        self._slot_lock.close()
        self._slot_lock = None
        for host in self.hosts:
            host.sshd = None
        self.detached = True
        return state

    def instance_config(self):
        """Molecule's instance config (default driver): how to reach each host over SSH."""
        return [{'instance': host.name, 'address': host.address, 'user': 'root', 'port': 22,
                 'identity_file': self.key} for host in self.hosts]


def alive(pid):
    """Whether pid is a live process (a zombie is not)."""
    try:
        with open('/proc/%d/stat' % pid) as handle:
            return handle.read().rsplit(')', 1)[-1].split()[0] != 'Z'
    except OSError:
        return False


def _kill_and_wait(pids, timeout=10):
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    deadline = time.time() + timeout
    while [pid for pid in pids if alive(pid)] and time.time() < deadline:
        time.sleep(0.05)
    return [pid for pid in pids if alive(pid)]


def _ancestors():
    """This process and its parents (the command that runs destroy names the workdir too)."""
    pids, pid = [], os.getpid()
    while pid > 1:
        pids.append(pid)
        try:
            with open('/proc/%d/stat' % pid) as handle:
                pid = int(handle.read().rsplit(')', 1)[-1].split()[1])
        except OSError:
            break
    return pids


def processes_under(path):
    """The live processes whose command line names a file under path (a router of a data home there, a server)."""
    path = os.path.abspath(path) + os.sep
    found = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit() or int(entry) in _ancestors():
            continue
        try:
            with open('/proc/%s/cmdline' % entry, 'rb') as handle:
                argv = handle.read().decode(errors='replace').split('\0')
        except OSError:
            continue
        if any(path in arg for arg in argv) and alive(int(entry)):
            found.append(int(entry))
    return found


def stop_sshd(netns):
    """Kill every sshd process of the namespace netns (the listener and each session's); the pids killed."""
    pids = []
    for pid in _run('ip', 'netns', 'pids', netns).stdout.split():
        try:
            with open('/proc/%s/comm' % pid) as handle:
                if handle.read().startswith('sshd'):
                    pids.append(int(pid))
        except OSError:
            continue
    left = _kill_and_wait(pids)
    if left:
        raise RuntimeError('sshd processes %s of %s did not die' % (left, netns))
    return pids


def destroy(workdir):
    """Remove the detached hosts whose state is in workdir; what was removed ({} when there was no state).
    Raises RuntimeError naming what is left (a process that did not die, a namespace or link still there)."""
    path = os.path.join(workdir, STATE_FILE)
    if not os.path.exists(path):
        return {}
    with open(path) as handle:
        state = json.load(handle)
    killed = []
    for host in state['hosts']:
        # sshd, its sessions and whatever was started over them (routers, servers)
        pids = [int(pid) for pid in _run('ip', 'netns', 'pids', host['netns'], check=False).stdout.split()]
        if host['sshd_pid'] not in pids and alive(host['sshd_pid']):
            pids.append(host['sshd_pid'])
        killed += pids
    left = _kill_and_wait(killed)
    for host in state['hosts']:
        _run('ip', 'netns', 'delete', host['netns'], check=False)
        _run('ip', 'link', 'delete', host['veth'], check=False)
    _run('ip', 'link', 'delete', state['bridge'], check=False)
    left += _kill_and_wait([state['keeper_pid']])
    left += _kill_and_wait(processes_under(workdir))
    netns = set(_run('ip', 'netns', 'list', check=False).stdout.split())
    problems = ['process %d is still running' % pid for pid in left]
    problems += ['network namespace %s is still there' % host['netns'] for host in state['hosts']
                 if host['netns'] in netns]
    links = [name for name in [state['bridge']] + [host['veth'] for host in state['hosts']]
             if _run('ip', 'link', 'show', name, check=False).returncode == 0]
    problems += ['link %s is still there' % name for name in links]
    if problems:
        raise RuntimeError('; '.join(problems))
    os.remove(path)
    return {'slot': state['slot'], 'netns': [host['netns'] for host in state['hosts']],
            'bridge': state['bridge'], 'killed': sorted(killed + [state['keeper_pid']])}


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m tests.support.netns_hosts',
                                     description='Network-namespace hosts with sshd that outlive this command.')
    commands = parser.add_subparsers(dest='command', required=True)
    create = commands.add_parser('create', help='make the hosts; print the instance config (JSON)')
    create.add_argument('workdir')
    create.add_argument('names', nargs='+')
    remove = commands.add_parser('destroy', help='remove the hosts of workdir; print what was removed (JSON)')
    remove.add_argument('workdir')
    stop = commands.add_parser('stop-sshd', help='kill every sshd of a namespace (a host cut off; the tests)')
    stop.add_argument('netns')
    args = parser.parse_args(argv)
    if args.command == 'stop-sshd':
        print(json.dumps(stop_sshd(args.netns)))
        return 0
    if args.command == 'create':
        reason = available()
        if reason is not None:
            parser.exit(3, 'no network namespace hosts: %s\n' % reason)
        if os.path.exists(os.path.join(args.workdir, STATE_FILE)):
            parser.exit(2, 'hosts of %s exist already: destroy them first\n' % args.workdir)
        hosts = NetnsHosts(args.names, os.path.abspath(args.workdir))
        hosts.new_session = True
        with hosts:
            hosts.detach()
            print(json.dumps(hosts.instance_config()))
    else:
        print(json.dumps(destroy(args.workdir)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
