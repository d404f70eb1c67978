# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The whole inventory of a network checked before anything is written: one line per problem, naming the
inventory host and the variable.

Input: the variables of every site (inventory host) of the play, the names of every inventory host, the
known role variables (name -> default, from the roles' argument specs). Output: problems (the run must stop)
and warnings (the run goes on). Field rules come from the resource model; socket rules from the Linux site
state (site_state), so a rule has one home.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib
import json

from ansible_collections.appnet.skupper.plugins.module_utils import model, platforms
from ansible_collections.appnet.skupper.plugins.module_utils.model.values import port_number
from ansible_collections.appnet.skupper.plugins.module_utils.system.render.sockets import hosts_overlap, role_port

# The variables of a site the checks read; the rest of a host's variables are only looked at for typos.
SITE_VARIABLES = ('skupper_platform', 'skupper_namespace', 'skupper_site', 'skupper_listeners',
                  'skupper_connectors', 'skupper_router_accesses', 'skupper_links', 'skupper_data_home',
                  'skupper_kubeconfig', 'skupper_context', 'skupper_api_host', 'ansible_host', 'ansible_connection')

# Keys of the list items the roles read besides the model's fields.
LISTENER_EXTRA_KEYS = ('name', 'verify', 'verify_http_path')
LINK_KEYS = ('to', 'cost', 'name', 'host')


def _quote(value):
    return json.dumps(value) if isinstance(value, str) else repr(value)


def _close(word, candidates, cutoff=0.75):
    if not isinstance(word, str):
        return None
    found = difflib.get_close_matches(word, sorted(candidates), n=1, cutoff=cutoff)
    return found[0] if found else None


def _did_you_mean(word, candidates):
    match = _close(word, candidates)
    return ' (did you mean %s?)' % _quote(match) if match else ''


class Site(object):
    """One inventory host as a site: its variables with the roles' defaults."""

    def __init__(self, host, variables, defaults):
        self.host = host
        self.vars = variables

        def get(name, fallback=None):
            value = variables.get(name)
            if value is None:
                value = defaults.get(name, fallback)
            return fallback if value is None else value

        self.platform = get('skupper_platform', platforms.DEFAULT)
        self.namespace = get('skupper_namespace', platforms.DEFAULT_NAMESPACE)
        self.site = get('skupper_site', {})
        self.name = self.site.get('name') or host if isinstance(self.site, dict) else host
        self.lists = dict((key, get(key, [])) for key in (
            'skupper_listeners', 'skupper_connectors', 'skupper_router_accesses', 'skupper_links'))
        self.data_home = get('skupper_data_home', '')
        self.cluster = (get('skupper_api_host', ''), json.dumps(get('skupper_kubeconfig', ''), sort_keys=True),
                        get('skupper_context', ''))
        if variables.get('ansible_connection') == 'local':
            self.machine = 'localhost'
        else:
            self.machine = variables.get('ansible_host') or host

    @property
    def system(self):
        return platforms.is_system(self.platform)

    def items(self, variable):
        """(index, item) of the mappings of a list variable (the shape was checked before)."""
        value = self.lists[variable]
        return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)] if isinstance(value, list) else []

    def where(self):
        """The place a site occupies: its cluster and namespace, or its machine, data home and namespace."""
        if self.system:
            return ('system', self.machine, self.data_home, self.namespace)
        return (platforms.KUBERNETES_BACKEND,) + self.cluster + (self.namespace,)

    def place(self):
        if self.system:
            home = ' (data home %s)' % self.data_home if self.data_home else ''
            return 'namespace %s on %s%s' % (_quote(self.namespace), self.machine, home)
        server = self.cluster[0] or self.cluster[2] or 'the default cluster'
        return 'namespace %s of %s' % (_quote(self.namespace), server)

    def accepts_links(self):
        """Whether remote sites can link to it: link access, or a router access with a link role."""
        if not isinstance(self.site, dict) or self.site.get('edge') is True:
            return False
        if self.site.get('link_access') not in (None, '', 'none'):
            return True
        for _index, access in self.items('skupper_router_accesses'):
            roles = access.get('roles') or []
            if isinstance(roles, list) and any(isinstance(r, dict) and r.get('name') in model.LINK_ROLES for r in roles):
                return True
        return False


class Report(object):
    def __init__(self):
        self.problems = []
        self.warnings = []

    def problem(self, host, variable, text):
        self.problems.append('host %s: %s: %s' % (host, variable, text))

    def warning(self, host, variable, text):
        self.warnings.append('host %s: %s: %s' % (host, variable, text))


def _check_shapes(site, report):
    """The variables the checks read have the types the roles need; False when one does not."""
    good = True
    if site.platform not in platforms.NAMES:
        report.problem(site.host, 'skupper_platform', '%s is not one of %s%s' % (
            _quote(site.platform), ', '.join(platforms.NAMES), _did_you_mean(site.platform, platforms.NAMES)))
        good = False
    if not isinstance(site.site, dict):
        report.problem(site.host, 'skupper_site', 'expected a mapping, got %s' % _quote(site.site))
        good = False
    for variable, value in sorted(site.lists.items()):
        if not isinstance(value, list):
            report.problem(site.host, variable, 'expected a list of mappings, got %s' % _quote(value))
            good = False
            continue
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                report.problem(site.host, '%s[%d]' % (variable, index), 'expected a mapping, got %s' % _quote(item))
                good = False
    return good


def _item_label(variable, index, item):
    name = item.get('name') if isinstance(item, dict) else None
    return '%s[%d]%s' % (variable, index, ' (%s)' % name if isinstance(name, str) and name else '')


def _model_errors(site, report):
    """The resource model's errors of each document the site role would write."""
    namespace = site.namespace
    site_params = dict(site.site, name=site.name, namespace=namespace)
    site_doc = model.build_document('Site', model.convert_params('Site', site_params))
    for problem in model.validate_document(site_doc, site.platform, 'option'):
        variable = 'skupper_site'
        if problem.startswith('namespace:'):
            variable = 'skupper_namespace'
        elif problem.startswith('name:'):
            variable = 'skupper_site.name'
        report.problem(site.host, variable, problem)
    for variable, kind, fill in (('skupper_listeners', 'Listener', 'routing_key'),
                                 ('skupper_connectors', 'Connector', 'routing_key'),
                                 ('skupper_router_accesses', 'RouterAccess', 'tls_credentials')):
        for index, item in site.items(variable):
            label = _item_label(variable, index, item)
            if not item.get('name'):
                report.problem(site.host, label, 'name: required field is missing')
                continue
            params = dict(item, namespace=namespace)
            if params.get(fill) is None:
                params[fill] = item['name']  # what the site role fills in
            doc = model.build_document(kind, model.convert_params(kind, params))
            for problem in model.validate_document(doc, site.platform, 'option'):
                if not problem.startswith('namespace:'):  # reported once, with the site
                    report.problem(site.host, label, problem)


def _check_unique_names(site, report):
    for variable in ('skupper_listeners', 'skupper_connectors', 'skupper_router_accesses'):
        seen = {}
        for index, item in site.items(variable):
            name = item.get('name')
            if not isinstance(name, str) or not name:
                continue
            if name in seen:
                report.problem(site.host, '%s[%d]' % (variable, index), 'name %s is used twice in this site '
                               '(also %s[%d])' % (_quote(name), variable, seen[name]))
            else:
                seen[name] = index


def _check_unknown_keys(site, report):
    """Keys of the site and of list items the roles do not read: typos, most of the time (warnings)."""
    known = {
        'skupper_site': ['name', 'labels'] + [f.option for f in model.get_kind('Site').fields],
        'skupper_listeners': list(LISTENER_EXTRA_KEYS) + [f.option for f in model.get_kind('Listener').fields],
        'skupper_connectors': ['name'] + [f.option for f in model.get_kind('Connector').fields],
        'skupper_router_accesses': ['name'] + [f.option for f in model.get_kind('RouterAccess').fields],
        'skupper_links': list(LINK_KEYS),
    }
    entries = [('skupper_site', site.site)] if isinstance(site.site, dict) else []
    for variable in ('skupper_listeners', 'skupper_connectors', 'skupper_router_accesses', 'skupper_links'):
        entries.extend((_item_label(variable, index, item), item) for index, item in site.items(variable))
    for label, values in entries:
        names = known[label.split('[', maxsplit=1)[0]]
        for key in sorted(values):
            if key not in names:
                report.warning(site.host, label, 'unknown key %s is ignored%s' % (_quote(key), _did_you_mean(key, names)))


def _check_links(site, sites, inventory_hosts, play_hosts, limited, report):
    targets = {}
    for index, link in site.items('skupper_links'):
        variable = 'skupper_links[%d].to' % index
        target = link.get('to')
        if not isinstance(target, str) or not target:
            report.problem(site.host, 'skupper_links[%d]' % index, 'to: required field is missing (the inventory '
                           'host of the target site)')
            continue
        if target not in inventory_hosts:
            report.problem(site.host, variable, '%s is not a host of the inventory%s' % (
                _quote(target), _did_you_mean(target, inventory_hosts)))
            continue
        if target == site.host:
            report.problem(site.host, variable, 'a site cannot link to itself')
            continue
        if target in targets:
            report.problem(site.host, variable, '%s is linked twice (also skupper_links[%d])' % (
                _quote(target), targets[target]))
            continue
        targets[target] = index
        if target not in play_hosts:
            if limited:
                report.warning(site.host, variable, '%s is outside --limit: its site must already exist and accept '
                               'links' % _quote(target))
            else:
                report.problem(site.host, variable, '%s is a host of the inventory but not of this play (hosts: %s)'
                               % (_quote(target), ', '.join(sorted(play_hosts))))
                continue
        other = sites.get(target)
        if other is None or not isinstance(other.site, dict):
            continue
        if other.site.get('edge') is True:
            report.problem(site.host, variable, 'site %s (host %s) is an edge site: it cannot accept links' % (
                _quote(other.name), target))
        elif not other.accepts_links():
            report.problem(site.host, variable, 'site %s (host %s) has no link access: set skupper_site.link_access '
                           'there (or a router access with the inter-router or edge role)' % (_quote(other.name), target))


def _check_places(sites, report):
    """Site names are unique in the network; a namespace holds one site."""
    names, places = {}, {}
    for site in sites:
        if site.name in names:
            report.problem(site.host, 'skupper_site.name', 'site name %s is also the name of the site of host %s' % (
                _quote(site.name), names[site.name]))
        else:
            names[site.name] = site.host
        where = site.where()
        if where in places:
            report.problem(site.host, 'skupper_namespace', '%s already holds the site of host %s' % (
                site.place(), places[where]))
        else:
            places[where] = site.host


def _sockets(site):
    """[(bind host, port, variable, description)] of what the router of a Linux, Podman or Docker site binds."""
    sockets = []
    for index, item in site.items('skupper_listeners'):
        port = port_number(item.get('port'))
        if port is not None and isinstance(item.get('host'), str):
            sockets.append((item['host'], port, '%s.port' % _item_label('skupper_listeners', index, item),
                            'listener %s' % _quote(item.get('name'))))
    for index, access in site.items('skupper_router_accesses'):
        roles = access.get('roles') if isinstance(access.get('roles'), list) else []
        for role in roles:
            port = role_port(role) if isinstance(role, dict) else None
            if port is not None:
                sockets.append((access.get('bind_host') or '', port,
                                '%s.roles' % _item_label('skupper_router_accesses', index, access),
                                'router access %s role %s' % (_quote(access.get('name')), role.get('name'))))
    return sockets


def _check_sockets(sites, report):
    """Two sockets of the sites of one machine on the same port and overlapping addresses."""
    by_machine = {}
    for site in sites:
        if site.system:
            by_machine.setdefault(site.machine, []).append(site)
    for machine in sorted(by_machine):
        bound = []
        for site in by_machine[machine]:
            for host, port, variable, description in _sockets(site):
                for other_site, other_host, other_port, _other_variable, other_description in bound:
                    if port == other_port and hosts_overlap(host, other_host):
                        where = 'this site' if other_site is site else 'the site of host %s' % other_site.host
                        report.problem(site.host, variable, 'port %d of %s (address %s) collides with %s (address '
                                       '%s) of %s on %s' % (port, description, host or '*', other_description,
                                                            other_host or '*', where, machine))
                bound.append((site, host, port, variable, description))


def _check_routing_keys(sites, connector_sites, report):
    served = set()
    for site in connector_sites:
        for _index, item in site.items('skupper_connectors'):
            served.add(item.get('routing_key') or item.get('name'))
    for site in sites:
        for index, item in site.items('skupper_listeners'):
            key = item.get('routing_key') or item.get('name')
            if key and key not in served:
                report.warning(site.host, '%s.routing_key' % _item_label('skupper_listeners', index, item),
                               'no connector in the network serves routing key %s%s' % (
                                   _quote(key), _did_you_mean(key, served)))


def _check_variable_names(host, names, known, report):
    """Host variables that are not known but look like a known one (warnings)."""
    for name in sorted(names):
        if name in known:
            continue
        match = _close(name, known, cutoff=0.85)
        if match and (name.startswith('skup') or match.replace('skupper_', '') in name):
            report.warning(host, name, 'unknown variable, ignored (did you mean %s?)' % _quote(match))


def check_inventory(site_vars, inventory_hosts, play_hosts, known=None, variable_names=None, limited=False,
                    connector_vars=None):
    """(problems, warnings): lists of 'host H: VARIABLE: text' lines.

    site_vars: {host: {variable: value}} of the sites to check (the play's hosts, and the hosts they link to);
    inventory_hosts, play_hosts: host names; known: {variable: default} of the roles; variable_names:
    {host: [every variable name of the host]} for the typo warnings; limited: the run has --limit (a link may
    then leave the play); connector_vars: {host: variables} of every inventory host with connectors (for the
    routing key warnings; default: site_vars).
    """
    known = known or {}
    report = Report()
    sites = dict((host, Site(host, site_vars[host], known)) for host in sorted(site_vars))
    good = dict((host, site) for host, site in sites.items() if _check_shapes(site, report))
    for site in good.values():
        _model_errors(site, report)
        _check_unique_names(site, report)
        _check_unknown_keys(site, report)
    play_sites = [s for h, s in sorted(good.items()) if h in play_hosts]
    for site in play_sites:
        _check_links(site, good, set(inventory_hosts), set(play_hosts), limited, report)
    _check_places(list(good.values()), report)
    _check_sockets(list(good.values()), report)
    connector_sites = [Site(h, v, known) for h, v in sorted((connector_vars or site_vars).items())]
    connector_sites = [s for s in connector_sites if isinstance(s.lists['skupper_connectors'], list)]
    _check_routing_keys(play_sites, connector_sites, report)
    for host in sorted(variable_names or {}):
        _check_variable_names(host, variable_names[host], known, report)
    return report.problems, report.warnings


def failure_message(problems):
    return ('The inventory has %d problem%s; nothing was changed:\n%s'
            % (len(problems), '' if len(problems) == 1 else 's', '\n'.join(problems)))
