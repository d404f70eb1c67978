#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: network_picture
short_description: Draw a Skupper network from the network_info results of its sites
version_added: 1.1.0
description:
- Draws the topology of a network from the M(appnet.skupper.network_info) results of its sites, into a report
  folder on the controller, and says where.
- Sites are grouped by platform; links go from the site that dials to the site they reach, labelled with name,
  status and cost; listeners and connectors meet at their routing key (clients, listener site, routing key,
  connector site, as traffic flows). Whatever is not ready (a site, a link, a listener or connector without a
  match) is red, with its reason.
- The sites no result is about are drawn from the sites of the network a result lists (the C(sites) that
  M(appnet.skupper.network_info) returns), with their links, listeners and connectors; the result of one site is
  enough to draw the whole network.
- Writes C(network.mmd) (Mermaid), C(network.dot) (Graphviz) and, when the controller has Graphviz C(dot),
  C(network.svg). Without C(dot) it warns and writes the Mermaid text (GitHub and many editors draw it).
- The C(verify) role runs it once after it asked every site.
- The module runs on the controller (an action plugin); it connects to no host.
author:
- appnet.skupper contributors (@appnet)
options:
  infos:
    description:
    - Network_info results by inventory host. Default the variable I(result_variable) of every host of the play
      that has one.
    type: dict
  result_variable:
    description:
    - The registered network_info result read from every host of the play when I(infos) is not given.
    type: str
    default: skupper_verify_info
  dest:
    description:
    - The report folder (made when missing). Default C(appnet-skupper-report) in the controller's temporary folder.
    type: path
  title:
    description:
    - Title of the picture.
    type: str
    default: Skupper network
extends_documentation_fragment:
- appnet.skupper.attributes
attributes:
  check_mode:
    support: full
    details:
    - Reports which files would change and writes nothing.
  diff_mode:
    support: none
  idempotent:
    description: When run twice in a row with the same arguments, the second run reports no change.
    support: full
  platform:
    support: full
    platforms: kubernetes, linux, podman, docker
requirements:
- Graphviz C(dot) on the controller for the SVG (Debian C(graphviz)).
seealso:
- module: appnet.skupper.network_info
'''

EXAMPLES = r'''
- name: Ask every site
  appnet.skupper.network_info:
    platform: linux
    namespace: "{{ skupper_namespace }}"
  register: skupper_verify_info

- name: Draw the network
  appnet.skupper.network_picture:
    dest: "{{ playbook_dir }}/report"
  run_once: true
'''

RETURN = r'''
dest:
  description: The report folder.
  returned: always
  type: str
svg:
  description: Path of the SVG picture; null without Graphviz C(dot).
  returned: always
  type: str
mermaid:
  description: Path of the Mermaid text.
  returned: always
  type: str
dot:
  description: Path of the Graphviz text.
  returned: always
  type: str
sites:
  description: The inventory hosts drawn.
  returned: always
  type: list
  elements: str
network_sites:
  description: Every site drawn, by name (the hosts' sites and the other sites of the network their results list).
  returned: always
  type: list
  elements: str
  version_added: 1.2.0
changed_files:
  description: Names of the files written (in check mode, that would be).
  returned: always
  type: list
  elements: str
not_ready:
  description: Sites and links drawn in red.
  returned: always
  type: list
  elements: str
'''

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(infos=dict(type='dict'), dest=dict(type='path'),
                                              result_variable=dict(type='str', default='skupper_verify_info'),
                                              title=dict(type='str', default='Skupper network')),
                           supports_check_mode=True)
    # The action plugin of the same name does the work on the controller, where the results of every site are.
    module.fail_json(msg='appnet.skupper.network_picture runs on the controller as an action; it cannot run on a host')


if __name__ == '__main__':
    main()
