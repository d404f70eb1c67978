"""The connection to the API server: timeouts, retries and backoff, TLS and permission errors, proxy, in-cluster.

The collection's client (module_utils/k8s/client.py) runs over the real `kubernetes` client and real sockets:
against the API stand-in (a test double), a socket that accepts and never answers, a CONNECT proxy test
double, and, for in-cluster configuration, service-account files in a private mount namespace.
"""

import os
import shutil
import socket
import subprocess
import sys
import threading

import pytest

from ansible_collections.appnet.skupper.plugins.module_utils.backend import BackendError
from ansible_collections.appnet.skupper.plugins.module_utils.k8s import auth, client
from tests.integration.kubernetes.plays import get_object, new_namespace, run
from tests.support.connect_proxy import ConnectProxy
from tests.support.kube_api import start_server
from tests.support.playbook import ROOT, failures

LISTENER = {'routing_key': 'k', 'host': 'h', 'port': 80}


def kube_client(url, sleeps, timeout=client.REQUEST_TIMEOUT, **params):
    """The collection's KubeClient for url, recording its pauses instead of sleeping."""
    return client.KubeClient(auth.get_api_client(dict(params, api_host=url)), sleep=sleeps.append, timeout=timeout)


class SilentServer(object):
    """Accepts TCP connections and never answers (a hung API server); counts the connections."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind(('127.0.0.1', 0))
        self.socket.listen(16)
        self.url = 'http://127.0.0.1:%d' % self.socket.getsockname()[1]
        self.accepted = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        while True:
            try:
                connection, _unused = self.socket.accept()
            except OSError:
                return
            self.accepted.append(connection)

    def close(self):
        self.socket.close()
        for connection in self.accepted:
            connection.close()


@pytest.fixture(scope='module')
def server():
    instance = start_server()
    yield instance
    instance.stop()


def test_a_server_that_never_answers_times_out_and_is_retried_a_bounded_number_of_times():
    silent, sleeps = SilentServer(), []
    try:
        with pytest.raises(BackendError) as error:
            kube_client(silent.url, sleeps, timeout=(2, 0.3)).get('Listener', 'default', 'l')
        assert len(silent.accepted) == client.ATTEMPTS, 'one connection per attempt, then it gives up'
    finally:
        silent.close()
    assert error.value.message.startswith('Listener "l" in namespace default: cannot reach the Kubernetes API at %s '
                                          'after 5 attempts (GET /apis/skupper.io/v2alpha1/namespaces/default/'
                                          'listeners/l): ' % silent.url)
    assert 'timed out' in error.value.message
    assert sleeps == [0.25, 0.5, 1.0, 2.0], 'exponential backoff between attempts'


def test_server_errors_are_retried_with_backoff_then_reported(server):
    namespace, sleeps = new_namespace(server), []
    server.reset_counts()
    server.inject_fault(503, path_prefix='/apis/skupper.io/v2alpha1/namespaces/' + namespace, times=20)
    try:
        with pytest.raises(BackendError) as error:
            kube_client(server.url, sleeps).get('Listener', namespace, 'l')
    finally:
        server.clear_faults()
    assert [r.fault for r in server.requests] == ['503'] * client.ATTEMPTS
    assert sleeps == [0.25, 0.5, 1.0, 2.0]
    assert 'HTTP 503' in error.value.message


def test_retry_after_is_honoured_but_capped(server):
    namespace, sleeps = new_namespace(server), []
    server.inject_fault(429, path_prefix='/apis/skupper.io/v2alpha1/namespaces/' + namespace, times=2,
                        retry_after=3600)
    assert kube_client(server.url, sleeps).get('Listener', namespace, 'l') is None
    assert sleeps == [client.MAX_DELAY, client.MAX_DELAY], 'an hour-long Retry-After waits at most MAX_DELAY'


def test_tls_errors_say_tls_and_what_to_check(server):
    secured = start_server(tls=True)
    try:
        for url, reason in ((server.url.replace('http://', 'https://'), 'WRONG_VERSION_NUMBER'),
                            (secured.url, 'CERTIFICATE_VERIFY_FAILED')):
            with pytest.raises(BackendError) as error:
                kube_client(url, []).get('Listener', 'default', 'l')
            message = error.value.message
            assert message.startswith('TLS error talking to the Kubernetes API at %s: ' % url) and reason in message
            assert 'ca_cert' in message and 'validate_certs' in message and 'HTTP 0' not in message
        trusted = kube_client(secured.url, [], ca_cert=secured.ca_file)
        assert trusted.get('Listener', 'default', 'l') is None
    finally:
        secured.stop()


# -- the modules ------------------------------------------------------------------------------------------

def test_a_token_without_write_permission_is_reported_as_missing_rbac(tmp_path):
    server = start_server(token='admin-token', read_only_token='reader-token')
    try:
        namespace = new_namespace(server)
        task = dict(LISTENER, name='l', namespace=namespace, api_host=server.url, api_key='reader-token')
        rc, report, outcomes = run(tmp_path, [{'appnet.skupper.listener': task}])
        assert rc != 0 and outcomes[0]['changed'] is False
        message = outcomes[0]['msg']
        assert 'HTTP 403 Forbidden, a missing permission' in message and 'RBAC' in message
        assert 'cannot patch resource "listeners" in API group "skupper.io"' in message
        assert 'reader-token' not in str(report) and 'Traceback' not in message
    finally:
        server.stop()


def test_proxy_option_tunnels_through_a_connect_proxy(tmp_path):
    server = start_server(tls=True, token='s3cr3t')
    try:
        with ConnectProxy() as proxy:
            namespace = new_namespace(server)
            task = dict(LISTENER, name='l', namespace=namespace, api_host=server.url, api_key='s3cr3t',
                        ca_cert=server.ca_file)
            rc, report, outcomes = run(tmp_path, [{'appnet.skupper.listener': dict(task, proxy=proxy.url)}])
            assert rc == 0, failures(report)
            assert outcomes[0]['changed'] is True
            assert proxy.tunnels and set(proxy.tunnels) == {'127.0.0.1:%d' % server.port}
            rc, report, outcomes = run(tmp_path, [{'appnet.skupper.listener': task}],
                                       env={'K8S_AUTH_PROXY': proxy.url})
            assert rc == 0 and outcomes[0]['changed'] is False, failures(report)
            assert len(set(proxy.tunnels)) == 1 and len(proxy.tunnels) >= 2, 'K8S_AUTH_PROXY is the same option'
    finally:
        server.stop()


def _can_unshare_mounts():
    return (os.geteuid() == 0 and shutil.which('unshare')
            and subprocess.run(['unshare', '-m', 'true'], capture_output=True, check=False).returncode == 0)


@pytest.mark.skipif(not _can_unshare_mounts(), reason='needs root and unshare -m (a private mount namespace)')
def test_in_cluster_service_account(tmp_path):
    """The module in a "pod": service-account token and CA at the fixed in-cluster paths (a tmpfs over /run in a
    private mount namespace), KUBERNETES_SERVICE_HOST/PORT pointing at the HTTPS stand-in, no kubeconfig."""
    server = start_server(tls=True, token='service-account-token')
    try:
        namespace = new_namespace(server)
        (tmp_path / 'token').write_text('service-account-token')
        shutil.copy(server.ca_file, str(tmp_path / 'ca.crt'))
        playbook = tmp_path / 'play.yml'
        playbook.write_text('- hosts: localhost\n  gather_facts: false\n  tasks:\n'
                            '    - appnet.skupper.listener: {name: l, namespace: %s, routing_key: k, host: h, '
                            'port: 80}\n' % namespace)
        account = '/var/run/secrets/kubernetes.io/serviceaccount'
        script = ('set -e; mount -t tmpfs tmpfs "$(readlink -f /var/run)"; mkdir -p %s; cp "$1/token" "$1/ca.crt" %s; '
                  'shift; exec "$@"' % (account, account))
        env = dict(os.environ, KUBERNETES_SERVICE_HOST='127.0.0.1', KUBERNETES_SERVICE_PORT=str(server.port),
                   KUBECONFIG=str(tmp_path / 'no-kubeconfig'), ANSIBLE_COLLECTIONS_PATH=os.path.join(
                       ROOT, '.build', 'collections'))
        for name in [key for key in env if key.startswith('K8S_AUTH_')]:
            del env[name]
        command = ['unshare', '-m', 'sh', '-c', script, 'sh', str(tmp_path),
                   os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', 'localhost,', '-c', 'local',
                   '-e', 'ansible_python_interpreter=%s' % sys.executable, str(playbook)]
        result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, check=False)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
        assert get_object(server, 'Listener', namespace, 'l')['spec']['routingKey'] == 'k'
        assert not os.path.exists(os.path.join(account, 'token')), 'the service account files stayed private'
    finally:
        server.stop()


def test_test_runs_never_fall_back_to_the_callers_cluster(tmp_path):
    """tests/conftest.py hides KUBECONFIG (and ~/.kube/config), K8S_AUTH_* and in-cluster variables: a task that
    forgets its connection options fails here instead of reaching the cluster of whoever runs the tests."""
    assert not os.path.exists(os.environ['KUBECONFIG'])
    assert not [name for name in os.environ if name.startswith('K8S_AUTH_') or name.startswith('KUBERNETES_SERVICE')]
    rc, _report, outcomes = run(tmp_path, [{'appnet.skupper.listener': dict(LISTENER, name='l')}])
    assert rc != 0 and outcomes[0]['msg'].startswith('no Kubernetes API to talk to')
