# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Live reconfiguration of a running Linux router: listeners and connectors changed through management.

The router takes CREATE and DELETE of its tcpListener and tcpConnector entities at run time (the management
schema, reference/router/skrouter.json; UPDATE of a tcpListener changes its observer only: the real router
answers "Cannot update attribute 'port' in UPDATE"), so a changed one is deleted and created again under its
name. Links, the other listeners and their connections stay up. Everything else the router reads (its router
entity, sslProfiles and the certificates they name, link listeners and connectors, logs, multi-address
listeners with their listenerAddress entities) still needs a restart.

The rendered configuration on disk stays the source of truth: the render writes it first, then the running
router is brought to it, so a restart afterwards yields the same router. The render's digest is split in two
(render.py): the runtime digest over everything the router reads, and the static digest over all of it but the
live entities. When only the live entities differ from what the running router read (the record's digests), the
change is live.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
from collections import namedtuple

# The entity types a running router creates and deletes through management.
LIVE_TYPES = ('tcpListener', 'tcpConnector')
# Deletes go first (a listener that moves to a port another one frees), listeners last among creates (the
# connector of a key a new listener serves is known first).
CREATE_ORDER = ('tcpConnector', 'tcpListener')

Changes = namedtuple('Changes', 'created deleted updated operations')


class LiveChangeFailed(Exception):
    """A live change that could not be made (no management tool, the router refused an operation, or the router
    does not hold what the configuration says afterwards): the caller restarts the router instead."""


def is_live(entity):
    """Whether a router config entity ([type, attributes]) can be created and deleted on a running router.

    A multi-address tcpListener is not: its listenerAddress entities name it, and those stay static."""
    entity_type, attrs = entity
    return entity_type in LIVE_TYPES and not attrs.get('multiAddressStrategy')


def static_entities(entities):
    """The entities of a router config that only a restart changes."""
    return [entity for entity in entities if not is_live(entity)]


def live_entities(entities):
    """{(type, name): attributes} of the live entities of a router config."""
    return dict(((entity[0], entity[1]['name']), entity[1]) for entity in entities or [] if is_live(entity))


def parse_config(data):
    """The entities of skrouterd.json bytes, or None when there are none or they are not a router config."""
    if not data:
        return None
    try:
        entities = json.loads(data.decode('utf-8') if isinstance(data, bytes) else data)
    except ValueError:
        return None
    if not isinstance(entities, list) or not all(isinstance(item, list) and len(item) == 2
                                                 and isinstance(item[1], dict) for item in entities):
        return None
    return entities


def label(key):
    """How a result names a live entity: '<type> <name>', e.g. 'tcpListener listener/backend'."""
    return '%s %s' % key


def plan_changes(before, after):
    """Changes from the router config entities before to those after: created, deleted and updated labels, and
    the management operations (('DELETE', type, name, None) / ('CREATE', type, name, attributes)) in order."""
    old, new = live_entities(before), live_entities(after)
    created = sorted(key for key in new if key not in old)
    deleted = sorted(key for key in old if key not in new)
    updated = sorted(key for key in new if key in old and old[key] != new[key])
    operations = [('DELETE', key[0], key[1], None) for key in deleted + updated]
    for entity_type in CREATE_ORDER:
        operations += [('CREATE', key[0], key[1], new[key]) for key in sorted(created + updated)
                       if key[0] == entity_type]
    return Changes([label(key) for key in created], [label(key) for key in deleted],
                   [label(key) for key in updated], operations)


def live_change(record, rendered):
    """The Changes that bring the running router to the render, or None when a restart is needed instead.

    record: what the running router read (the digests of the last start or live change, service.write_record);
    rendered: the render (render.RenderResult). Only when the static part is unchanged, and the configuration on
    disk before this render is the one the record says the router read (so its live entities are the router's),
    can the difference be made live."""
    if not record.get('static_digest') or record.get('static_digest') != rendered.static_digest:
        return None
    if rendered.previous_entities is None or rendered.previous_digest != record.get('runtime_digest'):
        return None
    changes = plan_changes(rendered.previous_entities, rendered.entities)
    return changes if changes.operations else None


def mismatches(wanted, found):
    """Lines naming where the router's live entities (found: {type: [entities]} as management answers) differ
    from those of the config (wanted: the config's entities); [] when the router holds them all, and no other."""
    problems = []
    held = dict(((entity_type, item.get('name')), item) for entity_type, items in found.items()
                for item in items or [] if item.get('multiAddressStrategy') in (None, 'none'))
    expected = live_entities(wanted)
    for key in sorted(expected):
        item = held.get(key)
        if item is None:
            problems.append('%s is missing' % label(key))
            continue
        for attribute in ('host', 'port', 'address'):
            if attribute in expected[key] and str(item.get(attribute)) != str(expected[key][attribute]):
                problems.append('%s has %s %s, not %s' % (label(key), attribute, item.get(attribute),
                                                          expected[key][attribute]))
    problems += ['%s should not be there' % label(key) for key in sorted(held) if key not in expected]
    return problems
