# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """How Podman and Docker run the router container (mirrors args_common.CONTAINER)."""

    DOCUMENTATION = r'''
options:
  router_image:
    description:
      - Podman and Docker only. The router image the container runs.
      - A host without a registry can use an image built from the router sources (C(make router-image) of the
        collection's source tree tags one C(localhost/appnet-skupper/skupper-router:<version>)) with I(pull=never).
      - A change re-creates the router container.
    type: str
    default: quay.io/skupper/skupper-router:3.3.0
  pull:
    description:
      - Podman and Docker only. When the router image is pulled, as the engines name their pull policies; only when
        the router container is created (the first start, or a change of I(router_image) or
        I(container_run_options)), never in check mode, never on a restart of an unchanged container.
      - C(missing) pulls only when the host has no image of that name, so a host that has it never contacts a
        registry. C(always) pulls at each creation and fails when the pull fails. C(never) never pulls and fails
        before anything changes, naming the image, when the host does not have it.
    type: str
    default: missing
    choices: [missing, always, never]
  container_run_options:
    description:
      - Podman and Docker only. What this host's engine needs to run the router container beyond Skupper's own
        run options. Defaults may also come from the engine's configuration (for Podman C(runtime) and
        C(default_ulimits) in C(containers.conf)); nothing here is needed where the engine's defaults work.
      - A change re-creates the router container.
    type: dict
    suboptions:
      runtime:
        description:
          - The OCI runtime (C(--runtime)), e.g. C(runc) where C(crun) cannot run containers.
        type: str
      ulimits:
        description:
          - Resource limits (C(--ulimit)), each C(<name>=<soft>[:<hard>]), e.g. C(nofile=4096:4096).
        type: list
        elements: str
      args:
        description:
          - Other arguments of C(<engine> run), placed before the image, e.g. C([--memory, 512m]).
          - The arguments the collection sets (C(--name), C(--network), C(--user), C(--userns), C(--detach),
            C(--rm)) and those with an option of their own (C(--runtime), C(--ulimit), C(--pull)) are refused.
        type: list
        elements: str
'''
