"""Where the Skupper reference material is (`../shared/reference` of the project): one lookup for every test.

`APPNET_SKUPPER_REFERENCE` names the reference folder (the one holding `crds/`, `router/`, `skupper-docs/`);
without it, `<checkout>/../shared/reference`. Tests that need a part of it skip, with the path they looked at,
when it is absent (a user's clone); `.ci/run` exports the variable when it finds the reference.
"""

import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ENV = 'APPNET_SKUPPER_REFERENCE'


def reference_dir():
    """The reference folder (it may not exist)."""
    configured = os.environ.get(ENV)
    if configured:
        return os.path.abspath(configured)
    return os.path.normpath(os.path.join(ROOT, '..', 'shared', 'reference'))


def reference_path(*parts):
    """A path inside the reference folder (it may not exist)."""
    return os.path.join(reference_dir(), *parts)


def absent_reason(*parts):
    """Why a test that needs reference_path(*parts) is skipped."""
    return 'the Skupper reference %s is absent (set %s to the reference folder)' % (reference_path(*parts), ENV)
