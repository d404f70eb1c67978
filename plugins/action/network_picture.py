# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Draws the network from the network_info results of its sites, on the controller, into a report folder.

Writes network.mmd (Mermaid) and network.dot (Graphviz), and network.svg with Graphviz `dot` when the controller
has it. The drawing is in module_utils/topology.py.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import subprocess
import tempfile

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.appnet.skupper.plugins.module_utils.topology import build_graph, to_dot, to_mermaid

DEFAULT_RESULT_VARIABLE = 'skupper_verify_info'


def default_report_dir():
    return os.path.join(tempfile.gettempdir(), 'appnet-skupper-report')


def _read(path):
    try:
        with open(path, 'rb') as handle:
            return handle.read()
    except OSError:
        return None


def _write_atomic(path, data):
    directory = os.path.dirname(path)
    handle, temporary = tempfile.mkstemp(dir=directory, prefix='.%s.' % os.path.basename(path))
    try:
        with os.fdopen(handle, 'wb') as out:
            out.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def render_svg(dot_text, dot='dot'):
    """(svg bytes, None), or (None, why not)."""
    binary = shutil.which(dot)
    if binary is None:
        return None, 'Graphviz dot is not installed (Debian: apt-get install graphviz): only the Mermaid text is written'
    result = subprocess.run([binary, '-Tsvg'], input=dot_text.encode('utf-8'), capture_output=True, check=False)
    if result.returncode != 0:
        return None, 'dot failed: %s' % result.stderr.decode('utf-8', 'replace').strip()
    return result.stdout, None


class ActionModule(ActionBase):
    _supports_check_mode = True
    _VALID_ARGS = frozenset(('infos', 'dest', 'title', 'result_variable'))
    TRANSFERS_FILES = False

    def _infos(self, task_vars, variable):
        hostvars = task_vars['hostvars']
        infos = {}
        for host in task_vars.get('ansible_play_hosts_all') or []:
            if variable not in hostvars[host]:
                continue
            result = hostvars[host][variable]
            if isinstance(result, dict) and isinstance(result.get('site'), dict):
                infos[host] = result
        return infos

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        task_vars = task_vars or {}
        args = self._task.args
        infos = args.get('infos')
        if infos is None:
            infos = self._infos(task_vars, args.get('result_variable') or DEFAULT_RESULT_VARIABLE)
        if not isinstance(infos, dict):
            raise AnsibleActionFail('infos: expected a mapping of inventory host to network_info result')
        dest = os.path.abspath(os.path.expanduser(args.get('dest') or default_report_dir()))
        graph = build_graph(infos)
        title = args.get('title') or 'Skupper network'
        dot_text = to_dot(graph, title)
        files = {'network.mmd': to_mermaid(graph, title).encode('utf-8'), 'network.dot': dot_text.encode('utf-8')}
        svg, why_not = render_svg(dot_text)
        if svg is not None:
            files['network.svg'] = svg
        changed = [name for name in sorted(files) if _read(os.path.join(dest, name)) != files[name]]
        if changed and not self._task.check_mode:
            os.makedirs(dest, exist_ok=True)
            for name in changed:
                _write_atomic(os.path.join(dest, name), files[name])
        paths = dict((name.split('.')[1], os.path.join(dest, name)) for name in files)
        not_ready = sorted(n['label'][0] for n in graph.nodes.values() if not n['ready'] and n['kind'] != 'key')
        red_edges = [' '.join(e['label'][:1]) for e in graph.edges if not e['ready']]
        result.update(changed=bool(changed), dest=dest, mermaid=paths['mmd'], dot=paths['dot'],
                      svg=paths.get('svg'), sites=sorted(infos), changed_files=changed,
                      network_sites=sorted(n['label'][0] for n in graph.nodes.values() if n['kind'] == 'site'),
                      not_ready=not_ready + red_edges)
        where = paths.get('svg') or paths['mmd']
        result['msg'] = 'Picture of %d site%s%s: %s' % (len(infos), '' if len(infos) == 1 else 's',
                                                        ' (check mode: not written)' if self._task.check_mode and changed
                                                        else '', where)
        if why_not:
            result['warnings'] = [why_not]
        return result
