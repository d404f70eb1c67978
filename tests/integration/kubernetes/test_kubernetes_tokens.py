"""access_grant and access_token on Kubernetes, through ansible-playbook, against the API and controller stand-ins.

Lifecycles with request counts (check mode, first and second run, diff, a changed field, bad input, absent), the
token flow between two namespaces, grants used up or expired and re-issued, a token redeemed once only, and the
second run of the whole flow, module by module and through the roles users run.
"""

import sys
import time

import yaml

from tests.integration.kubernetes.plays import (
    BOTH_PATHS, collection_records, counted, get_object, new_namespace, persisted_writes, run, run_verbose, save_token,
    token_options)
from tests.support.playbook import changed_tasks, failures, run_playbook

GRANT_KINDS = ['AccessGrant']
TOKEN_KINDS = ['AccessToken', 'Link']


def common(server):
    return {'api_host': server.url, 'wait_timeout': 30, 'wait_sleep': 1}


def site(server, namespace, name, **options):
    return {'appnet.skupper.site': dict(common(server), namespace=namespace, name=name, wait=True, **options)}


def grant_task(server, namespace, name='to-west', register='grant', **options):
    return {'appnet.skupper.access_grant': dict(common(server), namespace=namespace, name=name, **options),
            'register': register}


def token_task(server, namespace, token_file, name='to-west', **options):
    return {'appnet.skupper.access_token': dict(common(server), namespace=namespace, name=name,
                                                **dict(token_options(token_file), **options))}


def ready_for_its_generation(obj):
    ready = [c for c in obj['status']['conditions'] if c['type'] == 'Ready']
    return obj['status']['status'] == 'Ready' and ready[0]['observedGeneration'] == obj['metadata']['generation']


def test_access_grant_lifecycle_and_request_counts(tmp_path, controlled):
    server, _controller = controlled
    west = new_namespace(server)
    assert run(tmp_path, [site(server, west, 'west', link_access='default')])[0] == 0
    grant = grant_task(server, west, name='g', redemptions_allowed=2, expiration_window='1h')

    server.reset_counts()
    rc, report, outcomes = run(tmp_path, [grant], '--check')
    assert rc == 0, failures(report)
    assert outcomes[0]['changed'] is True and 'token' not in outcomes[0]
    verbs, persisted = counted(server, west, GRANT_KINDS)
    assert persisted == [] and verbs == {'get': 1, 'apply': 1} and get_object(server, 'AccessGrant', west, 'g') is None

    rc, report, outcomes = run(tmp_path, [grant, save_token('grant', tmp_path / 'token.json')])
    assert rc == 0, failures(report)
    assert outcomes[0]['changed'] is True and outcomes[0]['censored'], 'the token is never shown'
    live = get_object(server, 'AccessGrant', west, 'g')
    token = yaml.safe_load((tmp_path / 'token.json').read_text())
    assert token['spec'] == {key: live['status'][key] for key in ('url', 'code', 'ca')}
    assert token['kind'] == 'AccessToken' and token['metadata'] == {'name': 'g'}
    assert ready_for_its_generation(live)

    server.reset_counts()
    rc, report, outcomes = run(tmp_path, [grant])
    assert rc == 0 and outcomes[0]['changed'] is False, failures(report)
    assert counted(server, west, GRANT_KINDS) == ({'get': 1}, []), 'an unchanged grant is one read'

    server.reset_counts()
    changed = grant_task(server, west, name='g', redemptions_allowed=3, expiration_window='1h',
                         register='changed')
    rc, report, outcomes = run(tmp_path, [changed, save_token('changed', tmp_path / 'token2.json')], '--diff')
    assert rc == 0 and outcomes[0]['changed'] is True, failures(report)
    verbs, persisted = counted(server, west, GRANT_KINDS)
    assert [r.verb for r in persisted] == ['apply'] and verbs['apply'] == 1
    live = get_object(server, 'AccessGrant', west, 'g')
    assert live['spec']['redemptionsAllowed'] == 3 and ready_for_its_generation(live)
    assert yaml.safe_load((tmp_path / 'token2.json').read_text())['spec']['url'] == live['status']['url']

    server.reset_counts()
    rc, report, outcomes = run(tmp_path, [dict(grant_task(server, west, name='Bad_Name'), ignore_errors=True),
                                          grant_task(server, west, name='g', expiration_window='banana')])
    assert rc != 0 and "name: 'Bad_Name'" in outcomes[0]['msg']
    assert "'banana' must be a duration" in outcomes[1]['msg'] and outcomes[1]['changed'] is False
    assert counted(server, west, GRANT_KINDS) == ({}, []), 'bad input sends nothing'
    assert get_object(server, 'AccessGrant', west, 'g')['spec']['redemptionsAllowed'] == 3

    rc, report, outcomes = run(tmp_path, [dict(grant_task(server, west, name='g', state='absent', wait=True)),
                                          dict(grant_task(server, west, name='g', state='absent'))])
    assert rc == 0, failures(report)
    assert [o['changed'] for o in outcomes] == [True, False]
    assert get_object(server, 'AccessGrant', west, 'g') is None


def test_access_token_lifecycle_request_counts_and_a_token_redeemed_once(tmp_path, controlled):
    server, controller = controlled
    west, east = new_namespace(server), new_namespace(server)
    tokens = tmp_path / 'token.json'
    rc, report, _outcomes = run(tmp_path, [
        site(server, west, 'west', link_access='default'), site(server, east, 'east'),
        grant_task(server, west, redemptions_allowed=1), save_token('grant', tokens)])
    assert rc == 0, failures(report)
    token = token_task(server, east, tokens, wait=True)

    server.reset_counts()
    rc, report, outcomes = run(tmp_path, [token], '--check')
    assert rc == 0 and outcomes[0]['changed'] is True, failures(report)
    verbs, persisted = counted(server, east, TOKEN_KINDS)
    assert persisted == [] and verbs == {'get': 1, 'apply': 1}
    assert get_object(server, 'AccessToken', east, 'to-west') is None and controller.redemptions(west, 'to-west') == 0

    rc, report, outcomes = run(tmp_path, [token])
    assert rc == 0, failures(report)
    assert outcomes[0]['changed'] is True and outcomes[0]['link']['status']['status'] == 'Ready'
    assert outcomes[0]['link']['status']['remoteSiteName'] == 'west'
    assert outcomes[0]['resource']['spec']['code'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    assert controller.redemptions(west, 'to-west') == 1
    redeemed = get_object(server, 'AccessToken', east, 'to-west')

    server.reset_counts()
    rc, report, outcomes = run(tmp_path, [token])
    assert rc == 0 and outcomes[0]['changed'] is False, failures(report)
    assert counted(server, east, TOKEN_KINDS) == ({'get': 2}, []), 'a re-run with wait: the token and its Link'

    # A new token for the same name (a re-issued grant) changes nothing: the controller never redeems twice.
    rc, report, _outcomes = run(tmp_path, [grant_task(server, west, name='again'),
                                           save_token('grant', tmp_path / 'again.json')])
    assert rc == 0, failures(report)
    server.reset_counts()
    rc, report, outcomes = run(tmp_path, [token_task(server, east, tmp_path / 'again.json', wait=True)], '--diff')
    assert rc == 0 and outcomes[0]['changed'] is False, failures(report)
    assert counted(server, east, TOKEN_KINDS)[1] == []
    assert get_object(server, 'AccessToken', east, 'to-west')['spec'] == redeemed['spec']
    assert controller.redemptions(west, 'again') == 0

    rc, report, outcomes = run(tmp_path, [token_task(server, east, tokens, wait=True, link_cost=5)], '--diff')
    assert rc == 0 and outcomes[0]['changed'] is True, failures(report)
    assert outcomes[0]['diff']['after']['spec']['linkCost'] == 5 and 'linkCost' not in outcomes[0]['diff'][
        'before']['spec']
    assert outcomes[0]['diff']['after']['spec']['code'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'

    server.reset_counts()
    rc, _report, outcomes = run(tmp_path, [{'appnet.skupper.access_token': dict(common(server), namespace=east,
                                                                                name='to-west', url='https://x')}])
    assert rc != 0 and 'code' in outcomes[0]['msg']
    assert counted(server, east, TOKEN_KINDS) == ({}, []), 'bad input sends nothing'

    rc, report, outcomes = run(tmp_path, [token_task(server, east, tokens, state='absent', wait=True),
                                          token_task(server, east, tokens, state='absent')])
    assert rc == 0, failures(report)
    assert [o['changed'] for o in outcomes] == [True, False]


@BOTH_PATHS
def test_the_code_is_never_in_verbose_output(tmp_path, controlled):
    server, _controller = controlled
    west, east = new_namespace(server), new_namespace(server)
    tokens = tmp_path / 'token.json'
    tasks = [site(server, west, 'west', link_access='default'), site(server, east, 'east'),
             grant_task(server, west), save_token('grant', tokens), token_task(server, east, tokens, wait=True)]
    rc, output = run_verbose(tmp_path, tasks, '-vvv', '--diff')
    assert rc == 0, output[-3000:]
    code = get_object(server, 'AccessGrant', west, 'to-west')['status']['code']
    assert len(code) >= 16 and code not in output
    assert 'to-west' in output


def test_a_token_refused_once_is_redeemed_once_its_code_is_right(tmp_path, controlled):
    """The AccessToken's Error of the wrong code is the status of its previous generation: the wait for the
    right code does not stop at it."""
    server, _controller = controlled
    west, east = new_namespace(server), new_namespace(server)
    tokens = tmp_path / 'token.json'
    rc, report, _outcomes = run(tmp_path, [site(server, west, 'west', link_access='default'),
                                           site(server, east, 'east'), grant_task(server, west),
                                           save_token('grant', tokens)])
    assert rc == 0, failures(report)
    wrong = token_task(server, east, tokens, wait=True, wait_timeout=10)
    wrong['appnet.skupper.access_token']['code'] = 'wrong-code'
    rc, _report, outcomes = run(tmp_path, [wrong])
    assert rc != 0 and outcomes[0]['changed'] is True
    assert 'could not be redeemed' in outcomes[0]['msg'] and '403' in outcomes[0]['msg']
    rc, report, outcomes = run(tmp_path, [token_task(server, east, tokens, wait=True)])
    assert rc == 0, failures(report)
    assert outcomes[0]['changed'] is True and outcomes[0]['link']['status']['status'] == 'Ready'


def test_token_flow_grants_used_up_are_reissued_and_a_grant_still_valid_is_reused(tmp_path, controlled):
    server, controller = controlled
    west, east = new_namespace(server), new_namespace(server)
    tokens = tmp_path / 'token.json'
    grant = grant_task(server, west)
    tasks = [
        site(server, west, 'west', link_access='default'), site(server, east, 'east'),
        {'appnet.skupper.connector': dict(common(server), namespace=west, name='db', routing_key='db', host='db',
                                          port=5432)},
        {'appnet.skupper.listener': dict(common(server), namespace=east, name='db', routing_key='db', host='db',
                                         port=5432)},
        grant, save_token('grant', tokens),
        token_task(server, east, tokens, wait=True),
        {'appnet.skupper.listener': dict(common(server), namespace=east, name='db', routing_key='db', host='db',
                                         port=5432, wait=True)},
        {'appnet.skupper.network_info': {'api_host': server.url, 'namespace': east, 'expected_links': ['west'],
                                         'require_ready': True}},
        {'appnet.skupper.network_info': {'api_host': server.url, 'namespace': west}},
    ]
    rc, report, outcomes = run(tmp_path, tasks)
    assert rc == 0, failures(report)
    # west alone tells the network: both sites (the Site status' network), east's link to it, its endpoints and
    # the grant's redemption
    west_info = outcomes[9]
    sites = dict((site['name'], site) for site in west_info['sites'])
    assert set(sites) == {'west', 'east'} and sites['west']['self'] and not sites['east']['self']
    assert sites['east']['id'] == outcomes[8]['site']['id'] and sites['east']['platform'] == 'kubernetes'
    assert [(l['name'], l['status'], l['remote_site_name']) for l in sites['east']['links']] == [
        ('to-west', 'Ready', 'west')]
    assert west_info['site']['endpoints'] and all(e['port'] for e in west_info['site']['endpoints'])
    grants = [item for item in west_info['resources'] if item['kind'] == 'AccessGrant']
    assert [(g['name'], g['status'], g['redemptions'], g['redemptions_allowed']) for g in grants] == [
        ('to-west', 'Ready', 1, 1)]
    assert grants[0]['expiration_time'] and grants[0]['url']
    assert west_info['versions']['collection'] and west_info['versions']['router'] is None  # no router Deployment
    assert outcomes[4]['censored'], 'the token is never shown'
    link = outcomes[6]['link']
    assert link['status']['status'] == 'Ready' and link['status']['remoteSiteName'] == 'west'
    assert outcomes[7]['status']['hasMatchingConnector'] is True
    info = outcomes[8]
    assert [(l['name'], l['status'], l['remote_site_name']) for l in info['links']] == [('to-west', 'Ready', 'west')]
    assert controller.redemptions(west, 'to-west') == 1
    first_uid = get_object(server, 'AccessGrant', west, 'to-west')['metadata']['uid']

    # The grant was redeemed as often as it allows: running it again re-issues it and says why.
    rc, report, outcomes = run(tmp_path, [grant])
    assert rc == 0, failures(report)
    assert outcomes[0]['changed'] is True and outcomes[0]['censored']
    assert any('used up' in warning for warning in outcomes[0].get('warnings', []))
    reissued = get_object(server, 'AccessGrant', west, 'to-west')
    assert reissued['metadata']['uid'] != first_uid and reissued['status']['redemptions'] == 0

    # That re-issued grant is not redeemed yet: running the grant again reuses it, one read and no write.
    server.reset_counts()
    rc, report, outcomes = run(tmp_path, [grant])
    assert rc == 0 and outcomes[0]['changed'] is False, failures(report)
    assert counted(server, west, GRANT_KINDS) == ({'get': 1}, [])
    assert get_object(server, 'AccessGrant', west, 'to-west')['metadata']['uid'] == reissued['metadata']['uid']


def test_an_expired_grant_is_reissued_and_its_new_token_links(tmp_path, controlled):
    server, controller = controlled
    west, east = new_namespace(server), new_namespace(server)
    tokens = tmp_path / 'token.json'
    grant = grant_task(server, west, expiration_window='2s', redemptions_allowed=5)
    rc, report, _outcomes = run(tmp_path, [site(server, west, 'west', link_access='default'),
                                           site(server, east, 'east'), grant])
    assert rc == 0, failures(report)
    first = get_object(server, 'AccessGrant', west, 'to-west')
    time.sleep(3.5)  # the controller stand-in counts the window from the grant's creationTimestamp (seconds)
    renew = grant_task(server, west, expiration_window='10m', redemptions_allowed=5)
    rc, report, outcomes = run(tmp_path, [renew, save_token('grant', tokens),
                                          token_task(server, east, tokens, wait=True, wait_timeout=20)])
    assert rc == 0, failures(report)
    assert outcomes[0]['changed'] is True
    assert any('expired at' in warning for warning in outcomes[0]['warnings'])
    renewed = get_object(server, 'AccessGrant', west, 'to-west')
    assert renewed['metadata']['uid'] != first['metadata']['uid']
    assert outcomes[2]['link']['status']['status'] == 'Ready' and controller.redemptions(west, 'to-west') == 1


def test_second_run_of_the_module_flow_rewrites_no_token(tmp_path, controlled):
    """Run 2 of site, site, grant, token: the used-up grant is re-issued (the module says so), the redeemed token
    is left as it is, matching its Link."""
    server, controller = controlled
    west, east = new_namespace(server), new_namespace(server)
    tokens = tmp_path / 'token.json'
    tasks = [site(server, west, 'west', link_access='default'), site(server, east, 'east'), grant_task(server, west),
             save_token('grant', tokens), token_task(server, east, tokens, wait=True)]
    rc, report, _outcomes = run(tmp_path, tasks)
    assert rc == 0, failures(report)
    redeemed = get_object(server, 'AccessToken', east, 'to-west')
    mark = len(server.requests)
    rc, report, outcomes = run(tmp_path, tasks)
    assert rc == 0, failures(report)
    assert [o['changed'] for o in outcomes] == [False, False, True, True, False]
    assert persisted_writes(collection_records(server, mark)) == [
        ('delete', '/apis/skupper.io/v2alpha1/namespaces/%s/accessgrants/to-west' % west),
        ('apply', '/apis/skupper.io/v2alpha1/namespaces/%s/accessgrants/to-west' % west)]
    assert get_object(server, 'AccessToken', east, 'to-west')['spec'] == redeemed['spec']
    assert controller.redemptions(west, 'to-west') == 1


def test_second_run_of_the_network_playbook_writes_nothing_and_issues_no_grant(tmp_path, controlled):
    """The flow users run (playbooks/network.yml: sites, then links by the link role, then verification): the
    second run changes nothing, persists nothing and issues no grant."""
    server, controller = controlled
    west, east = new_namespace(server), new_namespace(server)
    hosts = {
        'west': {'skupper_namespace': west, 'skupper_site': {'name': 'west', 'link_access': 'default'},
                 'skupper_connectors': [{'name': 'db', 'host': 'db', 'port': 5432}]},
        'east': {'skupper_namespace': east, 'skupper_site': {'name': 'east'}, 'skupper_links': [{'to': 'west'}],
                 'skupper_listeners': [{'name': 'db', 'host': 'db', 'port': 5432}]},
    }
    common_vars = {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable,
                   'skupper_platform': 'kubernetes', 'skupper_api_host': server.url, 'skupper_wait_timeout': 30,
                   'skupper_link_wait_timeout': 30, 'skupper_verify_retries': 10, 'skupper_verify_delay': 1}
    inventory = tmp_path / 'inventory.yml'
    inventory.write_text(yaml.safe_dump({'all': {'vars': common_vars, 'hosts': hosts}}))
    rc, report = run_playbook('network.yml', str(inventory))
    assert rc == 0, failures(report)
    assert controller.redemptions(west, 'east') == 1
    link = get_object(server, 'Link', east, 'link-west')
    assert link['status']['status'] == 'Ready' and link['status']['remoteSiteName'] == 'west'

    mark = len(server.requests)
    rc, report = run_playbook('network.yml', str(inventory))
    assert rc == 0, failures(report)
    assert changed_tasks(report) == []
    second = collection_records(server, mark)
    assert second and persisted_writes(second) == [], 'the second run persists nothing'
    # No grant, no token: their only requests are the one read of each kind per site by verify's network_info
    # (it reports their status), no write, no dry run.
    handoff = sorted((r.verb, r.path) for r in second if '/accessgrants' in r.path or '/accesstokens' in r.path)
    assert handoff == sorted(('list', '/apis/skupper.io/v2alpha1/namespaces/%s/%s' % (namespace, plural))
                             for namespace in (west, east) for plural in ('accessgrants', 'accesstokens')), handoff
    assert controller.redemptions(west, 'east') == 1
