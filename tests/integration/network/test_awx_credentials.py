"""An AWX Kubernetes credential reaches every module the roles call.

AWX's Kubernetes credential injects K8S_AUTH_HOST, K8S_AUTH_API_KEY, K8S_AUTH_SSL_CA_CERT and K8S_AUTH_VERIFY_SSL
into the job's environment; the inventory names no API server. The jobs run as AWX runs them (`ansible-runner run`,
see test_awx_runner.py) against one API stand-in (a test double) that serves HTTPS with a self-signed CA and wants
a bearer token, with the controller stand-in (a test double) reconciling it:

- the token and the CA, certificates verified: network.yml (sites, a link by a grant and a token, verification)
  and teardown.yml succeed;
- K8S_AUTH_VERIFY_SSL=false and no CA: network.yml succeeds;
- certificates verified without the CA: network.yml fails saying the certificate was not verified, and nothing is
  written.
"""

import os
import shutil
import sys
import time
import uuid

import pytest
import yaml

from kubernetes import client as k8s_client

from tests.integration.network.test_awx_runner import RUNNER, failed_events, run_job, stats
from tests.support.controller import Controller
from tests.support.controller.core import USER_AGENT, api_client
from tests.support.kube_api import start_server
from tests.support.playbook import COLLECTIONS, PLAYBOOKS

BIN = os.path.dirname(sys.executable)
TOKEN = 'awx-credential-' + uuid.uuid4().hex

pytestmark = pytest.mark.skipif(not os.path.exists(RUNNER), reason='ansible-runner is not installed '
                                '(requirements-dev.txt)')


@pytest.fixture(scope='module')
def secure_cluster():
    """One API stand-in over HTTPS with a bearer token, its controller stand-in: (server, controller, admin)."""
    server = start_server(tls=True, token=TOKEN)
    controller = Controller(server.url, api_token=TOKEN, api_ca_file=server.ca_file)
    controller.start()
    admin = api_client(server.url, TOKEN, server.ca_file)
    yield server, controller, admin
    controller.stop()
    server.stop()


def new_namespace(admin):
    name = 'awx-' + uuid.uuid4().hex[:8]
    k8s_client.CoreV1Api(admin).create_namespace({'metadata': {'name': name}})
    return name


def skupper_objects(admin, namespace, plural):
    api = k8s_client.CustomObjectsApi(admin)
    items = api.list_namespaced_custom_object('skupper.io', 'v2alpha1', namespace, plural)['items']
    return dict((item['metadata']['name'], item) for item in items)


def job_folder(base, hosts, credential):
    """The private data folder of a job: the inventory (no skupper_api_host, no skupper_validate_certs), the
    credential's variables in env/envvars, the collection's playbooks in project/."""
    for folder in ('inventory', 'env', 'project'):
        os.makedirs(os.path.join(base, folder))
    common = {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable,
              'skupper_platform': 'kubernetes', 'skupper_wait_timeout': 30, 'skupper_link_wait_timeout': 30,
              'skupper_verify_retries': 20, 'skupper_verify_delay': 1, 'skupper_verify_picture': False}
    with open(os.path.join(base, 'inventory', 'hosts.yml'), 'w') as handle:
        yaml.safe_dump({'all': {'vars': common, 'hosts': hosts}}, handle)
    envvars = dict(credential, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0',
                   PATH=BIN + os.pathsep + os.environ.get('PATH', '/usr/bin:/bin'))
    with open(os.path.join(base, 'env', 'envvars'), 'w') as handle:
        yaml.safe_dump(envvars, handle)
    for name in ('network.yml', 'teardown.yml'):
        shutil.copy(os.path.join(PLAYBOOKS, name), os.path.join(base, 'project', name))


def test_token_and_ca_with_verification_build_link_verify_and_remove(tmp_path, secure_cluster):
    server, controller, admin = secure_cluster
    west, east = new_namespace(admin), new_namespace(admin)
    hosts = {
        'west': {'skupper_namespace': west, 'skupper_site': {'name': 'west', 'link_access': 'default'},
                 'skupper_connectors': [{'name': 'db', 'host': 'db', 'port': 5432}]},
        'east': {'skupper_namespace': east, 'skupper_site': {'name': 'east'}, 'skupper_links': [{'to': 'west'}],
                 'skupper_listeners': [{'name': 'db', 'host': 'db', 'port': 5432}]},
    }
    base = str(tmp_path / 'job')
    job_folder(base, hosts, {'K8S_AUTH_HOST': server.url, 'K8S_AUTH_API_KEY': TOKEN,
                             'K8S_AUTH_SSL_CA_CERT': server.ca_file, 'K8S_AUTH_VERIFY_SSL': 'true'})

    status, rc, events = run_job(base, 'network', 'network.yml')
    assert (status, rc) == ('successful', 0), failed_events(events)
    assert set(stats(events)['changed']) == {'east', 'west'}
    # the grant on west (delegated), the token on east, the link Ready with west, the verification: all with the
    # credential's token, over HTTPS verified with its CA
    assert controller.redemptions(west, 'east') == 1
    link = skupper_objects(admin, east, 'links')['link-west']
    assert link['status']['status'] == 'Ready' and link['status']['remoteSiteName'] == 'west'
    assert set(skupper_objects(admin, west, 'connectors')) == {'db'}

    status, rc, events = run_job(base, 'teardown', 'teardown.yml')
    assert (status, rc) == ('successful', 0), failed_events(events)
    for namespace in (west, east):
        for plural in ('sites', 'listeners', 'connectors', 'links'):
            assert skupper_objects(admin, namespace, plural) == {}, (namespace, plural)


def test_verification_off_without_a_ca_builds_the_site(tmp_path, secure_cluster):
    server, _controller, admin = secure_cluster
    namespace = new_namespace(admin)
    base = str(tmp_path / 'job')
    job_folder(base, {'west': {'skupper_namespace': namespace, 'skupper_site': {'name': 'west'}}},
               {'K8S_AUTH_HOST': server.url, 'K8S_AUTH_API_KEY': TOKEN, 'K8S_AUTH_VERIFY_SSL': 'false'})

    status, rc, events = run_job(base, 'network', 'network.yml')
    assert (status, rc) == ('successful', 0), failed_events(events)
    assert skupper_objects(admin, namespace, 'sites')['west']['status']['status'] == 'Ready'


def test_verification_on_without_the_ca_fails_clearly_and_writes_nothing(tmp_path, secure_cluster):
    server, _controller, admin = secure_cluster
    namespace = new_namespace(admin)
    base = str(tmp_path / 'job')
    job_folder(base, {'west': {'skupper_namespace': namespace, 'skupper_site': {'name': 'west'}}},
               {'K8S_AUTH_HOST': server.url, 'K8S_AUTH_API_KEY': TOKEN, 'K8S_AUTH_VERIFY_SSL': 'true'})
    started = time.monotonic()

    status, rc, events = run_job(base, 'network', 'network.yml')
    assert (status, rc) == ('failed', 2)
    [failure] = failed_events(events)
    assert failure.startswith('west: TLS error talking to the Kubernetes API at %s' % server.url), failure
    assert 'certificate verify failed' in failure
    # no request of the job got through the handshake (the controller stand-in's own requests aside): nothing was
    # read or written
    assert [r for r in server.requests if r.at >= started and r.user_agent != USER_AGENT] == []
    assert skupper_objects(admin, namespace, 'sites') == {}
