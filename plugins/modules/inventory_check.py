#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: inventory_check
short_description: Check the inventory of a whole Skupper network before anything is changed
version_added: 1.1.0
description:
- Reads the variables of every site (inventory host) of the play on the controller and reports every problem
  that would make a rollout fail or build something else than meant, one line per problem naming the host and
  the variable, before anything is written anywhere. The C(network) role runs it once, first.
- "Problems (the task fails): a link to a host that is not in the inventory, or not in the play (without
  C(--limit)); a link to itself or twice to one site; a link to a site without link access (no
  C(skupper_site.link_access) and no router access with a link role) or to an edge site; two sites with the same
  site name; two sites in the same namespace of one cluster, or of one machine and data home; two listeners or
  connectors of a site with the same name; two listeners or router accesses of the Linux, Podman and Docker sites
  of one machine on the same port and overlapping addresses; every error of the resource model in the site, its
  listeners, connectors and router accesses (the same checks as the typed modules)."
- "Warnings (the run goes on): a listener whose routing key no connector of the inventory serves; a host variable
  that is not known but looks like a known one (C(skupper_link) for C(skupper_links)); keys of the site and of
  list items that the roles ignore; a link to a host outside C(--limit)."
- The module runs on the controller (an action plugin); it connects to no host.
author:
- appnet.skupper contributors (@appnet)
options:
  hosts:
    description:
    - The inventory hosts of the sites to check. Default the hosts of the play (C(ansible_play_hosts_all)).
    - The sites these link to are read too.
    type: list
    elements: str
extends_documentation_fragment:
- appnet.skupper.attributes
attributes:
  check_mode:
    support: full
    details:
    - The module only reads variables; it runs the same in check mode.
  diff_mode:
    support: none
  idempotent:
    description: When run twice in a row with the same arguments, the second run reports no change.
    support: full
  platform:
    support: full
    platforms: kubernetes, linux, podman, docker
notes:
- Known variables and their defaults come from the argument specs of the collection's roles.
seealso:
- module: appnet.skupper.network_info
'''

EXAMPLES = r'''
- name: Check the whole inventory once, before any site is built
  appnet.skupper.inventory_check:
  run_once: true
'''

RETURN = r'''
problems:
  description: "One line per problem, C(host <host>: <variable>: <text>). The task fails when there is one."
  returned: always
  type: list
  elements: str
  sample: ['host east: skupper_links[0].to: "wset" is not a host of the inventory (did you mean "west"?)']
inventory_warnings:
  description: One line per warning, in the same form (Ansible also shows each as a warning).
  returned: always
  type: list
  elements: str
sites:
  description: The inventory hosts whose sites were checked.
  returned: always
  type: list
  elements: str
'''

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(hosts=dict(type='list', elements='str')), supports_check_mode=True)
    # The action plugin of the same name does the work on the controller, where every host's variables are.
    module.fail_json(msg='appnet.skupper.inventory_check runs on the controller as an action; it cannot run on a host')


if __name__ == '__main__':
    main()
