# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs the support_bundle module (a Kubernetes task on the controller in the controller's process,
plugins/plugin_utils/in_process.py) and, with dest, fetches its archive to the controller and removes it from the
managed host.

The archive is read with ansible.builtin.slurp, so a task with become reads what the module wrote as that user."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import os
import tempfile

from ansible_collections.appnet.skupper.plugins.plugin_utils.sensitive_result import KubernetesAction

LOCAL_MODE = 0o600


def local_name(host, file_name):
    """The archive's name in dest: the inventory host first, so that the bundles of many hosts sit side by side."""
    return '%s-%s' % (host, file_name)


def write_local(path, data):
    """Write data to path through a temporary file in the same folder, mode 0600."""
    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), prefix='.%s.' % os.path.basename(path))
    try:
        with os.fdopen(handle, 'wb') as out:
            out.write(data)
        os.chmod(temporary, LOCAL_MODE)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


class ActionModule(KubernetesAction):

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        dest = self._task.args.get('dest')
        if result.get('failed') or not dest:
            return result
        dest = os.path.abspath(os.path.expanduser(str(dest)))
        host = task_vars.get('inventory_hostname') or 'host'
        target = os.path.join(dest, local_name(host, result['file_name']))
        if self._task.check_mode:
            result.update(archive=None, msg='check mode: %s would be written' % target)
            return result
        remote = result['archive']
        fetched = self._execute_module(module_name='ansible.builtin.slurp', module_args={'src': remote},
                                       task_vars=task_vars)
        if fetched.get('failed'):
            result.update(failed=True, msg='the bundle was written on the managed host at %s but could not be read '
                                           'back: %s' % (remote, fetched.get('msg')))
            return result
        try:
            os.makedirs(dest, exist_ok=True)
            write_local(target, base64.b64decode(fetched['content']))
        except OSError as exc:
            result.update(failed=True, msg='cannot write %s on the controller: %s (the bundle stays on the managed '
                                           'host at %s)' % (target, exc, remote))
            return result
        removed = self._execute_module(module_name='ansible.builtin.file',
                                       module_args={'path': os.path.dirname(remote), 'state': 'absent'},
                                       task_vars=task_vars)
        if removed.get('failed'):
            result.setdefault('warnings', []).append('the copy on the managed host was not removed: %s (%s)'
                                                     % (remote, removed.get('msg')))
        result.update(changed=True, archive=target, remote_archive=remote, msg='support bundle: %s' % target)
        return result
