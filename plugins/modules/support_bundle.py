#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: support_bundle
short_description: Collect a Skupper site's state into one archive for a support case (skupper debug dump)
version_added: 1.2.0
description:
- Collects what someone else needs to find out what is wrong with a site, into one C(tar.gz) archive with an
  C(index.json) that says what was collected, what could not be and why, and what is wrong with the site
  (RV(problems)). The collection's C(skupper debug dump).
- On Linux, Podman and Docker the archive holds the files of the site's namespace home (C(input/), C(runtime/),
  C(internal/) - resources, the router configuration, certificates, the service record), the router's management
  snapshot (its C(router), C(router.node), C(connector) (links), C(connection), C(listener), C(tcpListener),
  C(tcpConnector), C(router.address), C(router.link) and C(sslProfile) entities, asked with C(skmanage) as
  M(appnet.skupper.network_info) does), the site's status read from it (the M(appnet.skupper.network_info)
  shape), the router's version, the state of the service that runs the router (systemd unit, supervised process
  or container) and the last I(log_lines) lines of the router's log (log file, journal or container log).
- On Kubernetes it holds every Skupper object of the namespace with the status the controller wrote, the
  namespace's Secrets (their keys, never their values), ConfigMaps, Deployments, Services and Pods, the site's
  status, the versions the Site status and the router Deployment tell, the state of the router pods and the last
  lines of their logs. The router's management is not asked on Kubernetes (it answers only inside its pod); the
  index says so. What the API server does not serve (such as Pods on a test API server) is listed as failed, with
  the server's answer.
- "Secrets never enter the archive: private keys (files C(*.key), PEM blocks anywhere), the values of Secret data,
  access grant and token codes, passwords and tokens in configurations, and every such value wherever else it shows
  up (a log line) are replaced by C(<redacted>). The index says how many values were replaced."
- The archive is written on the managed host (platform C(kubernetes) on a local connection, the controller), into a
  new private folder under I(path). With I(dest) the action fetches it into I(dest) on the controller and removes
  it from the managed host.
- A part that cannot be collected (the router does not answer, a site that was never started) does not fail the
  task, the index lists it under C(failed) with the reason, and the bundle holds everything else.
author:
- appnet.skupper contributors (@appnet)
options:
  dest:
    description:
    - A folder on the controller (created when missing) to fetch the archive into, as
      C(<inventory_hostname>-<archive file name>). The archive is then removed from the managed host.
    - Without it the archive stays on the managed host, at RV(archive).
    type: str
  path:
    description:
    - The folder on the managed host under which the archive is written (in a new private folder of its own).
    - Default the managed host's temporary folder.
    type: path
  log_lines:
    description:
    - How many of the last lines of the router's log (of each router pod's container on Kubernetes) to collect.
    type: int
    default: 200
  skmanage:
    description:
    - Linux, Podman and Docker only. The C(skmanage) tool, as in M(appnet.skupper.network_info).
    type: str
    default: skmanage
  timeout:
    description:
    - Linux, Podman and Docker only. Seconds to wait for the router's answer to each management query.
    type: int
    default: 10
extends_documentation_fragment:
- appnet.skupper.common
- appnet.skupper.k8s_auth
- appnet.skupper.attributes
attributes:
  check_mode:
    support: full
    details:
    - The site is read as in a real run and RV(index) says what the bundle would hold; no archive is written and
      nothing is fetched. C(changed) is true, as a real run would be.
  diff_mode:
    support: none
    details:
    - A bundle is a new artefact, not a change of the site; there is nothing to compare.
  idempotent:
    description: When run twice in a row with the same arguments, the second run reports no change.
    support: none
    details:
    - Every run writes a new archive (its name holds the time), so every run reports C(changed) true; the site
      itself is only read. With I(dest) the change is the file written on the controller (the archive on the
      managed host is removed again); without I(dest) it is the archive left on the managed host.
  platform:
    support: full
    platforms: kubernetes, linux, podman, docker
requirements:
- kubernetes >= 24.2.0 (Python, for platform kubernetes)
- PyYAML
- skupper-router (C(skmanage)) on the host, for platform linux
notes:
- The archive holds the site's certificates (public) and the names of its Secrets; share it as you would share the
  site's configuration.
seealso:
- module: appnet.skupper.network_info
- name: Support bundles
  description: What a bundle holds, and the playbook that collects one from every host.
  link: https://github.com/appnet/skupper/blob/main/docs/support-bundle.md
'''

EXAMPLES = r'''
- name: Collect the Linux site east into bundles/ beside the playbook, on the controller
  appnet.skupper.support_bundle:
    platform: linux
    namespace: east
    dest: "{{ playbook_dir }}/bundles"
  register: east_bundle

- name: Show what is wrong with the site, as the bundle saw it
  ansible.builtin.debug:
    var: east_bundle.problems

- name: Collect the Kubernetes site in namespace west; keep the archive where the module ran
  appnet.skupper.support_bundle:
    namespace: west
    log_lines: 500
  register: west_bundle
'''

RETURN = r'''
archive:
  description:
  - The archive. With I(dest), its path on the controller; else its path on the managed host. None in check mode.
  returned: always
  type: str
  sample: ./bundles/east-host-skupper-dump-east-linux-20261207-120102.tar.gz
remote_archive:
  description: With I(dest), where the archive was written on the managed host before it was fetched (removed since).
  returned: when fetched
  type: str
file_name:
  description: The archive's file name, C(skupper-dump-<site>-<platform>-<UTC time>.tar.gz).
  returned: always
  type: str
site:
  description: The site's name (None when there is no site).
  returned: always
  type: str
platform:
  description: The site's platform.
  returned: always
  type: str
namespace:
  description: The site's namespace.
  returned: always
  type: str
ready:
  description: Whether the site and its links are C(Ready), as the bundle saw them (None when no status could be read).
  returned: always
  type: bool
problems:
  description: What is wrong with the site, in words (a link down and why, the router stopped, a listener that cannot
    bind its port, a router pod not running).
  returned: always
  type: list
  elements: str
  sample: ["link link-west is Pending: connection refused by 127.0.0.1:55671: the remote router is not running there or
            the port is closed"]
failed_items:
  description: The parts that could not be collected, each with C(item) and C(reason).
  returned: always
  type: list
  elements: dict
index:
  description:
  - The archive's C(index.json) - C(format), C(created), C(host), C(platform), C(namespace), C(site), C(ready),
    C(problems), C(collected) (each part with its C(files)), C(failed) (each part with its C(reason)), C(files),
    C(versions), C(redaction) (C(marker) and the number of values C(replaced)).
  returned: always
  type: dict
'''

from ansible_collections.appnet.skupper.plugins.module_utils import args_common
from ansible_collections.appnet.skupper.plugins.module_utils.support_bundle.run import run_support_bundle_module

OWN_OPTIONS = {
    'dest': {'type': 'str'},
    'path': {'type': 'path'},
    'log_lines': {'type': 'int', 'default': 200},
    'skmanage': {'type': 'str', 'default': 'skmanage'},
    'timeout': {'type': 'int', 'default': 10},
}


def argument_spec():
    return args_common.merge(args_common.TARGET, args_common.K8S_AUTH, OWN_OPTIONS)


def main():
    run_support_bundle_module(argument_spec())


if __name__ == '__main__':
    main()
