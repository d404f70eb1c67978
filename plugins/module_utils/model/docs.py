# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The DOCUMENTATION options of a kind's module, from its declaration (hacking/render_modules.py writes them
into plugins/modules/; tests compare them with the argument_spec). Not imported by any module.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.appnet.skupper.plugins.module_utils import platforms
from ansible_collections.appnet.skupper.plugins.module_utils.model.argspec import option_argument
from ansible_collections.appnet.skupper.plugins.module_utils.model.kinds import get_kind, titles


def _description(field):
    lines = [field.description]
    if field.system_choices:
        lines.append('On Linux, Podman and Docker only %s.' % ' or '.join('C(%s)' % c for c in field.system_choices))
    if field.minimum is not None and field.type in ('list', 'map'):
        lines.append('At least %d %s.' % (field.minimum, 'entry' if field.minimum == 1 else 'entries'))
    elif field.minimum is not None:
        lines.append('At least C(%d).' % field.minimum)
    if field.default is not None:
        shown = str(field.default).lower() if isinstance(field.default, bool) else field.default
        lines.append('When omitted, Skupper uses C(%s).' % (shown,))
    if tuple(field.platforms) != platforms.NAMES:
        lines.append('Only on %s; refused on other platforms.' % titles(field.platforms))
    lines.append('Spec field C(%s).' % field.name)
    return lines


def _option(field, nested=False):
    arg = option_argument(field)
    doc = {'description': _description(field), 'type': arg['type']}
    if field.choices:
        doc['choices'] = list(field.choices)
    if nested and field.required:
        doc['required'] = True
    if field.type == 'list':
        doc['elements'] = arg['elements']
    if field.type in ('object',) or (field.type == 'list' and field.elements == 'object'):
        doc['suboptions'] = dict((f.option, _option(f, nested=True)) for f in field.fields)
    return doc


def documentation_options(kind):
    """The DOCUMENTATION 'options' of a kind's own fields (common options come from doc fragments)."""
    kind = get_kind(kind) if isinstance(kind, str) else kind
    options = {}
    for field in kind.fields:
        doc = _option(field)
        if field.required and field.required_on == platforms.NAMES:
            doc['description'] = doc['description'] + ['Required when I(state=present).']
        elif field.required:
            doc['description'] = doc['description'] + ['Required on %s when I(state=present).' % titles(
                field.required_on)]
        options[field.option] = doc
    return options
