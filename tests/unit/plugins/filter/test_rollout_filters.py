"""plugins/filter: link_plan, missing_links and traffic_checks, the names the rollout roles compute once."""

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.appnet.skupper.plugins.filter.link_plan import link_plan
from ansible_collections.appnet.skupper.plugins.filter.missing_links import missing_links
from ansible_collections.appnet.skupper.plugins.filter.traffic_checks import traffic_checks

HOSTVARS = {
    'hub': {'skupper_platform': 'linux', 'skupper_site': {'name': 'hub-site'}, 'ansible_host': '10.0.0.1'},
    'west': {'skupper_site': {}},
    'east': {'skupper_platform': 'podman', 'skupper_link_host': 'east.example.com', 'ansible_host': '10.0.0.3'},
    'edge': {'skupper_platform': 'linux', 'skupper_site': {'name': 'edge-1'}},
    'south': {'skupper_platform': 'kubernetes', 'skupper_link_method': 'static', 'ansible_host': '10.0.0.5'},
}


def test_a_plan_names_each_link_and_both_ends_and_says_where_the_target_runs():
    plan = link_plan([{'to': 'hub', 'cost': 2}, {'to': 'west'}, {'to': 'east', 'name': 'mine', 'host': 'x'}],
                     HOSTVARS, 'edge')
    assert plan == [
        {'to': 'hub', 'name': 'link-hub-site', 'source_site': 'edge-1', 'target_site': 'hub-site',
         'target_platform': 'linux', 'method': 'static', 'cost': 2, 'host': '10.0.0.1'},
        # a host without skupper_site.name is its site; without skupper_platform, Kubernetes (the roles' default)
        {'to': 'west', 'name': 'link-west', 'source_site': 'edge-1', 'target_site': 'west',
         'target_platform': 'kubernetes', 'method': 'token'},
        # the item's host wins over the target's skupper_link_host and ansible_host
        {'to': 'east', 'name': 'mine', 'source_site': 'edge-1', 'target_site': 'east', 'target_platform': 'podman',
         'method': 'static', 'host': 'x'},
    ]
    assert link_plan([{'to': 'east'}], HOSTVARS, 'hub')[0]['host'] == 'east.example.com'


def test_the_method_of_a_link_to_a_kubernetes_target():
    # the target's skupper_link_method; the item's method wins; no host for a Kubernetes target (its own endpoints)
    assert [(entry['to'], entry['method'], 'host' in entry) for entry in link_plan(
        [{'to': 'south'}, {'to': 'west', 'method': 'static'}, {'to': 'south', 'method': 'token', 'name': 'other'}],
        HOSTVARS, 'edge')] == [('south', 'static', False), ('west', 'static', False), ('south', 'token', False)]


@pytest.mark.parametrize('links, message', [
    ('hub', 'must be a list'),
    ([{'cost': 1}], 'skupper_links[0] of edge must be a dictionary with "to"'),
    ([{'to': 'nowhere'}], "links to 'nowhere', which is not in the inventory"),
    ([{'to': 'west', 'method': 'grant'}], "skupper_links[0] of edge: method 'grant' is not one of token, static"),
    ([{'to': 'hub', 'method': 'token'}], 'hub is a linux site, which issues static links only'),
])
def test_a_bad_link_list_is_refused_naming_the_item(links, message):
    with pytest.raises(AnsibleFilterError) as caught:
        link_plan(links, HOSTVARS, 'edge')
    assert message in str(caught.value)


def test_missing_links_keeps_the_links_the_site_does_not_have():
    plan = link_plan([{'to': 'hub'}, {'to': 'west'}, {'to': 'east'}], HOSTVARS, 'edge')
    # link-hub-site exists; link-west was redeemed from a token into link-west-1 (Skupper's naming of a token's
    # links); link-western is another link
    missing = missing_links(plan, ['link-hub-site', 'link-west-1', 'link-eastern'])
    assert [entry['to'] for entry in missing] == ['east']
    assert missing_links(plan, []) == plan
    assert missing_links(plan, None) == plan


def test_traffic_checks_of_the_listeners_marked_for_it():
    listeners = [
        {'name': 'tcp', 'host': '0.0.0.0', 'port': 8080, 'verify': True},
        {'name': 'web', 'port': 8081, 'verify_http_path': '/health'},
        {'name': 'quiet', 'host': '127.0.0.1', 'port': 8082},
        {'name': 'off', 'host': '127.0.0.1', 'port': 8083, 'verify': False},
    ]
    assert traffic_checks(listeners) == [
        {'name': 'tcp', 'host': '0.0.0.0', 'port': 8080},
        {'name': 'web', 'host': '127.0.0.1', 'port': 8081, 'http_path': '/health'},
    ]
    assert traffic_checks(None) == []


def test_link_documents_names_each_token_as_its_link_and_adds_the_static_links():
    from ansible_collections.appnet.skupper.plugins.filter.link_documents import link_documents
    plan = link_plan([{'to': 'west', 'cost': 3}, {'to': 'hub'}], HOSTVARS, 'edge')
    token = {'apiVersion': 'skupper.io/v2alpha1', 'kind': 'AccessToken', 'metadata': {'name': 'edge-1'},
             'spec': {'url': 'https://west:8443/x', 'code': 'secret-code', 'ca': 'PEM'}}
    grants = [{'item': plan[0], 'token': token, 'changed': True}, {'item': plan[1], 'skipped': True}]
    statics = [{'item': plan[1], 'changed': True, 'definition':
                '---\napiVersion: v1\nkind: Secret\nmetadata: {name: link-hub-site}\n'
                '---\napiVersion: skupper.io/v2alpha1\nkind: Link\nmetadata: {name: link-hub-site}\n'}]
    found = link_documents(grants, statics)
    assert found[0] == {'apiVersion': 'skupper.io/v2alpha1', 'kind': 'AccessToken',
                        'metadata': {'name': 'link-west',
                                     'annotations': {'appnet.skupper/remote-site-name': 'west'}},
                        'spec': {'url': 'https://west:8443/x', 'code': 'secret-code', 'ca': 'PEM', 'linkCost': 3}}
    assert [(d['kind'], d['metadata']['name']) for d in found[1:]] == [
        ('Secret', 'link-hub-site'), ('Link', 'link-hub-site')]
    assert link_documents([], []) == []
    with pytest.raises(AnsibleFilterError):
        link_documents([{'item': plan[0], 'changed': False}])


def test_link_documents_of_a_check_run_leave_out_what_was_only_predicted():
    """A check run's grant has no token and a new static link no credentials: left out; one issued before is kept.
    Outside a check run such a result is an error."""
    from ansible_collections.appnet.skupper.plugins.filter.link_documents import link_documents
    plan = link_plan([{'to': 'west'}, {'to': 'hub'}], HOSTVARS, 'edge')
    issued = ('---\napiVersion: v1\nkind: Secret\nmetadata: {name: link-hub-site}\n'
              '---\napiVersion: skupper.io/v2alpha1\nkind: Link\nmetadata: {name: link-hub-site}\n')
    grants = [{'item': plan[0], 'changed': True}]
    assert link_documents(grants, [{'item': plan[1], 'changed': True}], check_mode=True) == []
    found = link_documents(grants, [{'item': plan[1], 'changed': False, 'definition': issued}], check_mode=True)
    assert [(d['kind'], d['metadata']['name']) for d in found] == [('Secret', 'link-hub-site'), ('Link', 'link-hub-site')]
    with pytest.raises(AnsibleFilterError):
        link_documents(grants, [], check_mode=False)
