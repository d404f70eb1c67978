"""Every module's documentation agrees with the model and with what ansible-doc shows."""

import ast
import os
import subprocess
import sys

import pytest
import yaml

from ansible_collections.appnet.skupper.plugins.module_utils import args_common, kind_handlers, model, platforms

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODULES = os.path.join(ROOT, 'plugins', 'modules')
COLLECTIONS = os.path.join(ROOT, '.build', 'collections')
BIN = os.path.dirname(sys.executable)

EXPECTED_MODULES = ['site', 'link', 'listener', 'connector', 'access_grant', 'access_token', 'router_access',
                    'attached_connector', 'attached_connector_binding', 'resource', 'system', 'static_link',
                    'network_info', 'inventory_check', 'network_picture', 'manifest', 'support_bundle']
KIND_MODULES = sorted(model.MODULE_KINDS)


def module_path(name):
    return os.path.join(MODULES, name + '.py')


def read_documentation(name):
    """The DOCUMENTATION string of a module file, read statically like ansible-doc does."""
    with open(module_path(name)) as handle:
        tree = ast.parse(handle.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, 'id', None) == 'DOCUMENTATION' for t in node.targets):
            return yaml.safe_load(node.value.value)
    raise AssertionError('%s has no DOCUMENTATION' % name)


def test_kind_modules_are_the_expected_ones():
    assert set(KIND_MODULES) <= set(EXPECTED_MODULES)
    assert KIND_MODULES == sorted(['site', 'link', 'listener', 'connector', 'access_grant', 'access_token',
                                   'router_access', 'attached_connector', 'attached_connector_binding'])


def test_render_modules_check_passes():
    env = dict(os.environ, PYTHONPATH=COLLECTIONS)
    result = subprocess.run([sys.executable, os.path.join(ROOT, 'hacking', 'render_modules.py'), '--check'],
                            capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert '0 module(s) out of date' in result.stdout


def _compare(doc_options, arg_spec, path=''):
    """Differences between DOCUMENTATION options and an argument_spec, as text."""
    problems = []
    if sorted(doc_options) != sorted(arg_spec):
        problems.append('%s options: documented %s, argument_spec %s' % (path or '.', sorted(doc_options),
                                                                         sorted(arg_spec)))
    for name in sorted(set(doc_options) & set(arg_spec)):
        doc, arg = doc_options[name], arg_spec[name]
        where = path + name
        for key in ('type', 'elements', 'choices'):
            if doc.get(key) != arg.get(key):
                problems.append('%s %s: documented %r, argument_spec %r' % (where, key, doc.get(key), arg.get(key)))
        if bool(doc.get('required', False)) != bool(arg.get('required', False)):
            problems.append('%s required: documented %r, argument_spec %r' % (where, doc.get('required'),
                                                                              arg.get('required')))
        if doc.get('default') != arg.get('default'):
            problems.append('%s default: documented %r, argument_spec %r' % (where, doc.get('default'),
                                                                             arg.get('default')))
        if 'options' in arg or 'suboptions' in doc:
            problems.extend(_compare(doc.get('suboptions') or {}, arg.get('options') or {}, where + '.'))
        if not doc.get('description'):
            problems.append('%s has no description' % where)
    return problems


@pytest.mark.parametrize('name', KIND_MODULES)
def test_kind_module_documentation_matches_the_model(name):
    kind = model.MODULE_KINDS[name]
    documentation = read_documentation(name)
    assert documentation['module'] == name
    own = dict((k, v) for k, v in documentation['options'].items() if k in set(f.option for f in kind.fields))
    assert _compare(own, model.argument_spec(kind)) == []
    # and the module's extra options are documented as its argument_spec has them, nothing else
    extra = dict((k, v) for k, v in documentation['options'].items() if k not in own)
    assert _compare(extra, kind_handlers.EXTRA_SPECS.get(kind.kind, {})) == []
    fragments = documentation['extends_documentation_fragment']
    for fragment in ('appnet.skupper.common', 'appnet.skupper.common.resource', 'appnet.skupper.k8s_auth',
                     'appnet.skupper.wait'):
        assert fragment in fragments
    expected_attributes = ('appnet.skupper.attributes.kubernetes_only' if kind.platforms == platforms.KUBERNETES
                           else 'appnet.skupper.attributes.all')
    assert expected_attributes in fragments


def test_comparison_finds_differences():
    """The comparison is not blind: a documented type, choice or suboption that differs is reported."""
    documentation = read_documentation('link')
    options = dict((k, v) for k, v in documentation['options'].items())
    options['endpoints'] = dict(options['endpoints'], suboptions=dict(options['endpoints']['suboptions']))
    options['endpoints']['suboptions']['host'] = dict(options['endpoints']['suboptions']['host'], required=False)
    options['cost'] = dict(options['cost'], type='str')
    problems = _compare(options, model.argument_spec('Link'))
    assert 'endpoints.host required: documented False, argument_spec True' in problems
    assert "cost type: documented 'str', argument_spec 'int'" in problems


def _fragment(name, section='DOCUMENTATION'):
    module = __import__('ansible_collections.appnet.skupper.plugins.doc_fragments.%s' % name,
                        fromlist=['ModuleDocFragment'])
    return yaml.safe_load(getattr(module.ModuleDocFragment, section))['options']


@pytest.mark.parametrize('fragment,section,spec', [
    ('common', 'DOCUMENTATION', args_common.TARGET),
    ('common', 'SYSTEM_TARGET', args_common.SYSTEM_TARGET),
    ('common', 'RESOURCE', dict((k, v) for k, v in args_common.COMMON.items() if k not in args_common.TARGET)),
    ('k8s_auth', 'DOCUMENTATION', args_common.K8S_AUTH),
    ('wait', 'DOCUMENTATION', args_common.WAIT),
])
def test_doc_fragments_match_the_common_argument_specs(fragment, section, spec):
    options = _fragment(fragment, section)
    assert _compare(options, spec) == []
    for name, arg in spec.items():
        assert sorted(options[name].get('aliases') or []) == sorted(arg.get('aliases') or []), name


def test_k8s_auth_apply_fragment_documents_force():
    assert _compare(_fragment('k8s_auth', 'APPLY'), args_common.APPLY) == []


def test_every_module_of_the_action_group_exists_or_is_expected():
    with open(os.path.join(ROOT, 'meta', 'runtime.yml')) as handle:
        runtime = yaml.safe_load(handle)
    group = runtime['action_groups']['skupper']
    assert sorted(group) == sorted(EXPECTED_MODULES)
    present_files = sorted(n[:-3] for n in os.listdir(MODULES) if n.endswith('.py') and n != '__init__.py')
    # every module file is in the group (so module_defaults work for it)
    assert set(present_files) <= set(group), set(present_files) - set(group)


@pytest.mark.parametrize('name', EXPECTED_MODULES)
def test_action_group_module_exists(name):
    assert os.path.isfile(module_path(name))


@pytest.mark.parametrize('name', EXPECTED_MODULES)
def test_ansible_doc(name):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_NOCOLOR='1')
    result = subprocess.run([os.path.join(BIN, 'ansible-doc'), '--json', 'appnet.skupper.%s' % name],
                            capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    assert result.returncode == 0, result.stderr
    assert 'WARNING' not in result.stderr and 'ERROR' not in result.stderr, result.stderr
    data = yaml.safe_load(result.stdout)
    doc = data['appnet.skupper.%s' % name]['doc']
    assert doc['module'] == name
    assert doc['short_description']
    if name in model.MODULE_KINDS:
        kind = model.MODULE_KINDS[name]
        # ansible-doc merged the fragments: the full argument_spec is documented
        from ansible_collections.appnet.skupper.plugins.module_utils.runner import resource_argument_spec
        spec = resource_argument_spec(kind)
        documented = dict((k, v) for k, v in doc['options'].items() if k in spec)
        assert sorted(documented) == sorted(spec)
        assert _compare(documented, spec) == []
    if name in ('resource', 'manifest', 'system', 'static_link', 'support_bundle'):
        module = __import__('ansible_collections.appnet.skupper.plugins.modules.%s' % name,
                            fromlist=['argument_spec'])
        assert _compare(doc['options'], module.argument_spec()) == []
    if name in ('system', 'static_link'):
        # no default platform: the common fragment's default (kubernetes) is the one value they refuse
        assert 'default' not in doc['options']['platform']
