"""Issue 11: a CA that cannot be used is never replaced silently; a leaf is re-issued from its CA and says so."""

import os

import pytest

from ansible_collections.appnet.skupper.plugins.module_utils.system.render import certs
from ansible_collections.appnet.skupper.plugins.module_utils.system.render import static_links
from tests.support import fault_figures
from tests.unit.plugins.module_utils.system.conftest import snapshot_tree

SITE_CA = os.path.join('runtime', 'issuers', 'skupper-site-ca')
FILES = {'tls.crt': 'certificate', 'tls.key': 'key'}
HOWS = {'missing': 'missing', 'truncated': 'truncated', 'a directory': 'a-directory'}
FAULTS = {
    'site-ca-certificate-missing': 'test_an_unusable_site_ca_fails_naming_the_file_and_the_recovery',
    'site-ca-certificate-truncated': 'test_an_unusable_site_ca_fails_naming_the_file_and_the_recovery',
    'site-ca-certificate-a-directory': 'test_an_unusable_site_ca_fails_naming_the_file_and_the_recovery',
    'site-ca-key-missing': 'test_an_unusable_site_ca_fails_naming_the_file_and_the_recovery',
    'site-ca-key-truncated': 'test_an_unusable_site_ca_fails_naming_the_file_and_the_recovery',
    'site-ca-key-a-directory': 'test_an_unusable_site_ca_fails_naming_the_file_and_the_recovery',
}


def _break(path, how):
    if how == 'missing':
        os.unlink(path)
    elif how == 'truncated':
        with open(path, 'rb') as handle:
            data = handle.read()
        with open(path, 'wb') as handle:
            handle.write(data[:len(data) // 2])
    elif how == 'a directory':
        os.unlink(path)
        os.mkdir(path)


@pytest.mark.parametrize('file_name', ['tls.crt', 'tls.key'])
@pytest.mark.parametrize('how', ['missing', 'truncated', 'a directory'])
def test_an_unusable_site_ca_fails_naming_the_file_and_the_recovery(west, file_name, how):
    west.render('west')
    home = west.home('west')
    path = os.path.join(home, SITE_CA, file_name)
    _break(path, how)
    before = snapshot_tree(west.root)
    for dry_run in (True, False):
        with pytest.raises(certs.CertificateError) as failure:
            west.render('west', dry_run=dry_run)
        message = str(failure.value)
        assert 'the CA skupper-site-ca kept in %s cannot be used' % os.path.join(home, SITE_CA) in message
        # the file: by its path, or by its name after the directory
        assert path in message or '%s: %s' % (os.path.join(home, SITE_CA), file_name) in message, message
        assert 'restore the file(s) from a backup' in message
        assert 'remove the directory %s and run again' % os.path.join(home, SITE_CA) in message
    assert snapshot_tree(west.root) == before
    with pytest.raises(static_links.StaticLinkError) as failure:
        static_links.issue_static_link(home, 'east', addresses=['192.168.122.10'])
    assert 'the CA "skupper-site-ca" of the site cannot be used' in str(failure.value)
    after = snapshot_tree(west.root)
    assert after == before
    # files changed by the refused renders and static link (none: the CA is never replaced silently)
    changed = [name for name in set(before) | set(after) if before.get(name) != after.get(name)]
    fault_figures.record('site-ca-%s-%s' % (FILES[file_name], HOWS[how]), rounds=2, updates_lost=None,
                         duplicates=None, corrupted=len(changed))


def test_removing_the_ca_directory_rotates_it_on_purpose(west):
    west.render('west')
    home = west.home('west')
    with open(os.path.join(home, SITE_CA, 'tls.crt'), 'rb') as handle:
        old = handle.read()
    os.unlink(os.path.join(home, SITE_CA, 'tls.key'))
    with pytest.raises(certs.CertificateError):
        west.render('west')
    for name in os.listdir(os.path.join(home, SITE_CA)):
        os.unlink(os.path.join(home, SITE_CA, name))
    os.rmdir(os.path.join(home, SITE_CA))
    result = west.render('west')
    with open(os.path.join(home, SITE_CA, 'tls.crt'), 'rb') as handle:
        assert handle.read() != old
    # the leaves it signs are re-issued, and the result says which files changed
    assert any(path.startswith('runtime/certs/') for path in result.changed_files)


def test_a_lost_leaf_is_reissued_from_its_ca_and_reported(west):
    west.render('west')
    home = west.home('west')
    leaf = os.path.join(home, 'runtime', 'certs', 'skupper-local-server', 'tls.key')
    os.unlink(leaf)
    result = west.render('west')
    assert 'runtime/certs/skupper-local-server/tls.key' in result.changed_files
    assert os.path.isfile(leaf)
