"""Test fault injector (callback): cuts one host off at a chosen point of a playbook run.

When the task named APPNET_TEST_CUT_TASK has ended well (ok or changed) on the inventory host APPNET_TEST_CUT_HOST,
the command APPNET_TEST_CUT_COMMAND (a JSON list: argv) runs once, in the controller, before any later task starts:
with the linear strategy the results of a task are read, and these callbacks called, before the next task is queued.
The cut happens between two tasks of that host, as a host that drops out of the network would. APPNET_TEST_CUT_RECORD
names a file that gets the task, the host and the command's exit status (the test checks the cut happened).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import subprocess

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = '''
name: host_cut
type: aggregate
short_description: cut a host off after a chosen task (test fault injector of appnet.skupper)
description: [Runs a command once when a chosen task has ended well on a chosen host.]
'''


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'host_cut'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super(CallbackModule, self).__init__()
        self.task = os.environ.get('APPNET_TEST_CUT_TASK')
        self.host = os.environ.get('APPNET_TEST_CUT_HOST')
        self.command = json.loads(os.environ.get('APPNET_TEST_CUT_COMMAND') or 'null')
        self.record = os.environ.get('APPNET_TEST_CUT_RECORD')
        self.done = False

    def v2_runner_on_ok(self, result, **kwargs):
        if self.done or not self.command or result._host.get_name() != self.host \
                or result._task.name != self.task:
            return
        self.done = True
        cut = subprocess.run(self.command, capture_output=True, text=True, check=False)
        if self.record:
            with open(self.record, 'w') as handle:
                json.dump({'task': self.task, 'host': self.host, 'command': self.command, 'rc': cut.returncode,
                           'stderr': cut.stderr}, handle)
