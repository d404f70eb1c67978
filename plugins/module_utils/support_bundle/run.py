# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""appnet.skupper.support_bundle's run: the site of the platform collected (system_site.py or kubernetes_site.py)
into a Bundle, written as one archive on the managed host (not in check mode)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import socket
import tempfile

from ansible_collections.appnet.skupper.plugins.module_utils import platforms
from ansible_collections.appnet.skupper.plugins.module_utils.backend import BackendError
from ansible_collections.appnet.skupper.plugins.module_utils.k8s import auth
from ansible_collections.appnet.skupper.plugins.module_utils.skupper_module import SkupperModule
from ansible_collections.appnet.skupper.plugins.module_utils.support_bundle.archive import Bundle


def gather(params):
    """The Bundle of the site the module's parameters name."""
    platform = params['platform']
    namespace = params['namespace'] or platforms.DEFAULT_NAMESPACE
    bundle = Bundle(platform, namespace, host=socket.gethostname())
    if platforms.is_system(platform):
        from ansible_collections.appnet.skupper.plugins.module_utils.system.store import paths
        from ansible_collections.appnet.skupper.plugins.module_utils.support_bundle import system_site
        home = paths.namespace_home(namespace, paths.data_home(params.get('data_home')))
        bundle.index['namespace_home'] = home
        system_site.collect(bundle, home, namespace, platform, params['skmanage'], params['timeout'],
                            params['log_lines'])
    else:
        from ansible_collections.appnet.skupper.plugins.module_utils.k8s.client import KubeClient
        from ansible_collections.appnet.skupper.plugins.module_utils.support_bundle import kubernetes_site
        client = KubeClient.from_params(params)
        bundle.index['api_server'] = client.url
        kubernetes_site.collect(bundle, client, namespace, params['log_lines'])
    return bundle


def run_support_bundle_module(argument_spec):
    """Collect, write (unless check mode), report. The archive stays on the managed host when no dest is given
    (changed); with dest, the action plugin fetches it to the controller and removes it here."""
    module = SkupperModule(argument_spec=argument_spec, supports_check_mode=True)
    auth.protect_kubeconfig(module)
    params = module.params
    if params['log_lines'] < 1:
        module.fail_json(msg='log_lines must be at least 1, not %d; nothing was collected' % params['log_lines'])
    directory = params['path'] or tempfile.gettempdir()
    if not module.check_mode and not os.path.isdir(directory):
        module.fail_json(msg='path %s is not a folder on the managed host; nothing was collected' % directory)
    try:
        bundle = gather(params)
    except BackendError as exc:
        module.fail_json(msg='cannot collect a support bundle: %s' % exc.message, changed=False)
    index = bundle.summary()
    result = {'index': index, 'site': index['site'], 'platform': index['platform'], 'namespace': index['namespace'],
              'ready': index['ready'], 'problems': index['problems'], 'failed_items': index['failed'],
              'file_name': bundle.file_name()}
    if module.check_mode:
        module.exit_json(changed=True, archive=None, msg='check mode: a bundle of %d files would be written'
                         % (len(index['files']) + 1), **result)
    try:
        archive = bundle.write(directory)
    except OSError as exc:
        module.fail_json(msg='cannot write the bundle into %s: %s' % (directory, exc), changed=False)
    module.exit_json(changed=not params['dest'], archive=archive, msg='support bundle written: %s' % archive, **result)
