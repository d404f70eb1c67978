# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Kubernetes tasks that run on the controller run their module inside the controller's process.

A task whose connection is local (localhost, or delegated to it), without become and without async, and whose
platform is kubernetes, needs nothing of the managed host: its module only talks to the API server. Shipping it
costs more than the work (building the payload, starting a Python, importing the kubernetes client, a new
connection for every task). Here the same module runs in the task's worker process instead: the same module
code (the modules' main(), the same module_utils, the same AnsibleModule argument validation, no_log masking,
check mode, diff, warnings and deprecations), given its arguments the way AnsiballZ gives them, with the task's
`environment:` in os.environ while it runs (the K8S_AUTH_* fallbacks, KUBECONFIG), its output parsed as
Ansible parses a module's.

Ansible loads each task's action plugin class in its strategy process before it forks the task's worker; this
file imports the kubernetes client and the collection's Kubernetes code then, so every worker starts with them
loaded. The task's Python (ansible_python_interpreter, or the interpreter_python setting) must be the
controller's: implicit localhost has it, and `ansible_python_interpreter: "{{ ansible_playbook_python }}"` gives
it. It is recognised by file, not by spelling (other_python): the same interpreter file in the same Python
environment, so a virtualenv's bin/python and bin/python3 are the controller's Python, but the system Python
that the virtualenv's python links to is not (it does not see the virtualenv's packages). Everything else
(platform linux, podman or docker: the managed host's files; become; async; a remote connection; another
Python, whose kubernetes library may differ) runs the module as always, and says why with -v. The variable
`appnet_skupper_in_process: false` (default: the APPNET_SKUPPER_IN_PROCESS environment variable, else true)
makes every task run its module.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import io
import json
import os
import sys

from ansible import constants as C
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.utils.display import Display

from ansible_collections.appnet.skupper.plugins.module_utils import platforms

try:
    from ansible.module_utils import basic
    from ansible.module_utils._internal._ansiballz import _loader
    from ansible.module_utils.common.json import Direction, get_module_encoder
    from ansible.vars.clean import remove_internal_keys
    HAS_LOADER = True
except ImportError:  # another ansible-core than 2.19: the module runs as a module
    HAS_LOADER = False

try:
    # Loaded in the strategy process, before the workers fork (see above).
    import kubernetes.client  # noqa: F401 pylint: disable=unused-import
    from ansible_collections.appnet.skupper.plugins.module_utils import runner  # noqa: F401 pylint: disable=unused-import
    from ansible_collections.appnet.skupper.plugins.module_utils.k8s import backend  # noqa: F401 pylint: disable=unused-import
    HAS_KUBERNETES = True
except ImportError:  # no kubernetes client on the controller: the module reports it, wherever it runs
    HAS_KUBERNETES = False

display = Display()

VARIABLE = 'appnet_skupper_in_process'
ENVIRONMENT = 'APPNET_SKUPPER_IN_PROCESS'
# The serialization profile of modules that declare no metadata (all of this collection's).
PROFILE = 'legacy'


def module_fqn(resolved_action):
    """The Python name of a collection module: appnet.skupper.site -> ansible_collections.appnet.skupper...."""
    namespace, collection, name = resolved_action.split('.', 2)
    return 'ansible_collections.%s.%s.plugins.modules.%s' % (namespace, collection, name)


def python_environment(executable):
    """The pyvenv.cfg of the virtual environment a Python started by this path runs in, or None outside one.

    As Python itself looks for it: beside the folder of the path as given (a link to the interpreter is not
    followed), or in the folder above it.
    """
    folder = os.path.dirname(os.path.abspath(executable))
    for candidate in (folder, os.path.dirname(folder)):
        config = os.path.join(candidate, 'pyvenv.cfg')
        if os.path.isfile(config):
            return config
    return None


def other_python(interpreter, executable):
    """Why the interpreter path does not start the Python that the executable path starts (a short text), or
    None when it does: the same interpreter file (through any links) in the same environment (the same
    virtualenv, or none)."""
    if not interpreter or not executable:
        return 'not set'
    if not os.path.isabs(interpreter):
        return 'not an absolute path'
    try:
        if not os.path.samefile(interpreter, executable):
            return 'another interpreter'
    except OSError:
        return 'no such file'
    theirs, mine = python_environment(interpreter), python_environment(executable)
    if theirs is None and mine is None:
        return None
    try:
        if theirs and mine and os.path.samefile(theirs, mine):
            return None
    except OSError:
        pass
    return 'another Python environment (%s, not %s)' % tuple(
        os.path.dirname(config) if config else 'no virtualenv' for config in (theirs, mine))


def why_not(action, task_vars, environment):
    """Why the task must run its module (a short text), or None when it can run in this process."""
    wanted = task_vars.get(VARIABLE, os.environ.get(ENVIRONMENT, 'true'))
    if not boolean(wanted, strict=False):
        return '%s is false' % VARIABLE
    if not (HAS_LOADER and HAS_KUBERNETES):
        return 'the controller has no kubernetes client (or another ansible-core)'
    if action._task.async_val:
        return 'async'
    if getattr(action._connection, 'transport', None) != 'local':
        return 'the connection is %s, not local' % getattr(action._connection, 'transport', None)
    if action._play_context.become:
        return 'become'
    interpreter = task_vars.get('ansible_python_interpreter') or C.config.get_config_value(
        'INTERPRETER_PYTHON', variables=task_vars)
    interpreter = str(action._templar.template(interpreter)) if interpreter else ''
    difference = other_python(interpreter, sys.executable)
    if difference:
        # Another Python (or one Ansible would discover) could have another kubernetes library, or none.
        return 'the task\'s Python %s is not the controller\'s %s: %s' % (
            interpreter or '(not set)', sys.executable, difference)
    platform = action._task.args.get('platform') or environment.get('SKUPPER_PLATFORM') \
        or os.environ.get('SKUPPER_PLATFORM') or platforms.DEFAULT
    if platform not in platforms.KUBERNETES:
        return 'platform %s acts on the managed host' % platform
    return None


def say_shipped(action, reason):
    """One line with -v: the task's module is shipped, and why it does not run in this process."""
    display.v('appnet.skupper: %s ships its module (not run in the controller process): %s'
              % (action._task.resolved_action or action._task.action, reason), host=action._play_context.remote_addr)


@contextlib.contextmanager
def task_environment(environment):
    """os.environ as the module would see it on a local connection: this process's plus the task's."""
    saved = dict(os.environ)
    try:
        os.environ.update((str(key), str(value)) for key, value in environment.items())
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_module(action, task_vars, environment):
    """The module's result, run in this process the way AnsiballZ runs it on a host."""
    module_name = action._task.resolved_action or action._task.action
    module_args = dict(action._task.args)
    action._update_module_args(module_name, module_args, task_vars)
    encoder = get_module_encoder(PROFILE, Direction.CONTROLLER_TO_MODULE)
    params = json.dumps({'ANSIBLE_MODULE_ARGS': module_args}, cls=encoder).encode()
    output = io.StringIO()
    rc = 0
    display.vvv('appnet.skupper: running %s in the controller process (no module shipped)' % module_name,
                host=action._play_context.remote_addr)
    with task_environment(environment), contextlib.redirect_stdout(output):
        try:
            _loader.run_module(json_params=params, profile=PROFILE, module_fqn=module_fqn(module_name),
                               modlib_path='', extensions={})
        except SystemExit as exc:
            rc = exc.code if isinstance(exc.code, int) else 1
        finally:
            basic._ANSIBLE_ARGS = None
    data = action._parse_returned_data({'rc': rc, 'stdout': output.getvalue(), 'stderr': ''}, PROFILE)
    data.pop('_ansible_suppress_tmpdir_delete', None)
    remove_internal_keys(data)
    return data
