# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs the static_link module and hides its output: the returned definition carries a private key. A
Kubernetes task on the controller runs it in the controller's process (plugins/plugin_utils/in_process.py).

The registered result keeps the definition; only what Ansible shows (and logs) is censored, as with no_log.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.appnet.skupper.plugins.plugin_utils.sensitive_result import KubernetesAction


class ActionModule(KubernetesAction):
    SENSITIVE_KEYS = ('definition',)
