"""Checks of a router configuration against the router's management schema (skrouter.json of the reference).

One checker for everything that needs it: the renderer tests, the lifecycle and network tests (every
rendered skrouterd.json), and the router stand-in (tests/support/fake_skrouterd.py), which refuses to
start on any problem found here, as the real router refuses such a configuration.

What is checked, per entity: the entity type is known (`address` is `router.config.address`, ...);
every attribute is known (inherited ones included); every required attribute is present; every value
has a JSON type the router accepts for the attribute's schema type; enum values are among the tags.
`strict=True` (the renderer tests) also wants the canonical types: booleans as JSON booleans, strings
as strings (numbers are allowed where Skupper itself writes them, e.g. ports); without it the router's
own coercions are accepted (its schema converts "yes"/"true"/"on" to booleans, numeric strings to
integers, anything to a string). Across entities: every name is unique over all entity types, and
every `sslProfile` a listener or connector names exists.
"""

import json
import os

from tests.support.reference import reference_path

SCHEMA = reference_path('router', 'skrouter.json')
ALIASES = {'address': 'router.config.address', 'linkRoute': 'router.config.linkRoute',
           'autoLink': 'router.config.autoLink', 'exchange': 'router.config.exchange',
           'binding': 'router.config.binding'}
BOOLEAN_WORDS = ('yes', 'true', 'on', 'no', 'false', 'off')
# Entity types whose sslProfile attribute names an sslProfile entity.
PROFILE_USERS = ('listener', 'connector', 'tcpListener', 'tcpConnector', 'httpListener', 'httpConnector')


class SchemaMissing(Exception):
    """The router schema is not where the reference should be."""


def load_schema(path=None):
    """{entity type: entity definition} of skrouter.json; SchemaMissing when the file is absent."""
    path = path or SCHEMA
    if not os.path.exists(path):
        raise SchemaMissing('the router schema %s is absent' % path)
    with open(path) as handle:
        return json.load(handle)['entityTypes']


def entity_attributes(entity_types, name):
    """{attribute: definition} of an entity type, inherited attributes included."""
    entity = entity_types[name]
    attributes = dict(entity.get('attributes') or {})
    if entity.get('extends'):
        attributes = dict(entity_attributes(entity_types, entity['extends']), **attributes)
    return attributes


def _is_integer(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _integer_ok(value, strict):
    if _is_integer(value):
        return True
    if isinstance(value, str):
        try:
            int(value)  # what the router does
        except ValueError:
            return False
        return True
    return not strict and isinstance(value, (bool, float))


def _boolean_ok(value, strict):
    if isinstance(value, bool):
        return True
    if strict:
        return False
    if isinstance(value, str):
        return value.lower() in BOOLEAN_WORDS
    return True  # the router applies bool() to anything else


def _string_ok(value, strict):
    if isinstance(value, str) or _is_integer(value):
        return True
    return not strict  # the router applies str() to anything


def _enum_ok(tags, value):
    if value in tags:
        return True
    if isinstance(value, bool):
        return False
    try:
        return 0 <= int(value) < len(tags)  # the router also takes the index of a tag
    except (TypeError, ValueError):
        return False


def value_ok(kind, value, strict=True):
    """Whether the router accepts value for an attribute of schema type kind."""
    if isinstance(kind, list):
        return value in kind if strict else _enum_ok(kind, value)
    if kind == 'integer':
        return _integer_ok(value, strict)
    if kind == 'boolean':
        return _boolean_ok(value, strict)
    if kind in ('string', 'path', 'entityId'):
        return _string_ok(value, strict)
    if kind in ('map', 'dict', 'properties'):
        return isinstance(value, dict)
    if kind == 'list':
        return isinstance(value, list)
    return True


def _entity_problems(entity_types, entity_type, attrs, strict):
    full = ALIASES.get(entity_type, entity_type)
    if full not in entity_types:
        return ['Unknown entity type %r' % entity_type]
    if not isinstance(attrs, dict):
        return ['%s: attributes must be a JSON object, got %r' % (entity_type, attrs)]
    known = entity_attributes(entity_types, full)
    problems = []
    for key in sorted(attrs):
        value = attrs[key]
        if key not in known:
            problems.append("Unknown attribute '%s' for '%s'" % (key, entity_type))
        elif not value_ok(known[key].get('type'), value, strict):
            problems.append('%s %s: invalid value for attribute %s: %r is not a %s'
                            % (entity_type, attrs.get('name', ''), key, value, known[key].get('type')))
    for key in sorted(known):
        if known[key].get('required') and key not in attrs and key != 'type':
            problems.append("%s %s: Missing required attribute '%s'" % (entity_type, attrs.get('name', ''), key))
    return problems


def reference_problems(entities):
    """Names used twice (across all types) and sslProfiles named but not defined."""
    problems = []
    names = {}
    for entity_type, attrs in entities:
        name = attrs.get('name') if isinstance(attrs, dict) else None
        if name is None:
            continue
        if name in names:
            problems.append("Entity %s duplicates unique attribute 'name' of %s (name=%s)"
                            % (entity_type, names[name], name))
        else:
            names[name] = entity_type
    profiles = set(attrs.get('name') for entity_type, attrs in entities if entity_type == 'sslProfile')
    for entity_type, attrs in entities:
        if entity_type in PROFILE_USERS and attrs.get('sslProfile') and attrs['sslProfile'] not in profiles:
            problems.append("%s %s: sslProfile '%s' not found" % (entity_type, attrs.get('name'), attrs['sslProfile']))
    return problems


def structure_problems(entities):
    """Problems with the shape of the file: a list of [entityType, {attributes}] pairs."""
    if not isinstance(entities, list):
        return ['expected a list of [entityType, attributes] pairs, got %s' % type(entities).__name__]
    return ['entry %d: expected [entityType, {attributes}], got %r' % (index, entry)
            for index, entry in enumerate(entities)
            if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str)
                    and isinstance(entry[1], dict))]


def schema_problems(entities, strict=True, entity_types=None):
    """Every problem of a configuration (a loaded skrouterd.json) against the schema and itself."""
    problems = structure_problems(entities)
    if problems:
        return problems
    entity_types = entity_types if entity_types is not None else load_schema()
    for entity_type, attrs in entities:
        problems.extend(_entity_problems(entity_types, entity_type, attrs, strict))
    return problems + reference_problems(entities)


def config_file_problems(path, strict=True):
    """schema_problems of the skrouterd.json at path."""
    with open(path) as handle:
        return schema_problems(json.load(handle), strict)
