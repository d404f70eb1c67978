#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: system
short_description: Render and run a Skupper site on a Linux host
version_added: 1.0.0
description:
  - Renders a Linux, Podman or Docker site from its resource files (C(input/resources), written by the resource
    modules) into the router configuration, the certificates, the static links and the resources with status,
    in Skupper's own layout, and runs its router.
  - The router restarts only when what it reads changed. No container engine and no Skupper CLI are needed on
    Linux; the Skupper router (C(skrouterd)) is.
author:
  - appnet.skupper contributors (@appnet)
options:
  state:
    description:
      - C(started) renders the site and starts the router if it is not running; when what the router reads
        changed since the last render, a running router is restarted.
      - C(reloaded) does the same; use it after changing resources to say so.
      - C(stopped) stops the router and keeps every file.
      - C(absent) stops the router and removes the runtime, the internal files and the service; the resource
        files and the certificate authorities stay unless I(purge=true).
    type: str
    default: started
    choices: [started, reloaded, stopped, absent]
  purge:
    description:
      - With I(state=absent), remove the whole namespace, including its resource files and CAs.
    type: bool
    default: false
  router_binary:
    description:
      - Path of the Skupper router C(skrouterd). Default C(skrouterd) on E(PATH).
      - Checked (it must run C(--version)) before anything changes.
    type: path
  service_manager:
    description:
      - How the router runs on Linux. C(systemd) uses a unit C(skupper-<namespace>.service) (system scope as root,
        user scope otherwise); C(process) a supervised background process with a pid file, for hosts without
        systemd; C(auto) picks systemd when it runs the host.
      - Podman and Docker run the router image in a container.
    type: str
    default: auto
    choices: [auto, systemd, process]
  router_image:
    description:
      - Podman and Docker only. The router image.
    type: str
    default: quay.io/skupper/skupper-router:3.3.0
extends_documentation_fragment:
  - appnet.skupper.common
attributes:
  check_mode:
    description: Renders in memory and predicts changed and restarted without changing anything.
    support: full
  diff_mode:
    description: Shows the runtime files that change and the service state before and after.
    support: full
  platform:
    description: The host that runs the site.
    support: full
    platforms: posix
notes:
  - I(platform=kubernetes) is refused; Kubernetes sites are run by the Skupper controller.
seealso:
  - module: appnet.skupper.site
  - module: appnet.skupper.static_link
  - module: appnet.skupper.network_info
'''

EXAMPLES = r'''
- name: Start (or reload) the site of namespace east with a supervised process
  appnet.skupper.system:
    platform: linux
    namespace: east
    state: reloaded
    service_manager: process

- name: Stop the router, keep everything
  appnet.skupper.system:
    platform: linux
    namespace: east
    state: stopped

- name: Remove the site entirely
  appnet.skupper.system:
    platform: linux
    namespace: east
    state: absent
    purge: true
'''

RETURN = r'''
restarted:
  description: Whether the router was (or, in check mode, would be) started or restarted.
  returned: always
  type: bool
router_config:
  description: Path of the router configuration.
  returned: when the site is rendered
  type: str
  sample: /var/lib/skupper/namespaces/east/runtime/router/skrouterd.json
site_id:
  description: The site id (kept across renders).
  returned: when the site is rendered
  type: str
site_name:
  description: The name of the site.
  returned: when the site is rendered
  type: str
changed_files:
  description: Runtime files (relative to the namespace home) that changed.
  returned: when the site is rendered
  type: list
  elements: str
static_links:
  description: Static links the site offers (files under C(runtime/links)).
  returned: when the site is rendered
  type: list
  elements: dict
service:
  description: How the router runs, and whether it is running.
  returned: always
  type: dict
  sample: {manager: process, active: true, pid_file: /var/lib/skupper/namespaces/east/internal/router/skrouterd.pid}
warnings:
  description: Warnings of the render.
  returned: when the site is rendered
  type: list
  elements: str
'''

import os
import shutil

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.appnet.skupper.plugins.module_utils import args_common
from ansible_collections.appnet.skupper.plugins.module_utils.system import files, paths, service
from ansible_collections.appnet.skupper.plugins.module_utils.system.certs import CertificateError
from ansible_collections.appnet.skupper.plugins.module_utils.system.render import render_site
from ansible_collections.appnet.skupper.plugins.module_utils.system.site_state import SiteStateError

KEPT_ON_ABSENT = ('runtime/issuers', 'runtime/issued', 'internal/redeemed')


def argument_spec():
    return args_common.merge(args_common.TARGET, {
        'state': {'type': 'str', 'default': 'started', 'choices': ['started', 'reloaded', 'stopped', 'absent']},
        'purge': {'type': 'bool', 'default': False},
        'router_binary': {'type': 'path'},
        'service_manager': {'type': 'str', 'default': 'auto', 'choices': ['auto', 'systemd', 'process']},
        'router_image': {'type': 'str', 'default': service.DEFAULT_IMAGE},
    })


def digest_path(home):
    return paths.internal_dir(home, 'runtime.digest')


def run_site(module, home, manager):
    """started / reloaded: render, then start or restart the router when needed."""
    params = module.params
    rendered = render_site(home, params['namespace'], platform=params['platform'], dry_run=module.check_mode)
    manager.site_id = rendered.site_id
    previous = files.read_bytes(digest_path(home))
    digest_changed = previous is None or previous.decode().strip() != rendered.runtime_digest
    active = manager.is_active()
    restart = not active or digest_changed
    installed = manager.install(check_mode=module.check_mode)
    if not module.check_mode:
        files.write_atomic(digest_path(home), rendered.runtime_digest + '\n', 0o600)
        if not active:
            manager.start()
        elif digest_changed:
            manager.restart()
    result = {
        'changed': bool(rendered.changed_files) or restart or installed,
        'restarted': restart,
        'router_config': rendered.router_config_path,
        'site_id': rendered.site_id,
        'site_name': rendered.site_name,
        'changed_files': rendered.changed_files,
        'static_links': rendered.static_links,
        'warnings_list': rendered.warnings,
        'diff': {'before': {'active': active, 'runtime_digest': previous.decode().strip() if previous else None},
                 'after': {'active': True, 'runtime_digest': rendered.runtime_digest,
                           'changed_files': rendered.changed_files}},
    }
    return result


def stop_site(module, manager):
    active = manager.is_active()
    if active and not module.check_mode:
        manager.stop()
    return {'changed': active, 'restarted': False,
            'diff': {'before': {'active': active}, 'after': {'active': False}}}


def remove_site(module, home, manager):
    """absent: stop, remove the service and the runtime (all of the namespace with purge)."""
    active = manager.is_active()
    if active and not module.check_mode:
        manager.stop()
    removed = manager.remove(check_mode=module.check_mode)
    if module.params['purge']:
        doomed = [home] if os.path.exists(home) else []
    else:
        doomed = [path for path in _runtime_entries(home) if os.path.exists(path)]
    if not module.check_mode:
        for path in doomed:
            if os.path.isdir(path):
                shutil.rmtree(path)
            else:
                os.unlink(path)
        for top in ('runtime', 'internal'):
            directory = os.path.join(home, top)
            if os.path.isdir(directory) and not os.listdir(directory):
                os.rmdir(directory)
    before = sorted(os.path.relpath(p, home) if p != home else '.' for p in doomed)
    return {'changed': active or removed or bool(doomed), 'restarted': False,
            'diff': {'before': {'active': active, 'paths': before}, 'after': {'active': False, 'paths': []}}}


def _runtime_entries(home):
    """What absent removes without purge: runtime/ and internal/ except the CAs, issued links and token records."""
    entries = []
    for top in ('runtime', 'internal'):
        directory = os.path.join(home, top)
        if not os.path.isdir(directory):
            continue
        for name in sorted(os.listdir(directory)):
            if '%s/%s' % (top, name) not in KEPT_ON_ABSENT:
                entries.append(os.path.join(directory, name))
    return entries


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    params = module.params
    if params['platform'] == 'kubernetes':
        module.fail_json(msg='appnet.skupper.system runs Linux, Podman and Docker sites; on Kubernetes the Skupper '
                             'controller runs the site', changed=False)
    home = paths.namespace_home(params['namespace'], paths.data_home(params['data_home']))
    try:
        router = None
        if params['platform'] == 'linux' and params['state'] in ('started', 'reloaded'):
            router = service.find_router(params['router_binary'])
        manager = service.service_manager(params['service_manager'], params['platform'], params['namespace'], home,
                                          router=router, image=params['router_image'])
        if params['state'] in ('started', 'reloaded'):
            result = run_site(module, home, manager)
        elif params['state'] == 'stopped':
            result = stop_site(module, manager)
        else:
            result = remove_site(module, home, manager)
        result['service'] = manager.describe()
    except (SiteStateError, CertificateError, service.ServiceError) as exc:
        module.fail_json(msg=str(exc), changed=False)
    if not module._diff:
        result.pop('diff', None)
    for warning in result.pop('warnings_list', []):
        module.warn(warning)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
