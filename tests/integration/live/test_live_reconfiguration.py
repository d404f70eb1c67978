"""Live reconfiguration of a running Linux site, with the real router (process manager, private data homes, free
ports: other runs share this machine).

Two sites, west (link access, the connectors) and east (linked to west, the listeners); a long-lived TCP
connection through east's listener `a`. Listeners added and removed on east and a connector's port changed on west
go through the router's management interface: the same router processes (0 restarts), the same link connection at
both ends (0 link flaps), the long-lived connection still echoes (0 dropped connections), the new listener serves,
the removed one refuses. Check mode predicts each change and touches nothing; a re-run changes nothing. Then a
change that needs a restart (the link's cost) restarts and says why, and a live change that the router refuses
falls back to a restart, with a warning.
"""

import hashlib
import os
import socket

import pytest
import yaml

from tests.integration.faults.support import Site, cleanup, free_port, real_router, router_processes, run, serves
from tests.support.echo_server import EchoServer, echoes

READS_CHANGED = 'what the router reads (its configuration or a certificate) changed'
LIVE_FAILED = 'the live change of its listeners and connectors failed'


def doc(kind, name, spec):
    return {'apiVersion': 'skupper.io/v2alpha1', 'kind': kind, 'metadata': {'name': name}, 'spec': spec}


def connector(name, key, port):
    return doc('Connector', name, {'routingKey': key, 'host': '127.0.0.1', 'port': port})


def listener(name, key, port):
    return doc('Listener', name, {'routingKey': key, 'host': '127.0.0.1', 'port': port})


def skmanage(router):
    return os.path.join(os.path.dirname(router), 'skmanage')


def query(site, entity_type):
    from ansible_collections.appnet.skupper.plugins.module_utils.system.service import router_queries
    return router_queries.query(router_queries.management_target(site.home), entity_type, skmanage(site.router))


def link_connections(site):
    """{(identity, container, dir)} of the site's inter-router connections (a flap gives them new identities)."""
    return set((item['identity'], item.get('container'), item.get('dir')) for item in query(site, 'connection')
               if item.get('role') == 'inter-router')


def refuses(port):
    try:
        with socket.create_connection(('127.0.0.1', port), timeout=2):
            return False
    except ConnectionRefusedError:
        return True


def warning_texts(result):
    """The warnings of a module result, as the module process prints them (ansible-core 2.19: {'event': {'msg'}})."""
    return [item['event']['msg'] if isinstance(item, dict) else item for item in result.get('warnings', [])]


def digest(path):
    with open(path, 'rb') as handle:
        return hashlib.sha256(handle.read()).hexdigest()


class Network(object):
    def __init__(self, root, router):
        self.west = Site(os.path.join(root, 'west'), router, 'west')
        self.east = Site(os.path.join(root, 'east'), router, 'east')
        self.other = EchoServer()  # behind west's connector `svc`, moved later to self.moved
        self.other.start()
        self.moved = EchoServer()
        self.moved.start()
        self.ports = dict((name, free_port()) for name in ('a', 'b', 'c'))

    def close(self):
        for site in (self.east, self.west):
            cleanup(site)
        self.other.close()
        self.moved.close()


def reload(site, check_mode=False):
    result = site.system('reloaded', check_mode=check_mode)
    assert result.returncode == 0, (result.result, result.stderr[-2000:])
    return result.result


@pytest.fixture
def network(tmp_path):
    router = real_router()
    net = Network(str(tmp_path), router)
    try:
        west, east = net.west, net.east
        assert west.apply([doc('Site', 'west', {'linkAccess': 'default'}),
                           connector('echo', 'echo', west.echo.port),
                           connector('svc', 'svc', net.other.port)]).returncode == 0
        assert east.apply([doc('Site', 'east', {}), listener('a', 'echo', net.ports['a']),
                           listener('c', 'echo', net.ports['c'])]).returncode == 0
        assert reload(west)['restart_reason'] == 'the router is not running'
        issued = run('static_link', dict(west.target, subject='east', host='127.0.0.1'))
        assert issued.returncode == 0, issued.result
        net.link = issued.result['definition']
        assert east.apply(net.link).returncode == 0
        assert reload(east)['restart_reason'] == 'the router is not running'
        assert serves(net.ports['a']) and serves(net.ports['c'])
        yield net
    finally:
        net.close()


def predicted_then_made(site, expected):
    """Check mode predicts the live change and touches nothing; the real run makes it; a re-run changes nothing."""
    pids, config = router_processes(site.config), digest(site.config)
    predicted = reload(site, check_mode=True)
    assert (predicted['changed'], predicted['restarted'], predicted['reconfigured']) == (True, False, expected)
    assert router_processes(site.config) == pids and digest(site.config) == config
    made = reload(site)
    assert (made['changed'], made['restarted'], made['restart_reason'], made['reconfigured']) == \
        (True, False, None, expected), made
    assert warning_texts(made) == []
    assert router_processes(site.config) == pids
    again = reload(site)
    assert (again['changed'], again['restarted'], again['reconfigured']) == (False, False, None), again
    return made


def test_listeners_and_connectors_change_live_then_a_restart_says_why(network):
    west, east, ports = network.west, network.east, network.ports
    pids = {'west': router_processes(west.config), 'east': router_processes(east.config)}
    links = {'west': link_connections(west), 'east': link_connections(east)}
    assert len(links['east']) == 1 and len(links['west']) == 1
    with socket.create_connection(('127.0.0.1', ports['a']), timeout=10) as kept:
        assert echoes(kept, b'before\n')

        # east: listener b added (key svc, behind west), listener c removed
        assert east.apply([listener('b', 'svc', ports['b'])]).returncode == 0
        assert run('resource', dict(east.target, state='absent', definition=listener('c', 'echo', ports['c']))
                   ).returncode == 0
        predicted_then_made(east, {'created': ['tcpListener listener/b'], 'deleted': ['tcpListener listener/c'],
                                   'updated': []})
        assert serves(ports['b']) and refuses(ports['c'])
        assert echoes(kept, b'after the listeners\n')

        # west: connector svc moves to another port (another server); the first server stops
        assert west.apply([connector('svc', 'svc', network.moved.port)]).returncode == 0
        predicted_then_made(west, {'created': [], 'deleted': [],
                                   'updated': ['tcpConnector connector/svc@127.0.0.1']})
        network.other.close()
        assert serves(ports['b']), 'listener b does not reach the connector on its new port'
        assert echoes(kept, b'after the connector\n')

        # 0 restarts, 0 link flaps, at both ends
        assert {'west': router_processes(west.config), 'east': router_processes(east.config)} == pids
        assert {'west': link_connections(west), 'east': link_connections(east)} == links

        # A change that needs a restart: the link's cost (the link connector of east's router)
        link = [item for item in yaml.safe_load_all(network.link) if item]
        for item in link:
            if item['kind'] == 'Link':
                item['spec'] = dict(item['spec'], cost=5)
        assert east.apply(link).returncode == 0
        predicted = reload(east, check_mode=True)
        assert (predicted['restarted'], predicted['restart_reason'], predicted['reconfigured']) == \
            (True, READS_CHANGED, None)
        restarted = reload(east)
        assert (restarted['restarted'], restarted['restart_reason'], restarted['reconfigured']) == \
            (True, READS_CHANGED, None)
        assert router_processes(east.config) != pids['east']
    again = reload(east)
    assert (again['changed'], again['restarted']) == (False, False)
    assert serves(ports['a']) and serves(ports['b'])


def test_a_live_change_the_router_refuses_falls_back_to_a_restart(network):
    east, ports = network.east, network.ports
    pids = router_processes(east.config)
    # A listener of the same name made behind the module's back: the router refuses to create it again.
    from ansible_collections.appnet.skupper.plugins.module_utils.system.service import router_queries
    target = router_queries.management_target(east.home)
    router_queries.run_tool([skmanage(east.router), 'create', '--type=io.skupper.router.tcpListener', 'name=listener/b',
                             'host=127.0.0.1', 'port=%d' % free_port(), 'address=echo']
                            + router_queries.connection_options(target), target)
    assert east.apply([listener('b', 'echo', ports['b'])]).returncode == 0
    result = reload(east)
    assert (result['changed'], result['restarted'], result['restart_reason'], result['reconfigured']) == \
        (True, True, LIVE_FAILED, None), result
    assert any('could not be changed on the running router' in text and 'listener/b' in text
               for text in warning_texts(result)), result
    assert router_processes(east.config) != pids
    assert serves(ports['b'])
    again = reload(east)
    assert (again['changed'], again['restarted']) == (False, False)
