# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argument specs shared by the modules, one per concern.

Each mirrors a doc fragment one to one: COMMON -> appnet.skupper.common, K8S_AUTH ->
appnet.skupper.k8s_auth, WAIT -> appnet.skupper.wait, CONTAINER -> appnet.skupper.container.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import env_fallback

from ansible_collections.appnet.skupper.plugins.module_utils import platforms

TARGET = {
    'namespace': {'type': 'str', 'default': platforms.DEFAULT_NAMESPACE},
    'platform': {'type': 'str', 'default': platforms.DEFAULT, 'choices': list(platforms.NAMES),
                 'fallback': (env_fallback, ['SKUPPER_PLATFORM'])},
    'data_home': {'type': 'path'},
}

# appnet.skupper.system and appnet.skupper.static_link act on Linux, Podman and Docker sites only: their platform has
# no default (TARGET's, kubernetes, is the one value they refuse), only the environment's SKUPPER_PLATFORM.
SYSTEM_TARGET = dict(TARGET, platform=dict((key, value) for key, value in TARGET['platform'].items()
                                           if key != 'default'))
SYSTEM_PLATFORM_MISSING = ('platform is not set: set platform: linux, podman or docker (or SKUPPER_PLATFORM in the '
                           'environment); nothing was read or changed')


def system_platform_problem(platform, on_kubernetes):
    """Why a module of Linux, Podman and Docker sites cannot run on platform (None: not set), or None;
    on_kubernetes: what it says to a Kubernetes task."""
    if platform is None:
        return SYSTEM_PLATFORM_MISSING
    return None if platforms.is_system(platform) else on_kubernetes


COMMON = dict(TARGET, **{
    'name': {'type': 'str', 'required': True},
    'state': {'type': 'str', 'default': 'present', 'choices': ['present', 'absent']},
    'labels': {'type': 'dict'},
    'annotations': {'type': 'dict'},
})

K8S_AUTH = {
    'kubeconfig': {'type': 'raw', 'fallback': (env_fallback, ['K8S_AUTH_KUBECONFIG'])},
    'context': {'type': 'str', 'fallback': (env_fallback, ['K8S_AUTH_CONTEXT'])},
    'api_host': {'type': 'str', 'fallback': (env_fallback, ['K8S_AUTH_HOST'])},
    'api_key': {'type': 'str', 'no_log': True, 'fallback': (env_fallback, ['K8S_AUTH_API_KEY'])},
    'client_cert': {'type': 'path', 'aliases': ['cert_file'], 'fallback': (env_fallback, ['K8S_AUTH_CERT_FILE'])},
    'client_key': {'type': 'path', 'aliases': ['key_file'], 'no_log': False,
                   'fallback': (env_fallback, ['K8S_AUTH_KEY_FILE'])},
    'ca_cert': {'type': 'path', 'aliases': ['ssl_ca_cert'], 'fallback': (env_fallback, ['K8S_AUTH_SSL_CA_CERT'])},
    'validate_certs': {'type': 'bool', 'aliases': ['verify_ssl'], 'fallback': (env_fallback, ['K8S_AUTH_VERIFY_SSL'])},
    'proxy': {'type': 'str', 'fallback': (env_fallback, ['K8S_AUTH_PROXY'])},
}

WAIT = {
    'wait': {'type': 'bool', 'default': False},
    'wait_timeout': {'type': 'int', 'default': 120},
    'wait_sleep': {'type': 'int', 'default': 2},
}

# How podman and docker run the router container (appnet.skupper.system).
CONTAINER = {
    'router_image': {'type': 'str', 'default': 'quay.io/skupper/skupper-router:3.3.0'},
    'pull': {'type': 'str', 'default': 'missing', 'choices': ['missing', 'always', 'never']},
    'container_run_options': {'type': 'dict', 'options': {
        'runtime': {'type': 'str'},
        'ulimits': {'type': 'list', 'elements': 'str'},
        'args': {'type': 'list', 'elements': 'str'},
    }},
}

# force: server-side apply takes back fields another field manager changed (desired state wins); false keeps
# the strict conflict error.
APPLY = {
    'force': {'type': 'bool', 'default': True},
}


def merge(*specs):
    """One argument_spec from several; a later spec wins on a name clash."""
    result = {}
    for spec in specs:
        result.update(spec)
    return result
