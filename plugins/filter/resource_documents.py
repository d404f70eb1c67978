# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The resource_documents filter: typed-module options (a list of dicts) as Skupper resource documents."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: resource_documents
short_description: Options of a typed module as Skupper resource documents
version_added: 1.0.0
description:
  - Turns a list of dictionaries holding the options of a typed module (for example the C(skupper_listeners) of
    an inventory, with C(name), C(routing_key), C(host), C(port)) into the documents M(appnet.skupper.resource)
    applies, through the same resource model as the typed modules, so that one task applies them all.
  - Keys that are not options of the kind (such as the C(verify) key of the verify role) are left out; the
    documents are validated by M(appnet.skupper.resource).
options:
  _input:
    description: The items, each a dictionary of module options.
    type: list
    elements: dict
    required: true
  kind:
    description: The resource kind, such as C(Listener) or C(Connector).
    type: str
    required: true
  namespace:
    description: The namespace of the documents (left out when empty).
    type: str
  name_defaults:
    description: Options that default to the item's C(name) when the item does not set them (C(routing_key)).
    type: list
    elements: str
    default: []
author:
  - appnet.skupper contributors (@appnet)
'''

EXAMPLES = r'''
- name: Every listener and connector of a site in one task
  appnet.skupper.resource:
    platform: linux
    namespace: west
    definition: >-
      {{ (skupper_listeners | appnet.skupper.resource_documents('Listener', name_defaults=['routing_key']))
         + (skupper_connectors | appnet.skupper.resource_documents('Connector', name_defaults=['routing_key'])) }}
'''

RETURN = r'''
_value:
  description: The documents (apiVersion, kind, metadata, spec), in the order of the items.
  type: list
  elements: dict
'''

from ansible.errors import AnsibleFilterError

from ansible_collections.appnet.skupper.plugins.module_utils import model


def resource_documents(items, kind, namespace=None, name_defaults=()):
    try:
        declared = model.get_kind(kind)
    except KeyError as exc:
        raise AnsibleFilterError(str(exc))
    if not isinstance(items, list):
        raise AnsibleFilterError('resource_documents: expected a list of dictionaries, got %r' % (items,))
    documents = []
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not item.get('name'):
            raise AnsibleFilterError('resource_documents: item %d must be a dictionary with a name, got %r'
                                     % (index, item))
        params = dict(item)
        for option in name_defaults:
            if params.get(option) is None:
                params[option] = params['name']
        params['namespace'] = namespace or None
        doc = model.build_document(declared, model.convert_params(declared, params))
        if not namespace:
            doc['metadata'].pop('namespace', None)
        documents.append(doc)
    return documents


class FilterModule(object):
    def filters(self):
        return {'resource_documents': resource_documents}
