"""Label and field selectors of list/watch requests, as kube parses them (API server stand-in, a test double)."""

import re

from .errors import bad_request

SET_REQUIREMENT = re.compile(r'^\s*(!?[\w./-]+)\s+(in|notin)\s+\(([^)]*)\)\s*$')
EQUALITY = re.compile(r'^\s*([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)\s*$')
EXISTS = re.compile(r'^\s*(!?)([\w./-]+)\s*$')
# kube's parser also has Gt and Lt: `key>1`, `key<10`, integer values compared as integers.
ORDER = re.compile(r'^\s*([\w./-]+)\s*(>|<)\s*(\S*)\s*$')


def _split_requirements(text):
    """Comma separated requirements; commas inside `( )` belong to a set."""
    parts, depth, current = [], 0, ''
    for char in text:
        if char == ',' and depth == 0:
            parts.append(current)
            current = ''
            continue
        depth += {'(': 1, ')': -1}.get(char, 0)
        current += char
    parts.append(current)
    return [part for part in parts if part.strip()]


def _requirement(text):
    match = SET_REQUIREMENT.match(text)
    if match:
        key, operator = match.group(1), match.group(2)
        values = {value.strip() for value in match.group(3).split(',') if value.strip()}
        if operator == 'in':
            return lambda labels: labels.get(key) in values
        return lambda labels: labels.get(key) not in values
    match = ORDER.match(text)
    if match:
        return _order_requirement(*match.groups())
    match = EQUALITY.match(text)
    if match:
        key, operator, value = match.groups()
        if operator == '!=':
            return lambda labels: labels.get(key) != value
        return lambda labels: labels.get(key) == value
    match = EXISTS.match(text)
    if match:
        negated, key = match.groups()
        return (lambda labels: key not in labels) if negated else (lambda labels: key in labels)
    raise bad_request(f'unable to parse requirement: found \'{text.strip()}\', expected: valid label selector')


def _integer(text):
    """Go's strconv.ParseInt(text, 10, 64), or None."""
    if not isinstance(text, str) or not re.fullmatch(r'[+-]?\d+', text):
        return None
    number = int(text)
    return number if -2 ** 63 <= number < 2 ** 63 else None


def _order_requirement(key, operator, value):
    bound = _integer(value)
    if bound is None:
        raise bad_request("unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer")

    def holds(labels):
        number = _integer(labels.get(key))
        return number is not None and (number > bound if operator == '>' else number < bound)
    return holds


def label_selector(text):
    """A predicate on a labels dict; every comma separated requirement must hold."""
    requirements = [_requirement(part) for part in _split_requirements(text or '')]
    return lambda labels: all(requirement(labels or {}) for requirement in requirements)


FIELD_PATHS = {'metadata.name': ('name',), 'metadata.namespace': ('namespace',)}


def field_selector(text, kind):
    """A predicate on an object's metadata for `metadata.name` / `metadata.namespace` selectors."""
    requirements = []
    for part in _split_requirements(text or ''):
        match = EQUALITY.match(part)
        if not match:
            raise bad_request(f'invalid selector: \'{text}\'; can\'t understand \'{part}\'')
        field, operator, value = match.groups()
        if field not in FIELD_PATHS:
            raise bad_request(f'field label not supported: {field}')
        requirements.append((FIELD_PATHS[field][0], operator == '!=', value))
    return lambda metadata: all((metadata.get(key, '') == value) != negated
                                for key, negated, value in requirements)
