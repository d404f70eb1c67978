# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""appnet.skupper.static_link's entry point: a Linux, Podman or Docker site issues the static link
(system/link_issuing.py), a Kubernetes site generates it as `skupper link generate` does (k8s/link_generate.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.appnet.skupper.plugins.module_utils import platforms
from ansible_collections.appnet.skupper.plugins.module_utils.skupper_module import SkupperModule


def run_static_link_module(argument_spec):
    """Run appnet.skupper.static_link: its options checked first (SkupperModule), then the platform's issuer."""
    module = SkupperModule(argument_spec=argument_spec, supports_check_mode=True)
    platform = module.params['platform']
    if platform and not platforms.is_system(platform):
        # Imported here: a Linux task never imports the Kubernetes side (nor the kubernetes package).
        from ansible_collections.appnet.skupper.plugins.module_utils.k8s import auth
        from ansible_collections.appnet.skupper.plugins.module_utils.k8s.link_generate import run_link_generate_module
        auth.protect_kubeconfig(module)
        run_link_generate_module(module)
    from ansible_collections.appnet.skupper.plugins.module_utils.system.link_issuing import run_system_static_link
    run_system_static_link(module)
