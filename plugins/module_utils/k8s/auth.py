# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A kubernetes ApiClient from module options, the way kubernetes.core users expect.

Order: kubeconfig (a path or the kubeconfig as a dict, with an optional context), else KUBECONFIG or
~/.kube/config when present, else the in-cluster service account; explicit options (api_host, api_key,
client certificate and key, ca_cert, validate_certs, proxy) override what the kubeconfig says. The
K8S_AUTH_* environment variables reach here as option fallbacks (args_common.K8S_AUTH).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.appnet.skupper.plugins.module_utils.backend import BackendError

try:
    from kubernetes import client as k8s_client
    from kubernetes import config as k8s_config
    from kubernetes.config.config_exception import ConfigException
    HAS_KUBERNETES = True
except ImportError:  # pragma: no cover - reported by require_kubernetes
    HAS_KUBERNETES = False

IN_CLUSTER_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token'


def require_kubernetes():
    if not HAS_KUBERNETES:
        raise BackendError(missing_required_lib('kubernetes', reason='for platform kubernetes'))


def _params(module_or_params):
    return getattr(module_or_params, 'params', module_or_params)


def _default_kubeconfig():
    path = os.path.expanduser(os.environ.get('KUBECONFIG', '~/.kube/config').split(os.pathsep)[0])
    return path if os.path.exists(path) else None


def _load_kubeconfig(configuration, kubeconfig, context):
    try:
        if isinstance(kubeconfig, dict):
            k8s_config.load_kube_config_from_dict(kubeconfig, context=context, client_configuration=configuration)
        else:
            path = os.path.expanduser(kubeconfig)
            if not os.path.exists(path):
                raise BackendError('kubeconfig %s does not exist' % path)
            k8s_config.load_kube_config(config_file=path, context=context, client_configuration=configuration)
    except ConfigException as exc:
        raise BackendError('cannot use the kubeconfig: %s' % exc)


def build_configuration(module_or_params, environ=None):
    """A kubernetes Configuration for the options; BackendError when no way to the API is found."""
    require_kubernetes()
    params = _params(module_or_params)
    environ = os.environ if environ is None else environ
    configuration = k8s_client.Configuration()
    kubeconfig = params.get('kubeconfig')
    if kubeconfig:
        _load_kubeconfig(configuration, kubeconfig, params.get('context'))
    elif not params.get('api_host'):
        default = _default_kubeconfig()
        if default:
            _load_kubeconfig(configuration, default, params.get('context'))
        elif environ.get('KUBERNETES_SERVICE_HOST'):
            try:
                k8s_config.load_incluster_config(client_configuration=configuration)
            except ConfigException as exc:
                raise BackendError('in-cluster configuration failed: %s' % exc)
        else:
            raise BackendError('no Kubernetes API to talk to: give kubeconfig or api_host (or K8S_AUTH_KUBECONFIG / '
                               'K8S_AUTH_HOST), or run where KUBECONFIG, ~/.kube/config or an in-cluster service '
                               'account exists')
    if params.get('api_host'):
        configuration.host = params['api_host'].rstrip('/')
    if params.get('api_key'):
        # 'BearerToken' is what newer clients read first, 'authorization' what older ones read.
        bearer = 'Bearer ' + params['api_key']
        configuration.api_key = {'BearerToken': bearer, 'authorization': bearer}
        configuration.refresh_api_key_hook = None
    if params.get('client_cert'):
        configuration.cert_file = params['client_cert']
    if params.get('client_key'):
        configuration.key_file = params['client_key']
    if params.get('ca_cert'):
        configuration.ssl_ca_cert = params['ca_cert']
    if params.get('validate_certs') is not None:
        configuration.verify_ssl = params['validate_certs']
    if params.get('proxy'):
        configuration.proxy = params['proxy']
    configuration.retries = False  # retries are the client's (client.py), with backoff and clear errors
    return configuration


KUBECONFIG_SECRET_KEYS = ('token', 'password', 'client-key-data')


def protect_kubeconfig(module):
    """Mask the secrets of a kubeconfig given as a dictionary (tokens, passwords, keys) in all output.

    The whole option cannot be no_log: every string of it (names, the namespace) would be masked too.
    """
    kubeconfig = module.params.get('kubeconfig')
    if not isinstance(kubeconfig, dict):
        return
    for entry in kubeconfig.get('users') or []:
        user = (entry or {}).get('user') or {}
        module.no_log_values.update(str(user[key]) for key in KUBECONFIG_SECRET_KEYS if user.get(key))


def get_api_client(module_or_params):
    """A kubernetes ApiClient for the module's connection options."""
    configuration = build_configuration(module_or_params)  # first: it fails clearly without the library
    return k8s_client.ApiClient(configuration)


def credentials_kind(configuration):
    """Which credentials a configuration presents (for error messages)."""
    keys = configuration.api_key or {}
    if keys.get('BearerToken') or keys.get('authorization'):
        return 'a bearer token'
    if configuration.cert_file:
        return 'the client certificate %s' % configuration.cert_file
    return 'no credentials'
