# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A picture of a network from the network_info results of its sites: Graphviz DOT and Mermaid text.

Sites are grouped by platform; links go from the site that dials to the site it reaches, with their status and
cost; listeners and connectors meet at their routing key. What is not ready is red. The sites no result is about are
drawn from the sites of the network the results list (sites[]), so the result of one site draws the whole network.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.appnet.skupper.plugins.module_utils import platforms

READY = 'Ready'
RED = '#d62728'
GREEN = '#2ca02c'
GREY = '#7f7f7f'


class Graph(object):
    """The network as nodes and edges, independent of the drawing language."""

    def __init__(self):
        self.groups = {}      # platform -> [site node id]
        self.nodes = {}       # id -> {label, kind, ready}
        self.edges = []       # {source, target, label, ready, style}


def _node_id(prefix, name):
    return '%s_%s' % (prefix, re.sub(r'[^A-Za-z0-9_]', '_', str(name)))


def _address(item):
    host, port = item.get('host'), item.get('port')
    return '%s:%s' % (host, port) if host and port else ''


def _ready(item):
    return item.get('status') == READY


def build_graph(infos):
    """The Graph of {inventory host: network_info result}; hosts without a result are left out."""
    graph = Graph()
    by_name = {}
    for host in sorted(infos):
        info = infos[host] or {}
        site = info.get('site') or {}
        name = site.get('name') or host
        node = _node_id('site', name)
        by_name[name] = node
        status = site.get('status') or 'unknown'
        lines = [name, '%s %s' % (platforms.TITLES.get(site.get('platform'), site.get('platform') or '?'),
                                  site.get('namespace') or ''), status]
        if status != READY and site.get('reason'):
            lines.append(_short(site['reason']))
        graph.nodes[node] = {'label': lines, 'kind': 'site', 'ready': status == READY}
        graph.groups.setdefault(site.get('platform') or 'unknown', []).append(node)
    records = _add_known_sites(graph, infos, by_name)
    # A Linux router cannot tell whether a listener of another site matches its connector (matched is null): the
    # picture sees every site, so a connector is matched when a ready listener anywhere has its routing key.
    listened = set(item.get('routing_key') or item.get('name') for info in infos.values()
                   for item in (info or {}).get('listeners') or [] if _ready(item))
    for host in sorted(infos):
        info = infos[host] or {}
        source = by_name[(info.get('site') or {}).get('name') or host]
        for link in info.get('links') or []:
            remote = link.get('remote_site_name')
            target = by_name.get(remote)
            if target is None:
                target = _node_id('remote', remote or link.get('name'))
                graph.nodes.setdefault(target, {'label': [remote or '%s (remote site unknown)' % link.get('name')],
                                                'kind': 'remote', 'ready': False})
            label = [link.get('name') or 'link', '%s, cost %s' % (link.get('status') or 'unknown', link.get('cost', 1))]
            if not _ready(link) and link.get('reason'):
                label.append(_short(link['reason']))
            graph.edges.append({'source': source, 'target': target, 'label': label, 'ready': _ready(link),
                                'style': 'link'})
        for kind in ('listeners', 'connectors'):
            for item in info.get(kind) or []:
                key = item.get('routing_key') or item.get('name')
                key_node = _node_id('key', key)
                graph.nodes.setdefault(key_node, {'label': ['routing key', key], 'kind': 'key', 'ready': True})
                label = ['%s %s' % (kind[:-1], item.get('name')), _address(item)]
                if kind == 'connectors' and item.get('matched') is None:
                    ready = key in listened
                else:
                    ready = _ready(item) and item.get('matched') is not False
                if not ready:
                    label.append(item.get('status') or 'not matched')
                edge = {'label': [l for l in label if l], 'ready': ready, 'style': kind[:-1]}
                # clients -> listener site -> key -> connector site -> workload: arrows follow the traffic
                edge.update({'source': source, 'target': key_node} if kind == 'listeners'
                            else {'source': key_node, 'target': source})
                graph.edges.append(edge)
                if not ready:
                    graph.nodes[key_node]['ready'] = False
    _add_known_site_edges(graph, infos, records, by_name)
    return graph


def _linked(graph, one, other):
    return any(edge['style'] == 'link' and set([edge['source'], edge['target']]) == set([one, other])
               for edge in graph.edges)


def _add_known_sites(graph, infos, by_name):
    """The nodes of the sites that no result is about, as the results' sites[] tell them (the network as a site's
    router knows it): one site's result is enough to draw the whole network. {name: site record} of them."""
    records = {}
    for host in sorted(infos):
        for record in (infos[host] or {}).get('sites') or []:
            if record.get('name') and record['name'] not in by_name and record['name'] not in records:
                records[record['name']] = record
    for name in sorted(records):
        record = records[name]
        node = _node_id('site', name)
        by_name[name] = node
        title = platforms.TITLES.get(record.get('platform'), record.get('platform') or '?')
        graph.nodes[node] = {'label': [name, '%s %s' % (title, record.get('namespace') or ''), 'seen from the network'],
                             'kind': 'site', 'ready': True}
        graph.groups.setdefault(record.get('platform') or 'unknown', []).append(node)
    return records


def _add_known_site_edges(graph, infos, records, by_name):
    """The links, listeners and connectors of the sites of records. A link known only from the routers' link state
    (no name: which end dialed is not known) is drawn when no other link joins its two sites."""
    listened = set(item['routing_key'] for record in records.values() for item in record.get('services') or []
                   if item.get('listeners'))
    listened.update(item.get('routing_key') for info in infos.values() for item in (info or {}).get('listeners') or [])
    for named in (True, False):
        for name in sorted(records):
            source = by_name[name]
            for link in records[name].get('links') or []:
                target = by_name.get(link.get('remote_site_name'))
                if target is None or (link.get('name') is not None) != named or \
                        (not named and _linked(graph, source, target)):
                    continue
                label = [link.get('name') or 'link', link.get('status') or 'unknown']
                if link.get('cost') is not None:
                    label[1] += ', cost %s' % link['cost']
                graph.edges.append({'source': source, 'target': target, 'label': label, 'ready': _ready(link),
                                    'style': 'link'})
    for name in sorted(records):
        source = by_name[name]
        for item in records[name].get('services') or []:
            key = item.get('routing_key')
            key_node = _node_id('key', key)
            graph.nodes.setdefault(key_node, {'label': ['routing key', key], 'kind': 'key', 'ready': True})
            for listener in item.get('listeners') or []:
                graph.edges.append({'source': source, 'target': key_node, 'label': ['listener %s' % listener],
                                    'ready': True, 'style': 'listener'})
            for target in item.get('connectors') or []:
                graph.edges.append({'source': key_node, 'target': source, 'ready': key in listened,
                                    'label': ['connector %s' % target] + ([] if key in listened else ['not matched']),
                                    'style': 'connector'})


def _short(text, width=60):
    text = ' '.join(str(text).split())
    return text if len(text) <= width else text[:width - 1] + '\u2026'


# ---------------------------------------------------------------------------------------------
# Graphviz DOT


def _dot_text(lines):
    return '\\n'.join(str(line).replace('\\', '\\\\').replace('"', '\\"') for line in lines)


def to_dot(graph, title='Skupper network'):
    out = ['digraph skupper {',
           '  graph [rankdir=LR, fontname="Helvetica", label="%s", labelloc=t, nodesep=0.5, ranksep=1.2];'
           % _dot_text([title]),
           '  node [fontname="Helvetica", fontsize=11];',
           '  edge [fontname="Helvetica", fontsize=9];']
    for index, platform in enumerate(sorted(graph.groups)):
        out.append('  subgraph cluster_%d {' % index)
        out.append('    label="%s"; style=rounded; color="%s";' % (_dot_text([platforms.TITLES.get(platform, platform)]),
                                                                   GREY))
        for node in graph.groups[platform]:
            out.append('    %s;' % _dot_node(node, graph.nodes[node]))
        out.append('  }')
    grouped = set(n for nodes in graph.groups.values() for n in nodes)
    for node in sorted(graph.nodes):
        if node not in grouped:
            out.append('  %s;' % _dot_node(node, graph.nodes[node]))
    for edge in graph.edges:
        color = GREEN if edge['ready'] else RED
        attrs = ['label="%s"' % _dot_text(edge['label']), 'color="%s"' % color, 'fontcolor="%s"' % color]
        if edge['style'] == 'link':
            attrs.append('penwidth=2')
        else:
            attrs.append('style=dashed')
        if not edge['ready']:
            attrs.append('penwidth=2')
        out.append('  %s -> %s [%s];' % (edge['source'], edge['target'], ', '.join(attrs)))
    out.append('}')
    return '\n'.join(out) + '\n'


def _dot_node(node_id, node):
    color = RED if not node['ready'] else ('black' if node['kind'] != 'key' else GREY)
    shape = {'site': 'box', 'key': 'ellipse', 'remote': 'box'}.get(node['kind'], 'box')
    style = 'rounded,bold' if node['kind'] == 'site' else ('dashed' if node['kind'] == 'remote' else 'solid')
    attrs = ['label="%s"' % _dot_text(node['label']), 'shape=%s' % shape, 'style="%s"' % style,
             'color="%s"' % color]
    if not node['ready']:
        attrs.append('fontcolor="%s"' % RED)
    return '%s [%s]' % (node_id, ', '.join(attrs))


# ---------------------------------------------------------------------------------------------
# Mermaid


def _mermaid_text(lines):
    return '<br/>'.join(str(line).replace('"', '#quot;') for line in lines)


def _mermaid_node(node_id, node):
    text = _mermaid_text(node['label'])
    if node['kind'] == 'key':
        return '%s(["%s"])' % (node_id, text)
    return '%s["%s"]' % (node_id, text)


def to_mermaid(graph, title='Skupper network'):
    out = ['---', 'title: %s' % title, '---', 'flowchart LR']
    for platform in sorted(graph.groups):
        out.append('  subgraph %s["%s"]' % (_node_id('platform', platform), platforms.TITLES.get(platform, platform)))
        for node in graph.groups[platform]:
            out.append('    %s' % _mermaid_node(node, graph.nodes[node]))
        out.append('  end')
    grouped = set(n for nodes in graph.groups.values() for n in nodes)
    for node in sorted(graph.nodes):
        if node not in grouped:
            out.append('  %s' % _mermaid_node(node, graph.nodes[node]))
    red_edges = []
    for index, edge in enumerate(graph.edges):
        # links bold, listeners and connectors dotted
        arrow = '==>' if edge['style'] == 'link' else '-.->'
        out.append('  %s %s|"%s"| %s' % (edge['source'], arrow, _mermaid_text(edge['label']), edge['target']))
        if not edge['ready']:
            red_edges.append(str(index))
    out.append('  classDef notready stroke:%s,color:%s,stroke-width:2px' % (RED, RED))
    not_ready = sorted(n for n, node in graph.nodes.items() if not node['ready'])
    if not_ready:
        out.append('  class %s notready' % ','.join(not_ready))
    if red_edges:
        out.append('  linkStyle %s stroke:%s,color:%s' % (','.join(red_edges), RED, RED))
    return '\n'.join(out) + '\n'
