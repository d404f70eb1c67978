# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Kubernetes connection options (mirrors args_common.K8S_AUTH and APPLY)."""

    DOCUMENTATION = r'''
options:
  kubeconfig:
    description:
      - Path to a kubeconfig file, or the kubeconfig itself as a dictionary. Several paths separated by C(:)
        are merged the way C(kubectl) merges E(KUBECONFIG) (the first file to set a cluster, user, context or
        C(current-context) wins).
      - Without it (and without I(api_host)), E(KUBECONFIG) (every file of its list) or C(~/.kube/config) is
        used, then the in-cluster service account when the module runs in a pod.
      - Falls back to the environment variable E(K8S_AUTH_KUBECONFIG).
      - Kubernetes only.
    type: raw
  context:
    description:
      - The kubeconfig context to use. Falls back to E(K8S_AUTH_CONTEXT).
    type: str
  api_host:
    description:
      - URL of the Kubernetes API server, for example C(https://api.example.com:6443).
      - Named C(host) in M(kubernetes.core.k8s); here C(host) is a Skupper field of listeners and connectors.
      - Falls back to E(K8S_AUTH_HOST), which AWX Kubernetes credentials set.
    type: str
  api_key:
    description:
      - Bearer token for the API server. Falls back to E(K8S_AUTH_API_KEY).
    type: str
  client_cert:
    description:
      - Path to a client certificate for the API server. Falls back to E(K8S_AUTH_CERT_FILE).
    type: path
    aliases: [cert_file]
  client_key:
    description:
      - Path to the key of I(client_cert). Falls back to E(K8S_AUTH_KEY_FILE).
    type: path
    aliases: [key_file]
  ca_cert:
    description:
      - Path to the CA certificate that signs the API server's certificate. Falls back to E(K8S_AUTH_SSL_CA_CERT).
    type: path
    aliases: [ssl_ca_cert]
  validate_certs:
    description:
      - Whether to verify the API server's certificate. Falls back to E(K8S_AUTH_VERIFY_SSL).
    type: bool
    aliases: [verify_ssl]
  proxy:
    description:
      - HTTP proxy URL for the API server connection. Falls back to E(K8S_AUTH_PROXY).
    type: str
'''

    APPLY = r'''
options:
  force:
    description:
      - Kubernetes only. What happens when another field manager (C(kubectl edit), another tool) changed a
        field this task sets. V(true) (the default) takes the field back (server-side apply with C(force=true)),
        so the desired state wins for the fields the task sets. Fields the task does not set, and the status the
        controller writes, are left alone.
      - V(false) keeps the strict behaviour, where such a conflict fails, names the other manager and the fields,
        and changes nothing.
    type: bool
    default: true
'''
