# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The resource model: one declarative description of every Skupper kind, and what is derived from it.

- kinds.py: the declarations (fields, types, defaults, choices, platforms, secrets, cross-field rules);
- validate.py: validation and normalisation of documents, the same for the typed modules and for
  appnet.skupper.resource;
- argspec.py: module argument_spec and the document of module parameters;
- docs.py: module DOCUMENTATION options (written by hacking/render_modules.py, checked by tests).

The conformance tests compare the declarations with the Skupper CRDs and resource docs. This package
exports what the rest of the collection uses.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.appnet.skupper.plugins.module_utils.model.kinds import (  # noqa: F401
    ACCESS_TYPES, API_VERSION, DEFAULT_ROLE_PORTS, GROUP, KINDS, LINK_ROLES, MODULE_KINDS, REMOTE_SITE_ANNOTATION,
    Conflict, Field, Kind, OneOf, get_kind, snake, titles)
from ansible_collections.appnet.skupper.plugins.module_utils.model.validate import (  # noqa: F401
    metadata_errors, normalize_document, prepare_document, validate_document, validate_spec)
from ansible_collections.appnet.skupper.plugins.module_utils.model.argspec import (  # noqa: F401
    argument_spec, build_document, convert_params, required_if, spec_from_params)

__all__ = [
    'ACCESS_TYPES', 'API_VERSION', 'DEFAULT_ROLE_PORTS', 'GROUP', 'KINDS', 'LINK_ROLES', 'MODULE_KINDS', 'REMOTE_SITE_ANNOTATION',
    'Conflict', 'Field', 'Kind', 'OneOf', 'get_kind', 'snake', 'titles',
    'metadata_errors', 'normalize_document', 'prepare_document', 'validate_document', 'validate_spec',
    'argument_spec', 'build_document', 'convert_params', 'required_if', 'spec_from_params',
]
