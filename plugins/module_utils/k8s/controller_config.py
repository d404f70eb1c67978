# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Skupper controller's configuration: its access types and its grant server (reference:
skupper-docs/topics/controller-configuration.md).

The controller reads each option from a command-line flag, else from an environment variable, else its default (a
flag wins over the variable). appnet.skupper.manifest's controller_config sets the options given as environment
variables of the controller container (the Deployment skupper-controller of a release manifest, its container
controller) and drops the manifest's arguments that set the same options (the release manifests pass
-enable-grants and -grant-server-autoconfigure), so the variable is what the controller reads. An option left
unset keeps what the manifest says.

The site and router_access modules on Kubernetes read the controller's Deployment back (enabled_access_types) to
warn about an access type the controller does not enable.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from collections import OrderedDict, namedtuple

DEPLOYMENT = 'skupper-controller'
CONTAINER = 'controller'
# The controller's access types (its securedaccess config) and those it enables when nothing says which.
ACCESS_TYPES = ('local', 'loadbalancer', 'route', 'nodeport', 'ingress-nginx', 'contour-http-proxy', 'gateway')
DEFAULT_ENABLED = ('local', 'loadbalancer', 'route')
# Where a site's controller runs: a namespace-scope controller in the site's namespace, else the cluster-scope
# controller in the namespace its release manifest names.
CLUSTER_NAMESPACE = 'skupper'

Option = namedtuple('Option', 'key env flag type description')

# controller_config key -> the controller's environment variable and flag (its own names), in the order of the
# reference's tables.
OPTIONS = OrderedDict((option.key, option) for option in (
    Option('enabled_access_types', 'SKUPPER_ENABLED_ACCESS_TYPES', 'enabled-access-types', 'list',
           'The access types sites may choose from (the controller enables C(local), C(loadbalancer) and C(route) '
           'when nothing says which).'),
    Option('default_access_type', 'SKUPPER_DEFAULT_ACCESS_TYPE', 'default-access-type', 'str',
           'The access type of a site whose link access is C(default); one of the enabled ones.'),
    Option('cluster_host', 'SKUPPER_CLUSTER_HOST', 'cluster-host', 'str',
           'The host name or IP address through which the cluster is reached; required to enable C(nodeport).'),
    Option('ingress_domain', 'SKUPPER_INGRESS_DOMAIN', 'ingress-domain', 'str',
           'The domain of the host names of Ingress resources (access type C(ingress-nginx)).'),
    Option('http_proxy_domain', 'SKUPPER_HTTP_PROXY_DOMAIN', 'http-proxy-domain', 'str',
           'The domain of the host names of Contour HTTPProxy resources (access type C(contour-http-proxy)).'),
    Option('gateway_class', 'SKUPPER_GATEWAY_CLASS', 'gateway-class', 'str',
           'The class of the Gateway; required to enable C(gateway).'),
    Option('gateway_domain', 'SKUPPER_GATEWAY_DOMAIN', 'gateway-domain', 'str',
           'The domain of the host names of TLSRoute resources (access type C(gateway)).'),
    Option('gateway_port', 'SKUPPER_GATEWAY_PORT', 'gateway-port', 'int',
           'The port the Gateway listens on (the controller\'s default 8443).'),
    Option('enable_grants', 'SKUPPER_ENABLE_GRANTS', 'enable-grants', 'bool',
           'Run the grant server, so that AccessGrants issue tokens.'),
    Option('grant_server_autoconfigure', 'SKUPPER_GRANT_SERVER_AUTOCONFIGURE', 'grant-server-autoconfigure', 'bool',
           'The controller sets up the grant server\'s URL and TLS credentials itself.'),
    Option('grant_server_base_url', 'SKUPPER_GRANT_SERVER_BASE_URL', 'grant-server-base-url', 'str',
           'The base URL through which the grant server is reached (without autoconfigure).'),
    Option('grant_server_port', 'SKUPPER_GRANT_SERVER_PORT', 'grant-server-port', 'int',
           'The port the grant server listens on (the controller\'s default 9090).'),
    Option('grant_server_tls_credentials', 'SKUPPER_GRANT_SERVER_TLS_CREDENTIALS', 'grant-server-tls-credentials',
           'str', 'The Secret of the grant server\'s TLS credentials (the controller\'s default skupper-grant-server).'),
))


class ControllerConfigError(Exception):
    """A controller configuration the controller would refuse, or a manifest it cannot be applied to."""


def given(config):
    """{key: value} of the options of config that are set (None, '' and [] leave the manifest's)."""
    return OrderedDict((key, (config or {}).get(key)) for key in OPTIONS
                       if (config or {}).get(key) not in (None, '', []))


def env_value(option, value):
    if option.type == 'list':
        return ','.join(value)
    if option.type == 'bool':
        return 'true' if value else 'false'
    return str(value)


# -- what a container says -----------------------------------------------------------------------------------

def _flag_of(arg):
    """(flag name, value or None) of a command-line argument (-name, --name, -name=value), or (None, None)."""
    if not isinstance(arg, str) or not arg.startswith('-') or arg in ('-', '--'):
        return None, None
    name = arg.lstrip('-')
    if '=' in name:
        name, value = name.split('=', 1)
        return name, value
    return name, None


def _args_without(args, flags, bool_flags):
    """args without those that set one of flags (a non-boolean flag's value may be the next argument)."""
    kept, skip = [], False
    for arg in args or []:
        if skip:
            skip = False
            continue
        name, value = _flag_of(arg)
        if name in flags:
            skip = value is None and name not in bool_flags
            continue
        kept.append(arg)
    return kept


def container_settings(container):
    """{key: text} of the options a controller container sets (a flag over its variable); a variable whose value
    comes from elsewhere (valueFrom) is None: not known here."""
    found = {}
    by_env = dict((option.env, option) for option in OPTIONS.values())
    by_flag = dict((option.flag, option) for option in OPTIONS.values())
    for item in container.get('env') or []:
        option = by_env.get(item.get('name'))
        if option is not None:
            found[option.key] = item.get('value') if 'valueFrom' not in item else None
    args = list(container.get('args') or [])
    for index, arg in enumerate(args):
        name, value = _flag_of(arg)
        option = by_flag.get(name)
        if option is None:
            continue
        if value is None:
            value = 'true' if option.type == 'bool' else (args[index + 1] if index + 1 < len(args) else None)
        found[option.key] = value
    return found


def enabled_access_types(deployment):
    """The access types the controller of deployment enables, or None when that cannot be told (no controller
    container, a variable whose value comes from a ConfigMap or Secret)."""
    container = controller_container(deployment)
    if container is None:
        return None
    settings = container_settings(container)
    if 'enabled_access_types' not in settings:
        return list(DEFAULT_ENABLED)
    text = settings['enabled_access_types']
    if text is None:
        return None
    return [item.strip() for item in text.split(',') if item.strip()]


def controller_container(deployment):
    """The controller container of a Deployment (named controller, else the only one), or None."""
    containers = (((deployment or {}).get('spec') or {}).get('template') or {}).get('spec', {}).get('containers') or []
    named = [c for c in containers if c.get('name') == CONTAINER]
    if named:
        return named[0]
    return containers[0] if len(containers) == 1 else None


# -- the configuration applied to a manifest -------------------------------------------------------------------

def problems(config, current=None):
    """What the controller would refuse to start with (its own checks), once config is applied over the settings
    current of the manifest's container ({key: text}, container_settings)."""
    settings = dict(current or {})
    settings.update((key, env_value(OPTIONS[key], value)) for key, value in given(config).items())
    enabled = [t for t in (settings.get('enabled_access_types') or ','.join(DEFAULT_ENABLED)).split(',') if t]
    found = []
    unknown = [t for t in enabled if t not in ACCESS_TYPES]
    if unknown:
        found.append('unknown access type(s) %s (known: %s)' % (', '.join(unknown), ', '.join(ACCESS_TYPES)))
    default = settings.get('default_access_type')
    if default and default not in ACCESS_TYPES:
        found.append('unknown default access type %s (known: %s)' % (default, ', '.join(ACCESS_TYPES)))
    elif default and default not in enabled:
        found.append('the default access type %s is not one of the enabled access types (%s)'
                     % (default, ', '.join(enabled)))
    if 'nodeport' in enabled and not settings.get('cluster_host'):
        found.append('the access type nodeport needs cluster_host (the host name or address of the cluster)')
    if 'gateway' in enabled and not settings.get('gateway_class'):
        found.append('the access type gateway needs gateway_class (the class of the Gateway)')
    return found


def is_controller(obj):
    return obj.get('kind') == 'Deployment' and str(obj.get('apiVersion', '')).startswith('apps/') and \
        (obj.get('metadata') or {}).get('name') == DEPLOYMENT


def configure(objects, config):
    """The objects of a manifest with config set on its controller Deployment (a copy; the others as they are).
    ControllerConfigError, before anything is sent, for a manifest without the controller or a configuration the
    controller would refuse."""
    wanted = given(config)
    if not wanted:
        return objects
    deployments = [obj for obj in objects if is_controller(obj)]
    if not deployments:
        raise ControllerConfigError('controller_config is set, but the manifest has no Deployment %s (the Skupper '
                                    'controller of a release manifest); nothing was changed' % DEPLOYMENT)
    configured = []
    for obj in objects:
        if not is_controller(obj):
            configured.append(obj)
            continue
        container = controller_container(obj)
        if container is None:
            raise ControllerConfigError('the Deployment %s of the manifest has no container %s; nothing was changed'
                                        % (DEPLOYMENT, CONTAINER))
        found = problems(wanted, container_settings(container))
        if found:
            raise ControllerConfigError('the Skupper controller would not start with this controller_config: %s; '
                                        'nothing was changed' % '; '.join(found))
        configured.append(_with_settings(obj, container, wanted))
    return configured


def _with_settings(deployment, container, wanted):
    options = [OPTIONS[key] for key in wanted]
    names = set(option.env for option in options)
    env = [item for item in container.get('env') or [] if item.get('name') not in names]
    env += [{'name': option.env, 'value': env_value(option, wanted[option.key])} for option in options]
    changed = dict(container, env=env)
    if 'args' in container:
        changed['args'] = _args_without(container['args'], set(o.flag for o in options),
                                        set(o.flag for o in options if o.type == 'bool'))
    spec = dict(deployment['spec'])
    template = dict(spec['template'])
    pod = dict(template['spec'])
    pod['containers'] = [changed if c is container else c for c in pod['containers']]
    template['spec'] = pod
    spec['template'] = template
    return dict(deployment, spec=spec)


# -- the site's controller, read back (the site and router_access modules) -------------------------------------

def access_type_warning(read_deployment, namespace, access_type, what):
    """The warning for a site whose access_type (what: the option that names it) its controller does not enable,
    or None (enabled, or the controller's Deployment cannot be read: none in the site's namespace nor in the
    cluster-scope namespace, no permission to read it, or its setting comes from a ConfigMap or Secret).
    read_deployment(namespace, name) returns the Deployment or None."""
    if not access_type or access_type in ('none', 'default'):
        return None
    for place in (namespace, CLUSTER_NAMESPACE):
        deployment = read_deployment(place, DEPLOYMENT)
        if deployment is None:
            continue
        enabled = enabled_access_types(deployment)
        if enabled is None or access_type in enabled:
            return None
        return ('%s %s is not enabled by the Skupper controller (Deployment %s in namespace %s enables %s): the '
                'controller will not expose the site this way; enable it with the controller role\'s '
                'skupper_controller_enabled_access_types' % (what, access_type, DEPLOYMENT, place,
                                                             ', '.join(enabled) or 'none'))
    return None
