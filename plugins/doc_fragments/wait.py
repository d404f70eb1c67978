# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Wait options (mirrors args_common.WAIT)."""

    DOCUMENTATION = r'''
options:
  wait:
    description:
      - Kubernetes only. With I(state=present), wait until the resource is ready (C(status.status=Ready) or a
        C(Ready) condition that is C(True)) for its current spec; with I(state=absent), wait until it is gone.
      - A status counts only once the controller wrote it for the resource's current C(metadata.generation)
        (the C(observedGeneration) of its C(Ready) condition), so a change is never reported ready on the
        status of the spec it replaced.
      - On timeout the module fails with the last status message.
      - Linux, Podman and Docker resources take effect when M(appnet.skupper.system) reloads the site; this
        option is ignored there.
    type: bool
    default: false
  wait_timeout:
    description:
      - How many seconds to wait.
    type: int
    default: 120
  wait_sleep:
    description:
      - Seconds between two checks. The last check is made at the timeout, never later.
    type: int
    default: 2
'''
