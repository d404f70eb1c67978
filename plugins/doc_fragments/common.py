# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Options the modules share.

    DOCUMENTATION mirrors args_common.TARGET (where the site is), SYSTEM_TARGET args_common.SYSTEM_TARGET (where a
    Linux, Podman or Docker site is); RESOURCE mirrors the rest of args_common.COMMON (one named resource).
    """

    # Each DOCUMENTATION stays one literal string: ansible-test's yamllint sanity test reads the fragments' source
    # and takes no other expression. (namespace and data_home are written out in both.)
    DOCUMENTATION = r'''
options:
  namespace:
    description:
      - On Kubernetes, the namespace of the resource.
      - On Linux, Podman and Docker, the Skupper namespace, a directory under the data home; each namespace is one site.
    type: str
    default: default
  platform:
    description:
      - Where the site runs. C(kubernetes) applies the resource through the Kubernetes API.
      - C(linux), C(podman) and C(docker) write the resource file C(input/resources/<Kind>-<name>.yaml) of the
        namespace; M(appnet.skupper.system) renders and (re)starts the site from those files.
      - Falls back to the environment variable E(SKUPPER_PLATFORM).
    type: str
    default: kubernetes
    choices: [kubernetes, linux, podman, docker]
  data_home:
    description:
      - Linux, Podman and Docker only. The Skupper data home that holds C(namespaces/<namespace>).
      - Defaults to C(/var/lib/skupper) for root, else C($XDG_DATA_HOME/skupper) or C(~/.local/share/skupper).
    type: path
'''

    # Modules that act on Linux, Podman and Docker sites only (args_common.SYSTEM_TARGET): no default platform.
    SYSTEM_TARGET = r'''
options:
  namespace:
    description:
      - On Kubernetes, the namespace of the resource.
      - On Linux, Podman and Docker, the Skupper namespace, a directory under the data home; each namespace is one site.
    type: str
    default: default
  platform:
    description:
      - Where the site runs - C(linux) (the router binary on the host), C(podman) or C(docker) (the router in a
        container).
      - No default. Falls back to the environment variable E(SKUPPER_PLATFORM); a task without either fails before
        anything is read or written.
      - C(kubernetes) is refused - on Kubernetes the Skupper controller runs the site.
    type: str
    choices: [kubernetes, linux, podman, docker]
  data_home:
    description:
      - Linux, Podman and Docker only. The Skupper data home that holds C(namespaces/<namespace>).
      - Defaults to C(/var/lib/skupper) for root, else C($XDG_DATA_HOME/skupper) or C(~/.local/share/skupper).
    type: path
'''

    RESOURCE = r'''
options:
  name:
    description:
      - Name of the resource (C(metadata.name)), a lowercase RFC 1123 label of at most 63 characters.
    type: str
    required: true
  state:
    description:
      - C(present) creates or updates the resource so that it has exactly the given fields.
      - C(absent) removes it.
    type: str
    default: present
    choices: [present, absent]
  labels:
    description:
      - Labels of the resource (C(metadata.labels)).
    type: dict
  annotations:
    description:
      - Annotations of the resource (C(metadata.annotations)).
    type: dict
'''
