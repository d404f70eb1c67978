"""The doc fragments name the platforms of the registry (platforms.py). ansible-test reads a fragment's
DOCUMENTATION as a literal, so the names are written out there; this test is what keeps them the registry's."""

import yaml

from ansible_collections.appnet.skupper.plugins.doc_fragments.attributes import ModuleDocFragment as Attributes
from ansible_collections.appnet.skupper.plugins.doc_fragments.common import ModuleDocFragment as Common
from ansible_collections.appnet.skupper.plugins.module_utils import platforms


def test_the_platform_option_is_the_registry():
    options = yaml.safe_load(Common.DOCUMENTATION)['options']
    assert options['platform']['choices'] == list(platforms.NAMES)
    assert options['platform']['default'] == platforms.DEFAULT
    assert options['namespace']['default'] == platforms.DEFAULT_NAMESPACE


def test_the_platform_attribute_lists_the_registry():
    attributes = yaml.safe_load(Attributes.ALL)['attributes']
    assert [name.strip() for name in attributes['platform']['platforms'].split(',')] == list(platforms.NAMES)
    kubernetes_only = yaml.safe_load(Attributes.KUBERNETES_ONLY)['attributes']
    assert kubernetes_only['platform']['platforms'] == ', '.join(platforms.KUBERNETES)
