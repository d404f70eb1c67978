"""static_link on Kubernetes (skupper link generate), through ansible-playbook, against the API and controller
stand-ins: the Link dials the endpoints of west's Site status, its Secret holds a client certificate that west's
controller issued (a Certificate resource) and signed with west's site CA; east applies both and its link is Ready
(the controller stand-in checks the certificate against west's CA). Check mode writes nothing, a second run changes
nothing and gives the same link back, a site without link access and a host option are refused, nothing written."""

import base64
import sys

import yaml

from tests.integration.kubernetes.plays import collection_records, get_object, new_namespace, run
from tests.support import pki
from tests.support.playbook import changed_tasks, failures, run_playbook


def common(server):
    return {'api_host': server.url}


def site(server, namespace, name, **options):
    return {'appnet.skupper.site': dict(common(server), namespace=namespace, name=name, wait=True, wait_timeout=30,
                                        **options)}


def generate(server, namespace, subject='east', register='generated', **options):
    return {'appnet.skupper.static_link': dict(common(server), platform='kubernetes', namespace=namespace,
                                               subject=subject, wait_timeout=20, **options), 'register': register}


def writes(server, namespace):
    prefix = ('/apis/skupper.io/v2alpha1/namespaces/%s/' % namespace, '/api/v1/namespaces/%s/' % namespace)
    return [r for r in collection_records(server) if r.path.startswith(prefix) and r.verb not in ('get', 'list')]


def test_a_kubernetes_site_generates_a_link_another_site_applies(tmp_path, controlled):
    server, _controller = controlled
    west, east = new_namespace(server), new_namespace(server)
    rc, report, outcomes = run(tmp_path, [site(server, west, 'west', link_access='default'), site(server, east, 'east')])
    assert rc == 0, failures(report)

    # check mode: it would issue the credentials, and writes nothing
    server.reset_counts()
    rc, report, outcomes = run(tmp_path, [generate(server, west)], '--check')
    assert rc == 0, failures(report)
    assert outcomes[0]['changed'] is True and 'definition' not in outcomes[0]
    assert writes(server, west) == []
    assert get_object(server, 'Certificate', west, 'link-west-east') is None

    rc, report, outcomes = run(tmp_path, [generate(server, west)])
    assert rc == 0, failures(report)
    first = outcomes[0]
    assert first['changed'] is True and first['censored']
    # the registered result: read it back through a second play that applies it on east
    tasks = [generate(server, west),
             {'appnet.skupper.resource': dict(common(server), namespace=east, definition='{{ generated.definition }}',
                                              wait=True, wait_timeout=30), 'no_log': True},
             {'ansible.builtin.copy': {'content': '{{ generated.definition }}', 'dest': str(tmp_path / 'link.yaml')},
              'no_log': True}]
    rc, report, outcomes = run(tmp_path, tasks)
    assert rc == 0, failures(report)
    assert outcomes[0]['changed'] is False  # the same subject gets the same link back
    with open(str(tmp_path / 'link.yaml')) as handle:
        secret, link = list(yaml.safe_load_all(handle))
    site_status = get_object(server, 'Site', west, 'west')['status']
    assert link['metadata']['name'] == 'link-west' and link['spec']['tlsCredentials'] == 'link-west'
    assert link['metadata']['annotations'] == {'appnet.skupper/remote-site-name': 'west'}
    assert sorted(e['name'] for e in link['spec']['endpoints']) == ['edge', 'inter-router']
    assert {(e['host'], e['port']) for e in link['spec']['endpoints']} == {
        (e['host'], str(e['port'])) for e in site_status['endpoints'] if e['name'] in ('edge', 'inter-router')}
    data = dict((key, base64.b64decode(value).decode()) for key, value in secret['data'].items())
    west_ca = base64.b64decode(get_object(server, 'Secret', west, 'skupper-site-ca')['data']['tls.crt']).decode()
    assert secret['type'] == 'kubernetes.io/tls' and data['ca.crt'] == west_ca
    assert pki.is_signed_by(data['tls.crt'], west_ca) and pki.common_name(data['tls.crt']) == 'east'
    certificate = get_object(server, 'Certificate', west, 'link-west-east')
    assert certificate['spec'] == {'ca': 'skupper-site-ca', 'client': True, 'subject': 'east'}
    east_link = get_object(server, 'Link', east, 'link-west')
    assert east_link['status']['status'] == 'Ready' and east_link['status']['remoteSiteName'] == 'west'


def test_a_site_without_link_access_and_a_host_are_refused_with_nothing_written(tmp_path, controlled):
    server, _controller = controlled
    west = new_namespace(server)
    rc, report, _outcomes = run(tmp_path, [site(server, west, 'west')])
    assert rc == 0, failures(report)
    server.reset_counts()
    rc, report, outcomes = run(tmp_path, [dict(generate(server, west), ignore_errors=True),
                                          dict(generate(server, west, host='west.example.com'), ignore_errors=True)])
    assert 'site west has no link access' in outcomes[0]['msg'] and outcomes[0]['changed'] is False
    assert outcomes[1]['msg'].startswith('host: not used on Kubernetes') and outcomes[1]['changed'] is False
    assert writes(server, west) == []


def test_the_network_playbook_links_through_a_generated_link_where_the_target_says_static(tmp_path, controlled):
    """playbooks/network.yml with west's skupper_link_method static: the link role generates east's link on west
    (static_link on Kubernetes), no grant and no token, and applies it on east; a second run changes nothing."""
    server, controller = controlled
    west, east = new_namespace(server), new_namespace(server)
    hosts = {
        'west': {'skupper_namespace': west, 'skupper_site': {'name': 'west', 'link_access': 'default'},
                 'skupper_link_method': 'static'},
        'east': {'skupper_namespace': east, 'skupper_site': {'name': 'east'}, 'skupper_links': [{'to': 'west'}]},
    }
    common_vars = {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable,
                   'skupper_platform': 'kubernetes', 'skupper_api_host': server.url, 'skupper_wait_timeout': 30,
                   'skupper_link_wait_timeout': 30, 'skupper_verify_retries': 10, 'skupper_verify_delay': 1}
    inventory = tmp_path / 'inventory.yml'
    inventory.write_text(yaml.safe_dump({'all': {'vars': common_vars, 'hosts': hosts}}))
    rc, report = run_playbook('network.yml', str(inventory))
    assert rc == 0, failures(report)
    link = get_object(server, 'Link', east, 'link-west')
    assert link['status']['status'] == 'Ready' and link['status']['remoteSiteName'] == 'west'
    assert get_object(server, 'Certificate', west, 'link-west-east')['spec']['subject'] == 'east'
    assert get_object(server, 'AccessGrant', west, 'east') is None and controller.redemptions(west, 'east') == 0
    assert not [r for r in collection_records(server) if '/accesstokens' in r.path and r.verb not in ('get', 'list')]
    rc, report = run_playbook('network.yml', str(inventory))
    assert rc == 0, failures(report)
    assert changed_tasks(report) == []
