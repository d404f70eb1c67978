"""hacking/build_router.sh checks a downloaded source archive against the pinned digest of its files.

The script runs from a copy whose pinned URLs are file:// URLs (no network is needed), with an empty vendor
folder and a temporary cache, and with --print-bin --cached: it downloads and checks the sources, then stops
before any build (exit 3: no cached build).
"""

import os
import re
import shutil
import subprocess
import tarfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, 'hacking', 'build_router.sh')
VENDOR = os.environ.get('APPNET_SKUPPER_VENDOR') or os.path.join(ROOT, '..', 'shared', 'vendor')

pytestmark = pytest.mark.skipif(not shutil.which('curl'), reason='no curl')


def pinned(name):
    with open(SCRIPT) as handle:
        return re.search(r'^%s=(\S+)$' % name, handle.read(), re.M).group(1)


def vendor_tarball(prefix):
    names = sorted(os.listdir(VENDOR)) if os.path.isdir(VENDOR) else []
    found = [name for name in names if name.startswith(prefix) and name.endswith('.tar.gz')]
    if not found:
        pytest.skip('no %s*.tar.gz in the vendor folder %s' % (prefix, VENDOR))
    return os.path.join(VENDOR, found[0])


def run_pinned(tmp_path, router, proton):
    """(rc, stderr) of the script with its pinned URLs pointing at these files."""
    with open(SCRIPT) as handle:
        text = handle.read()
    text = re.sub(r'^PIN_ROUTER_URL=.*$', 'PIN_ROUTER_URL=file://%s' % router, text, flags=re.M)
    text = re.sub(r'^PIN_PROTON_URL=.*$', 'PIN_PROTON_URL=file://%s' % proton, text, flags=re.M)
    (tmp_path / 'hacking').mkdir(exist_ok=True)
    copy = tmp_path / 'hacking' / 'build_router.sh'
    copy.write_text(text)
    (tmp_path / 'empty-vendor').mkdir(exist_ok=True)
    env = dict(os.environ, APPNET_SKUPPER_CACHE=str(tmp_path / 'cache'), APPNET_SKUPPER_VENDOR=str(tmp_path / 'empty-vendor'))
    env.pop('SKUPPER_ROUTER_SOURCE', None)
    done = subprocess.run(['bash', str(copy), '--print-bin', '--cached'], env=env, capture_output=True, text=True,
                          check=False)
    return done.returncode, done.stderr


def archive(tmp_path, name, top, files):
    """A gzipped tarball with one top folder holding these files."""
    source = tmp_path / ('src-' + name)
    for path, content in files.items():
        (source / top / path).parent.mkdir(parents=True, exist_ok=True)
        (source / top / path).write_text(content)
    out = tmp_path / name
    with tarfile.open(str(out), 'w:gz') as handle:
        handle.add(str(source / top), arcname=top)
    return out


def test_the_pins_name_full_commits_of_the_upstream_repositories():
    assert re.match(r'^[0-9a-f]{40}$', pinned('PIN_ROUTER_COMMIT'))
    assert re.match(r'^[0-9a-f]{40}$', pinned('PIN_PROTON_COMMIT'))
    assert pinned('PIN_ROUTER_URL') == '"https://github.com/skupperproject/skupper-router/archive/${PIN_ROUTER_COMMIT}.tar.gz"'
    assert pinned('PIN_PROTON_URL') == '"https://github.com/apache/qpid-proton/archive/${PIN_PROTON_COMMIT}.tar.gz"'


def test_a_download_with_other_files_is_refused(tmp_path):
    other = archive(tmp_path, 'other.tar.gz', 'skupper-router-main', {'README.md': 'not the pinned commit\n'})
    rc, stderr = run_pinned(tmp_path, other, other)
    assert rc == 1, stderr
    assert 'checksum mismatch: the files of file://%s have digest' % other in stderr
    assert 'nothing built' in stderr
    assert os.listdir(str(tmp_path / 'cache' / 'downloads')) == []


def test_a_download_that_is_no_tarball_is_refused(tmp_path):
    junk = tmp_path / 'junk.tar.gz'
    junk.write_text('<html>not found</html>\n')
    rc, stderr = run_pinned(tmp_path, junk, junk)
    assert rc == 1, stderr
    assert 'have digest (not a gzipped tar)' in stderr


def test_the_vendor_tarballs_hold_the_pinned_files(tmp_path):
    """The vendor tarballs pass the check, and so does the same files under the top folder GitHub would name
    (repository-<full commit>) in another compression: the digest is of the files only."""
    router, proton = vendor_tarball('skupper-router-'), vendor_tarball('qpid-proton-')
    rc, stderr = run_pinned(tmp_path, router, proton)
    assert rc == 3 and 'no cached build' in stderr, stderr

    renamed_top = 'skupper-router-' + pinned('PIN_ROUTER_COMMIT')
    unpacked = tmp_path / 'unpacked'
    unpacked.mkdir()
    subprocess.run(['tar', '-xzf', router, '-C', str(unpacked), '--strip-components=1'], check=True)
    renamed = tmp_path / 'renamed.tar.gz'
    with tarfile.open(str(renamed), 'w:gz', compresslevel=1) as handle:
        handle.add(str(unpacked), arcname=renamed_top)
    shutil.rmtree(str(tmp_path / 'cache'))
    rc, stderr = run_pinned(tmp_path, renamed, proton)
    assert rc == 3 and 'no cached build' in stderr, stderr
