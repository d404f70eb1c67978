#!/usr/bin/env python
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The live listener change of make bench (hacking/benchmark.py), on the real router. Nothing here asserts.

Two Linux sites in private data homes on free ports (process manager, the real skrouterd): west (link access, a
connector to an echo server) and east (linked to west, listener `a`), and a long-lived TCP connection through `a`.
Each round adds a listener to east and then removes it, each a `system state=reloaded` module run (its own
process, as Ansible runs it). Counted over all rounds: router restarts (the router processes of both sites), link
flaps (the identities of the inter-router connections at both ends), dropped connections (the long-lived
connection no longer echoes), and the time of each module run. For comparison, one change that needs a restart
(the link's cost) is measured the same way.

Usage: PYTHONPATH=.:.build/collections python hacking/bench_live.py [--rounds N]
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import shutil

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def router_binary():
    """The real skrouterd (SKUPPER_ROUTER_BIN, else hacking/build_router.sh --print-bin), or None."""
    given = os.environ.get('SKUPPER_ROUTER_BIN')
    if given and os.access(given, os.X_OK):
        return given
    out = subprocess.run(['bash', os.path.join(ROOT, 'hacking', 'build_router.sh'), '--print-bin'],
                         capture_output=True, text=True, timeout=1800, check=False)
    lines = out.stdout.strip().splitlines()
    path = os.path.join(lines[-1], 'skrouterd') if lines else ''
    return path if path and os.access(path, os.X_OK) else None


def doc(kind, name, spec):
    return {'apiVersion': 'skupper.io/v2alpha1', 'kind': kind, 'metadata': {'name': name}, 'spec': spec}


def listener(name, port):
    return doc('Listener', name, {'routingKey': 'echo', 'host': '127.0.0.1', 'port': port})


def link_identities(site, skmanage):
    from ansible_collections.appnet.skupper.plugins.module_utils.system.service import router_queries
    target = router_queries.management_target(site.home)
    return set(item['identity'] for item in router_queries.query(target, 'connection', skmanage)
               if item.get('role') == 'inter-router')


def echoes(conn, text):
    try:
        conn.sendall(text)
        received = b''
        while len(received) < len(text):
            chunk = conn.recv(65536)
            if not chunk:
                return False
            received += chunk
        return received == text
    except OSError:
        return False


class Counter(object):
    """Restarts, link flaps and dropped connections seen across changes of the two sites."""

    def __init__(self, sites, skmanage, port):
        from tests.integration.faults.support import router_processes
        self.router_processes = router_processes
        self.sites, self.skmanage, self.port = sites, skmanage, port
        self.restarts = self.flaps = self.dropped = 0
        self.times = []
        self.failures = []
        self.conn = None
        self.pids = self.links = None
        self.connect()
        self.look()

    def connect(self):
        self.conn = socket.create_connection(('127.0.0.1', self.port), timeout=10)
        if not echoes(self.conn, b'hello\n'):
            raise RuntimeError('the long-lived connection through listener a does not echo')

    def look(self):
        self.pids = dict((site.namespace, self.router_processes(site.config)) for site in self.sites)
        self.links = dict((site.namespace, link_identities(site, self.skmanage)) for site in self.sites)

    def change(self, site):
        started = time.time()
        result = site.system('reloaded')
        self.times.append(time.time() - started)
        if result.returncode != 0:
            self.failures.append(str(result.result)[:500])
        before_pids, before_links = self.pids, self.links
        self.look()
        self.restarts += sum(1 for name in self.pids if self.pids[name] != before_pids[name])
        # an inter-router connection that is gone counts as a flap at its end (also while it comes back)
        self.flaps += sum(len(before_links[name] - self.links[name]) for name in self.links)
        if not echoes(self.conn, b'still there\n'):
            self.dropped += 1
            self.conn.close()
            from tests.integration.faults.support import serves
            serves(self.port)
            self.connect()
        return result.result or {}

    def figures(self):
        return {'changes': len(self.times), 'restarts': self.restarts, 'link flaps': self.flaps,
                'dropped connections': self.dropped, 'times': list(self.times), 'failures': list(self.failures)}


def measure(rounds=3):
    """{'live': figures, 'restart': figures} (Counter.figures), or {'skipped': why}."""
    router = router_binary()
    if router is None:
        return {'skipped': 'the real router is not available (hacking/build_router.sh --print-bin)'}
    sys.path.insert(0, ROOT)
    from tests.integration.faults.support import Site, cleanup, free_port, run, serves
    skmanage = os.path.join(os.path.dirname(router), 'skmanage')
    root = tempfile.mkdtemp(prefix='appnet-bench-live-')
    west, east = Site(os.path.join(root, 'west'), router, 'west'), Site(os.path.join(root, 'east'), router, 'east')
    counter = None
    try:
        port = free_port()
        west.apply([doc('Site', 'west', {'linkAccess': 'default'}),
                    doc('Connector', 'echo', {'routingKey': 'echo', 'host': '127.0.0.1', 'port': west.echo.port})])
        east.apply([doc('Site', 'east', {}), listener('a', port)])
        west.system('reloaded')
        issued = run('static_link', dict(west.target, subject='east', host='127.0.0.1'))
        link = [item for item in yaml.safe_load_all(issued.result['definition']) if item]
        east.apply(link)
        east.system('reloaded')
        if not serves(port):
            return {'skipped': 'listener a of the two linked sites does not carry traffic'}
        counter = Counter([west, east], skmanage, port)
        for _round in range(rounds):
            extra = free_port()
            east.apply([listener('b', extra)])
            counter.change(east)
            if not serves(extra, attempts=50):
                counter.failures.append('the new listener b does not serve')
            run('resource', dict(east.target, state='absent', definition=listener('b', extra)))
            counter.change(east)
        live = counter.figures()
        counter.restarts = counter.flaps = counter.dropped = 0
        counter.times, counter.failures = [], []
        for item in link:
            if item['kind'] == 'Link':
                item['spec'] = dict(item['spec'], cost=int(item['spec'].get('cost', 1)) + 1)
        east.apply(link)
        counter.change(east)
        return {'live': live, 'restart': counter.figures()}
    finally:
        if counter is not None and counter.conn is not None:
            counter.conn.close()
        for site in (east, west):
            cleanup(site)
        shutil.rmtree(root, ignore_errors=True)


def summary(figures):
    times = figures['times']
    return '%d changes: %d restarts, %d link flaps, %d dropped connections; %.2f s (%.2f–%.2f) per system run%s' % (
        figures['changes'], figures['restarts'], figures['link flaps'], figures['dropped connections'],
        statistics.median(times), min(times), max(times),
        '; %d failed' % len(figures['failures']) if figures['failures'] else '')


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--rounds', type=int, default=3)
    args = parser.parse_args()
    found = measure(args.rounds)
    if 'skipped' in found:
        print('live listener change: not measured: %s' % found['skipped'])
        return
    print('live listener change: %s' % summary(found['live']))
    print('a change that restarts (link cost): %s' % summary(found['restart']))


if __name__ == '__main__':
    main()
