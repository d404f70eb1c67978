# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The link_documents filter: the credentials the targets issued, as the documents the source site applies."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: link_documents
short_description: The credentials targets issued for a site, as the documents it applies
version_added: 1.1.0
description:
  - Turns the looped results of M(appnet.skupper.access_grant) (each with the C(appnet.skupper.link_plan) entry it was
    made for as C(item)) into C(AccessToken) documents named as the link, with the link's cost and the annotation
    C(appnet.skupper/remote-site-name) of the site that granted it, and adds the Secret and Link documents of the looped
    results of M(appnet.skupper.static_link).
  - The documents carry codes and private keys; use C(no_log) on the task.
options:
  _input:
    description: The C(results) of a looped M(appnet.skupper.access_grant) task (skipped ones are left out).
    type: list
    elements: dict
    required: true
  static_links:
    description: The C(results) of a looped M(appnet.skupper.static_link) task.
    type: list
    elements: dict
    default: []
  check_mode:
    description:
      - The results come from a check run (C(ansible_check_mode)); a result without credentials (a grant or static
        link the module predicted but did not issue) is then left out instead of failing.
    type: bool
    default: false
    version_added: 1.2.0
author:
  - appnet.skupper contributors (@appnet)
'''

EXAMPLES = r'''
- name: The credentials for this site
  ansible.builtin.set_fact:
    documents: "{{ grants.results | appnet.skupper.link_documents(static_links.results) }}"
  no_log: true
'''

RETURN = r'''
_value:
  description: AccessToken documents, then the Secret and Link documents of the static links.
  type: list
  elements: dict
'''

from ansible.errors import AnsibleFilterError

from ansible_collections.appnet.skupper.plugins.module_utils import documents
from ansible_collections.appnet.skupper.plugins.module_utils.model import REMOTE_SITE_ANNOTATION


def _issued(results, key, check_mode=False):
    for result in results or []:
        if not isinstance(result, dict) or result.get('skipped'):
            continue
        if check_mode and key not in result:
            continue  # predicted, not issued
        if key not in result or not isinstance(result.get('item'), dict):
            raise AnsibleFilterError('link_documents: a result without %s or its link item' % key)
        yield result['item'], result[key]


def link_documents(grants, static_links=(), check_mode=False):
    found = []
    for link, token in _issued(grants, 'token', check_mode):
        spec = dict(token['spec'])
        if link.get('cost') is not None:
            spec['linkCost'] = link['cost']
        found.append({'apiVersion': token['apiVersion'], 'kind': 'AccessToken',
                      'metadata': {'name': link['name'],
                                   'annotations': {REMOTE_SITE_ANNOTATION: link['target_site']}},
                      'spec': spec})
    for _link, definition in _issued(static_links, 'definition', check_mode):
        found.extend(documents.load_yaml_stream(definition))
    return found


class FilterModule(object):
    def filters(self):
        return {'link_documents': link_documents}
