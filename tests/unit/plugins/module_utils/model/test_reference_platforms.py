"""The reference's platform rules, field by field: every option a Skupper resource page describes as Kubernetes
only (pods and label selectors, Kubernetes Secrets and service accounts, Kubernetes and OpenShift access types) is
refused on Linux, Podman and Docker with a message that names the platforms it is for; and every field the model
keeps to Kubernetes is refused the same way, on each system platform and through every way a document comes in
(typed module options, a document given to `resource`, a file of input/resources rendered by `system`)."""

import os
import re

import pytest

from ansible_collections.appnet.skupper.plugins.module_utils import model
from ansible_collections.appnet.skupper.plugins.module_utils.platforms import KUBERNETES, TITLES
from tests.support.reference import absent_reason, reference_path

RESOURCES = reference_path('skupper-docs', 'resources')
SYSTEM = ('linux', 'podman', 'docker')

# (reference page, attribute id, what its text says that makes it Kubernetes only) -> (kind, field).
KUBERNETES_ONLY = [
    ('site.md', 'spec-default-issuer', r'Kubernetes secret', 'Site', 'defaultIssuer'),
    ('site.md', 'spec-service-account', r'Kubernetes service account', 'Site', 'serviceAccount'),
    ('connector.md', 'spec-selector', r'Kubernetes label selector', 'Connector', 'selector'),
    ('connector.md', 'spec-include-not-ready-pods', r'pods', 'Connector', 'includeNotReadyPods'),
    ('connector.md', 'spec-expose-pods-by-name', r'each pod', 'Connector', 'exposePodsByName'),
    ('listener.md', 'spec-expose-pods-by-name', r'each pod', 'Listener', 'exposePodsByName'),
    ('router-access.md', 'spec-access-type', r'OpenShift|Kubernetes', 'RouterAccess', 'accessType'),
]
# Whole kinds the reference describes with pods or Kubernetes Secrets only.
KUBERNETES_KINDS = ['AccessGrant', 'AttachedConnector', 'AttachedConnectorBinding', 'SecuredAccess']
# The Kubernetes access types of Site linkAccess (the reference: OpenShift routes, Kubernetes load balancers...).
KUBERNETES_LINK_ACCESS = ['route', 'loadbalancer']

VALID = {
    'Site': {},
    'Connector': {'routingKey': 'be', 'port': 1, 'host': 'db'},
    'Listener': {'routingKey': 'be', 'port': 1, 'host': 'db'},
    'RouterAccess': {'roles': [{'name': 'inter-router'}], 'tlsCredentials': 'ra'},
}
SAMPLE = {'defaultIssuer': 'ca', 'serviceAccount': 'sa', 'selector': 'app=be', 'includeNotReadyPods': True,
          'exposePodsByName': True, 'accessType': 'route'}


def attribute_text(page, attribute):
    with open(os.path.join(RESOURCES, page)) as handle:
        text = handle.read()
    found = re.search(r'<h3 id="%s">(.*?)(?=<h3 id=|\Z)' % re.escape(attribute), text, re.S)
    return re.sub(r'<[^>]+>', ' ', found.group(1)) if found else None


@pytest.mark.skipif(not os.path.isdir(RESOURCES), reason=absent_reason('skupper-docs', 'resources'))
@pytest.mark.parametrize('page,attribute,marker,kind,field', KUBERNETES_ONLY,
                         ids=['%s.%s' % (item[3], item[4]) for item in KUBERNETES_ONLY])
def test_the_reference_says_it_is_kubernetes_only_and_the_model_keeps_it_there(page, attribute, marker, kind, field):
    text = attribute_text(page, attribute)
    assert text is not None, 'the reference page %s has no attribute %s' % (page, attribute)
    assert re.search(marker, text), text
    assert model.get_kind(kind).field(field).platforms == KUBERNETES


def kube_only_fields():
    for kind in sorted(model.KINDS):
        spec = model.get_kind(kind)
        if not spec.supported_on('linux'):
            continue
        for field in spec.fields:
            if field.platforms == KUBERNETES:
                yield kind, field.name


@pytest.mark.parametrize('platform', SYSTEM)
@pytest.mark.parametrize('kind,field', list(kube_only_fields()))
def test_every_kubernetes_only_field_is_refused_on_system_platforms_saying_so(kind, field, platform):
    spec = dict(VALID[kind], **{field: SAMPLE[field]})
    spec.pop('host', None) if field == 'selector' else None
    document = {'apiVersion': model.API_VERSION, 'kind': kind, 'metadata': {'name': 'x'}, 'spec': spec}
    errors = model.validate_document(document, platform)
    assert 'spec.%s: is only used on Kubernetes, not on %s' % (field, TITLES[platform]) in errors


def test_the_fields_the_reference_marks_are_all_that_the_model_keeps_to_kubernetes():
    assert set(kube_only_fields()) == set((item[3], item[4]) for item in KUBERNETES_ONLY)


@pytest.mark.parametrize('platform', SYSTEM)
@pytest.mark.parametrize('kind', KUBERNETES_KINDS)
def test_kubernetes_kinds_are_refused_on_system_platforms_saying_so(kind, platform):
    assert not model.get_kind(kind).supported_on(platform)
    document = {'apiVersion': model.API_VERSION, 'kind': kind, 'metadata': {'name': 'x'}, 'spec': {}}
    errors = model.validate_document(document, platform)
    assert errors and errors[0].startswith('%s: not supported on %s' % (kind, TITLES[platform]))


@pytest.mark.parametrize('platform', SYSTEM)
@pytest.mark.parametrize('value', KUBERNETES_LINK_ACCESS)
def test_kubernetes_link_access_types_are_refused_on_system_platforms(value, platform):
    document = {'apiVersion': model.API_VERSION, 'kind': 'Site', 'metadata': {'name': 'x'},
                'spec': {'linkAccess': value}}
    errors = model.validate_document(document, platform)
    assert errors == ["spec.linkAccess: %r is not one of none, default on %s (%r is for Kubernetes only)"
                      % (value, TITLES[platform], value)]
