# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks of the options that are not resource fields (the model checks those): names, seconds, ports and hosts
a module reads before it looks at the site, the host or the cluster. SkupperModule runs them on every option of
its argument spec that has one, so a wrong option is reported as such, whatever else is wrong.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.appnet.skupper.plugins.module_utils.model import values


def _at_least(minimum, unit='seconds'):
    def check(value):
        if value is not None and value < minimum:
            return 'must be at least %d %s' % (minimum, unit) if unit else 'must be at least %d' % minimum
        return None
    return check


def _subject(value):
    if not value or '/' in value or value.startswith('.'):
        return 'must be a non-empty name without "/" that does not start with "."'
    return None


def _optional(check):
    return lambda value: None if value is None else check(value)


def _names(value):
    for item in value or []:
        problem = values.check_name(item)
        if problem:
            return '%r %s' % (item, problem)
    return None


def _status(value):
    return None if 100 <= value <= 599 else 'must be an HTTP status code (100 to 599)'


def _path(value):
    return None if value.startswith('/') else 'must start with "/"'


TRAFFIC = {'port': values.check_port, 'host': values.check_host, 'status': _status, 'http_path': _optional(_path),
           'name': _optional(values.check_name)}


def _traffic(value):
    problems = []
    for index, entry in enumerate(value or []):
        for key, check in sorted(TRAFFIC.items()):
            problem = check(entry.get(key)) if key in entry else None
            if problem:
                problems.append('traffic[%d].%s: %r %s' % (index, key, entry.get(key), problem))
    return problems


# {option: check(value) -> problem text or None}; a list-valued check returns a list of whole messages.
CHECKS = {
    'namespace': values.check_name,
    'wait_timeout': _at_least(0),
    'wait_sleep': _at_least(1),
    'timeout': _at_least(1),
    'ready_timeout': _at_least(1),
    'url_timeout': _at_least(1),
    'subject': _subject,
    'cost': _at_least(1, ''),
    'expected_links': _names,
    'name': _optional(values.check_name),
    'host': _optional(values.check_host),
}
LIST_CHECKS = {'traffic': _traffic}


def problems(params, names):
    """Problems of the options `names` (those without a check are skipped), each naming the option and value."""
    found = []
    for name in names:
        if name in LIST_CHECKS:
            found.extend(LIST_CHECKS[name](params.get(name)))
        elif name in CHECKS and params.get(name) is not None:
            problem = CHECKS[name](params[name])
            if problem:
                found.append('%s: %r %s' % (name, params[name], problem))
    return found
