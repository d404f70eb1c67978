# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The missing_links filter: the links of a plan that a site does not have yet."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: missing_links
short_description: The links of a link plan that a site does not have yet
version_added: 1.1.0
description:
  - Keeps the entries of a C(appnet.skupper.link_plan) whose link is not among the names of the links a site has. A
    link redeemed from an access token counts under the token's name, also when the grant server named it
    C(<name>-<n>).
options:
  _input:
    description: Entries of C(appnet.skupper.link_plan).
    type: list
    elements: dict
    required: true
  existing:
    description: Names of the links the site has (the C(links) of M(appnet.skupper.system) or
      M(appnet.skupper.network_info), mapped to their names).
    type: list
    elements: str
    required: true
seealso:
  - plugin: appnet.skupper.link_plan
    plugin_type: filter
author:
  - appnet.skupper contributors (@appnet)
'''

EXAMPLES = r'''
- name: The links this site still has to make
  ansible.builtin.set_fact:
    missing: "{{ skupper_links | appnet.skupper.link_plan(hostvars, inventory_hostname)
                 | appnet.skupper.missing_links(site.links | map(attribute='name')) }}"
'''

RETURN = r'''
_value:
  description: The entries whose link is missing, in their order.
  type: list
  elements: dict
'''

from ansible_collections.appnet.skupper.plugins.module_utils.model.values import links_of_token


def missing_links(plan, existing):
    """The entries of plan whose link is not among the existing link names."""
    existing = list(existing or [])
    return [entry for entry in plan if not links_of_token(entry['name'], existing)]


class FilterModule(object):
    def filters(self):
        return {'missing_links': missing_links}
