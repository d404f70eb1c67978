# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The link_plan filter: the links of a site, with the names the roles use, computed once."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: link_plan
short_description: The links of a site, with the names the link and verify roles use
version_added: 1.1.0
description:
  - Turns the C(skupper_links) of an inventory host into one entry per link, with the names the roles use
    everywhere - the link's name (C(link-<target site>) unless the item names it), the site names of both ends and
    the target's platform.
options:
  _input:
    description: The C(skupper_links) of the host, items C({to, cost, name, host, method}).
    type: list
    elements: dict
    required: true
  hostvars:
    description: C(hostvars), to read the target hosts' site names and platforms.
    type: dict
    required: true
  source:
    description: The inventory name of the host whose links these are.
    type: str
    required: true
seealso:
  - plugin: appnet.skupper.missing_links
    plugin_type: filter
author:
  - appnet.skupper contributors (@appnet)
'''

EXAMPLES = r'''
- name: Names of the sites this site links to
  ansible.builtin.set_fact:
    targets: "{{ skupper_links | appnet.skupper.link_plan(hostvars, inventory_hostname) | map(attribute='target_site') }}"
'''

RETURN = r'''
_value:
  description: One entry per link - C(to), C(name), C(source_site), C(target_site), C(target_platform), C(method)
    (C(token) or C(static), how the target issues the link; C(static) for a Linux, Podman or Docker target, else the
    item's C(method), else the target's C(skupper_link_method), else C(token)), and C(cost) and C(host) when the item
    or the target host (C(skupper_link_host), else C(ansible_host)) sets them (C(host) not for a Kubernetes target,
    whose endpoints are its own).
  type: list
  elements: dict
'''

from ansible.errors import AnsibleFilterError

from ansible_collections.appnet.skupper.plugins.module_utils import platforms


METHODS = ('token', 'static')


def _method(link, target, target_platform, source, index):
    """How the target issues the link: static on a Linux, Podman or Docker target; on Kubernetes the item's method,
    else the target's skupper_link_method, else token."""
    method = link.get('method') or target.get('skupper_link_method') or 'token'
    if method not in METHODS:
        raise AnsibleFilterError('link_plan: skupper_links[%d] of %s: method %r is not one of token, static'
                                 % (index, source, method))
    if platforms.is_system(target_platform):
        if link.get('method') == 'token':
            raise AnsibleFilterError('link_plan: skupper_links[%d] of %s: method token, but %s is a %s site, which '
                                     'issues static links only (it has no grant server)'
                                     % (index, source, link['to'], target_platform))
        return 'static'
    return method


def _site_name(host_vars, host):
    site = host_vars.get('skupper_site') or {}
    return site.get('name') or host


def link_plan(links, hostvars, source):
    if not isinstance(links, list):
        raise AnsibleFilterError('link_plan: skupper_links must be a list of {to: <inventory host>}, got %r' % (links,))
    source_vars = hostvars[source]
    plan = []
    for index, link in enumerate(links):
        if not isinstance(link, dict) or not link.get('to'):
            raise AnsibleFilterError('link_plan: skupper_links[%d] of %s must be a dictionary with "to", got %r'
                                     % (index, source, link))
        if link['to'] not in hostvars:
            raise AnsibleFilterError('link_plan: skupper_links[%d] of %s links to %r, which is not in the inventory'
                                     % (index, source, link['to']))
        target = hostvars[link['to']]
        target_site = _site_name(target, link['to'])
        target_platform = target.get('skupper_platform') or platforms.DEFAULT
        entry = {'to': link['to'], 'name': link.get('name') or 'link-%s' % target_site,
                 'source_site': _site_name(source_vars, source), 'target_site': target_site,
                 'target_platform': target_platform,
                 'method': _method(link, target, target_platform, source, index)}
        host = link.get('host') or target.get('skupper_link_host') or target.get('ansible_host')
        if not platforms.is_system(target_platform):
            host = None  # a Kubernetes target's links dial its own endpoints
        for key, value in (('cost', link.get('cost')), ('host', host)):
            if value is not None:
                entry[key] = value
        plan.append(entry)
    return plan


class FilterModule(object):
    def filters(self):
        return {'link_plan': link_plan}
