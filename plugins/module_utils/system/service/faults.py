# -*- coding: utf-8 -*-
# Copyright: contributors to appnet.skupper
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fault injection for the tests only: a run killed at a named point, as a power cut or an OOM kill would.

APPNET_SKUPPER_TEST_FAULT=<point> makes the module SIGKILL itself when it reaches <point> (docs/development.md
lists the points). Never set it outside tests: it exists so that the tests can prove a killed run never hides
a change from the next one.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import signal

VARIABLE = 'APPNET_SKUPPER_TEST_FAULT'


def point(name):
    """SIGKILL this process when the test fault names this point."""
    if os.environ.get(VARIABLE) == name:
        os.kill(os.getpid(), signal.SIGKILL)
