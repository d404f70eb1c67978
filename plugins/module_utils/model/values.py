# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure value checks shared by the resource model, the renderer and the modules.

Each check returns an error text (without the option name) or None.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

RFC1123_LABEL = re.compile(r'^[a-z0-9]([-a-z0-9]*[a-z0-9])?\Z')
RFC1123_SUBDOMAIN = re.compile(r'^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\Z')
HOSTNAME = re.compile(r'^[a-z0-9]+([-.][a-z0-9]+)*\Z')
MAX_NAME = 63
DURATION = re.compile(r'^([0-9]+(\.[0-9]+)?(ns|us|\u00b5s|ms|s|m|h))+\Z')
LABEL_KEY = re.compile(r'^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?\Z')
LABEL_VALUE = re.compile(r'^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?\Z')


def check_name(value):
    """An RFC 1123 label: what Skupper and Kubernetes accept as a resource name."""
    if not isinstance(value, str) or not value:
        return 'must be a non-empty string'
    if len(value) > MAX_NAME:
        return 'must be no more than %d characters (got %d)' % (MAX_NAME, len(value))
    if not RFC1123_LABEL.match(value):
        return ("must be a lowercase RFC 1123 label: lower case letters, digits and '-', "
                "starting and ending with a letter or digit (e.g. 'my-name')")
    return None


def port_number(value):
    """The port as an int, or None when it is not a number between 1 and 65535 (an int or a decimal string)."""
    if isinstance(value, bool):
        return None
    try:
        number = int(str(value).strip(), 10)
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= 65535 else None


def check_port(value):
    if port_number(value) is not None:
        return None
    try:
        int(str(value).strip(), 10)
    except ValueError:
        return 'must be a port number'
    return 'must be a port number between 1 and 65535'


def host_is_valid(value):
    """Whether value is an IP literal or a lower-case host name."""
    return check_host(value) is None


def check_host(value):
    """An IP literal or a lower-case host name, as Skupper's system sites require."""
    if not isinstance(value, str) or not value:
        return 'must be a non-empty host name or IP address'
    try:
        ipaddress.ip_address(value)
        return None
    except ValueError:
        pass
    if not HOSTNAME.match(value):
        return 'must be an IP address or a lower-case host name (letters, digits, "-" and ".")'
    return None


def check_duration(value):
    if not isinstance(value, str) or not DURATION.match(value):
        return 'must be a duration such as "15m", "1h30m" or "90s"'
    return None


def check_labels(value):
    if not isinstance(value, dict):
        return 'must be a mapping of strings'
    for key, item in value.items():
        if not isinstance(key, str) or not LABEL_KEY.match(key):
            return 'has an invalid key %r' % (key,)
        if not isinstance(item, str) or not LABEL_VALUE.match(item):
            return 'has an invalid value %r for key %r' % (item, key)
    return None


def links_of_token(token_name, link_names):
    """The Links an AccessToken redeemed into (Skupper's naming rule): named as the token, or <token>-<n> (one per
    group of endpoints), sorted."""
    pattern = re.compile(r'^%s-[0-9]+\Z' % re.escape(token_name))
    return sorted(name for name in link_names if name == token_name or pattern.match(name))
