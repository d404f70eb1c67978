"""Status shapes of the Skupper controller stand-in (a test double): conditions, Ready, durations.

Pure functions, following Skupper's rules: a condition is a metav1.Condition; `Ready` (and the
top-level `status` / `message`) come from the kind's required conditions: the first missing one
gives Pending / "Not <Type>", the first False one gives its reason and message, else Ready / OK.
"""

import copy
import datetime
import re

OK = 'OK'
READY = 'Ready'
PENDING = 'Pending'
ERROR = 'Error'

REQUIRED_CONDITIONS = {
    'Listener': ('Configured', 'Matched'),
    'Connector': ('Configured', 'Matched'),
    'Link': ('Configured', 'Operational'),
    'RouterAccess': ('Configured', 'Resolved'),
    'AccessGrant': ('Processed', 'Resolved'),
    'AttachedConnector': ('Configured', 'Matched'),
    'AttachedConnectorBinding': ('Configured', 'Matched'),
}


def site_required_conditions(site):
    """Configured, Running, plus Resolved when the site has link access."""
    if has_link_access(site):
        return ('Configured', 'Running', 'Resolved')
    return ('Configured', 'Running')


def has_link_access(site):
    return (site.get('spec') or {}).get('linkAccess') not in (None, '', 'none')


def ready_state():
    return ('True', READY, OK)


def pending_state(message):
    return ('False', PENDING, message)


def error_state(message):
    return ('False', ERROR, message)


def rfc3339(moment):
    """A UTC datetime as RFC 3339 with second precision (as Kubernetes writes metav1.Time)."""
    return moment.astimezone(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def parse_rfc3339(text):
    return datetime.datetime.fromisoformat(text.replace('Z', '+00:00'))


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def set_condition(conditions, condition_type, state, generation):
    """Set one condition in a list (in place); lastTransitionTime changes only when status changes."""
    status, reason, message = state
    for condition in conditions:
        if condition.get('type') == condition_type:
            if condition.get('status') != status:
                condition['lastTransitionTime'] = rfc3339(now())
            condition.update(status=status, reason=reason, message=message, observedGeneration=generation)
            return
    conditions.append({'type': condition_type, 'status': status, 'reason': reason, 'message': message,
                       'lastTransitionTime': rfc3339(now()), 'observedGeneration': generation})


def ready_from(conditions, required):
    """The (status, reason, message) the required conditions add up to."""
    by_type = {condition.get('type'): condition for condition in conditions}
    for condition_type in required:
        condition = by_type.get(condition_type)
        if condition is None:
            return pending_state('Not ' + condition_type)
        if condition.get('status') == 'False':
            return ('False', condition.get('reason'), condition.get('message'))
    return ready_state()


def build_status(obj, states, required, extra=None):
    """The whole new status of obj: its current conditions updated with states, Ready, plus extra fields.

    states: {condition type: (status, reason, message)}; extra: other status fields (None values dropped).
    """
    generation = (obj.get('metadata') or {}).get('generation') or 1
    conditions = copy.deepcopy((obj.get('status') or {}).get('conditions') or [])
    for condition_type, state in states.items():
        set_condition(conditions, condition_type, state, generation)
    ready = ready_from(conditions, required)
    set_condition(conditions, 'Ready', ready, generation)
    status = {'conditions': conditions, 'status': ready[1], 'message': ready[2]}
    status.update({key: value for key, value in (extra or {}).items() if value is not None})
    return status


def without_transition_times(status):
    """status with lastTransitionTime removed from its conditions (for change detection)."""
    status = copy.deepcopy(status or {})
    for condition in status.get('conditions') or []:
        condition.pop('lastTransitionTime', None)
    return status


def status_differs(current, desired):
    return without_transition_times(current) != without_transition_times(desired)


_DURATION_UNITS = {'ns': 1e-9, 'us': 1e-6, '\u00b5s': 1e-6, '\u03bcs': 1e-6, 'ms': 1e-3, 's': 1.0,
                   'm': 60.0, 'h': 3600.0}
_DURATION_PART = re.compile(r'(\d+(?:\.\d*)?|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)')


def parse_go_duration(text):
    """Seconds in a Go duration string such as `15m`, `1h30m`, `90s`, `1.5h`, `-2m`; ValueError if invalid."""
    if not isinstance(text, str) or not text:
        raise ValueError('invalid duration %r' % (text,))
    sign, body = (-1, text[1:]) if text[0] == '-' else (1, text.lstrip('+'))
    if body == '0':
        return 0.0
    position, total = 0, 0.0
    while position < len(body):
        match = _DURATION_PART.match(body, position)
        if not match:
            raise ValueError('invalid duration %r' % text)
        total += float(match.group(1)) * _DURATION_UNITS[match.group(2)]
        position = match.end()
    if position == 0:
        raise ValueError('invalid duration %r' % text)
    return sign * total
