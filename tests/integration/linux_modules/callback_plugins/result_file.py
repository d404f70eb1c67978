"""Test callback: writes every task result of the run as JSON to $RESULT_FILE (the json callback of
ansible.posix is not part of ansible-core)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = '''
name: result_file
type: aggregate
short_description: write task results to $RESULT_FILE
description: [Test helper of appnet.skupper.]
'''


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'result_file'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super(CallbackModule, self).__init__()
        self.results = []

    def _add(self, result, outcome):
        data = dict(result._result)
        data.pop('invocation', None)
        self.results.append({'task': result._task.get_name(), 'host': result._host.get_name(), 'outcome': outcome,
                             'result': data})

    def v2_runner_on_ok(self, result, **kwargs):
        self._add(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False, **kwargs):
        self._add(result, 'failed')

    def v2_runner_on_skipped(self, result, **kwargs):
        self._add(result, 'skipped')

    def v2_playbook_on_stats(self, stats):
        with open(os.environ['RESULT_FILE'], 'w') as handle:
            json.dump(self.results, handle, default=str)
