"""The appnet.skupper.controller role (and the appnet.skupper.manifest module under it) against the API stand-in.

Each test starts its own API stand-in with no Skupper CRD installed, and the deployment-controller stand-in
(tests/support/deployment_controller.py, a test double) that marks rolled-out Deployments available, as
kube-controller-manager does once the pods run. The manifests are made here in the shape of Skupper's release
manifests: the Skupper CRDs of the reference, a Namespace (cluster scope), a ServiceAccount, RBAC objects and the
controller Deployment. What the role sent is read from the stand-in's request records.
"""

import http.server
import threading

import pytest
import yaml

from tests.integration.kubernetes.plays import BOTH_PATHS, run
from tests.support.deployment_controller import DeploymentController
from tests.support.kube_api import start_server
from tests.support.kube_api.resources import load_crd_documents

WRITES = ('create', 'update', 'patch', 'apply', 'delete', 'deletecollection')
CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions'
DEPLOYMENT = '/apis/apps/v1/namespaces/%s/deployments/skupper-controller'
CONTROLLER = 'skupper-controller'
RBAC = 'rbac.authorization.k8s.io/v1'


@pytest.fixture
def server(tmp_path):
    """A stand-in without Skupper CRDs (an empty CRD folder), with the deployment controller stand-in."""
    empty = tmp_path / 'no-crds'
    empty.mkdir()
    instance = start_server(crd_dir=str(empty))
    rollouts = DeploymentController(instance.url).start()
    instance.rollouts = rollouts
    yield instance
    rollouts.stop()
    instance.stop()


def skupper_crds():
    crds = load_crd_documents()
    assert crds, 'no Skupper CRD found (reference or model)'
    return crds


def controller_objects(tag, scope='cluster', namespace='skupper'):
    """Objects of a release manifest: cluster scope names its namespace, namespace scope names none."""
    meta = {'name': CONTROLLER, 'labels': {'application': CONTROLLER}}
    if scope == 'cluster':
        meta['namespace'] = namespace
    role_kind = 'ClusterRole' if scope == 'cluster' else 'Role'
    subject = {'kind': 'ServiceAccount', 'name': CONTROLLER}
    if scope == 'cluster':
        subject['namespace'] = namespace
    objects = [{'apiVersion': 'v1', 'kind': 'Namespace', 'metadata': {'name': namespace}}] if scope == 'cluster' else []
    objects += [
        {'apiVersion': 'v1', 'kind': 'ServiceAccount', 'metadata': dict(meta)},
        {'apiVersion': RBAC, 'kind': role_kind,
         'metadata': {'name': CONTROLLER, 'labels': {'application': CONTROLLER}},
         'rules': [{'apiGroups': ['skupper.io'], 'resources': ['*'], 'verbs': ['get', 'list', 'watch', 'update']},
                   {'apiGroups': [''], 'resources': ['secrets', 'configmaps', 'services'],
                    'verbs': ['get', 'list', 'watch', 'create', 'update', 'delete', 'patch']}]},
        {'apiVersion': RBAC, 'kind': role_kind + 'Binding', 'metadata': dict(meta),
         'roleRef': {'apiGroup': 'rbac.authorization.k8s.io', 'kind': role_kind, 'name': CONTROLLER},
         'subjects': [subject]},
        {'apiVersion': 'apps/v1', 'kind': 'Deployment', 'metadata': dict(meta),
         'spec': {'replicas': 1, 'selector': {'matchLabels': {'application': CONTROLLER}},
                  'template': {'metadata': {'labels': {'application': CONTROLLER}},
                               'spec': {'serviceAccountName': CONTROLLER,
                                        'containers': [{'name': 'controller',
                                                        'image': 'quay.io/skupper/controller:%s' % tag,
                                                        'args': ['-enable-grants']}]}}}},
    ]
    if scope == 'cluster':
        for obj in objects:
            if obj['kind'] == 'ClusterRole':
                obj['metadata'].pop('namespace', None)
        objects[3]['metadata'].pop('namespace')  # the ClusterRoleBinding is cluster-scoped
    return objects


def write_manifest(path, objects):
    path.write_text(yaml.safe_dump_all(objects, sort_keys=False))
    return str(path)


def role_task(server, **variables):
    variables.setdefault('skupper_api_host', server.url)
    variables.setdefault('skupper_controller_wait_timeout', 30)
    return {'name': 'controller', 'ansible.builtin.include_role': {'name': 'appnet.skupper.controller'},
            'vars': variables}


def outcome_of(outcomes):
    found = [o for o in outcomes if 'objects' in o or o.get('failed')]
    assert len(found) == 1, outcomes
    return found[0]


def run_role(tmp_path, server, *args, **variables):
    rc, report, outcomes = run(tmp_path, [role_task(server, **variables)], *args)
    return rc, outcome_of(outcomes)


def collection_writes(server):
    """Write requests of the collection (not of the deployment-controller stand-in)."""
    return [r for r in server.requests if r.verb in WRITES and not r.user_agent.startswith('kube-controller-manager')]


def results(outcome):
    return {(o['kind'], o['name']): o['result'] for o in outcome['objects']}


def get(server, path):
    import json
    import urllib.error
    import urllib.request
    try:
        with urllib.request.urlopen(server.url + path, timeout=10) as answer:
            return json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise


def test_cluster_scope_lifecycle_check_install_rerun_upgrade_absent(tmp_path, server):
    crds = skupper_crds()
    v1 = write_manifest(tmp_path / 'v1.yaml', crds + controller_objects('2.2.4'))
    v2 = write_manifest(tmp_path / 'v2.yaml', crds + controller_objects('2.2.5'))

    # Check mode (with diff): every object predicted created, only dry runs sent, nothing stored.
    rc, outcome = run_role(tmp_path, server, '--check', '--diff', skupper_controller_src=v1)
    assert rc == 0, outcome.get('msg')
    assert outcome['changed'] is True
    assert set(results(outcome).values()) == {'created'}
    assert len(outcome['objects']) == len(crds) + 5
    assert [r for r in collection_writes(server) if not r.dry_run] == []
    assert not [r for r in server.requests if r.persisted and not r.path.endswith('/status')]
    assert get(server, CRDS + '/sites.skupper.io') is None
    assert {d['after_header'] for d in outcome['diff']} >= {'Deployment skupper/skupper-controller',
                                                            'CustomResourceDefinition sites.skupper.io'}
    assert 'quay.io/skupper/controller:2.2.4' in [d for d in outcome['diff']
                                                  if d['after_header'].startswith('Deployment')][0]['after']

    # First run: CRDs applied and Established before anything else, then the rest, then the rollout waited for.
    server.reset_counts()
    rc, outcome = run_role(tmp_path, server, skupper_controller_src=v1)
    assert rc == 0, outcome.get('msg')
    assert outcome['changed'] is True and set(results(outcome).values()) == {'created'}
    writes = collection_writes(server)
    assert all(r.verb == 'apply' and not r.dry_run for r in writes)
    crd_writes = [i for i, r in enumerate(writes) if r.path.startswith(CRDS)]
    assert len(crd_writes) == len(crds) and max(crd_writes) < len(crds)
    first_other = server.requests.index(writes[len(crds)])
    established_reads = [r for r in server.requests[:first_other] if r.verb == 'get' and r.path.startswith(CRDS)]
    assert len(established_reads) >= len(crds)
    for crd in crds:
        live = get(server, CRDS + '/' + crd['metadata']['name'])
        assert {'type': 'Established', 'status': 'True'}.items() <= live['status']['conditions'][-1].items()
        assert any(m['manager'] == 'appnet.skupper' and m['operation'] == 'Apply'
                   for m in live['metadata']['managedFields'])
    deployment = get(server, DEPLOYMENT % 'skupper')
    assert deployment['spec']['template']['spec']['containers'][0]['image'] == 'quay.io/skupper/controller:2.2.4'
    assert deployment['status']['availableReplicas'] == 1
    assert get(server, '/api/v1/namespaces/skupper/serviceaccounts/skupper-controller') is not None
    assert get(server, '/apis/%s/clusterrolebindings/skupper-controller' % RBAC)['subjects'][0]['namespace'] == 'skupper'
    # The Skupper kinds are served now: a Site can be created.
    assert get(server, '/apis/skupper.io/v2alpha1/namespaces/skupper/sites') == {
        'apiVersion': 'skupper.io/v2alpha1', 'kind': 'SiteList', 'items': [],
        'metadata': get(server, '/apis/skupper.io/v2alpha1/namespaces/skupper/sites')['metadata']}

    # Second run: nothing written at all, no change reported.
    server.reset_counts()
    rc, outcome = run_role(tmp_path, server, '--diff', skupper_controller_src=v1)
    assert rc == 0, outcome.get('msg')
    assert outcome['changed'] is False and set(results(outcome).values()) == {'unchanged'}
    assert collection_writes(server) == []
    assert outcome.get('diff', []) == []

    # Check mode of the upgrade: one dry-run apply of the Deployment; nothing stored.
    server.reset_counts()
    rc, outcome = run_role(tmp_path, server, '--check', skupper_controller_src=v2)
    assert rc == 0 and outcome['changed'] is True
    assert [(r.path, r.dry_run) for r in collection_writes(server)] == [(DEPLOYMENT % 'skupper', True)]
    assert get(server, DEPLOYMENT % 'skupper')['metadata']['generation'] == 1

    # Upgrade: the image tag changed; only the Deployment is written, and its new generation rolled out.
    server.reset_counts()
    rc, outcome = run_role(tmp_path, server, skupper_controller_src=v2)
    assert rc == 0, outcome.get('msg')
    assert outcome['changed'] is True
    assert {key for key, value in results(outcome).items() if value != 'unchanged'} == {('Deployment', CONTROLLER)}
    assert results(outcome)[('Deployment', CONTROLLER)] == 'updated'
    assert [r.path for r in collection_writes(server)] == [DEPLOYMENT % 'skupper']
    deployment = get(server, DEPLOYMENT % 'skupper')
    assert deployment['spec']['template']['spec']['containers'][0]['image'] == 'quay.io/skupper/controller:2.2.5'
    assert deployment['metadata']['generation'] == 2 and deployment['status']['observedGeneration'] == 2

    # Absent: the controller objects go in reverse order, the CRDs and the Namespace stay.
    server.reset_counts()
    rc, outcome = run_role(tmp_path, server, skupper_controller_src=v2, skupper_controller_state='absent')
    assert rc == 0, outcome.get('msg')
    assert outcome['changed'] is True
    assert results(outcome)[('Deployment', CONTROLLER)] == 'deleted'
    assert results(outcome)[('ClusterRole', CONTROLLER)] == 'deleted'
    assert results(outcome)[('CustomResourceDefinition', 'sites.skupper.io')] == 'kept'
    assert results(outcome)[('Namespace', 'skupper')] == 'kept'
    deletes = [r.path for r in collection_writes(server)]
    assert deletes[0] == DEPLOYMENT % 'skupper' and len(deletes) == 4
    assert get(server, DEPLOYMENT % 'skupper') is None
    assert get(server, '/apis/%s/clusterroles/skupper-controller' % RBAC) is None
    assert get(server, CRDS + '/sites.skupper.io') is not None

    # Absent again: nothing to do. Then with the CRDs: they go too, and the Skupper kinds are no longer served.
    server.reset_counts()
    rc, outcome = run_role(tmp_path, server, skupper_controller_src=v2, skupper_controller_state='absent')
    assert rc == 0 and outcome['changed'] is False and collection_writes(server) == []
    rc, outcome = run_role(tmp_path, server, skupper_controller_src=v2, skupper_controller_state='absent',
                           skupper_controller_remove_crds=True)
    assert rc == 0 and outcome['changed'] is True
    assert results(outcome)[('CustomResourceDefinition', 'sites.skupper.io')] == 'deleted'
    assert get(server, CRDS + '/sites.skupper.io') is None
    assert get(server, '/apis/skupper.io/v2alpha1/namespaces/skupper/sites') is None


@BOTH_PATHS
def test_namespace_scope_from_a_local_folder(tmp_path, server):
    folder = tmp_path / 'offline'
    folder.mkdir()
    write_manifest(folder / '10-crds.yaml', skupper_crds())
    write_manifest(folder / '20-controller.yml', controller_objects('2.2.5', scope='namespace'))
    (folder / 'README.txt').write_text('not a manifest: ignored')
    rc, report, outcomes = run(tmp_path, [
        {'name': 'namespace', 'ansible.builtin.uri': {
            'url': server.url + '/api/v1/namespaces', 'method': 'POST', 'status_code': 201, 'body_format': 'json',
            'body': {'apiVersion': 'v1', 'kind': 'Namespace', 'metadata': {'name': 'west'}}}},
        role_task(server, skupper_controller_src=str(folder), skupper_controller_scope='namespace',
                  skupper_namespace='west')])
    outcome = outcome_of(outcomes)
    assert rc == 0, outcome.get('msg')
    assert results(outcome)[('Role', CONTROLLER)] == 'created'
    assert get(server, DEPLOYMENT % 'west')['status']['availableReplicas'] == 1
    assert get(server, '/apis/%s/namespaces/west/rolebindings/skupper-controller' % RBAC) is not None
    assert get(server, DEPLOYMENT % 'skupper') is None
    assert {o['namespace'] for o in outcome['objects'] if o['kind'] != 'CustomResourceDefinition'} == {'west'}


class _ManifestHandler(http.server.BaseHTTPRequestHandler):
    body = b''

    def do_GET(self):
        if self.path != '/skupper/2.2.5/skupper-cluster-scope.yaml':
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header('Content-Type', 'application/yaml')
        self.send_header('Content-Length', str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


def test_release_manifest_from_a_url_by_version_and_scope(tmp_path, server):
    handler = type('Handler', (_ManifestHandler,), {
        'body': yaml.safe_dump_all(skupper_crds() + controller_objects('2.2.5')).encode()})
    releases = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    thread = threading.Thread(target=releases.serve_forever, daemon=True)
    thread.start()
    try:
        base = 'http://127.0.0.1:%d/skupper' % releases.server_address[1]
        url = base + '/{{ skupper_controller_version }}/skupper-{{ skupper_controller_scope }}-scope.yaml'
        rc, outcome = run_role(tmp_path, server, skupper_controller_url=url)
        assert rc == 0, outcome.get('msg')
        assert outcome['changed'] is True
        assert get(server, DEPLOYMENT % 'skupper')['status']['availableReplicas'] == 1
        rc, outcome = run_role(tmp_path, server, skupper_controller_url=url, skupper_controller_version='9.9.9')
        assert rc != 0 and outcome['changed'] is False
        assert 'HTTP 404' in outcome['msg'] and '9.9.9/skupper-cluster-scope.yaml' in outcome['msg']
    finally:
        releases.shutdown()
        releases.server_close()


BAD_MANIFESTS = [
    (None, 'manifest.yaml does not exist'),
    ('foo: bar\n', 'document 2 of {path} is not a Kubernetes object: it has no apiVersion, kind, metadata.name'),
    ('- just\n- a list\n', 'document 2 of {path} is not a Kubernetes object (a mapping with apiVersion, kind and '
                           'metadata) but a list'),
    ('kind: [unclosed\n', 'the manifest {path} is not valid YAML: YAML syntax error at line'),
    ('', 'the manifest {path} holds no Kubernetes object'),
]


def test_bad_manifest_fails_with_nothing_sent(tmp_path, server):
    """Each bad manifest (a CRD first, then the bad document) fails the task, naming the file, before any request
    to the API."""
    tasks = []
    for index, (content, _message) in enumerate(BAD_MANIFESTS):
        folder = tmp_path / ('case%d' % index)
        folder.mkdir()
        path = folder / 'manifest.yaml'
        if content is not None:
            path.write_text(yaml.safe_dump_all(skupper_crds()[:1]) + '---\n' + content if content else '')
        tasks.append({'name': 'case %d' % index, 'ignore_errors': True,
                      'appnet.skupper.manifest': {'src': str(path), 'api_host': server.url, 'namespace': 'skupper'}})
    rc, report, outcomes = run(tmp_path, tasks)
    assert len(outcomes) == len(BAD_MANIFESTS)
    for index, ((_content, message), outcome) in enumerate(zip(BAD_MANIFESTS, outcomes)):
        expected = message.format(path=tmp_path / ('case%d' % index) / 'manifest.yaml')
        assert outcome['failed'] and outcome['changed'] is False, outcome
        assert expected in outcome['msg'], outcome['msg']
    assert [r for r in server.requests if not r.user_agent.startswith('kube-controller-manager')] == []


def test_kind_nobody_serves_fails_before_any_write(tmp_path, server):
    objects = skupper_crds()[:1] + controller_objects('2.2.5') + [
        {'apiVersion': 'example.com/v1', 'kind': 'Widget', 'metadata': {'name': 'w', 'namespace': 'skupper'}}]
    rc, outcome = run_role(tmp_path, server, skupper_controller_src=write_manifest(tmp_path / 'm.yaml', objects))
    assert rc != 0 and outcome['changed'] is False
    assert 'Widget skupper/w (example.com/v1 Widget)' in outcome['msg'] and 'nothing was changed' in outcome['msg']
    assert collection_writes(server) == []


def test_rollout_that_never_completes_fails_naming_the_deployment(tmp_path, server):
    manifest = write_manifest(tmp_path / 'm.yaml', skupper_crds() + controller_objects('2.2.5'))
    server.rollouts.hold = True
    rc, outcome = run_role(tmp_path, server, skupper_controller_src=manifest, skupper_controller_wait_timeout=2)
    assert rc != 0
    assert outcome['changed'] is True  # everything was applied; the wait failed
    assert 'Deployment skupper/skupper-controller was not available after 2 s' in outcome['msg']
    assert 'has not seen generation 1' in outcome['msg']
    assert results(outcome)[('Deployment', CONTROLLER)] == 'created'


def test_site_role_installs_the_controller_first(tmp_path, server):
    manifest = write_manifest(tmp_path / 'm.yaml', skupper_crds() + controller_objects('2.2.5'))
    tasks = [{'name': 'site', 'ansible.builtin.include_role': {'name': 'appnet.skupper.site'},
              'vars': {'skupper_api_host': server.url, 'skupper_controller_install': True,
                       'skupper_controller_src': manifest, 'skupper_namespace': 'default',
                       'skupper_site': {'name': 'east'}, 'skupper_wait': False}}]
    rc, report, outcomes = run(tmp_path, tasks)
    assert rc == 0, [o.get('msg') for o in outcomes if o.get('failed')]
    assert get(server, DEPLOYMENT % 'skupper')['status']['availableReplicas'] == 1
    assert get(server, '/apis/skupper.io/v2alpha1/namespaces/default/sites/east')['spec'] is not None


# -- the controller configured (skupper_controller_* access types and grant server) ----------------------------

CONFIG = {'skupper_controller_enabled_access_types': ['local', 'loadbalancer', 'nodeport'],
          'skupper_controller_cluster_host': 'k8s.example.net',
          'skupper_controller_enable_grants': False,
          'skupper_controller_grant_server_port': 9191}
CONFIG_ENV = [{'name': 'SKUPPER_ENABLED_ACCESS_TYPES', 'value': 'local,loadbalancer,nodeport'},
              {'name': 'SKUPPER_CLUSTER_HOST', 'value': 'k8s.example.net'},
              {'name': 'SKUPPER_ENABLE_GRANTS', 'value': 'false'},
              {'name': 'SKUPPER_GRANT_SERVER_PORT', 'value': '9191'}]
MANIFEST_ENV = [{'name': 'SKUPPER_KUBE_ADAPTOR_IMAGE', 'value': 'quay.io/skupper/kube-adaptor:2.2.5'}]


def release_like(tag='2.2.5'):
    """controller_objects with the arguments and environment of Skupper's release manifests."""
    objects = controller_objects(tag)
    container = objects[-1]['spec']['template']['spec']['containers'][0]
    container['args'] = ['-enable-grants', '-grant-server-autoconfigure']
    container['env'] = [dict(item) for item in MANIFEST_ENV]
    return skupper_crds() + objects


def controller_container(server):
    return get(server, DEPLOYMENT % 'skupper')['spec']['template']['spec']['containers'][0]


def test_the_controller_configured_check_apply_rerun_unset(tmp_path, server):
    manifest = write_manifest(tmp_path / 'm.yaml', release_like())
    rc, outcome = run_role(tmp_path, server, skupper_controller_src=manifest)
    assert rc == 0, outcome.get('msg')
    assert controller_container(server)['args'] == ['-enable-grants', '-grant-server-autoconfigure']

    # Check mode (with diff): one dry-run apply of the Deployment, the new variables in its diff; nothing stored.
    server.reset_counts()
    rc, outcome = run_role(tmp_path, server, '--check', '--diff', skupper_controller_src=manifest, **CONFIG)
    assert rc == 0, outcome.get('msg')
    assert outcome['changed'] is True
    assert [(r.path, r.dry_run) for r in collection_writes(server)] == [(DEPLOYMENT % 'skupper', True)]
    [diff] = outcome['diff']
    assert 'SKUPPER_CLUSTER_HOST' in diff['after'] and 'SKUPPER_CLUSTER_HOST' not in diff['before']
    assert 'env' not in controller_container(server) or controller_container(server)['env'] == MANIFEST_ENV

    # Applied: the manifest's variables kept, the options as variables; the argument that would override the
    # variable (-enable-grants) dropped, the other one kept.
    server.reset_counts()
    rc, outcome = run_role(tmp_path, server, skupper_controller_src=manifest, **CONFIG)
    assert rc == 0, outcome.get('msg')
    assert results(outcome)[('Deployment', CONTROLLER)] == 'updated'
    container = controller_container(server)
    assert container['env'] == MANIFEST_ENV + CONFIG_ENV
    assert container['args'] == ['-grant-server-autoconfigure']
    assert get(server, DEPLOYMENT % 'skupper')['status']['observedGeneration'] == 2

    # Again: nothing written.
    server.reset_counts()
    rc, outcome = run_role(tmp_path, server, skupper_controller_src=manifest, **CONFIG)
    assert rc == 0 and outcome['changed'] is False
    assert collection_writes(server) == []

    # One option changed: only that variable changes.
    moved = dict(CONFIG)
    moved['skupper_controller_cluster_host'] = '10.0.0.7'
    rc, outcome = run_role(tmp_path, server, skupper_controller_src=manifest, **moved)
    assert rc == 0 and outcome['changed'] is True
    assert {'name': 'SKUPPER_CLUSTER_HOST', 'value': '10.0.0.7'} in controller_container(server)['env']

    # Unset: the manifest as it is again (the variables this role set are removed, the arguments come back).
    rc, outcome = run_role(tmp_path, server, skupper_controller_src=manifest)
    assert rc == 0 and outcome['changed'] is True
    container = controller_container(server)
    assert container['env'] == MANIFEST_ENV
    assert container['args'] == ['-enable-grants', '-grant-server-autoconfigure']


@pytest.mark.parametrize('variables, message', [
    ({'skupper_controller_enabled_access_types': ['local', 'nodeport']},
     'the access type nodeport needs cluster_host'),
    ({'skupper_controller_enabled_access_types': ['gateway']}, 'the access type gateway needs gateway_class'),
    ({'skupper_controller_default_access_type': 'nodeport', 'skupper_controller_cluster_host': 'k8s.example.net'},
     'the default access type nodeport is not one of the enabled access types (local, loadbalancer, route)'),
])
def test_a_configuration_the_controller_refuses_fails_before_any_request(tmp_path, server, variables, message):
    manifest = write_manifest(tmp_path / 'm.yaml', release_like())
    rc, outcome = run_role(tmp_path, server, skupper_controller_src=manifest, **variables)
    assert rc != 0 and outcome['changed'] is False
    assert 'the Skupper controller would not start with this controller_config' in outcome['msg']
    assert message in outcome['msg'], outcome['msg']
    assert [r for r in server.requests if not r.user_agent.startswith('kube-controller-manager')] == []


def test_controller_config_on_a_manifest_without_the_controller_fails(tmp_path, server):
    manifest = write_manifest(tmp_path / 'm.yaml', skupper_crds())
    rc, outcome = run_role(tmp_path, server, skupper_controller_src=manifest, **CONFIG)
    assert rc != 0 and outcome['changed'] is False
    assert 'the manifest has no Deployment skupper-controller' in outcome['msg']


def warnings_of(outcome):
    return [item['event']['msg'] if isinstance(item, dict) else item for item in outcome.get('warnings', [])]


def test_the_site_module_warns_of_an_access_type_the_controller_does_not_enable(tmp_path, server):
    manifest = write_manifest(tmp_path / 'm.yaml', release_like())
    auth = {'api_host': server.url, 'namespace': 'default', 'wait': False}
    # No controller yet (CRDs only): nothing to read, no warning.
    rc, outcome = run_role(tmp_path, server, skupper_controller_src=write_manifest(tmp_path / 'c.yaml',
                                                                                   skupper_crds()))
    assert rc == 0, outcome.get('msg')
    rc, _report, outcomes = run(tmp_path, [
        {'name': 'site', 'appnet.skupper.site': dict(auth, name='east', link_access='nodeport')}])
    assert rc == 0 and warnings_of(outcomes[0]) == [], outcomes

    rc, outcome = run_role(tmp_path, server, skupper_controller_src=manifest,
                           skupper_controller_enabled_access_types=['local', 'loadbalancer'])
    assert rc == 0, outcome.get('msg')
    rc, _report, outcomes = run(tmp_path, [
        {'name': 'nodeport', 'appnet.skupper.site': dict(auth, name='east', link_access='nodeport')},
        {'name': 'loadbalancer', 'appnet.skupper.site': dict(auth, name='east', link_access='loadbalancer')},
        {'name': 'default', 'appnet.skupper.site': dict(auth, name='east', link_access='default')},
        {'name': 'router access', 'appnet.skupper.router_access': dict(
            auth, name='gw', access_type='gateway', tls_credentials='gw', roles=[{'name': 'inter-router'}])},
    ], '--check')
    assert rc == 0, outcomes
    expected = ('link_access nodeport is not enabled by the Skupper controller (Deployment skupper-controller in '
                'namespace skupper enables local, loadbalancer)')
    assert [w for w in warnings_of(outcomes[0]) if expected in w], outcomes[0]
    assert warnings_of(outcomes[1]) == [] and warnings_of(outcomes[2]) == []
    assert [w for w in warnings_of(outcomes[3]) if 'access_type gateway is not enabled' in w], outcomes[3]


def test_the_site_role_warns_too(tmp_path, server):
    """The site role applies the Site with appnet.skupper.resource: the same warning."""
    manifest = write_manifest(tmp_path / 'm.yaml', release_like())
    tasks = [{'name': 'site', 'ansible.builtin.include_role': {'name': 'appnet.skupper.site'},
              'vars': {'skupper_api_host': server.url, 'skupper_controller_install': True,
                       'skupper_controller_src': manifest, 'skupper_namespace': 'default',
                       'skupper_site': {'name': 'east', 'link_access': 'ingress-nginx'}, 'skupper_wait': False}}]
    rc, _report, outcomes = run(tmp_path, tasks)
    assert rc == 0, [o.get('msg') for o in outcomes if o.get('failed')]
    found = [w for o in outcomes for r in o.get('results', [o]) for w in warnings_of(r) + warnings_of(o)
             if 'link_access ingress-nginx is not enabled by the Skupper controller' in w]
    assert found, outcomes
