# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An action that runs its module and censors the displayed result when it returns a secret.

A module cannot mark its own result no_log; an action can (`_ansible_no_log`), and Ansible then shows
and logs the censored result while the registered variable keeps the real one.

KubernetesAction: the same, and a Kubernetes task on the controller runs its module in the controller's
process (plugin_utils/in_process.py).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.plugins.action import ActionBase

from ansible_collections.appnet.skupper.plugins.plugin_utils import in_process


class SensitiveResultAction(ActionBase):
    """Subclasses name the result keys that carry secrets."""

    SENSITIVE_KEYS = ()
    # Whether a task on the controller (local connection, platform kubernetes) runs its module in this process.
    IN_PROCESS = False
    _supports_check_mode = True
    _supports_async = True

    def run(self, tmp=None, task_vars=None):
        result = super(SensitiveResultAction, self).run(tmp, task_vars)
        task_vars = task_vars or {}
        environment = {}
        self._compute_environment_string(environment)
        reason = in_process.why_not(self, task_vars, environment) if self.IN_PROCESS else 'not a Kubernetes module'
        if reason is None:
            result.update(in_process.run_module(self, task_vars, environment))
        else:
            if self.IN_PROCESS:
                in_process.say_shipped(self, reason)
            wrap_async = self._task.async_val and not self._connection.has_native_async
            result.update(self._execute_module(task_vars=task_vars, wrap_async=wrap_async))
        if any(result.get(key) for key in self.SENSITIVE_KEYS):
            result['_ansible_no_log'] = True
        return result


class KubernetesAction(SensitiveResultAction):
    """The action of a module that applies resources on Kubernetes (and on Linux, Podman and Docker)."""

    IN_PROCESS = True
