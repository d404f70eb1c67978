"""Every module's EXAMPLES, run as a user would run them: an example that does not work fails `make test`.

Each module's EXAMPLES (plugins/modules/<module>.py) is read as YAML and run, in its order, as the tasks of one play.
The plays of all modules run in two ansible-playbook runs, one per test file (side by side on two pytest workers):
GROUPS['kubernetes'] (test_kubernetes_examples.py: Kubernetes examples, and Linux examples that only write resource
files) and GROUPS['linux'] (test_linux_examples.py: examples that start real routers). Linux examples run
on the real router (skrouterd from SKUPPER_ROUTER_BIN or PATH; missing: skip, under CI=true fail), Kubernetes
examples against the API stand-in with the Skupper controller stand-in (test doubles over real HTTP,
tests/support), the Podman example on the real engine with the router image of this checkout. (No example runs
Docker: appnet.skupper.system says that the Podman task works with platform docker; a private dockerd costs more
than all the examples together, and even check mode asks the engine. Docker sites are tested in
tests/integration/containers.)

An example's tasks are run as written, except for the release download URL below.
What a run must have of its own is given the way a user gives it (the mapping):

- `K8S_AUTH_HOST` in the environment: the API stand-in's URL (what a kubeconfig or an AWX credential gives a user).
  The namespaces the examples name (west, east, workloads) exist before, as on a user's cluster. The manifest
  examples get a stand-in of their own, without Skupper's CRDs (they install them): module_defaults api_host.
- `module_defaults` of each play: `data_home` of every module that has the option, a temporary data home of the
  module's own or of the module whose sites it uses (DATA_HOMES) (a user running as root gets /var/lib/skupper,
  else ~/.local/share/skupper); the Podman run options this machine's podman needs (tests/integration/containers/conftest.py RUN_OPTIONS).
- `PATH` starts with the folder of the real skrouterd (a user installs skrouterd on PATH).
- Inventory hosts of the names the examples use (west, east, west-host), each with a local connection.
- Variables an example documents as the user's, as play vars (group_run: skupper_namespace, skupper_router_image,
  skupper_manifests).
- Files an example reads beside the playbook (link credentials, manifests, a site's resource files), written by
  the test.
- Each run is in a network namespace of its own (tests/support/host_ports.private_network): the fixed ports of the
  examples (8080, 55671, ...) are free there, and every process started in it is killed at the end.
- This machine has no internet: the release download site of Skupper (RELEASES) is served by a local HTTP server
  with the same paths, and the example's URL points there.

Some examples need state that another module's example makes (a grant registered on west, a static link issued by
west, running sites): SETUP plays run before them, made of what those examples do. The tasks of each play are in a
block with a rescue, so that one broken example fails its own test only (and the modules that run on the sites it
left, DATA_HOMES). APPNET_TEST_EXAMPLES_SHOW_ALL=1 drops the examples' no_log, to see the message of a failed task
that no_log hides.
"""

import ast
import glob
import http.server
import os
import shutil
import sys
import threading

import yaml
from kubernetes import client as k8s_client

from tests.integration.containers.conftest import RUN_OPTIONS, build_image, unavailable
from tests.support import pki, real_router
from tests.support.controller import Controller
from tests.support.deployment_controller import DeploymentController
from tests.support.host_ports import private_network
from tests.support.kube_api import start_server
from tests.support.kube_api.resources import load_crd_documents
from tests.support.playbook import ROOT, run_playbook

MODULES = os.path.join(ROOT, 'plugins', 'modules')
NAMESPACES = ('west', 'east', 'workloads')
RELEASES = 'https://github.com/skupperproject/skupper/releases/download/'


def module_names():
    return sorted(os.path.basename(path)[:-3] for path in glob.glob(os.path.join(MODULES, '*.py'))
                  if not os.path.basename(path).startswith('_'))


def module_strings(module):
    """{DOCUMENTATION, EXAMPLES, RETURN: text} of a module file."""
    with open(os.path.join(MODULES, module + '.py')) as handle:
        tree = ast.parse(handle.read())
    return dict((node.targets[0].id, ast.literal_eval(node.value)) for node in tree.body
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and
                getattr(node.targets[0], 'id', None) in ('DOCUMENTATION', 'EXAMPLES', 'RETURN'))


def examples(module):
    tasks = yaml.safe_load(module_strings(module)['EXAMPLES'])
    assert isinstance(tasks, list) and tasks, '%s: EXAMPLES is no list of tasks' % module
    return tasks


def with_data_home(module):
    """True when the module has the data_home option (its docs extend the common fragment)."""
    fragments = yaml.safe_load(module_strings(module)['DOCUMENTATION']).get('extends_documentation_fragment') or []
    return any(fragment.startswith('appnet.skupper.common') for fragment in fragments)


def action(task):
    return next((key for key in task if key.startswith('appnet.skupper.')), None)


def mapped(task):
    """A task of an example as it runs here: the release URL on the local server."""
    task = dict(task)
    name = action(task)
    if os.environ.get('APPNET_TEST_EXAMPLES_SHOW_ALL'):  # debugging a failure that no_log hides
        task.pop('no_log', None)
    if name and str((task[name] or {}).get('url', '')).startswith(RELEASES):
        task[name] = dict(task[name], url='{{ skupper_release_site }}' + task[name]['url'][len(RELEASES):])
    return task


# The state examples need that other modules' examples make: plays run before the module's own.
LINUX = {'platform': 'linux'}
K8S_SITE = {'name': 'A Kubernetes site that accepts links', 'appnet.skupper.site': {
    'name': 'west', 'namespace': 'west', 'link_access': 'default', 'wait': True}}
GRANT_PLAY = {'hosts': 'west', 'tasks': [
    K8S_SITE,
    {'name': 'Issue a token', 'appnet.skupper.access_grant': {'name': 'to-east', 'namespace': 'west'},
     'register': 'grant', 'no_log': True}]}
K8S_EAST_PLAY = {'hosts': 'east', 'tasks': [
    {'name': 'A Kubernetes site in namespace east', 'appnet.skupper.site': {'name': 'east', 'namespace': 'east'}}]}


def linux_sites_play(names):
    """Linux sites on the host, started (without link access)."""
    return {'hosts': 'west-host', 'tasks': [
        {'name': 'Linux site %s' % name, 'appnet.skupper.system': dict(LINUX, namespace=name, state='reloaded', definition=[
            {'apiVersion': 'skupper.io/v2alpha1', 'kind': 'Site', 'metadata': {'name': name}}])}
        for name in names]}


ISSUE_LINK = {'name': 'Issue a link to west for east', 'appnet.skupper.static_link': dict(
    LINUX, namespace='west', subject='east', host='127.0.0.1'), 'register': 'west_link', 'no_log': True,
    'delegate_to': 'west-host'}

SETUP = {
    'access_grant': [K8S_EAST_PLAY],
    'access_token': [GRANT_PLAY],
    # The example gives west its link access (a router access); the Kubernetes site west generates a link too.
    'static_link': [linux_sites_play(['west', 'east']), {'hosts': 'west', 'tasks': [K8S_SITE]}],
    # The sites of the static_link examples (DATA_HOMES): a link west issues for 127.0.0.1, which the example
    # applies on east.
    'resource': [{'hosts': 'east', 'tasks': [ISSUE_LINK]}],
    # east now has that link: reloaded, it dials west.
    'network_info': [{'hosts': 'west', 'tasks': [K8S_SITE]}, {'hosts': 'east', 'tasks': [
        {'name': 'Reload east', 'appnet.skupper.system': dict(LINUX, namespace='east', state='reloaded')}]}],
}
# Modules whose examples run on the Linux sites that an earlier module's examples left (its data home): the sites
# of static_link serve resource, network_info and network_picture, one after the other, without starting more
# routers. A failure of the first can fail the others.
DATA_HOMES = {'resource': 'static_link', 'network_info': 'static_link', 'network_picture': 'static_link',
              'support_bundle': 'static_link'}
# The inventory host each module's examples run on (east unless named here).
HOSTS = {'network_picture': 'west-host'}
GROUPS = {
    # system first: its Podman site starts before the other examples' routers run in the same network.
    'linux': ['system', 'access_token', 'static_link', 'resource', 'network_info', 'network_picture', 'support_bundle'],
}
GROUPS['kubernetes'] = [name for name in module_names() if name not in GROUPS['linux']]


def release_manifests(folder):
    """Release manifests in the shape of Skupper's (the reference CRDs, the controller's namespace, service account
    and Deployment), as <folder>/2.2.5/skupper-cluster-scope.yaml; the release folder."""
    controller = {'name': 'skupper-controller', 'namespace': 'skupper', 'labels': {'application': 'skupper-controller'}}
    objects = load_crd_documents() + [
        {'apiVersion': 'v1', 'kind': 'Namespace', 'metadata': {'name': 'skupper'}},
        {'apiVersion': 'v1', 'kind': 'ServiceAccount', 'metadata': dict(controller)},
        {'apiVersion': 'apps/v1', 'kind': 'Deployment', 'metadata': dict(controller), 'spec': {
            'replicas': 1, 'selector': {'matchLabels': {'application': 'skupper-controller'}},
            'template': {'metadata': {'labels': {'application': 'skupper-controller'}}, 'spec': {
                'serviceAccountName': 'skupper-controller',
                'containers': [{'name': 'controller', 'image': 'quay.io/skupper/controller:2.2.5'}]}}}}]
    release = os.path.join(folder, '2.2.5')
    os.makedirs(release)
    with open(os.path.join(release, 'skupper-cluster-scope.yaml'), 'w') as handle:
        yaml.safe_dump_all(objects, handle, sort_keys=False)
    return release


class ReleaseSite(object):
    """A local HTTP server with the paths of Skupper's release download site."""

    def __init__(self, folder):
        handler = type('Handler', (http.server.SimpleHTTPRequestHandler,), {'log_message': lambda *args: None})
        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), lambda *a: handler(*a, directory=folder))
        self.url = 'http://127.0.0.1:%d/' % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as handle:
        handle.write(text if isinstance(text, str) else text.decode())


def beside_playbook(folder, group):
    """The files the examples read beside the playbook (files/), as a user would have them."""
    files = os.path.join(folder, 'files')
    if group == 'kubernetes':
        # link: west's CA, and a client certificate and key it signed for east.
        ca = pki.make_ca('west-ca')
        client = pki.issue_certificate(ca, 'east', client=True)
        for name, text in (('ca.crt', ca.cert_pem), ('tls.crt', client.cert_pem), ('tls.key', client.key_pem)):
            write(os.path.join(files, 'link-west', name), text)
    else:
        # resource: the documents of a directory applied to a Kubernetes namespace: a site and its router access.
        write(os.path.join(files, 'west', 'site.yaml'), yaml.safe_dump_all([
            {'apiVersion': 'skupper.io/v2alpha1', 'kind': 'Site', 'metadata': {'name': 'west'}, 'spec': {}},
            {'apiVersion': 'skupper.io/v2alpha1', 'kind': 'RouterAccess', 'metadata': {'name': 'west-public'},
             'spec': {'tlsCredentials': 'west-public', 'roles': [{'name': 'inter-router', 'port': 55671},
                                                                 {'name': 'edge', 'port': 45671}]}}]))
        # system: the resource files of a site.
        write(os.path.join(files, 'east-site.yaml'), yaml.safe_dump_all([
            {'apiVersion': 'skupper.io/v2alpha1', 'kind': 'Site', 'metadata': {'name': 'east'},
             'spec': {'linkAccess': 'default'}},
            {'apiVersion': 'skupper.io/v2alpha1', 'kind': 'Listener', 'metadata': {'name': 'backend'},
             'spec': {'routingKey': 'backend', 'host': '127.0.0.1', 'port': 8080}}]))


def router_image():
    """The router image of this checkout in podman (hacking/build_router_image.sh imports it when podman has not got
    it, as the container tests do); skip, under CI=true fail, when podman cannot have it."""
    if shutil.which('podman') is None:
        unavailable('podman is not installed (make deps installs it)')
    return build_image('podman', dict(os.environ))[0]


class GroupRun(object):
    """The stand-ins of a group's run, its playbook folder and data homes, and the report of the run."""

    def __init__(self, folder, network, server, manifest_server):
        self.folder, self.network, self.server, self.manifest_server = folder, network, server, manifest_server
        self.report = None
        self.returncode = None

    def data_home(self, module):
        return os.path.join(self.folder, 'data-homes', DATA_HOMES.get(module, module))

    def api(self, server=None):
        return k8s_client.ApiClient(k8s_client.Configuration(host=(server or self.server).url))

    def custom(self, namespace, plural, name):
        with self.network.inside():
            try:
                return k8s_client.CustomObjectsApi(self.api()).get_namespaced_custom_object(
                    'skupper.io', 'v2alpha1', namespace, plural, name)
            except k8s_client.ApiException as exc:
                if exc.status == 404:
                    return None
                raise

    def secret(self, namespace, name):
        with self.network.inside():
            try:
                return k8s_client.CoreV1Api(self.api()).read_namespaced_secret(name, namespace)
            except k8s_client.ApiException as exc:
                if exc.status == 404:
                    return None
                raise

    def resource_file(self, module, namespace, kind, name, runtime=False):
        path = os.path.join(self.data_home(module), 'namespaces', namespace, 'runtime' if runtime else 'input',
                            'resources', '%s-%s.yaml' % (kind, name))
        if not os.path.exists(path):
            return None
        with open(path) as handle:
            return yaml.safe_load(handle)

    def play(self, module):
        """[(task name, {host: outcome})] of the module's play."""
        plays = [play for play in self.report['plays'] if play['play']['name'] == '%s examples' % module]
        assert plays, 'the play of %s did not run (rc %s)' % (module, self.returncode)
        return [(task['task']['name'], task['hosts']) for task in plays[0]['tasks']]

    def outcome(self, module, task_name):
        found = [hosts for name, hosts in self.play(module) if name == task_name]
        assert found, 'no task %r in the play of %s' % (task_name, module)
        return list(found[0].values())[0]


def contained(tasks):
    """The tasks in a block whose rescue keeps the host in the run: a failed example fails its own test only (a
    play whose hosts all failed would end the playbook)."""
    return [{'block': tasks, 'rescue': [{'name': 'rescued', 'ansible.builtin.debug': {'msg': 'failed'}}]}]


def plays_of(run, modules, variables):
    plays = []
    for module in modules:
        tasks = examples(module)
        used = set(action(task).split('.')[-1] for play in SETUP.get(module, []) for task in play['tasks'])
        used.update(action(task).split('.')[-1] for task in tasks if action(task))
        defaults = dict(('appnet.skupper.' + name, {'data_home': run.data_home(module)})
                        for name in sorted(used) if with_data_home(name))
        if 'system' in used:
            defaults['appnet.skupper.system']['container_run_options'] = RUN_OPTIONS['podman']
        if module == 'manifest':
            defaults['appnet.skupper.manifest'] = {'api_host': run.manifest_server.url}
        for play in SETUP.get(module, []):
            plays.append(dict(play, name='%s setup' % module, gather_facts=False, module_defaults=defaults,
                              tasks=contained([mapped(task) for task in play['tasks']])))
        plays.append({'name': '%s examples' % module, 'hosts': HOSTS.get(module, 'east'), 'gather_facts': False,
                      'module_defaults': defaults, 'vars': variables,
                      'tasks': contained([mapped(task) for task in tasks])})
    return plays


def run_group(run, modules, variables):
    playbook = os.path.join(run.folder, 'examples.yml')
    write(playbook, yaml.safe_dump(plays_of(run, modules, variables), sort_keys=False))
    local = {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable}
    inventory = os.path.join(run.folder, 'inventory.yml')
    write(inventory, yaml.safe_dump({'all': {'hosts': dict((name, dict(local)) for name in ('west', 'east', 'west-host'))}}))
    env = {'K8S_AUTH_HOST': run.server.url, 'ANSIBLE_LOCALHOST_WARNING': 'False'}
    router = real_router.skrouterd()
    if router:
        env['PATH'] = os.path.dirname(router) + os.pathsep + os.environ['PATH']
    run.returncode, run.report = run_playbook(playbook, inventory, env=env, prefix=run.network.prefix)


def group_run(request, tmp_path_factory, group):
    """(A generator for a module fixture) one ansible-playbook run of the examples of a group, in a network namespace
    of its own with the stand-ins (API and controller; for manifest an API without Skupper's CRDs and the deployment
    controller)."""
    variables = {'skupper_namespace': 'east'}
    if group == 'linux':
        real_router.require()
        variables['skupper_router_image'] = router_image()
    folder = str(tmp_path_factory.mktemp('examples-%s' % group))
    beside_playbook(folder, group)
    with private_network('appnet-examples') as network:
        with network.inside():
            server = start_server()
            controller = Controller(server.url)
            controller.start()
            for name in NAMESPACES:
                k8s_client.CoreV1Api(k8s_client.ApiClient(k8s_client.Configuration(host=server.url))) \
                    .create_namespace({'metadata': {'name': name}})
            empty = os.path.join(folder, 'no-crds')
            os.makedirs(empty)
            manifest_server = start_server(crd_dir=empty)
            rollouts = DeploymentController(manifest_server.url).start()
            site = ReleaseSite(folder)
        variables['skupper_release_site'] = site.url + 'releases/'
        variables['skupper_manifests'] = release_manifests(os.path.join(folder, 'releases'))
        run = GroupRun(folder, network, server, manifest_server)
        try:
            # The modules of the group whose tests were selected (pytest -k system runs the system play only).
            selected = set(item.callspec.params.get('module') for item in request.session.items
                           if getattr(item, 'module', None) is request.module and getattr(item, 'callspec', None))
            run_group(run, [module for module in GROUPS[group] if module in selected], variables)
            yield run
        finally:
            with network.inside():
                site.stop()
                rollouts.stop()
                manifest_server.stop()
                controller.stop()
                server.stop()


def check_ran(run, module):
    """Every task of the module's examples ran, in order, and none failed."""
    ran = run.play(module)
    failed = ['%s: %s' % (name, outcome.get('msg')) for name, hosts in ran for outcome in hosts.values()
              if outcome.get('failed') or outcome.get('unreachable')]
    assert not failed, '\n'.join(failed)
    assert [name for name, _hosts in ran] == [task['name'] for task in examples(module)]


def changed(run, module, task_name):
    return run.outcome(module, task_name).get('changed') is True


def spec(document):
    return (document or {}).get('spec')


def effects_site(run):
    assert run.custom('west', 'sites', 'west')['spec'] == {'linkAccess': 'default'}
    assert run.resource_file('site', 'east', 'Site', 'east')['metadata']['name'] == 'east'


def effects_listener(run):
    assert spec(run.custom('east', 'listeners', 'backend')) == {'routingKey': 'backend', 'host': 'backend', 'port': 8080}
    assert spec(run.resource_file('listener', 'east', 'Listener', 'backend'))['host'] == '0.0.0.0'


def effects_connector(run):
    assert spec(run.custom('west', 'connectors', 'backend'))['selector'] == 'app=backend'
    assert spec(run.resource_file('connector', 'west', 'Connector', 'backend'))['port'] == 9090


def effects_link(run):
    secret = run.secret('east', 'link-west')
    assert secret is not None and sorted(secret.data) == ['ca.crt', 'tls.crt', 'tls.key']
    link = run.custom('east', 'links', 'link-west')
    assert spec(link)['tlsCredentials'] == 'link-west' and spec(link)['cost'] == 2


def effects_attached_connector(run):
    assert spec(run.custom('workloads', 'attachedconnectors', 'backend'))['siteNamespace'] == 'west'


def effects_attached_connector_binding(run):
    assert spec(run.custom('west', 'attachedconnectorbindings', 'backend'))['connectorNamespace'] == 'workloads'


def effects_access_grant(run):
    assert spec(run.custom('west', 'accessgrants', 'to-west'))['redemptionsAllowed'] == 2
    token = run.outcome('access_grant', 'Redeem it on another site (the site of namespace east)')
    assert token['changed'] and token['link']['metadata']['name'] == 'to-west'
    assert run.custom('east', 'links', 'to-west') is not None


def effects_router_access(run):
    assert spec(run.resource_file('router_access', 'west', 'RouterAccess', 'west-public'))['bindHost'] == '192.0.2.10'


def effects_manifest(run):
    assert changed(run, 'manifest', "Install Skupper's controller, cluster scope, from its release manifest")
    # The same manifest from the folder: nothing to change.
    assert not changed(run, 'manifest', 'The same from a folder copied to the controller, for a cluster without internet')
    assert changed(run, 'manifest', 'Remove it again, CRDs included')
    with run.network.inside():
        names = [crd['metadata']['name'] for crd in k8s_client.ApiextensionsV1Api(run.api(run.manifest_server))
                 .list_custom_resource_definition().to_dict()['items']]
    assert [name for name in names if name.endswith('.skupper.io')] == []


def effects_access_token(run):
    token = run.outcome('access_token', "Redeem a token that the Kubernetes site of inventory host west issued "
                        "(see appnet.skupper.access_grant)")
    assert token['redeemed'] is True and token['reload_required'] is True
    assert changed(run, 'access_token', 'Reload the site, so that its router dials west (the token result says '
                   'reload_required)')
    assert run.resource_file('access_token', 'east', 'Link', 'to-west', runtime=True) is not None


def effects_static_link(run):
    reload = run.outcome('static_link', 'Reload east, so that its router dials west (the result says reload_required)')
    assert reload['changed'] and [link['name'] for link in reload['links']] == ['link-west']
    assert run.resource_file('static_link', 'north', 'Link', 'link-west') is not None


def effects_network_info(run):
    east = run.outcome('network_info', 'Wait until the Linux site east is linked to west')
    assert east['ready'] is True


def effects_network_picture(run):
    assert os.path.exists(os.path.join(run.folder, 'report', 'network.mmd'))


def effects_support_bundle(run):
    for task in ('Collect the Linux site east into bundles/ beside the playbook, on the controller',
                 'Collect the Kubernetes site in namespace west; keep the archive where the module ran'):
        bundle = run.outcome('support_bundle', task)
        assert bundle['site'] and (bundle.get('archive') or bundle.get('remote_archive')), bundle
    assert os.listdir(os.path.join(run.folder, 'bundles'))


def effects_resource(run):
    assert run.resource_file('resource', 'east', 'Link', 'link-west') is not None
    assert changed(run, 'resource', 'Apply every file of a directory to a Kubernetes namespace')
    assert changed(run, 'resource', 'Remove them again')
    assert run.custom('west', 'routeraccesses', 'west-public') is None


def effects_system(run):
    assert changed(run, 'system', 'Stop the router, keep everything')
    assert changed(run, 'system', 'The same site in a Podman container, from its resource files (east-site.yaml '
                   'beside the playbook)')
    assert changed(run, 'system', 'Remove the Podman site, its container included')
    assert not os.path.exists(os.path.join(run.data_home('system'), 'namespaces', 'east'))


# What each module's examples are for, checked after the run (modules whose examples only read: none).
EFFECTS = dict((name[len('effects_'):], function) for name, function in list(globals().items())
               if name.startswith('effects_'))


def check_effects(run, module):
    """What the module's examples are for happened (the objects, the files, the changes they say)."""
    if module not in EFFECTS:
        assert module in ('inventory_check',), 'no check of what the examples of %s do' % module
        return
    EFFECTS[module](run)
