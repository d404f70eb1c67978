# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The traffic_checks filter: the listeners the verify role sends traffic through."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: traffic_checks
short_description: The traffic checks of the listeners the verify role checks
version_added: 1.1.0
description:
  - Turns the listeners of an inventory host that have C(verify) (a TCP connection) or C(verify_http_path) (an HTTP
    GET that must answer 200) into the I(traffic) option of M(appnet.skupper.network_info).
options:
  _input:
    description: The C(skupper_listeners) of the host.
    type: list
    elements: dict
    required: true
author:
  - appnet.skupper contributors (@appnet)
'''

EXAMPLES = r'''
- name: Links ready and traffic through every listener marked for it, in one module run
  appnet.skupper.network_info:
    platform: linux
    namespace: east
    wait: true
    traffic: "{{ skupper_listeners | appnet.skupper.traffic_checks }}"
'''

RETURN = r'''
_value:
  description: One check per marked listener - C(name), C(host), C(port), and C(http_path) for an HTTP GET.
  type: list
  elements: dict
'''


def traffic_checks(listeners):
    """The traffic option of network_info for the listeners marked verify (TCP) or verify_http_path (HTTP GET)."""
    checks = []
    for listener in listeners or []:
        if not isinstance(listener, dict) or not (listener.get('verify') or listener.get('verify_http_path')):
            continue
        check = {'name': listener.get('name'), 'host': listener.get('host') or '127.0.0.1', 'port': listener['port']}
        if listener.get('verify_http_path'):
            check['http_path'] = listener['verify_http_path']
        checks.append(check)
    return checks


class FilterModule(object):
    def filters(self):
        return {'traffic_checks': traffic_checks}
