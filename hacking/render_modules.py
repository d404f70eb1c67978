#!/usr/bin/env python
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write plugins/modules/<kind module>.py from the resource model.

The model is the single source of each kind module's options; this script turns it into the
module's DOCUMENTATION (which ansible-doc reads statically) and the few lines of code that run it.
`--check` fails when a module file differs from what the model renders (tests run it).

Usage: PYTHONPATH=.build/collections python hacking/render_modules.py [--check]
"""

import argparse
import os
import sys

import yaml

from ansible_collections.appnet.skupper.plugins.module_utils import model, platforms
from ansible_collections.appnet.skupper.plugins.module_utils.model.docs import documentation_options

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODULES = os.path.join(ROOT, 'plugins', 'modules')

HEADER = '''#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# This file is generated from the resource model by hacking/render_modules.py: edit the model, not this file.

from __future__ import absolute_import, division, print_function

__metaclass__ = type
'''

DEFAULT_CODE = '''

from ansible_collections.appnet.skupper.plugins.module_utils.runner import run_resource_module


def main():
    run_resource_module({kind!r})


if __name__ == '__main__':
    main()
'''

DESCRIPTION = {
    'Site': ['Creates, updates or removes the Skupper Site of a namespace: the place where workloads run.',
             'On Kubernetes the Skupper controller deploys the router; on Linux, Podman and Docker, '
             'M(appnet.skupper.system) renders and starts it from the resource files.'],
    'Link': ['Creates, updates or removes a Link: a mutually authenticated TLS connection to a remote site.',
             'Links usually come from an access token (M(appnet.skupper.access_token)) or a static link '
             '(M(appnet.skupper.static_link)); this module manages one directly.'],
    'Listener': ['Creates, updates or removes a Listener: a local endpoint for clients, bound by routing key to '
                 'connectors in other sites.'],
    'Connector': ['Creates, updates or removes a Connector: binds a local workload to listeners in other sites by '
                  'routing key.'],
    'AccessGrant': ['Creates an AccessGrant on a Kubernetes site and returns an AccessToken document that another '
                    'site can redeem for a link to this site.',
                    'A grant that can still be redeemed is reused (no change, one read of the API); an exhausted or '
                    'expired grant is re-issued, and the module says so.',
                    'A grant that was redeemed as often as it allows is exhausted, so running the grant task again '
                    'after its token was redeemed issues a new grant. To make a whole grant-and-redeem flow '
                    'idempotent, skip it when the link already exists, as the appnet.skupper.link role does (its '
                    'second run writes nothing).'],
    'AccessToken': ['Redeems an access token for a link to a remote site.',
                    'On Kubernetes the AccessToken resource is applied and the controller redeems it; with I(wait) '
                    'the module waits until the resulting Link is ready.',
                    'On Kubernetes an AccessToken that the controller has redeemed keeps its I(url), I(code) and '
                    'I(ca): Skupper never redeems an AccessToken twice, so new credentials for the same name (the '
                    'token of a re-issued grant) would change nothing but make the AccessToken disagree with its '
                    'Link. Such a task is unchanged (with I(wait), once the Link is ready). To link again with a '
                    'new token, remove the AccessToken and its Link first (I(state=absent)).',
                    'On Linux, Podman and Docker the module redeems the token itself over HTTPS, trusting only the '
                    "token's CA, and stores the Link and Secret it receives in the site's resource files. A token is "
                    'never redeemed twice.'],
    'RouterAccess': ["Creates, updates or removes a RouterAccess: exposes the site's router for incoming links."],
    'AttachedConnector': ['Creates, updates or removes an AttachedConnector: a connector for pods of this namespace '
                          'attached to a site in another namespace. Kubernetes only.'],
    'AttachedConnectorBinding': ['Creates, updates or removes an AttachedConnectorBinding: binds an '
                                 'AttachedConnector from a peer namespace to this site. Kubernetes only.'],
}

EXAMPLES = {
    'Site': '''
- name: A Kubernetes site that accepts links
  appnet.skupper.site:
    name: west
    namespace: west
    link_access: default
    wait: true

- name: A Linux site (resource file; start it with appnet.skupper.system)
  appnet.skupper.site:
    platform: linux
    namespace: east
    name: east
''',
    'Link': '''
- name: The Secret of the link - west's CA, and a client certificate and key west's CA signed (from west's skupper link generate)
  appnet.skupper.resource:
    namespace: east
    definition:
      apiVersion: v1
      kind: Secret
      metadata: {name: link-west}
      type: kubernetes.io/tls
      stringData:
        ca.crt: "{{ lookup('ansible.builtin.file', 'link-west/ca.crt') }}"
        tls.crt: "{{ lookup('ansible.builtin.file', 'link-west/tls.crt') }}"
        tls.key: "{{ lookup('ansible.builtin.file', 'link-west/tls.key') }}"
  no_log: true

- name: A link to the remote site west, with the credentials of that Secret
  appnet.skupper.link:
    name: link-west
    namespace: east
    tls_credentials: link-west
    cost: 2
    endpoints:
      - {name: inter-router, host: west.example.com, port: 55671}
      - {name: edge, host: west.example.com, port: 45671}
''',
    'Listener': '''
- name: Clients in this site reach the backend on port 8080
  appnet.skupper.listener:
    name: backend
    namespace: east
    routing_key: backend
    host: backend
    port: 8080

- name: The same on a Linux site, bound on all addresses
  appnet.skupper.listener:
    platform: linux
    namespace: east
    name: backend
    routing_key: backend
    host: 0.0.0.0
    port: 8080
''',
    'Connector': '''
- name: Expose pods labelled app=backend
  appnet.skupper.connector:
    name: backend
    namespace: west
    routing_key: backend
    selector: app=backend
    port: 8080

- name: Expose a local server of a Linux site
  appnet.skupper.connector:
    platform: linux
    namespace: west
    name: backend
    routing_key: backend
    host: 127.0.0.1
    port: 9090
''',
    'AccessGrant': '''
- name: Tokens are issued by a site that accepts links
  appnet.skupper.site:
    name: west
    namespace: west
    link_access: default
    wait: true

- name: Issue a token that can be redeemed twice within an hour
  appnet.skupper.access_grant:
    name: to-west
    namespace: west
    redemptions_allowed: 2
    expiration_window: 1h
  register: grant
  no_log: true

- name: Redeem it on another site (the site of namespace east)
  appnet.skupper.access_token:
    name: to-west
    namespace: east
    url: "{{ grant.token.spec.url }}"
    code: "{{ grant.token.spec.code }}"
    ca: "{{ grant.token.spec.ca }}"
    wait: true
''',
    'AccessToken': '''
- name: A Linux site
  appnet.skupper.site:
    platform: linux
    namespace: east
    name: east

- name: Redeem a token that the Kubernetes site of inventory host west issued (see appnet.skupper.access_grant)
  appnet.skupper.access_token:
    platform: linux
    namespace: east
    name: to-west
    url: "{{ hostvars['west'].grant.token.spec.url }}"
    code: "{{ hostvars['west'].grant.token.spec.code }}"
    ca: "{{ hostvars['west'].grant.token.spec.ca }}"
  register: token

- name: Reload the site, so that its router dials west (the token result says reload_required)
  appnet.skupper.system:
    platform: linux
    namespace: east
    state: reloaded
  when: token.reload_required
''',
    'RouterAccess': '''
- name: Accept links on fixed ports of one address
  appnet.skupper.router_access:
    platform: linux
    namespace: west
    name: west-public
    tls_credentials: west-public
    bind_host: 192.0.2.10
    subject_alternative_names: [192.0.2.10, west.example.com]
    roles:
      - {name: inter-router, port: 55671}
      - {name: edge, port: 45671}
''',
    'AttachedConnector': '''
- name: Attach the pods of this namespace to the site in namespace west
  appnet.skupper.attached_connector:
    name: backend
    namespace: workloads
    site_namespace: west
    selector: app=backend
    port: 8080
''',
    'AttachedConnectorBinding': '''
- name: Bind the attached connector of namespace workloads to this site
  appnet.skupper.attached_connector_binding:
    name: backend
    namespace: west
    connector_namespace: workloads
    routing_key: backend
''',
}

# The resource as it is now: what every resource module returns first.
RESOURCE_RETURN = '''
resource:
  description:
    - The {kind} as it is now (as it would be, in check mode); secret values are replaced.
    - Empty after I(state=absent).
  returned: always
  type: dict
'''

RETURN = RESOURCE_RETURN + '''\
status:
  description:
    - The status of the {kind}. On Kubernetes, as the controller reports it; on Linux, Podman and Docker, as the
      last render of M(appnet.skupper.system) wrote it (empty before the first render).
  returned: always
  type: dict
  sample: {{status: Ready, message: OK}}
resource_file:
  description: The resource file written or removed.
  returned: on Linux, Podman and Docker
  type: str
  sample: /var/lib/skupper/namespaces/east/input/resources/{kind}-example.yaml
reload_required:
  description: Whether the site must be reloaded (M(appnet.skupper.system) C(state=reloaded)) for the change to apply.
  returned: on Linux, Podman and Docker
  type: bool
'''

# The return values of a kind that only Kubernetes has (AccessGrant, AttachedConnector, AttachedConnectorBinding): no
# resource file, no reload, and the status the controller reports.
KUBERNETES_RETURN = RESOURCE_RETURN + '''\
status:
  description:
    - The status of the {kind}, as the Skupper controller reports it.
  returned: always
  type: dict
  sample: {{status: Ready, message: OK}}
'''

# Kinds whose return values differ from RETURN (the shared text above), per platform.
OWN_RETURN = {
    'AccessToken': '''
resource:
  description:
    - On Kubernetes, the AccessToken as it is now (as it would be, in check mode); the code is replaced.
    - On Linux, Podman and Docker the token is not kept as a resource (a token is redeemed once); this is the Link
      it was redeemed into. Empty in check mode before the first redemption, and after I(state=absent).
  returned: always
  type: dict
status:
  description:
    - On Kubernetes, the status of the AccessToken as the controller reports it.
    - On Linux, Podman and Docker, C(Ready) with C(redeemed=true) once the token has been redeemed, and C(Pending) in
      check mode when it would be redeemed.
  returned: always
  type: dict
  sample: {status: Ready, message: OK, redeemed: true}
resource_files:
  description: The Secret and Link files the redemption wrote (or I(state=absent) removed).
  returned: on Linux, Podman and Docker, outside check mode
  type: list
  elements: str
  sample: [/var/lib/skupper/namespaces/east/input/resources/Secret-to-west.yaml,
           /var/lib/skupper/namespaces/east/input/resources/Link-to-west.yaml]
reload_required:
  description: Whether the site must be reloaded (M(appnet.skupper.system) C(state=reloaded)) for the change to apply.
  returned: on Linux, Podman and Docker
  type: bool
''',
}

EXTRA_RETURN = {
    'AccessGrant': '''
token:
  description:
    - An AccessToken document ready to apply on another site (M(appnet.skupper.access_token) or
      M(appnet.skupper.resource)). It carries the secret code, so register it with C(no_log) on the task.
  returned: when I(state=present), outside check mode
  type: dict
reissued:
  description: Whether an exhausted or expired grant was replaced by a new one.
  returned: when I(state=present)
  type: bool
''',
    'AccessToken': '''
redeemed:
  description:
    - Whether this run redeemed the token (Linux, Podman and Docker). Never true in check mode, which does not redeem;
      then C(changed=true) says that the token would be redeemed.
  returned: on Linux, Podman and Docker
  type: bool
link:
  description:
    - The Link resulting from the token (Kubernetes with I(wait), or Linux, Podman and Docker outside check mode).
    - On Linux, Podman and Docker it carries the token's C(appnet.skupper/remote-site-name) annotation, if any (the
      link role sets it to the name of the site that granted the token).
  returned: when known
  type: dict
''',
}

EXTRA_OPTIONS = {
    'AccessGrant': {
        'reissue': {
            'description': ['Replace the grant when it can no longer be redeemed (redemptions used up or expired).',
                            'Without it such a grant is reported and left as it is.'],
            'type': 'bool', 'default': True,
        },
    },
}


def documentation(kind):
    kind_name = kind.kind
    options = documentation_options(kind)
    options.update(EXTRA_OPTIONS.get(kind_name, {}))
    kube_only = tuple(kind.platforms) == platforms.KUBERNETES
    doc = {
        'module': kind.module,
        'short_description': 'Manage Skupper %s resources' % kind_name,
        'version_added': '1.0.0',
        'description': DESCRIPTION[kind_name],
        'author': ['appnet.skupper contributors (@appnet)'],
        'options': options,
        'extends_documentation_fragment': [
            'appnet.skupper.common', 'appnet.skupper.common.resource', 'appnet.skupper.k8s_auth', 'appnet.skupper.k8s_auth.apply',
            'appnet.skupper.wait', 'appnet.skupper.attributes',
            'appnet.skupper.attributes.kubernetes_only' if kube_only else 'appnet.skupper.attributes.all',
        ],
        'requirements': ['kubernetes >= 24.2.0 (Python, for platform kubernetes)', 'PyYAML'],
        'notes': [
            'The options are the fields of the C(%s) resource of API C(%s) in snake case; see '
            'U(https://skupper.io/docs) for their meaning.' % (kind_name, kind.api_version),
            'Options with no value are left out of the resource, so removing an option from a task removes the '
            'field.',
        ],
        'seealso': [{'module': 'appnet.skupper.resource'}, {'module': 'appnet.skupper.system'}],
    }
    if kind.not_on_system:
        doc['notes'].append('Not on Linux, Podman or Docker: %s.' % kind.not_on_system)
    return yaml.safe_dump(doc, sort_keys=False, default_flow_style=False, width=120)


def render(kind):
    code = DEFAULT_CODE.format(kind=kind.kind)
    return (HEADER + "\nDOCUMENTATION = r'''\n---\n" + documentation(kind) + "'''\n\nEXAMPLES = r'''" +
            EXAMPLES[kind.kind] + "'''\n\nRETURN = r'''" + OWN_RETURN.get(kind.kind, (
                KUBERNETES_RETURN if tuple(kind.platforms) == platforms.KUBERNETES else RETURN).format(kind=kind.kind)) +
            EXTRA_RETURN.get(kind.kind, '') + "'''\n" + code)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--check', action='store_true', help='fail when a module differs from the model')
    args = parser.parse_args()
    stale = []
    for kind in sorted(model.MODULE_KINDS.values(), key=lambda k: k.module):
        path = os.path.join(MODULES, kind.module + '.py')
        text = render(kind)
        current = open(path).read() if os.path.exists(path) else None
        if current != text:
            stale.append(path)
            if not args.check:
                with open(path, 'w') as handle:
                    handle.write(text)
    if args.check and stale:
        sys.exit('out of date with the model (run hacking/render_modules.py): %s' % ', '.join(stale))
    print('%d module(s) %s' % (len(stale), 'out of date' if args.check else 'written'))


if __name__ == '__main__':
    main()
