"""The resource model against Skupper's resource docs (skupper-docs/resources/*.md): every documented spec
property is a model field with the documented type, required-ness, default and choices.

The pages describe each property as an HTML block: a heading with id "spec-<name>", a type line, optional
flags (required, advanced, ...) and a table whose rows include Default and Choices.
"""

import html
import os
import re

import pytest

from tests.support.reference import absent_reason, reference_path
from ansible_collections.appnet.skupper.plugins.module_utils import model

DOCS = reference_path('skupper-docs', 'resources')
CONTROLLER_DOC = reference_path('skupper-docs', 'topics', 'controller-configuration.md')

_BLOCK = re.compile(r'<div class="attribute[^"]*">\s*<div class="attribute-heading">\s*<h3 id="(?P<section>[a-z]+)-'
                    r'[^"]*">(?P<name>[^<]+)</h3>\s*<div class="attribute-type-info">(?P<type>[^<]*)</div>'
                    r'(?:\s*<div class="attribute-flags">(?P<flags>[^<]*)</div>)?(?P<body>.*?)'
                    r'(?=<div class="attribute[ "]|\Z)', re.S)
_DOC_TYPES = {'string': 'str', 'string (duration)': 'str', 'integer': 'int', 'boolean': 'bool', 'array': 'list',
              'object': ('object', 'map')}
# Required by the CRD (and so by the model) although the page does not flag it.
CRD_REQUIRED_NOT_IN_DOCS = {('AccessToken', 'ca')}
DESCRIBED = object()  # a default the page describes in words ("Generated"), not a value


def _default(cell):
    """The documented default: a value, DESCRIBED for words in italics, None without a Default row."""
    if cell is None:
        return None
    cell = cell.strip()
    code = re.fullmatch(r'<p><code>([^<]*)</code></p>', cell)
    if code:
        return html.unescape(code.group(1))
    if '<em>' in cell:
        return DESCRIBED
    if cell in ('True', 'False'):
        return cell == 'True'
    if re.fullmatch(r'-?[0-9]+', cell):
        return int(cell)
    raise AssertionError('default %r not understood' % cell)


def parse_page(text):
    """(kind, {name: {type, flags, default, choices}}) of the spec properties of one resource page."""
    kind = re.search(r'^# (\w+) resource$', text, re.M).group(1)
    spec = {}
    for block in _BLOCK.finditer(text):
        if block.group('section') != 'spec':
            continue
        body = block.group('body')
        default = re.search(r'<th>Default</th><td>(.*?)</td>', body, re.S)
        choices = re.search(r'<th>Choices</th><td><table class="choices">(.*?)</table>', body, re.S)
        spec[block.group('name')] = {
            'type': block.group('type'),
            'flags': [f.strip() for f in (block.group('flags') or '').split(',') if f.strip()],
            'default': _default(default.group(1) if default else None),
            'choices': re.findall(r'<tr><th><code>([^<]*)</code></th>', choices.group(1)) if choices else None,
        }
    return kind, spec


def _pages():
    if not os.path.isdir(DOCS):
        return {}
    pages = {}
    for name in sorted(os.listdir(DOCS)):
        if name.endswith('.md') and name != 'index.md':
            with open(os.path.join(DOCS, name)) as handle:
                kind, spec = parse_page(handle.read())
            pages[kind] = spec
    return pages


PAGES = _pages()
reference = pytest.mark.skipif(not PAGES, reason=absent_reason('skupper-docs', 'resources'))
DOCUMENTED = [(kind, name) for kind in sorted(PAGES) for name in sorted(PAGES[kind])]


def documented_access_types():
    """The Kubernetes access types the controller configuration page names."""
    with open(CONTROLLER_DOC) as handle:
        text = handle.read()
    found = set(re.search(r'-enabled-access-types.*?\(default `([^`]+)`\)', text).group(1).split(','))
    for quoted, plain in re.findall(r'(?:`([a-z][a-z-]*)`|configuring ([a-z][a-z-]*)) as an access type', text):
        found.add(quoted or plain)
    return found


@reference
def test_the_pages_are_read():
    """The parser finds what the Site page says (the comparisons below are not blind)."""
    assert sorted(PAGES) == sorted(k.kind for k in model.MODULE_KINDS.values())
    assert PAGES['Site']['linkAccess'] == {'type': 'string', 'flags': ['frequently used'], 'default': 'none',
                                           'choices': ['none', 'default', 'route', 'loadbalancer']}
    assert PAGES['Site']['serviceAccount']['default'] is DESCRIBED
    assert PAGES['Link']['cost']['default'] == 1 and PAGES['Site']['ha']['default'] is False
    assert PAGES['Listener']['routingKey']['flags'] == ['required']


@reference
@pytest.mark.parametrize('kind,name', DOCUMENTED, ids=['%s.%s' % d for d in DOCUMENTED])
def test_documented_property_is_a_model_field_of_that_type(kind, name):
    field = model.get_kind(kind).field(name)
    assert field is not None and field.name == name
    expected = _DOC_TYPES[PAGES[kind][name]['type']]
    assert field.type in (expected if isinstance(expected, tuple) else (expected,))


@reference
@pytest.mark.parametrize('kind,name', DOCUMENTED, ids=['%s.%s' % d for d in DOCUMENTED])
def test_documented_required_ness(kind, name):
    field = model.get_kind(kind).field(name)
    documented = 'required' in PAGES[kind][name]['flags']
    assert field.schema_required == (documented or (kind, name) in CRD_REQUIRED_NOT_IN_DOCS)


@reference
@pytest.mark.parametrize('kind,name', DOCUMENTED, ids=['%s.%s' % d for d in DOCUMENTED])
def test_documented_default(kind, name):
    documented = PAGES[kind][name]['default']
    field = model.get_kind(kind).field(name)
    assert field.default == (None if documented is DESCRIBED else documented)


@reference
@pytest.mark.parametrize('kind,name', DOCUMENTED, ids=['%s.%s' % d for d in DOCUMENTED])
def test_documented_choices(kind, name):
    """Kubernetes accepts every documented choice; choices beyond the page's are documented access types; Linux,
    Podman and Docker accept only documented ones."""
    documented = PAGES[kind][name]['choices']
    field = model.get_kind(kind).field(name)
    if documented is None:
        assert field.choices is None or field.schema_enum, 'choices the docs do not list: %s' % field.choices
        return
    kube = field.choices_on('kubernetes')
    assert set(documented) <= set(kube)
    assert set(kube) - set(documented) <= documented_access_types()
    if field.supported_on('linux'):
        assert set(field.choices_on('linux')) <= set(documented)


@reference
def test_access_types_are_the_documented_ones():
    assert set(model.ACCESS_TYPES) == documented_access_types()


# Choices that neither a CRD enum nor a page's Choices row gives, each with where Skupper says so.
MODULE_CHOICES = {
    # the CRD describes a role name as 'Either "inter-router" or "edge"'
    ('RouterAccess', 'roles[].name'),
    # an endpoint is named after the role it serves (nonkube-runtime.md section 5: the router connector role)
    ('Link', 'endpoints[].name'),
    # the CRD: "Currently only supports tcp" (its schema takes any string); Linux, Podman and Docker sites render
    # only tcp (nonkube-runtime.md section 3: type must be tcp or empty)
    ('Listener', 'type'), ('Connector', 'type'),
}


def _fields_with_choices():
    for kind in sorted(model.KINDS.values(), key=lambda k: k.kind):
        stack = [('', f) for f in kind.fields]
        while stack:
            prefix, field = stack.pop()
            path = prefix + field.name
            if field.choices or field.system_choices:
                yield kind.kind, path, field
            stack.extend((path + ('[].' if field.type == 'list' else '.'), f) for f in field.fields)


@reference
def test_every_model_choice_comes_from_the_crd_or_the_docs():
    """No choices of the modules' own making: a CRD enum (schema_enum), a page's Choices row, or a listed reason."""
    sources = []
    for kind, path, field in _fields_with_choices():
        if field.schema_enum:
            sources.append('crd')
        elif PAGES.get(kind, {}).get(path, {}).get('choices'):
            sources.append('docs')
        else:
            assert (kind, path) in MODULE_CHOICES, '%s.%s: choices %s have no source' % (kind, path, field.choices)
            sources.append('listed')
    assert sorted(set(sources)) == ['crd', 'docs', 'listed']
