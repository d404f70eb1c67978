"""Helpers of the Kubernetes module tests: playbooks run for real, objects read back, requests counted."""

import os
import subprocess
import sys
import uuid

import pytest
import yaml
from kubernetes import client as k8s_client

from tests.support.playbook import COLLECTIONS, ROOT, run_playbook, task_outcomes

# The representative set of tests that run both ways, in the controller's process and shipped as a module
# (conftest.py, docs/development.md); every other test runs in-process only unless APPNET_TEST_K8S_PATHS says so.
BOTH_PATHS = pytest.mark.execution_paths('in-process', 'module')
IN_PROCESS_ONLY = pytest.mark.execution_paths('in-process')
PATHS = ('in-process', 'module')

WRITES = ('create', 'update', 'patch', 'apply', 'delete')
PLURALS = {'Site': 'sites', 'Listener': 'listeners', 'Connector': 'connectors', 'Link': 'links',
           'RouterAccess': 'routeraccesses', 'AttachedConnector': 'attachedconnectors',
           'AttachedConnectorBinding': 'attachedconnectorbindings', 'AccessGrant': 'accessgrants',
           'AccessToken': 'accesstokens', 'Certificate': 'certificates'}


def api(server):
    """A kubernetes ApiClient with the stand-in's own credentials (its CA and token when it has them)."""
    configuration = k8s_client.Configuration(host=server.url)
    if server.ca_file:
        configuration.ssl_ca_cert = server.ca_file
    if server.token:
        configuration.api_key = {'authorization': 'Bearer ' + server.token}
    return k8s_client.ApiClient(configuration)


def new_namespace(server):
    name = 'ns-' + uuid.uuid4().hex[:8]
    k8s_client.CoreV1Api(api(server)).create_namespace({'metadata': {'name': name}})
    return name


def get_object(server, kind, namespace, name):
    """A custom resource (or a Secret) as the stand-in has it, None when absent."""
    try:
        if kind == 'Secret':
            return api(server).sanitize_for_serialization(
                k8s_client.CoreV1Api(api(server)).read_namespaced_secret(name, namespace))
        return k8s_client.CustomObjectsApi(api(server)).get_namespaced_custom_object(
            'skupper.io', 'v2alpha1', namespace, PLURALS[kind], name)
    except k8s_client.ApiException as exc:
        if exc.status == 404:
            return None
        raise


def run(tmp_path, tasks, *args, env=None):
    """(rc, report, outcome of each task) of a playbook of tasks on localhost."""
    path = str(tmp_path / ('play-%s.yml' % uuid.uuid4().hex[:6]))
    with open(path, 'w') as handle:
        yaml.safe_dump([{'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}], handle)
    rc, report = run_playbook(path, 'localhost,', '-c', 'local', '-e', 'ansible_python_interpreter=%s' % sys.executable,
                              *args, env=env)
    return rc, report, [outcome for _host, _name, outcome in task_outcomes(report)]


def records(server, namespace, kinds=None):
    """Request records of the collection (not the controller stand-in) to a namespace's custom resources (of some
    kinds only) and Secrets."""
    prefixes = ['/apis/skupper.io/v2alpha1/namespaces/%s/' % namespace, '/api/v1/namespaces/%s/secrets' % namespace]
    found = [r for r in collection_records(server) if r.path.startswith(tuple(prefixes))]
    if kinds:
        found = [r for r in found if r.path.split('/')[6 if r.path.startswith('/apis/') else 5] in
                 [PLURALS.get(kind, kind) for kind in kinds]]
    return found


def counted(server, namespace, kinds=None):
    """Requests to the namespace's objects since the last reset: ({verb: count}, persisted writes)."""
    verbs = {}
    found = records(server, namespace, kinds)
    for record in found:
        verbs[record.verb] = verbs.get(record.verb, 0) + 1
    persisted = [r for r in found if r.persisted and r.verb in WRITES]
    return verbs, persisted


def collection_records(server, since=0):
    """Request records of the collection's modules (the controller stand-in's own requests left out)."""
    return [r for r in server.requests[since:] if not r.user_agent.startswith('skupper-controller-standin')]


def persisted_writes(found):
    return [(r.verb, r.path) for r in found if r.persisted and r.verb in WRITES]


def run_verbose(tmp_path, tasks, *args, env=None):
    """(rc, everything ansible-playbook printed) of tasks run with the default output callback."""
    path = str(tmp_path / ('play-%s.yml' % uuid.uuid4().hex[:6]))
    with open(path, 'w') as handle:
        yaml.safe_dump([{'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}], handle)
    run_env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_STDOUT_CALLBACK='default',
                   ANSIBLE_NOCOLOR='1')
    run_env.update(env or {})
    executable = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
    result = subprocess.run([executable, '-i', 'localhost,', '-c', 'local', '-e',
                             'ansible_python_interpreter=%s' % sys.executable, path] + list(args),
                            capture_output=True, text=True, env=run_env, cwd=ROOT, check=False)
    return result.returncode, result.stdout + result.stderr


def save_token(register, path):
    """A task writing a registered access_grant result's token to path (no_log: it carries the code)."""
    return {'ansible.builtin.copy': {'content': '{{ %s.token | to_json }}' % register, 'dest': str(path),
                                     'mode': '0600'}, 'no_log': True}


def token_options(path):
    """access_token options url, code and ca read from a token file written by save_token."""
    return {key: "{{ (lookup('file', '%s') | from_json).spec.%s }}" % (path, key) for key in ('url', 'code', 'ca')}


def normalized(value, namespace):
    """A result without what differs between two runs on two namespaces (times, uids, versions)."""
    if isinstance(value, dict):
        return {key: normalized(item, namespace) for key, item in value.items()
                if key not in ('creationTimestamp', 'uid', 'resourceVersion', 'time', 'managedFields')}
    if isinstance(value, list):
        return [normalized(item, namespace) for item in value]
    if isinstance(value, str):
        return value.replace(namespace, 'NAMESPACE')
    return value
