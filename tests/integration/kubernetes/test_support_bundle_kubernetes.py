"""appnet.skupper.support_bundle on a Kubernetes site, through playbooks/support_bundle.yml, against the API and
controller stand-ins (test doubles held to the real apiserver's rules).

The site has an AccessGrant (a code the controller wrote), a Secret with a real private key, a ConfigMap whose router
configuration holds a password, and a Link whose peer nobody serves. The bundle holds every Skupper object with its
status, the Secrets with their keys and no value, the ConfigMap with the password replaced; it names what the API
server does not serve (Pods, so no pod state or logs) and the router management it does not ask, and says that the
link is down and why."""

import json
import os
import sys

import yaml
from kubernetes import client as k8s_client

from tests.integration.kubernetes.plays import api, get_object, new_namespace, run
from tests.integration.support_bundle.bundles import index_of, leaks, members, secret_values_of_documents
from tests.support import pki
from tests.support.playbook import failures, run_playbook, task_outcomes

PASSWORD = 'pass-phrase-4711-of-the-router'


def test_a_kubernetes_site_bundle_holds_no_secret_and_says_what_is_wrong(tmp_path, controlled):
    server, _controller = controlled
    namespace = new_namespace(server)
    key = pki.make_ca('bundle-test')
    common = {'api_host': server.url, 'namespace': namespace}
    definition = [
        {'apiVersion': 'v1', 'kind': 'Secret', 'metadata': {'name': 'creds'}, 'type': 'kubernetes.io/tls',
         'stringData': {'tls.key': key.key_pem, 'tls.crt': key.cert_pem, 'ca.crt': key.cert_pem}},
        {'apiVersion': 'skupper.io/v2alpha1', 'kind': 'Link', 'metadata': {'name': 'to-nowhere'},
         'spec': {'tlsCredentials': 'creds', 'cost': 1,
                  'endpoints': [{'name': 'inter-router', 'host': 'nowhere.example', 'port': '55671'}]}},
    ]
    rc, report, _outcomes = run(tmp_path, [
        {'appnet.skupper.site': dict(common, name='east', link_access='default', wait=True, wait_timeout=30)},
        {'appnet.skupper.access_grant': dict(common, name='g'), 'no_log': True},
        {'appnet.skupper.resource': dict(common, definition=definition)},
    ])
    assert rc == 0, failures(report)
    k8s_client.CoreV1Api(api(server)).create_namespaced_config_map(namespace, {
        'metadata': {'name': 'skupper-router'},
        'data': {'skrouterd.json': json.dumps([['sslProfile', {'name': 'p', 'password': PASSWORD}]])}})
    grant = get_object(server, 'AccessGrant', namespace, 'g')
    assert grant['status']['code']
    secrets = secret_values_of_documents([grant, get_object(server, 'Secret', namespace, 'creds')]) | {PASSWORD}

    inventory = str(tmp_path / 'inventory.yml')
    with open(inventory, 'w') as handle:
        yaml.safe_dump({'all': {'hosts': {'east-cluster': {
            'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable,
            'skupper_namespace': namespace, 'skupper_api_host': server.url}}}}, handle)
    folder = str(tmp_path / 'bundles')
    rc, report = run_playbook('support_bundle.yml', inventory, '-e', 'skupper_bundle_dir=%s' % folder)
    assert rc == 0 and failures(report) == [], failures(report)
    outcome = [o for _h, name, o in task_outcomes(report) if name == 'Support bundle of the site'][0]
    with open(os.path.join(folder, 'index.json')) as handle:
        row = json.load(handle)['hosts'][0]
    assert row['host'] == 'east-cluster' and row['platform'] == 'kubernetes' and row['site'] == 'east'
    assert row['archive'] == outcome['archive'] and not os.path.exists(os.path.dirname(outcome['remote_archive']))

    found = members(row['archive'])
    assert leaks(found, secrets) == []
    index = index_of(found)
    for name in ('resources/Site-east.yaml', 'resources/AccessGrant-g.yaml', 'resources/Link-to-nowhere.yaml',
                 'resources/Secret-creds.yaml', 'resources/ConfigMap-skupper-router.yaml', 'status/network_info.json'):
        assert name in found, name
    secret = yaml.safe_load(found['resources/Secret-creds.yaml'])
    assert sorted(secret['data']) == ['ca.crt', 'tls.crt', 'tls.key']
    assert set(secret['data'].values()) == {'<redacted>'} and 'stringData' not in secret
    saved = yaml.safe_load(found['resources/AccessGrant-g.yaml'])
    assert saved['status']['code'] == '<redacted>' and saved['status']['url'] == grant['status']['url']
    assert 'managedFields' not in saved['metadata']
    config = yaml.safe_load(found['resources/ConfigMap-skupper-router.yaml'])
    assert '<redacted>' in config['data']['skrouterd.json'] and 'sslProfile' in config['data']['skrouterd.json']
    # What the stand-in does not serve, and what is not asked on Kubernetes, is said with the reason.
    failed = dict((item['item'], item['reason']) for item in index['failed'])
    assert 'does not serve Pod' in failed['resources Pod'] and 'HTTP 404' in failed['resources Pod']
    assert 'logs' in failed and 'pod state' in failed
    assert 'exec into the pod' in failed['management']
    # What is wrong: the link's peer is served by nobody.
    assert index['ready'] is False
    assert 'link to-nowhere is Pending: no site listens on nowhere.example:55671' in index['problems']
    assert row['problems'] == index['problems']
