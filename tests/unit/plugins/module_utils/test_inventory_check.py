"""The inventory check of a whole network (module_utils/inventory_check.py): each broken inventory gives one line
naming host and variable; a good inventory gives none."""

import copy

import pytest

from ansible_collections.appnet.skupper.plugins.action.inventory_check import known_variables
from ansible_collections.appnet.skupper.plugins.module_utils.inventory_check import check_inventory, failure_message

KNOWN = known_variables()

GOOD = {
    'west': {'skupper_platform': 'linux', 'skupper_namespace': 'shop', 'ansible_host': '10.0.0.1',
             'skupper_site': {'name': 'west', 'link_access': 'default'},
             'skupper_connectors': [{'name': 'backend', 'host': '127.0.0.1', 'port': 9090}]},
    'east': {'skupper_platform': 'linux', 'skupper_namespace': 'shop', 'ansible_host': '10.0.0.2',
             'skupper_site': {'name': 'east'},
             'skupper_listeners': [{'name': 'backend', 'host': '127.0.0.1', 'port': 8080, 'verify': True}],
             'skupper_links': [{'to': 'west', 'cost': 2}]},
    'hub': {'skupper_platform': 'kubernetes', 'skupper_namespace': 'hub', 'skupper_api_host': 'https://k:6443',
            'skupper_site': {'name': 'hub', 'link_access': 'default'},
            'skupper_links': [{'to': 'west'}]},
}


def run(sites, inventory=None, play=None, limited=False, names=None):
    inventory = list(inventory or sites)
    play = list(play or sites)
    return check_inventory(sites, inventory, play, known=KNOWN, variable_names=names, limited=limited)


def broken(**changes):
    """GOOD with host variables replaced: broken(east={'skupper_links': [...]})."""
    sites = copy.deepcopy(GOOD)
    for host, values in changes.items():
        sites.setdefault(host, {}).update(values)
    return sites


def test_a_good_inventory_has_no_problem_and_no_warning():
    names = dict((host, list(values) + ['inventory_hostname', 'ansible_host', 'groups']) for host, values in GOOD.items())
    assert run(GOOD, names=names) == ([], [])


def test_templated_values_are_converted_as_the_modules_convert_them():
    """A port or flag from a template arrives as a string ("8080"): the typed modules take it, so does the check."""
    sites = broken(east={'skupper_listeners': [{'name': 'backend', 'host': '127.0.0.1', 'port': '8080'}]},
                   west={'skupper_connectors': [{'name': 'backend', 'host': '127.0.0.1', 'port': '9090'}],
                         'skupper_site': {'name': 'west', 'link_access': 'default', 'ha': 'no'}})
    assert run(sites)[0] == []
    sites['east']['skupper_listeners'][0]['port'] = 'http'
    assert run(sites)[0] == ["host east: skupper_listeners[0] (backend): port: expected an integer, got 'http'"]


def test_link_to_a_host_not_in_the_inventory_names_host_variable_and_the_close_one():
    problems = run(broken(east={'skupper_links': [{'to': 'wset'}]}))[0]
    assert problems == ['host east: skupper_links[0].to: "wset" is not a host of the inventory (did you mean "west"?)']


def test_link_to_a_host_not_in_the_play():
    sites = broken()
    problems = run(sites, inventory=list(sites) + ['north'], play=['east', 'west', 'hub'])[0]
    assert problems == []
    sites['east']['skupper_links'] = [{'to': 'north'}]
    problems = run(sites, inventory=list(sites) + ['north'], play=['east', 'west', 'hub'])[0]
    assert problems == ['host east: skupper_links[0].to: "north" is a host of the inventory but not of this play '
                        '(hosts: east, hub, west)']


def test_with_limit_a_link_may_leave_the_play_with_a_warning():
    problems, warnings = run(GOOD, play=['east'], limited=True)
    assert problems == []
    assert warnings == ['host east: skupper_links[0].to: "west" is outside --limit: its site must already exist and '
                        'accept links']


def test_link_without_to_to_itself_and_twice():
    problems = run(broken(east={'skupper_links': [{'cost': 1}, {'to': 'east'}, {'to': 'west'}, {'to': 'west'}]}))[0]
    assert problems == [
        'host east: skupper_links[0]: to: required field is missing (the inventory host of the target site)',
        'host east: skupper_links[1].to: a site cannot link to itself',
        'host east: skupper_links[3].to: "west" is linked twice (also skupper_links[2])']


def test_link_to_a_site_without_link_access():
    problems = run(broken(west={'skupper_site': {'name': 'west'}}))[0]
    message = ('skupper_links[0].to: site "west" (host west) has no link access: set skupper_site.link_access there '
               '(or a router access with the inter-router or edge role)')
    assert problems == ['host east: ' + message, 'host hub: ' + message]


def test_a_router_access_with_a_link_role_is_link_access():
    sites = broken(west={'skupper_site': {'name': 'west'},
                         'skupper_router_accesses': [{'name': 'links', 'roles': [{'name': 'inter-router', 'port': 56000}]}]})
    assert run(sites)[0] == []


def test_link_to_an_edge_site():
    problems = run(broken(west={'skupper_site': {'name': 'west', 'edge': True}}))[0]
    assert 'host east: skupper_links[0].to: site "west" (host west) is an edge site: it cannot accept links' in problems


def test_two_sites_with_one_site_name():
    problems = run(broken(east={'skupper_site': {'name': 'west'}}))[0]
    assert problems == ['host west: skupper_site.name: site name "west" is also the name of the site of host east']


def test_site_name_defaults_to_the_host_name():
    problems = run(broken(east={'skupper_site': {'name': 'hub'}}))[0]
    assert problems == ['host hub: skupper_site.name: site name "hub" is also the name of the site of host east']


def test_two_sites_in_one_namespace_of_one_machine():
    problems = run(broken(east={'ansible_host': '10.0.0.1'}))[0]
    assert problems == ['host west: skupper_namespace: namespace "shop" on 10.0.0.1 already holds the site of host east']


def test_local_connection_hosts_share_the_machine_but_not_another_data_home():
    sites = broken(east={'ansible_connection': 'local', 'ansible_host': None},
                   west={'ansible_connection': 'local', 'ansible_host': None})
    assert run(sites)[0] == ['host west: skupper_namespace: namespace "shop" on localhost already holds the site of '
                             'host east']
    sites['east']['skupper_data_home'] = '/srv/east'
    assert run(sites)[0] == []


def test_two_kubernetes_sites_in_one_namespace_of_one_cluster():
    sites = broken(east={'skupper_platform': 'kubernetes', 'skupper_namespace': 'hub', 'skupper_api_host': 'https://k:6443'})
    problems = run(sites)[0]
    assert problems == ['host hub: skupper_namespace: namespace "hub" of https://k:6443 already holds the site of host '
                        'east']
    sites['east']['skupper_api_host'] = 'https://other:6443'
    assert run(sites)[0] == []


def test_duplicate_listener_and_connector_names():
    sites = broken(east={'skupper_listeners': [{'name': 'a', 'host': '127.0.0.1', 'port': 1},
                                               {'name': 'a', 'host': '127.0.0.1', 'port': 2}]},
                   west={'skupper_connectors': [{'name': 'backend', 'host': '127.0.0.1', 'port': 9090},
                                                {'name': 'backend', 'routing_key': 'a', 'host': '127.0.0.1', 'port': 9091}]})
    problems = run(sites)[0]
    assert problems == [
        'host east: skupper_listeners[1]: name "a" is used twice in this site (also skupper_listeners[0])',
        'host west: skupper_connectors[1]: name "backend" is used twice in this site (also skupper_connectors[0])']


def test_two_listeners_on_one_address_and_port_of_one_linux_host():
    sites = broken(east={'skupper_listeners': [{'name': 'a', 'host': '127.0.0.1', 'port': 8080},
                                               {'name': 'b', 'host': '0.0.0.0', 'port': 8080},
                                               {'name': 'c', 'host': '127.0.0.2', 'port': 8080}],
                         'skupper_connectors': [{'name': 'a', 'host': '127.0.0.1', 'port': 1},
                                                {'name': 'b', 'host': '127.0.0.1', 'port': 1},
                                                {'name': 'c', 'host': '127.0.0.1', 'port': 1}]})
    problems = run(sites)[0]
    assert problems == [
        'host east: skupper_listeners[1] (b).port: port 8080 of listener "b" (address 0.0.0.0) collides with listener '
        '"a" (address 127.0.0.1) of this site on 10.0.0.2',
        'host east: skupper_listeners[2] (c).port: port 8080 of listener "c" (address 127.0.0.2) collides with listener '
        '"b" (address 0.0.0.0) of this site on 10.0.0.2']


def test_listeners_of_two_sites_of_one_machine_collide():
    sites = broken(west={'ansible_host': '10.0.0.2', 'skupper_namespace': 'other',
                         'skupper_listeners': [{'name': 'x', 'routing_key': 'backend', 'host': '127.0.0.1', 'port': 8080}]})
    problems = run(sites)[0]
    assert problems == ['host west: skupper_listeners[0] (x).port: port 8080 of listener "x" (address 127.0.0.1) '
                        'collides with listener "backend" (address 127.0.0.1) of the site of host east on 10.0.0.2']


def test_kubernetes_listeners_bind_no_host_port():
    sites = broken(hub={'skupper_listeners': [{'name': 'backend', 'host': 'backend', 'port': 8080}]})
    assert run(sites)[0] == []


def test_listener_colliding_with_a_link_access_port():
    roles = [{'name': 'inter-router'}, {'name': 'edge', 'port': 45000}]
    sites = broken(west={'skupper_listeners': [{'name': 'backend', 'host': '0.0.0.0', 'port': 55671}],
                         'skupper_router_accesses': [{'name': 'links', 'roles': roles}]})
    problems = run(sites)[0]
    assert problems == ['host west: skupper_router_accesses[0] (links).roles: port 55671 of router access "links" role '
                        'inter-router (address *) collides with listener "backend" (address 0.0.0.0) of this site on '
                        '10.0.0.1']


def test_a_listener_no_connector_serves_is_a_warning():
    sites = broken(east={'skupper_listeners': [{'name': 'web', 'routing_key': 'backnd', 'host': '127.0.0.1', 'port': 1}]})
    problems, warnings = run(sites)
    assert problems == []
    assert warnings == ['host east: skupper_listeners[0] (web).routing_key: no connector in the network serves routing '
                        'key "backnd" (did you mean "backend"?)']


def test_connectors_of_hosts_outside_the_play_serve_listeners():
    sites = broken()
    connector_vars = {'west': sites['west']}
    problems, warnings = check_inventory({'east': sites['east']}, list(sites), ['east'], known=KNOWN, limited=True,
                                         connector_vars=connector_vars)
    assert problems == [] and not [w for w in warnings if 'routing key' in w]


def test_typos_of_variables_and_keys_are_warnings():
    sites = broken(east={'skupper_site': {'name': 'east', 'link_acess': 'default'},
                         'skupper_listeners': [{'name': 'backend', 'host': '127.0.0.1', 'port': 8080, 'verfy': True}],
                         'skupper_links': [{'to': 'west', 'cots': 2}]})
    names = {'east': ['skuper_links', 'skupper_listener', 'ansible_host', 'my_own_var', 'skupper_namespace']}
    problems, warnings = run(sites, names=names)
    assert problems == []
    assert warnings == [
        'host east: skupper_site: unknown key "link_acess" is ignored (did you mean "link_access"?)',
        'host east: skupper_listeners[0] (backend): unknown key "verfy" is ignored (did you mean "verify"?)',
        'host east: skupper_links[0]: unknown key "cots" is ignored (did you mean "cost"?)',
        'host east: skuper_links: unknown variable, ignored (did you mean "skupper_links"?)',
        'host east: skupper_listener: unknown variable, ignored (did you mean "skupper_listeners"?)']


def test_the_models_errors_name_host_and_item():
    sites = broken(east={'skupper_namespace': 'Shop', 'skupper_site': {'name': 'east', 'link_access': 'route'},
                         'skupper_listeners': [{'name': 'backend', 'host': '127.0.0.1', 'port': 70000},
                                               {'host': '127.0.0.1', 'port': 1}]})
    problems = run(sites)[0]
    assert problems[0].startswith('host east: skupper_namespace: namespace: \'Shop\' must be a lowercase RFC 1123')
    assert problems[1:] == [
        "host east: skupper_site: link_access: 'route' is not one of none, default on Linux ('route' is for "
        "Kubernetes only)",
        "host east: skupper_listeners[0] (backend): port: 70000 must be a port number between 1 and 65535",
        'host east: skupper_listeners[1]: name: required field is missing']


def test_shapes_and_platform():
    sites = broken(east={'skupper_platform': 'linxu', 'skupper_links': 'west'},
                   west={'skupper_listeners': {'name': 'a'}, 'skupper_connectors': ['backend']})
    problems = run(sites)[0]
    assert problems == [
        'host east: skupper_platform: "linxu" is not one of kubernetes, linux, podman, docker (did you mean "linux"?)',
        'host east: skupper_links: expected a list of mappings, got "west"',
        'host west: skupper_connectors[0]: expected a mapping, got "backend"',
        "host west: skupper_listeners: expected a list of mappings, got {'name': 'a'}"]


def test_failure_message_counts_the_problems():
    assert failure_message(['a', 'b']) == 'The inventory has 2 problems; nothing was changed:\na\nb'


@pytest.mark.parametrize('name', ['skupper_links', 'skupper_platform', 'skupper_verify', 'skupper_hosts',
                                  'skupper_link_host', 'skupper_inventory_check'])
def test_known_variables_come_from_the_role_argument_specs(name):
    assert name in KNOWN
