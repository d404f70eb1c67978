# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where a system site lives: data home, namespace home and its sub-directories (Skupper's layout; see
docs/architecture.md, "Resource documents on Linux")."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.appnet.skupper.plugins.module_utils.platforms import DEFAULT_NAMESPACE

ROOT_DATA_HOME = '/var/lib/skupper'
# Files and folders of a namespace home, relative to it (a render's plan names its files by such paths).
ROUTER_CONFIG = 'runtime/router/skrouterd.json'
RUNTIME_RESOURCES = 'runtime/resources'


def data_home(override=None, uid=None, env=None):
    """The Skupper data home: /var/lib/skupper for root, else $XDG_DATA_HOME/skupper or ~/.local/share/skupper."""
    if override:
        return os.path.abspath(os.path.expanduser(override))
    env = os.environ if env is None else env
    uid = os.getuid() if uid is None else uid
    if uid == 0:
        return ROOT_DATA_HOME
    xdg = env.get('XDG_DATA_HOME')
    if xdg:
        return os.path.join(xdg, 'skupper')
    return os.path.join(env.get('HOME') or os.path.expanduser('~'), '.local', 'share', 'skupper')


def namespaces_dir(data_home=None):  # pylint: disable=redefined-outer-name
    """<data home>/namespaces."""
    return os.path.join(data_home or _default_data_home(), 'namespaces')


def namespace_home(namespace, data_home=None):  # pylint: disable=redefined-outer-name
    """<data home>/namespaces/<namespace>; an empty namespace means 'default'."""
    return os.path.join(namespaces_dir(data_home), namespace or DEFAULT_NAMESPACE)


def _default_data_home():
    return data_home()


def input_resources_dir(home):
    return os.path.join(home, 'input', 'resources')


def runtime_dir(home, *parts):
    return os.path.join(home, 'runtime', *parts)


def internal_dir(home, *parts):
    return os.path.join(home, 'internal', *parts)


def runtime_resources_dir(home):
    """The resources of the last render, with their statuses."""
    return os.path.join(home, RUNTIME_RESOURCES)


def router_config_path(home):
    return os.path.join(home, ROUTER_CONFIG)
