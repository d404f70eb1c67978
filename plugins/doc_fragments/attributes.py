# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Attributes shared by the modules."""

    DOCUMENTATION = r'''
options: {}
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check mode), when in diff mode.
  platform:
    description: Target OS/families that can be operated against.
    support: N/A
'''

    ALL = r'''
options: {}
attributes:
  check_mode:
    support: full
    details:
      - On Kubernetes, changes are sent with C(dryRun=All) so the API server validates them and stores nothing.
  diff_mode:
    support: full
  idempotent:
    description: When run twice in a row with the same arguments, the second run reports no change.
    support: full
  platform:
    support: full
    platforms: kubernetes, linux, podman, docker
'''

    KUBERNETES_ONLY = r'''
options: {}
attributes:
  check_mode:
    support: full
    details:
      - Changes are sent with C(dryRun=All) so the API server validates them and stores nothing.
  diff_mode:
    support: full
  idempotent:
    description: When run twice in a row with the same arguments, the second run reports no change.
    support: full
  platform:
    support: full
    platforms: kubernetes
    details:
      - On C(linux), C(podman) and C(docker) the module fails and says what to use instead.
'''
