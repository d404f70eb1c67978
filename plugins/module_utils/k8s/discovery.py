# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where the API server serves any apiVersion and kind, from its discovery documents (/api/v1, /apis/<group>/<v>).

The resource model knows the paths of the Skupper kinds; a manifest holds any kind (Deployments, RBAC objects,
CustomResourceDefinitions), so their plural name and scope come from discovery, as kubectl finds them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.appnet.skupper.plugins.module_utils.backend import BackendError
from ansible_collections.appnet.skupper.plugins.module_utils.k8s import client as k8s_client


def group_version_path(api_version):
    """/api/v1 for the core group, /apis/<group>/<version> for the others."""
    return ('/apis/' if '/' in api_version else '/api/') + api_version


class ApiResources(object):
    """The resources of each group version the server serves, read once per group version (again on a miss:
    a CustomResourceDefinition applied since then serves new kinds)."""

    def __init__(self, client):
        self.client = client
        self._lists = {}

    def _resources(self, api_version, fresh):
        if fresh or api_version not in self._lists:
            try:
                answer = self.client.request('GET', group_version_path(api_version))
            except k8s_client.ApiException as exc:  # looked up now: the client may bind it lazily
                if exc.status != 404:
                    raise self.client.error(exc, 'APIResourceList', api_version, None, group_version_path(api_version))
                answer = None
            self._lists[api_version] = (answer or {}).get('resources') or []
        return self._lists[api_version]

    def find(self, api_version, kind):
        """(plural, namespaced) of a kind, or None when the server does not serve it."""
        for fresh in (False, True):
            for entry in self._resources(api_version, fresh):
                if entry.get('kind') == kind and '/' not in entry.get('name', '/'):
                    return entry['name'], bool(entry.get('namespaced'))
        return None

    def path(self, api_version, kind, namespace, name=None):
        """(API path of the object, namespaced); BackendError when the server does not serve the kind."""
        found = self.find(api_version, kind)
        if found is None:
            raise BackendError('the Kubernetes API at %s does not serve kind %s in apiVersion %s (is its '
                               'CustomResourceDefinition installed, or is another apiVersion meant?)'
                               % (self.client.url, kind, api_version))
        plural, namespaced = found
        path = group_version_path(api_version)
        if namespaced:
            path += '/namespaces/%s' % namespace
        return path + '/' + plural + ('/' + name if name else ''), namespaced
