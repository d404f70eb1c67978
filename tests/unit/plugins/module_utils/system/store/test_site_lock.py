"""store/site_lock.py with a second process: one run at a time per site (check-mode runs share it), the message of a
run that waited too long, and the data home lock of renders that choose ports."""

import contextlib
import os
import subprocess
import sys
import threading
import time

import pytest

from ansible_collections.appnet.skupper.plugins.module_utils.system.store import site_lock

# Holds a lock until its standard input closes; the last argument makes /proc/<pid>/cmdline name a module, as an
# Ansible module's run does.
HOLDER = '''
import sys
from ansible_collections.appnet.skupper.plugins.module_utils.system.store import site_lock
home, how = sys.argv[1], sys.argv[2]
if how == 'data_home':
    lock = site_lock.data_home_lock(home)
else:
    lock = site_lock.site_lock(home, check_mode=how == 'shared', timeout=0)
with lock:
    print('held', flush=True)
    sys.stdin.read()
'''


@contextlib.contextmanager
def holding(home, how='exclusive'):
    """A second process that holds the lock of home for the with block."""
    process = subprocess.Popen([sys.executable, '-c', HOLDER, home, how, 'appnet.skupper.plugins.modules.system'],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                               env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    try:
        assert process.stdout.readline().strip() == 'held'
        yield process
    finally:
        process.stdin.close()
        process.wait(timeout=30)


def test_a_second_run_of_the_same_site_waits_then_fails_naming_the_holder(tmp_path):
    home = str(tmp_path / 'east')
    with holding(home) as holder:
        started = time.monotonic()
        with pytest.raises(site_lock.SiteLocked) as failure:
            with site_lock.site_lock(home, timeout=1):
                pass
        assert time.monotonic() - started >= 1
    assert str(failure.value) == (
        'the site at %s is in use by pid %d (appnet.skupper.system); waited 1 s for it to finish (a second run of '
        'the same site waits; set APPNET_SKUPPER_LOCK_TIMEOUT to wait longer)' % (home, holder.pid))


def test_a_check_mode_run_cannot_read_a_site_while_a_run_writes_it(tmp_path):
    home = str(tmp_path / 'east')
    with holding(home):
        with pytest.raises(site_lock.SiteLocked):
            with site_lock.site_lock(home, check_mode=True, timeout=0.2):
                pass


def test_check_mode_runs_share_a_site_and_a_writing_run_waits_for_them(tmp_path):
    home = str(tmp_path / 'east')
    os.makedirs(home)
    with holding(home, 'shared'):
        with site_lock.site_lock(home, check_mode=True, timeout=0):
            pass
        with pytest.raises(site_lock.SiteLocked):
            with site_lock.site_lock(home, timeout=0.2):
                pass


def test_the_lock_is_free_once_the_holder_is_done(tmp_path):
    home = str(tmp_path / 'east')
    with holding(home):
        pass
    with site_lock.site_lock(home, timeout=0):
        entered = True
    assert entered


def test_no_lock_file_and_a_missing_site_is_made_only_by_a_run_that_writes(tmp_path):
    home = str(tmp_path / 'east')
    with site_lock.site_lock(home, check_mode=True):
        assert not os.path.exists(home)
    with site_lock.site_lock(home, create=False):
        assert not os.path.exists(home)
    with site_lock.site_lock(home):
        assert os.path.isdir(home)
    assert os.listdir(home) == [] and os.listdir(str(tmp_path)) == ['east']


def test_the_timeout_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv(site_lock.TIMEOUT_VARIABLE, raising=False)
    assert site_lock.lock_timeout() == site_lock.DEFAULT_TIMEOUT
    monkeypatch.setenv(site_lock.TIMEOUT_VARIABLE, '2.5')
    assert site_lock.lock_timeout() == 2.5
    monkeypatch.setenv(site_lock.TIMEOUT_VARIABLE, 'soon')
    assert site_lock.lock_timeout() == site_lock.DEFAULT_TIMEOUT


def test_renders_of_two_namespaces_of_a_data_home_take_turns(tmp_path):
    east, west = str(tmp_path / 'namespaces' / 'east'), str(tmp_path / 'namespaces' / 'west')
    entered = threading.Event()

    def render_west():
        with site_lock.data_home_lock(west):
            entered.set()

    with holding(east, 'data_home'):
        waiting = threading.Thread(target=render_west)
        waiting.start()
        assert not entered.wait(0.5)  # east holds the data home
    assert entered.wait(10)  # and west goes on once it is done
    waiting.join()
    assert os.listdir(str(tmp_path / 'namespaces')) == []  # no lock file
