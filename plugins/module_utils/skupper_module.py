# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AnsibleModule every module of the collection uses: clear messages for bad options, and an invocation
record (what AnsibleModule writes to syslog or the journal when a module starts) that never holds a secret.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible.module_utils import basic

from ansible_collections.appnet.skupper.plugins.module_utils.model.argspec import option_problems

# Names of options that may hold a secret: an unknown option with such a name is hidden like a no_log one.
_SECRET_NAME = re.compile(r'(key|code|pass|token|secret|cred|cert)', re.I)


def _raw_params():
    """The module parameters as Ansible hands them over (basic._load_params reads them once and caches them)."""
    params = basic._load_params()  # pylint: disable=protected-access
    return params if isinstance(params, dict) else {}


class SkupperModule(basic.AnsibleModule):
    """AnsibleModule with the collection's input rules.

    - A misspelt option is reported as unsupported, and a list of mappings given a string names the option
      and the value, before Ansible's own checks (which report the first problem in their own order).
    - quiet: options whose values are never written to the invocation record, whatever the task's no_log
      (a resource definition may carry a Secret's private key; its values are only known once it is read).
    """

    def __init__(self, argument_spec, quiet=(), **kwargs):
        self._quiet = tuple(quiet)
        problems = option_problems(argument_spec, _raw_params())
        if problems:
            given = _raw_params()
            lenient = dict((name, {'type': 'raw', 'no_log': bool(arg.get('no_log'))})
                           for name, arg in argument_spec.items())
            for name in given:
                if name not in lenient and not str(name).startswith('_ansible_'):
                    lenient[name] = {'type': 'raw', 'no_log': bool(_SECRET_NAME.search(str(name)))}
            for name in self._quiet:
                lenient.setdefault(name, {'type': 'raw'})['no_log'] = True
            super(SkupperModule, self).__init__(argument_spec=lenient, supports_check_mode=True)
            self.fail_json(msg='; '.join(problems), errors=problems, changed=False)
        super(SkupperModule, self).__init__(argument_spec=argument_spec, **kwargs)

    def _log_invocation(self):
        """The invocation record with the quiet options replaced by NOT_LOGGING_PARAMETER."""
        saved = {}
        for name in self._quiet:
            if name in self.argument_spec:
                saved[name] = self.argument_spec[name]
                self.argument_spec[name] = dict(saved[name], no_log=True)
        try:
            super(SkupperModule, self)._log_invocation()
        finally:
            self.argument_spec.update(saved)
