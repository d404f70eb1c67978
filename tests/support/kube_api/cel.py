"""The `x-kubernetes-validations` (CEL) rules of the Skupper CRDs, evaluated in Python (test double).

This is not a CEL interpreter: it recognises the two rule shapes the Skupper CRDs use and evaluates them:

- `[has(self.a),has(self.b)].filter(x,x==true).size() == 1`   (exactly one of the fields is set)
- `(!has(oldSelf.a) || has(self.a)) && ...`                    (transition rule: a set field stays set)

Any other rule is skipped (accepted), like a server without CEL support would.
"""

import re

from .errors import invalid

EXACTLY_ONE = re.compile(r'^\[(has\(self\.\w+\)(,has\(self\.\w+\))*)\]\.filter\(x,x==true\)\.size\(\)==1$')
STAYS_SET = re.compile(r'\(!has\(oldSelf\.(\w+)\)\|\|has\(self\.\1\)\)')
HAS_FIELD = re.compile(r'has\(self\.(\w+)\)')


def _compact(rule):
    return re.sub(r'\s+', '', rule)


def rule_holds(rule, value, old):
    """True/False for a recognised rule; None when the rule is not recognised or does not apply."""
    text = _compact(rule)
    if not isinstance(value, dict):
        return None
    match = EXACTLY_ONE.match(text)
    if match:
        return sum(1 for field in HAS_FIELD.findall(match.group(1)) if field in value) == 1
    fields = STAYS_SET.findall(text)
    if fields and _compact('&&'.join(f'(!has(oldSelf.{f})||has(self.{f}))' for f in fields)) == text:
        if not isinstance(old, dict):
            return None
        return all(field in value or field not in old for field in fields)
    return None


def check_rules(rules, value, old, path):
    """A FieldValueInvalid error (value "object", the rule's message) for every recognised rule broken."""
    errors = []
    for rule in rules:
        if rule_holds(rule['rule'], value, old) is False:
            message = rule.get('message') or f'failed rule: {rule["rule"]}'
            errors.append(invalid(path, 'object', message))
    return errors
