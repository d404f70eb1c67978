"""A host cut off in the middle of playbooks/network.yml, then restored (issue 18): over real SSH between
network-namespace hosts, with the real router when SKUPPER_ROUTER_BIN names it (`make test` sets it).

Three sites: west (link access), east and north linking to west (static links issued on west). east is cut off
at a chosen point of the run by the callback plugin callback_plugins/host_cut.py (after a chosen task ended well on
east, before the next task starts): its namespace's link taken down (packets lost) or its sshd killed (connections
refused). The run reports east unreachable and nothing else; west and north finish, verified. east is restored and
network.yml runs again: it converges, and what it leaves is what a run without the fault leaves: the static links
issued on west (one per linking site, the same credentials the linking site holds), the Links of each site, no
AccessToken (a grant redeemed), and the router links Ready.
"""

import base64
import hashlib
import json
import os
import sys

import pytest
import yaml

from tests.support import fault_figures, real_router
from tests.support.netns_hosts import NetnsHosts, available
from tests.support.playbook import ROOT, failures, run_playbook, task_outcomes

SUPPORT_BIN = os.path.join(ROOT, 'tests', 'support', 'bin')
CALLBACKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'callback_plugins')

UNAVAILABLE = available()
pytestmark = pytest.mark.skipif(UNAVAILABLE is not None, reason='no network namespace hosts: %s' % UNAVAILABLE)

SITE_TASK = 'Linux, Podman or Docker site applied, rendered and (re)started when it changed'
LINK_TASK = 'The new links applied on this site, and its router reloaded'
FAULTS = {'rollout-cut-after-site': 'test_a_host_cut_off_mid_rollout_converges_on_the_rerun',
          'rollout-cut-after-link': 'test_a_host_cut_off_mid_rollout_converges_on_the_rerun'}
# What ssh says of a host cut off each way.
REASONS = {'link': ('No route to host', 'timed out'), 'sshd': ('Connection refused',)}
VERIFY_TASK = 'The site, its expected links and traffic through its listeners are ready'
# (fault id, the task after which east is cut off, how, the first task that finds east unreachable, whether that
# task is no_log: true (it carries credentials))
FAULT_POINTS = [
    ('rollout-cut-after-site', SITE_TASK, 'link', 'appnet.skupper.link : ' + LINK_TASK, True),
    ('rollout-cut-after-link', LINK_TASK, 'sshd', 'appnet.skupper.verify : ' + VERIFY_TASK, False),
]


def write_inventory(hosts, path, home):
    router = os.environ.get('SKUPPER_ROUTER_BIN')
    skmanage = (real_router.skmanage() if router else None) or os.environ.get('SKUPPER_SKMANAGE_BIN') \
        or os.path.join(SUPPORT_BIN, 'skmanage')
    common = {
        'ansible_python_interpreter': sys.executable,
        'skupper_platform': 'linux',
        'skupper_service_manager': 'process',
        'skupper_router_binary': router or os.path.join(SUPPORT_BIN, 'skrouterd'),
        'skupper_skmanage': skmanage,
        'skupper_verify_retries': 20,
        'skupper_verify_delay': 1,
        'skupper_verify_picture': False,
    }
    layout = {
        'west': {'skupper_site': {'name': 'west', 'link_access': 'default'}},
        'east': {'skupper_site': {'name': 'east'}, 'skupper_links': [{'to': 'west'}]},
        'north': {'skupper_site': {'name': 'north'}, 'skupper_links': [{'to': 'west'}]},
    }
    inventory = {'all': {'vars': common, 'hosts': {}}}
    for host in hosts.hosts:
        host_vars = dict(hosts.inventory_vars(host), skupper_namespace='shop',
                         skupper_data_home=os.path.join(host.workdir, home), **layout[host.name])
        # A host whose packets are lost is given up on in seconds, the way an operator's ssh config would: the
        # connection attempt times out, and an open (ControlPersist) connection dies when keepalives go unanswered.
        host_vars['ansible_ssh_common_args'] += ' -o ConnectTimeout=5 -o ServerAliveInterval=1 -o ServerAliveCountMax=3'
        inventory['all']['hosts'][host.name] = host_vars
    with open(path, 'w') as handle:
        yaml.safe_dump(inventory, handle)


def _site_home(host, home):
    return os.path.join(host.workdir, home, 'namespaces', 'shop')


def _resource_files(host, home, kind):
    folder = os.path.join(_site_home(host, home), 'input', 'resources')
    return sorted(name for name in os.listdir(folder) if name.startswith(kind + '-')) if os.path.isdir(folder) else []


def _digest(data):
    return hashlib.sha256(data).hexdigest()


def observed(hosts, home, report):
    """What a run leaves: the static links west issued (subject -> digest of the client certificate), each site's
    Link and AccessToken files, the credentials each linking site holds for its link (digest), and the links each
    site's router reports (network_info of the verification)."""
    issued_dir = os.path.join(_site_home(hosts['west'], home), 'runtime', 'issued')
    issued = {}
    for subject in sorted(os.listdir(issued_dir)) if os.path.isdir(issued_dir) else []:
        with open(os.path.join(issued_dir, subject, 'tls.crt'), 'rb') as handle:
            issued[subject] = _digest(handle.read())
    held = {}
    for host in hosts.hosts:
        for name in _resource_files(host, home, 'Secret'):
            with open(os.path.join(_site_home(host, home), 'input', 'resources', name)) as handle:
                secret = yaml.safe_load(handle)
            held[host.name] = _digest(base64.b64decode(secret['data']['tls.crt']))
    router_links = {}
    for host, _name, outcome in task_outcomes(report):
        if 'links' in outcome and 'ready' in outcome:
            router_links[host] = sorted((l['name'], l['status'], l['remote_site_name']) for l in outcome['links'])
    return {
        'issued': issued,
        'held': held,
        'links': dict((host.name, _resource_files(host, home, 'Link')) for host in hosts.hosts),
        'tokens': dict((host.name, _resource_files(host, home, 'AccessToken')) for host in hosts.hosts),
        'router_links': router_links,
    }


def counts(seen):
    """The figures the issue asks for: static links issued, Links present, grants redeemed (AccessTokens)."""
    return {'static_links_issued': len(seen['issued']),
            'links_present': sum(len(names) for names in seen['links'].values()),
            'grants_redeemed': sum(len(names) for names in seen['tokens'].values()),
            'router_links_ready': sum(1 for links in seen['router_links'].values() for l in links if l[1] == 'Ready')}


@pytest.fixture(scope='module')
def hosts(tmp_path_factory):
    workdir = str(tmp_path_factory.mktemp('netns'))
    with NetnsHosts(['west', 'east', 'north'], workdir) as made:
        yield made


def _network(hosts, home):
    inventory = os.path.join(hosts.workdir, home + '.yml')
    write_inventory(hosts, inventory, home)
    return inventory


@pytest.fixture
def torn_down(hosts):
    """The inventories of a test, torn down (teardown.yml) at its end: the next test's routers take the same ports."""
    made = []
    yield made
    for inventory in made:
        rc, report = run_playbook('teardown.yml', inventory)
        assert rc == 0, failures(report)


@pytest.fixture(scope='module')
def baseline(hosts):
    """What a run without a fault leaves (then torn down)."""
    inventory = _network(hosts, 'baseline')
    try:
        rc, report = run_playbook('network.yml', inventory)
        assert rc == 0, failures(report)
        seen = observed(hosts, 'baseline', report)
    finally:
        rc, report = run_playbook('teardown.yml', inventory)
        assert rc == 0, failures(report)
    return seen


def test_the_baseline_has_one_static_link_per_linking_site(hosts, baseline):
    assert set(baseline['issued']) == {'east', 'north'}
    assert baseline['held'] == {'east': baseline['issued']['east'], 'north': baseline['issued']['north']}
    assert baseline['links'] == {'west': [], 'east': ['Link-link-west.yaml'], 'north': ['Link-link-west.yaml']}
    assert counts(baseline) == {'static_links_issued': 2, 'links_present': 2, 'grants_redeemed': 0,
                                'router_links_ready': 2}


@pytest.mark.parametrize('fault, task, how, unreached, no_log', FAULT_POINTS, ids=[point[0] for point in FAULT_POINTS])
def test_a_host_cut_off_mid_rollout_converges_on_the_rerun(hosts, baseline, torn_down, fault, task, how, unreached,
                                                           no_log):
    inventory = _network(hosts, fault)
    torn_down.append(inventory)
    record = os.path.join(hosts.workdir, fault + '.cut.json')
    env = {'ANSIBLE_CALLBACK_PLUGINS': os.pathsep.join([os.path.join(ROOT, 'tests', 'support', 'callback_plugins'),
                                                        CALLBACKS]),
           'ANSIBLE_CALLBACKS_ENABLED': 'host_cut',
           'APPNET_TEST_CUT_HOST': 'east', 'APPNET_TEST_CUT_TASK': task,
           'APPNET_TEST_CUT_COMMAND': json.dumps(hosts.cut_argv(hosts['east'], how)),
           'APPNET_TEST_CUT_RECORD': record}
    try:
        rc, report = run_playbook('network.yml', inventory, env=env)
    finally:
        hosts.restore(hosts['east'], how)
    with open(record) as handle:
        cut = json.load(handle)
    assert cut['rc'] == 0, cut

    # The run says which host failed and why; the others finished, verified.
    assert rc == 4, failures(report)  # ansible-playbook's exit status when a host was unreachable
    stats = report['stats']
    assert stats['east']['unreachable'] == 1 and stats['east']['failures'] == 0, stats
    assert all(stats[name]['unreachable'] == 0 and stats[name]['failures'] == 0 for name in ('west', 'north')), stats
    unreachable = [(host, name, outcome) for host, name, outcome in task_outcomes(report) if outcome.get('unreachable')]
    assert [(host, name) for host, name, _outcome in unreachable] == [('east', unreached)], failures(report)
    outcome = unreachable[0][2]
    if no_log:  # Ansible hides the whole result of a no_log task, the reason too: the recap says unreachable
        assert 'censored' in outcome and 'msg' not in outcome, outcome
    else:
        assert 'ssh: connect to host %s port 22' % hosts['east'].address in outcome['msg'], outcome
        assert any(reason in outcome['msg'] for reason in REASONS[how]), outcome
    verified = [host for host, name, outcome in task_outcomes(report)
                if name == 'appnet.skupper.verify : The site is ready' and not outcome.get('skipped') and not outcome.get('failed')]
    assert sorted(verified) == ['north', 'west']

    # The re-run converges on what a run without the fault leaves.
    rc, report = run_playbook('network.yml', inventory)
    assert rc == 0, failures(report)
    seen = observed(hosts, fault, report)
    assert counts(seen) == counts(baseline)
    assert set(seen['issued']) == set(baseline['issued'])
    assert seen['held'] == {'east': seen['issued']['east'], 'north': seen['issued']['north']}
    assert seen['links'] == baseline['links'] and seen['tokens'] == baseline['tokens']
    assert seen['router_links'] == baseline['router_links']
    # (a duplicate: a static link issued or a Link present beyond the baseline's)
    duplicates = sum(counts(seen)[name] - counts(baseline)[name] for name in ('static_links_issued', 'links_present'))
    fault_figures.record(fault, rounds=1, updates_lost=0, duplicates=duplicates, corrupted=0)
