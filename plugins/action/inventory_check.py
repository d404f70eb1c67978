# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks the inventory of a whole network on the controller, from the variables of every host of the play.

Runs no module on any host: it reads hostvars, so it can run once (run_once) before anything is written.
The rules are in module_utils/inventory_check.py; the known variables and their defaults come from the
argument specs of the collection's roles.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import os

import yaml

from ansible.errors import AnsibleError
from ansible.plugins.action import ActionBase

from ansible_collections.appnet.skupper.plugins.module_utils.inventory_check import (
    SITE_VARIABLES, check_inventory, failure_message)

# Variables of the playbooks (not of a role).
PLAYBOOK_VARIABLES = {'skupper_hosts': 'all'}
ROLES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), 'roles')


def known_variables(roles=ROLES):
    """{variable: default} of every option of every role of the collection."""
    known = dict(PLAYBOOK_VARIABLES)
    for path in sorted(glob.glob(os.path.join(roles, '*', 'meta', 'argument_specs.yml'))):
        with open(path) as handle:
            specs = yaml.safe_load(handle) or {}
        for spec in (specs.get('argument_specs') or {}).values():
            for name, option in (spec.get('options') or {}).items():
                known.setdefault(name, (option or {}).get('default'))
    return known


class ActionModule(ActionBase):
    _supports_check_mode = True
    _VALID_ARGS = frozenset(('hosts',))
    TRANSFERS_FILES = False

    def _host_vars(self, hostvars, host, report):
        """The variables of a host the checks read, templated; a variable that cannot be templated is a problem."""
        values = {}
        host_vars = hostvars[host]
        for name in SITE_VARIABLES:
            if name not in host_vars:
                continue
            try:
                values[name] = host_vars[name]
            except AnsibleError as exc:
                report.append('host %s: %s: cannot be templated: %s' % (host, name, exc.message.splitlines()[0]))
        return values

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        task_vars = task_vars or {}
        hostvars = task_vars['hostvars']
        inventory_hosts = list(task_vars.get('groups', {}).get('all', []))
        play_hosts = self._task.args.get('hosts') or task_vars.get('ansible_play_hosts_all') or []
        limited = bool(task_vars.get('ansible_limit'))
        known = known_variables()
        template_problems = []
        site_vars = dict((host, self._host_vars(hostvars, host, template_problems)) for host in play_hosts)
        # The sites the play links to are checked too (a link to a site outside --limit reads its variables).
        for host in list(site_vars):
            links = site_vars[host].get('skupper_links')
            for link in links if isinstance(links, list) else []:
                target = link.get('to') if isinstance(link, dict) else None
                if isinstance(target, str) and target in inventory_hosts and target not in site_vars:
                    site_vars[target] = self._host_vars(hostvars, target, template_problems)
        connector_vars = dict(site_vars)
        for host in inventory_hosts:
            if host not in connector_vars and 'skupper_connectors' in hostvars[host]:
                connector_vars[host] = self._host_vars(hostvars, host, template_problems)
        names = dict((host, list(hostvars[host])) for host in play_hosts)
        problems, warnings = check_inventory(site_vars, inventory_hosts, play_hosts, known=known,
                                             variable_names=names, limited=limited, connector_vars=connector_vars)
        problems = template_problems + problems
        # Ansible shows `warnings` and drops them from the result: the registered result keeps them as inventory_warnings.
        result.update(changed=False, problems=problems, warnings=warnings, inventory_warnings=warnings,
                      sites=sorted(site_vars))
        if problems:
            result.update(failed=True, msg=failure_message(problems))
        else:
            result['msg'] = 'The inventory of %d site%s is consistent' % (len(site_vars), '' if len(site_vars) == 1 else 's')
        return result
