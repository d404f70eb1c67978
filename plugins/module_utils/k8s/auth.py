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

import importlib.util
import json
import os

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.appnet.skupper.plugins.module_utils import documents
from ansible_collections.appnet.skupper.plugins.module_utils.backend import BackendError

try:
    import yaml
except ImportError:  # pragma: no cover - reported by documents.require_yaml
    yaml = None

# The kubernetes package costs about 0.45 s to import: it is imported on first use (require_kubernetes), so that a
# task on a Linux, Podman or Docker site never pays for it.
HAS_KUBERNETES = importlib.util.find_spec('kubernetes') is not None
k8s_client = k8s_config = None


class ConfigException(Exception):
    """Stands for kubernetes.config.config_exception.ConfigException until require_kubernetes imports it."""


IN_CLUSTER_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token'


def require_kubernetes():
    """Import the kubernetes package (once); BackendError when it is missing."""
    global k8s_client, k8s_config, ConfigException
    if not HAS_KUBERNETES:
        raise BackendError(missing_required_lib('kubernetes', reason='for platform kubernetes'))
    if k8s_client is None:
        from kubernetes import client, config
        from kubernetes.config.config_exception import ConfigException as config_exception
        k8s_client, k8s_config, ConfigException = client, config, config_exception


def _params(module_or_params):
    return getattr(module_or_params, 'params', module_or_params)


def kubeconfig_paths(value):
    """The files of a kubeconfig path list (os.pathsep separated, like KUBECONFIG), user home expanded."""
    return [os.path.expanduser(path) for path in str(value).split(os.pathsep) if path]


def _default_kubeconfig():
    """KUBECONFIG (every existing file of its list, as kubectl merges them), else ~/.kube/config; None if none."""
    paths = [path for path in kubeconfig_paths(os.environ.get('KUBECONFIG') or '~/.kube/config')
             if os.path.exists(path)]
    return os.pathsep.join(paths) if paths else None


def _read_kubeconfig(path):
    """The kubeconfig mapping of one file; BackendError naming the file when it cannot be one."""
    try:
        with open(path) as handle:
            config = documents.load_yaml(handle.read())
    except (OSError, IOError) as exc:
        raise BackendError('cannot read the kubeconfig %s: %s' % (path, exc.strerror or exc))
    except documents.DocumentError as exc:
        # Without the snippet of the line PyYAML quotes: a kubeconfig holds keys and tokens.
        raise BackendError('the kubeconfig %s is not valid YAML: %s' % (path, exc))
    except UnicodeDecodeError as exc:
        raise BackendError('the kubeconfig %s is not a text file: %s' % (path, exc))
    if not isinstance(config, dict):
        raise BackendError('the kubeconfig %s is not a kubeconfig: it holds %s, not a mapping with clusters, '
                           'contexts and users' % (path, 'nothing' if config is None else type(config).__name__))
    for section in ('clusters', 'contexts', 'users'):
        if not isinstance(config.get(section) or [], list):
            raise BackendError('the kubeconfig %s is not a kubeconfig: %s must be a list' % (path, section))
    return config


def _merged_context(configs):
    """current-context the way kubectl merges a KUBECONFIG list: the first file that sets it wins."""
    for config in configs:
        if config.get('current-context'):
            return config['current-context']
    return None


def _load_kubeconfig(configuration, kubeconfig, context):
    """Load a kubeconfig (a dict, a path, or a KUBECONFIG-style list of paths merged like kubectl does)."""
    try:
        if isinstance(kubeconfig, dict):
            k8s_config.load_kube_config_from_dict(kubeconfig, context=context, client_configuration=configuration,
                                                  persist_config=False)
            return
        paths = kubeconfig_paths(kubeconfig)
        missing = [path for path in paths if not os.path.exists(path)]
        if not paths or len(missing) == len(paths):
            raise BackendError('kubeconfig %s does not exist' % (', '.join(missing) or repr(kubeconfig)))
        configs = [_read_kubeconfig(path) for path in paths if path not in missing]
        # The kubernetes client merges a path list first-wins for clusters, users and contexts but
        # last-wins for current-context; kubectl is first-wins for all of them.
        k8s_config.load_kube_config(config_file=os.pathsep.join(p for p in paths if p not in missing),
                                    context=context or _merged_context(configs),
                                    client_configuration=configuration, persist_config=False)
    except ConfigException as exc:
        raise BackendError('cannot use the kubeconfig: %s' % exc)
    except (OSError, IOError, TypeError, ValueError, KeyError, AttributeError, yaml.YAMLError) as exc:
        # A structurally broken kubeconfig (a cluster that is not a mapping, a key that is not base64 ...).
        raise BackendError('cannot use the kubeconfig: %s: %s' % (type(exc).__name__, exc))


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


# Options that decide which API server and credentials a client uses.
CONNECTION_OPTIONS = ('kubeconfig', 'context', 'api_host', 'api_key', 'client_cert', 'client_key', 'ca_cert',
                      'validate_certs', 'proxy')
# ApiClients of this process by connection_key: the documents of a task, and the tasks a controller process
# runs in itself (plugins/plugin_utils/in_process.py), share one client and its HTTP connection pool.
_CLIENTS = {}


def _file_state(paths):
    """(path, mtime, size) of each existing file: a kubeconfig rewritten in between gives another key."""
    state = []
    for path in paths:
        try:
            info = os.stat(path)
            state.append((path, info.st_mtime_ns, info.st_size))
        except OSError:
            state.append((path, None, None))
    return tuple(state)


def connection_key(module_or_params, environ=None):
    """What decides the API server and credentials of the options: the options, the kubeconfig files they
    name (or the default ones) with their modification times, and the in-cluster environment."""
    params = _params(module_or_params)
    environ = os.environ if environ is None else environ
    options = []
    for name in CONNECTION_OPTIONS:
        value = params.get(name)
        options.append((name, json.dumps(value, sort_keys=True, default=str) if isinstance(value, dict) else value))
    kubeconfig = params.get('kubeconfig')
    if isinstance(kubeconfig, dict):
        files = ()
    elif kubeconfig:
        files = _file_state(kubeconfig_paths(kubeconfig))
    else:
        files = _file_state(kubeconfig_paths(environ.get('KUBECONFIG') or '~/.kube/config'))
    return (tuple(options), files, environ.get('KUBERNETES_SERVICE_HOST'), environ.get('KUBERNETES_SERVICE_PORT'))


def get_api_client(module_or_params):
    """A kubernetes ApiClient for the module's connection options: the one this process made before for the
    same connection_key, else a new one."""
    require_kubernetes()  # first: it fails clearly without the library
    key = connection_key(module_or_params)
    if key not in _CLIENTS:
        _CLIENTS[key] = k8s_client.ApiClient(build_configuration(module_or_params))
    return _CLIENTS[key]


def credentials_kind(configuration):
    """Which credentials a configuration presents (for error messages)."""
    keys = configuration.api_key or {}
    if keys.get('BearerToken') or keys.get('authorization'):
        return 'a bearer token'
    if configuration.cert_file:
        return 'the client certificate %s' % configuration.cert_file
    return 'no credentials'
