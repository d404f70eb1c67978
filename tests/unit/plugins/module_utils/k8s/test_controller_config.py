"""The Skupper controller's configuration on a manifest's controller Deployment, and read back from one."""

import copy

import pytest

from ansible_collections.appnet.skupper.plugins.module_utils.k8s import controller_config as cc


def deployment(args=None, env=None, name='skupper-controller', containers=None):
    container = {'name': 'controller', 'image': 'quay.io/skupper/controller:2.2.5'}
    if args is not None:
        container['args'] = args
    if env is not None:
        container['env'] = env
    return {'apiVersion': 'apps/v1', 'kind': 'Deployment', 'metadata': {'name': name, 'namespace': 'skupper'},
            'spec': {'template': {'spec': {'containers': containers or [container]}}}}


def container_of(obj):
    return obj['spec']['template']['spec']['containers'][0]


def test_options_become_variables_and_the_arguments_that_set_them_go():
    manifest = [{'apiVersion': 'v1', 'kind': 'ServiceAccount', 'metadata': {'name': 'skupper-controller'}},
                deployment(['-enable-grants', '-grant-server-autoconfigure', '--cluster-host', 'old', '-v'],
                           [{'name': 'SKUPPER_ROUTER_IMAGE', 'value': 'r'},
                            {'name': 'SKUPPER_CLUSTER_HOST', 'value': 'older'}])]
    original = copy.deepcopy(manifest)
    configured = cc.configure(manifest, {'enabled_access_types': ['local', 'nodeport'], 'cluster_host': 'k8s.example',
                                         'enable_grants': False, 'gateway_port': 9443, 'ingress_domain': '',
                                         'grant_server_port': None})
    assert manifest == original  # a copy: the manifest's objects stay as they were read
    assert configured[0] is manifest[0]
    container = container_of(configured[1])
    assert container['env'] == [{'name': 'SKUPPER_ROUTER_IMAGE', 'value': 'r'},
                                {'name': 'SKUPPER_ENABLED_ACCESS_TYPES', 'value': 'local,nodeport'},
                                {'name': 'SKUPPER_CLUSTER_HOST', 'value': 'k8s.example'},
                                {'name': 'SKUPPER_GATEWAY_PORT', 'value': '9443'},
                                {'name': 'SKUPPER_ENABLE_GRANTS', 'value': 'false'}]
    # -enable-grants and "--cluster-host old" (a flag and its value) set options given here: they go.
    assert container['args'] == ['-grant-server-autoconfigure', '-v']


def test_nothing_given_leaves_the_manifest_as_it_is():
    manifest = [deployment(['-enable-grants'])]
    assert cc.configure(manifest, {'cluster_host': None, 'enabled_access_types': []}) is manifest
    assert cc.configure(manifest, None) is manifest


@pytest.mark.parametrize('config, current, message', [
    ({'enabled_access_types': ['nodeport']}, {}, 'the access type nodeport needs cluster_host'),
    ({'enabled_access_types': ['gateway']}, {}, 'the access type gateway needs gateway_class'),
    ({'default_access_type': 'nodeport'}, {}, 'the default access type nodeport is not one of the enabled access '
                                              'types (local, loadbalancer, route)'),
    ({'enabled_access_types': ['loadbalancr']}, {}, 'unknown access type(s) loadbalancr'),
    ({'default_access_type': 'ingress'}, {}, 'unknown default access type ingress'),
    # What the manifest already sets counts: its enabled nodeport still needs a cluster host.
    ({'default_access_type': 'nodeport'}, {'enabled_access_types': 'local,nodeport'},
     'the access type nodeport needs cluster_host'),
])
def test_what_the_controller_would_refuse(config, current, message):
    assert message in '; '.join(cc.problems(config, current))


def test_a_good_configuration_has_no_problem():
    assert cc.problems({'enabled_access_types': ['local', 'nodeport', 'gateway'], 'cluster_host': 'h',
                        'gateway_class': 'istio', 'default_access_type': 'gateway'}) == []
    assert cc.problems({'cluster_host': 'h'}, {'enabled_access_types': 'nodeport'}) == []


def test_refused_configuration_and_manifest_without_controller():
    with pytest.raises(cc.ControllerConfigError, match='would not start .* nodeport needs cluster_host'):
        cc.configure([deployment()], {'enabled_access_types': ['nodeport']})
    with pytest.raises(cc.ControllerConfigError, match='has no Deployment skupper-controller'):
        cc.configure([deployment(name='other')], {'cluster_host': 'h'})
    two = deployment(containers=[{'name': 'a'}, {'name': 'b'}])
    with pytest.raises(cc.ControllerConfigError, match='has no container controller'):
        cc.configure([two], {'cluster_host': 'h'})


@pytest.mark.parametrize('args, env, enabled', [
    (None, None, ['local', 'loadbalancer', 'route']),
    (None, [{'name': 'SKUPPER_ENABLED_ACCESS_TYPES', 'value': 'local, nodeport'}], ['local', 'nodeport']),
    # A flag wins over the variable, in each of its forms.
    (['-enabled-access-types=gateway'], [{'name': 'SKUPPER_ENABLED_ACCESS_TYPES', 'value': 'local'}], ['gateway']),
    (['--enabled-access-types', 'route,nodeport'], None, ['route', 'nodeport']),
    # From a ConfigMap: not known here.
    (None, [{'name': 'SKUPPER_ENABLED_ACCESS_TYPES', 'valueFrom': {'configMapKeyRef': {'name': 'c', 'key': 'k'}}}],
     None),
])
def test_enabled_access_types_read_back(args, env, enabled):
    assert cc.enabled_access_types(deployment(args, env)) == enabled


def test_the_warning_reads_the_namespace_then_the_cluster_scope_controller():
    reads = []
    deployments = {('skupper', 'skupper-controller'): deployment()}

    def read(namespace, name):
        reads.append(namespace)
        return deployments.get((namespace, name))
    warning = cc.access_type_warning(read, 'west', 'nodeport', 'link_access')
    assert reads == ['west', 'skupper']
    assert warning.startswith('link_access nodeport is not enabled by the Skupper controller (Deployment '
                              'skupper-controller in namespace skupper enables local, loadbalancer, route)')
    assert cc.access_type_warning(read, 'west', 'route', 'link_access') is None
    # none and default name no access type; an unreadable controller gives no warning.
    reads[:] = []
    assert cc.access_type_warning(read, 'west', 'default', 'link_access') is None and reads == []
    assert cc.access_type_warning(lambda namespace, name: None, 'west', 'nodeport', 'link_access') is None
    # A namespace-scope controller in the site's namespace is the site's.
    deployments[('west', 'skupper-controller')] = deployment(env=[{'name': 'SKUPPER_ENABLED_ACCESS_TYPES',
                                                                   'value': 'nodeport'}])
    assert cc.access_type_warning(read, 'west', 'nodeport', 'link_access') is None
