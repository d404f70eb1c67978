"""The picture of a network (module_utils/topology.py): sites by platform, links with status and cost, listeners and
connectors by routing key, what is not ready in red; and a real Graphviz dot turns the DOT text into SVG."""

import shutil
import subprocess

import pytest

from ansible_collections.appnet.skupper.plugins.module_utils.topology import RED, build_graph, to_dot, to_mermaid

INFOS = {
    'west': {'site': {'name': 'west', 'platform': 'kubernetes', 'namespace': 'shop', 'status': 'Ready'},
             'links': [],
             'connectors': [{'name': 'backend', 'routing_key': 'backend', 'host': 'backend', 'port': 8080,
                             'status': 'Ready', 'matched': True}]},
    'east': {'site': {'name': 'east', 'platform': 'linux', 'namespace': 'shop', 'status': 'Ready'},
             'links': [{'name': 'link-west', 'status': 'Ready', 'remote_site_name': 'west', 'cost': 2}],
             'listeners': [{'name': 'backend', 'routing_key': 'backend', 'host': '127.0.0.1', 'port': 18080,
                            'status': 'Ready', 'matched': True}]},
    'north': {'site': {'name': 'north', 'platform': 'linux', 'namespace': 'shop', 'status': 'Pending',
                       'reason': 'the router is not running'},
              'links': [{'name': 'link-west', 'status': 'Pending', 'remote_site_name': 'west', 'cost': 1,
                         'reason': 'CONNECTING: connection refused'}],
              'listeners': [{'name': 'db', 'routing_key': 'db', 'host': '127.0.0.1', 'port': 5432,
                             'status': 'Pending', 'matched': False}]},
}


def test_sites_are_grouped_by_platform_and_links_join_them():
    graph = build_graph(INFOS)
    assert graph.groups == {'kubernetes': ['site_west'], 'linux': ['site_east', 'site_north']}
    links = [(e['source'], e['target'], e['label'], e['ready']) for e in graph.edges if e['style'] == 'link']
    assert links == [('site_east', 'site_west', ['link-west', 'Ready, cost 2'], True),
                     ('site_north', 'site_west', ['link-west', 'Pending, cost 1', 'CONNECTING: connection refused'],
                      False)]


def test_listeners_and_connectors_meet_at_their_routing_key_and_what_is_not_ready_is_red():
    graph = build_graph(INFOS)
    services = sorted((e['source'], e['target'], e['ready']) for e in graph.edges if e['style'] != 'link')
    assert services == [('key_backend', 'site_west', True), ('site_east', 'key_backend', True),
                        ('site_north', 'key_db', False)]
    assert graph.nodes['site_north']['ready'] is False and graph.nodes['key_db']['ready'] is False
    assert graph.nodes['site_east']['ready'] is True


def test_a_link_to_a_site_nobody_reported_gets_its_own_node():
    graph = build_graph({'east': dict(INFOS['east'], listeners=[])})
    assert graph.nodes['remote_west'] == {'label': ['west'], 'kind': 'remote', 'ready': False}


def test_dot_text_colours_what_is_not_ready_red():
    dot = to_dot(build_graph(INFOS))
    assert 'subgraph cluster_0 {' in dot and 'label="Kubernetes"' in dot and 'label="Linux"' in dot
    north_line = [l for l in dot.splitlines() if l.strip().startswith('site_north [')][0]
    assert 'color="%s"' % RED in north_line and 'north\\nLinux shop\\nPending' in north_line
    east_link = [l for l in dot.splitlines() if 'site_east -> site_west' in l][0]
    assert 'link-west\\nReady, cost 2' in east_link and RED not in east_link


def test_mermaid_text_has_subgraphs_edges_and_red_classes():
    text = to_mermaid(build_graph(INFOS))
    lines = text.splitlines()
    assert lines[3] == 'flowchart LR'
    assert '  subgraph platform_linux["Linux"]' in lines
    assert '  site_east ==>|"link-west<br/>Ready, cost 2"| site_west' in lines
    assert '  class key_db,site_north notready' in lines
    red = [l for l in lines if l.startswith('  linkStyle ')][0]
    edges = [l for l in lines if '-->' in l or '==>' in l or '.->' in l]
    red_indexes = [int(i) for i in red.split()[1].split(',')]
    assert all('north' in edges[i] for i in red_indexes) and len(red_indexes) == 2


@pytest.mark.skipif(shutil.which('dot') is None, reason='Graphviz dot is not installed (Debian graphviz)')
def test_graphviz_draws_the_dot_text():
    result = subprocess.run(['dot', '-Tsvg'], input=to_dot(build_graph(INFOS)).encode(), capture_output=True,
                            check=True)
    svg = result.stdout.decode()
    assert svg.lstrip().startswith('<?xml') and '<svg' in svg
    assert 'link&#45;west' in svg or 'link-west' in svg
    assert RED in svg


def test_a_connector_a_linux_router_cannot_match_is_matched_by_a_ready_listener_of_the_network():
    west = {'site': {'name': 'west', 'platform': 'linux', 'namespace': 'shop', 'status': 'Ready'},
            'connectors': [{'name': 'backend', 'routing_key': 'backend', 'host': '127.0.0.1', 'port': 9090,
                            'status': 'Pending', 'matched': None},
                           {'name': 'db', 'routing_key': 'db', 'host': '127.0.0.1', 'port': 5432,
                            'status': 'Pending', 'matched': None}]}
    graph = build_graph({'west': west, 'east': INFOS['east']})
    connectors = dict((e['label'][0], e['ready']) for e in graph.edges if e['style'] == 'connector')
    assert connectors == {'connector backend': True, 'connector db': False}


def test_one_site_draws_the_whole_network_from_its_sites():
    """east's result alone: west and north come from its sites[] (north's link only from the link state)."""
    east = dict(INFOS['east'], sites=[
        {'name': 'east', 'platform': 'linux', 'namespace': 'shop', 'self': True,
         'links': [{'name': 'link-west', 'status': 'Ready', 'remote_site_name': 'west', 'cost': 2}], 'services': []},
        {'name': 'west', 'platform': 'kubernetes', 'namespace': 'shop', 'self': False,
         'links': [{'name': None, 'status': 'Ready', 'remote_site_name': 'east'},
                   {'name': None, 'status': 'Ready', 'remote_site_name': 'north'}],
         'services': [{'routing_key': 'backend', 'listeners': [], 'connectors': ['backend:8080']}]},
        {'name': 'north', 'platform': 'linux', 'namespace': 'shop', 'self': False,
         'links': [{'name': 'link-west', 'status': 'Ready', 'remote_site_name': 'west', 'cost': 1}],
         'services': []}])
    graph = build_graph({'east': east})
    assert graph.groups == {'kubernetes': ['site_west'], 'linux': ['site_east', 'site_north']}
    links = sorted((e['source'], e['target'], e['label'][0], e['ready']) for e in graph.edges if e['style'] == 'link')
    # east -> west from east's own links, north -> west from north's named link; west's link state adds none
    assert links == [('site_east', 'site_west', 'link-west', True), ('site_north', 'site_west', 'link-west', True)]
    connectors = [(e['source'], e['target'], e['ready']) for e in graph.edges if e['style'] == 'connector']
    assert connectors == [('key_backend', 'site_west', True)]  # east's listener matches west's connector
    assert 'site_north' in to_dot(graph) and 'site_north' in to_mermaid(graph)


def test_a_link_known_only_from_the_link_state_is_drawn_once():
    east = dict(INFOS['east'], sites=[
        {'name': 'west', 'platform': 'linux', 'links': [{'name': None, 'status': 'Ready', 'remote_site_name': 'north'},
                                                        {'name': None, 'status': 'Ready', 'remote_site_name': 'east'}]},
        {'name': 'north', 'platform': 'linux', 'links': [{'name': None, 'status': 'Ready', 'remote_site_name': 'west'}]}])
    graph = build_graph({'east': east})
    links = sorted((e['source'], e['target']) for e in graph.edges if e['style'] == 'link')
    assert links == [('site_east', 'site_west'), ('site_north', 'site_west')]
