# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""appnet.skupper.static_link on a Kubernetes site: a Link and its Secret issued as `skupper link generate` does.

The Link's endpoints are the active Site's status endpoints (its link access); its credentials are a client
certificate signed by the site's CA. The Skupper controller issues that certificate: a Certificate resource (CA the
Site's default issuer, client) makes it write a Secret of the same name, read back here once it holds tls.crt,
tls.key and ca.crt. Each remote site has a Certificate and Secret of its own in the issuing namespace,
<name>-<subject> (the subject is its certificate's common name); the returned Link and Secret are named <name>.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.appnet.skupper.plugins.module_utils import documents, model
from ansible_collections.appnet.skupper.plugins.module_utils.backend import BackendError
from ansible_collections.appnet.skupper.plugins.module_utils.k8s.client import KubeClient
from ansible_collections.appnet.skupper.plugins.module_utils.model import values

CREDENTIAL_KEYS = ('ca.crt', 'tls.crt', 'tls.key')
DEFAULT_ISSUER = 'skupper-site-ca'
POLL_SECONDS = 0.5


def active_site(client, namespace):
    """The Ready Site of the namespace, or BackendError saying why there is none."""
    sites = client.list('Site', namespace)
    if not sites:
        raise BackendError('there is no Skupper site in namespace %s: create it (appnet.skupper.site) first' % namespace)
    ready = [site for site in sites if ((site.get('status') or {}).get('status')) == 'Ready']
    if not ready:
        status = (sites[0].get('status') or {})
        raise BackendError('site %s in namespace %s is not ready (%s): a link is generated from a ready site'
                           % (documents.name_of(sites[0]), namespace, status.get('message') or 'no status yet'))
    return ready[0]


def link_endpoints(site):
    """The Site status endpoints a Link dials (the link roles), or BackendError when the site has no link access."""
    endpoints = [dict((key, item[key]) for key in ('name', 'host', 'port', 'group') if item.get(key) is not None)
                 for item in (site.get('status') or {}).get('endpoints') or [] if item.get('name') in model.LINK_ROLES]
    for endpoint in endpoints:
        endpoint['port'] = str(endpoint['port'])
    if not endpoints:
        raise BackendError('site %s has no link access (no inter-router or edge endpoint in its status): set '
                           'link_access on the site (appnet.skupper.site) to generate links from it'
                           % documents.name_of(site))
    return endpoints


def certificate_document(name, namespace, issuer, subject):
    return {'apiVersion': model.API_VERSION, 'kind': 'Certificate', 'metadata': {'name': name, 'namespace': namespace},
            'spec': {'ca': issuer, 'client': True, 'subject': subject}}


def _complete(secret):
    files = documents.secret_files(secret) if secret else {}
    return all(files.get(key) for key in CREDENTIAL_KEYS)


def wait_for_secret(client, namespace, name, timeout, clock=time.time, sleep=time.sleep):
    """The Secret the controller writes for Certificate name, once it holds every credential file."""
    deadline = clock() + timeout
    while True:
        secret = client.get('Secret', namespace, name)
        if _complete(secret):
            return secret
        if clock() >= deadline:
            raise BackendError('the Skupper controller did not issue the credentials of Certificate %s in namespace %s '
                               'within %d seconds (no Secret %s with %s yet): is the controller running?'
                               % (name, namespace, timeout, name, ', '.join(CREDENTIAL_KEYS)))
        sleep(POLL_SECONDS)


def link_documents(site, name, endpoints, cost, secret):
    """The Secret and the Link the remote site applies."""
    data = dict((key, (secret.get('data') or {})[key]) for key in CREDENTIAL_KEYS)
    out_secret = {'apiVersion': 'v1', 'kind': 'Secret', 'type': 'kubernetes.io/tls', 'metadata': {'name': name},
                  'data': data}
    link = {'apiVersion': model.API_VERSION, 'kind': 'Link',
            'metadata': {'name': name, 'annotations': {model.REMOTE_SITE_ANNOTATION: documents.name_of(site)}},
            'spec': {'endpoints': endpoints, 'tlsCredentials': name, 'cost': cost}}
    return out_secret, link


def generate_link(client, namespace, subject, name=None, cost=1, check_mode=False, timeout=60):
    """(secret, link, changed) of subject's link to the site of namespace; (None, None, True) in check mode when
    the credentials would be issued."""
    site = active_site(client, namespace)
    endpoints = link_endpoints(site)
    name = name or 'link-%s' % documents.name_of(site)
    credential = '%s-%s' % (name, subject)
    problem = values.check_name(credential)
    if problem:
        raise BackendError('name and subject make the name of the credentials %r: %s' % (credential, problem))
    issuer = (site.get('status') or {}).get('defaultIssuer') or documents.spec_of(site).get('defaultIssuer') \
        or DEFAULT_ISSUER
    wanted = certificate_document(credential, namespace, issuer, subject)
    existing = client.get('Certificate', namespace, credential)
    changed = existing is None or documents.spec_of(existing) != wanted['spec']
    if changed and check_mode:
        return None, None, True
    if changed:
        client.apply(wanted, force=True)
    secret = wait_for_secret(client, namespace, credential, timeout) if not check_mode else \
        client.get('Secret', namespace, credential)
    if not _complete(secret):  # check mode, the Certificate as wanted and its Secret not written yet
        return None, None, True
    out_secret, link = link_documents(site, name, endpoints, cost, secret)
    return out_secret, link, changed


def run_link_generate_module(module):
    """appnet.skupper.static_link on a Kubernetes site: exit the module with the generated link."""
    params = module.params
    if params.get('host'):
        module.fail_json(msg='host: not used on Kubernetes: the link dials the endpoints of the site\'s status (its '
                             'link access); nothing was changed', changed=False)
    try:
        secret, link, changed = generate_link(KubeClient.from_params(params), params['namespace'], params['subject'],
                                              params['name'], params['cost'], module.check_mode,
                                              params['wait_timeout'])
    except BackendError as exc:
        module.fail_json(msg=str(exc), changed=False)
    if link is None:
        module.exit_json(changed=True)
    module.exit_json(changed=changed, definition=documents.dump_yaml_stream([secret, link]), link=link)
