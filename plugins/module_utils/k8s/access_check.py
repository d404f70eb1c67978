# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Site and RouterAccess modules on Kubernetes: applied as any document, then a warning when the access type
they name (a Site's linkAccess, a RouterAccess's accessType) is one the site's controller does not enable.

The controller is read from its Deployment (controller_config.access_type_warning: a namespace-scope controller in
the site's namespace, else the cluster-scope one); a Deployment this client may not read, or that is not there,
gives no warning.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.appnet.skupper.plugins.module_utils.apply import apply_document
from ansible_collections.appnet.skupper.plugins.module_utils.backend import BackendError
from ansible_collections.appnet.skupper.plugins.module_utils.k8s import client as k8s_client, controller_config

DEPLOYMENT_PATH = '/apis/apps/v1/namespaces/%s/deployments/%s'
# The field of each kind that names an access type, and the module option that sets it.
ACCESS_FIELDS = {'Site': ('linkAccess', 'link_access'), 'RouterAccess': ('accessType', 'access_type')}


def deployment_reader(client):
    """read(namespace, name): the Deployment, or None when it is absent or cannot be read (no permission)."""
    def read(namespace, name):
        try:
            return client.request('GET', DEPLOYMENT_PATH % (namespace, name))
        except (k8s_client.ApiException, BackendError):
            return None
    return read


def access_warning(backend, desired):
    """The warning about the access type of desired (a Site or RouterAccess document), or None."""
    field, option = ACCESS_FIELDS[desired['kind']]
    access_type = (desired.get('spec') or {}).get(field)
    return controller_config.access_type_warning(deployment_reader(backend.client), backend.namespace, access_type,
                                                 option)


def access_handler(module, backend, desired):
    """apply_document, and a warning when the controller does not enable the document's access type."""
    outcome = apply_document(module, backend, desired)
    if module.params['state'] == 'present':
        warning = access_warning(backend, desired)
        if warning:
            outcome.extra.setdefault('warnings', []).append(warning)
    return outcome
