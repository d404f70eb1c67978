# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""appnet.skupper.static_link's run: a static link issued by a system site for a remote site (render/static_links.py
issues it), under the site's lock, and what check mode says without issuing."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.appnet.skupper.plugins.module_utils import args_common, documents
from ansible_collections.appnet.skupper.plugins.module_utils.system.render import certs, static_links
from ansible_collections.appnet.skupper.plugins.module_utils.system.store import files, paths, site_lock


def already_issued(home, subject):
    content = certs.read_directory(paths.runtime_dir(home, static_links.ISSUED_DIR, subject))
    return set(content) == {certs.CA_FILE, certs.CERT_FILE, certs.KEY_FILE}


def run_system_static_link(module):
    """appnet.skupper.static_link on a system site: issue (or give back) the static link of the subject and exit the
    module with it."""
    params = module.params
    problem = args_common.system_platform_problem(
        params['platform'], 'static links are issued by Linux, Podman and Docker sites; a Kubernetes site issues '
                            'access tokens: use appnet.skupper.access_grant')
    if problem:
        module.fail_json(msg=problem, changed=False)
    home = paths.namespace_home(params['namespace'], paths.data_home(params['data_home']))
    if not os.path.isdir(home):
        module.fail_json(msg='namespace %r has no site under %s' % (params['namespace'], os.path.dirname(home)),
                         changed=False)
    try:
        # One run at a time per site (site_lock.py): the issued credentials are written under its home.
        with site_lock.site_lock(home, module.check_mode, create=False):
            if module.check_mode and not already_issued(home, params['subject']):
                module.exit_json(changed=True)
            secret, link, changed = static_links.issue_static_link(home, params['subject'], host=params['host'],
                                                                   cost=params['cost'], name=params['name'],
                                                                   check_mode=module.check_mode)
    except (static_links.StaticLinkError, certs.CertificateError, site_lock.SiteLocked, files.WriteError) as exc:
        module.fail_json(msg=str(exc), changed=False)
    if link is None:  # check mode, and the credentials would be re-issued
        module.exit_json(changed=True)
    module.exit_json(changed=changed, definition=documents.dump_yaml_stream([secret, link]), link=link)
