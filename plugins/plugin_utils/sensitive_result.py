# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An action that runs its module and censors the displayed result when it returns a secret.

A module cannot mark its own result no_log; an action can (`_ansible_no_log`), and Ansible then shows
and logs the censored result while the registered variable keeps the real one.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.plugins.action import ActionBase


class SensitiveResultAction(ActionBase):
    """Subclasses name the result keys that carry secrets."""

    SENSITIVE_KEYS = ()
    _supports_check_mode = True
    _supports_async = True

    def run(self, tmp=None, task_vars=None):
        result = super(SensitiveResultAction, self).run(tmp, task_vars)
        wrap_async = self._task.async_val and not self._connection.has_native_async
        result.update(self._execute_module(task_vars=task_vars, wrap_async=wrap_async))
        if any(result.get(key) for key in self.SENSITIVE_KEYS):
            result['_ansible_no_log'] = True
        return result
