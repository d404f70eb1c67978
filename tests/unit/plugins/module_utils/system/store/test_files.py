"""store/files.py on real files: atomic writes, their modes, folders, and the messages of a failed write."""

import errno
import os
import stat

import pytest

from ansible_collections.appnet.skupper.plugins.module_utils.system.store import files


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_file_is_written_with_its_mode_and_its_folders(tmp_path):
    path = str(tmp_path / 'a' / 'b' / 'Secret-x.yaml')
    assert files.write_atomic(path, 'key: value\n', files.PRIVATE_MODE) is True
    with open(path, 'rb') as handle:
        assert handle.read() == b'key: value\n'
    assert mode(path) == 0o600
    assert mode(str(tmp_path / 'a' / 'b')) == 0o700  # the file's own folder; its parents as the umask makes them


def test_the_same_bytes_and_mode_write_nothing_and_another_mode_is_a_change(tmp_path):
    path = str(tmp_path / 'Listener-x.yaml')
    assert files.write_atomic(path, b'spec: {}\n') is True
    assert mode(path) == files.PUBLIC_MODE
    inode = os.stat(path).st_ino
    assert files.write_atomic(path, 'spec: {}\n') is False
    assert os.stat(path).st_ino == inode  # not replaced
    assert files.write_atomic(path, 'spec: {}\n', files.PRIVATE_MODE) is True
    assert mode(path) == 0o600


def test_a_write_replaces_the_file_at_once_and_leaves_no_temporary_file(tmp_path):
    path = str(tmp_path / 'f.yaml')
    files.write_atomic(path, 'one\n')
    inode = os.stat(path).st_ino
    assert files.write_atomic(path, 'two\n') is True
    assert os.stat(path).st_ino != inode  # a new file renamed over the old one, never a file half written
    assert files.read_bytes(path) == b'two\n'
    assert sorted(os.listdir(str(tmp_path))) == ['f.yaml']


def test_a_write_that_fails_keeps_the_old_file_and_removes_its_temporary_file(tmp_path, monkeypatch):
    path = str(tmp_path / 'f.yaml')
    files.write_atomic(path, 'old\n')

    def full(_source, _target):
        raise OSError(errno.ENOSPC, 'No space left on device')

    monkeypatch.setattr(files.os, 'rename', full)
    with pytest.raises(files.WriteError) as failure:
        files.write_atomic(path, 'new\n')
    assert str(failure.value) == ('cannot write %s: No space left on device; the file system is full: free space '
                                  'on it and run again' % path)
    assert files.read_bytes(path) == b'old\n'
    assert sorted(os.listdir(str(tmp_path))) == ['f.yaml']


def test_a_folder_that_cannot_be_made_names_the_path(tmp_path):
    blocker = tmp_path / 'file'
    blocker.write_text('not a folder')
    path = str(blocker / 'sub' / 'f.yaml')
    with pytest.raises(files.WriteError) as failure:
        files.write_atomic(path, 'x')
    assert str(failure.value).startswith('cannot write %s: ' % str(blocker / 'sub'))


def test_an_internal_folder_is_private_also_when_made_as_a_parent(tmp_path):
    files.ensure_dir(str(tmp_path / 'home' / 'internal' / 'snapshot'), 0o755)
    assert mode(str(tmp_path / 'home')) == 0o755
    assert mode(str(tmp_path / 'home' / 'internal')) == 0o700
    assert mode(str(tmp_path / 'home' / 'internal' / 'snapshot')) == 0o755


def test_an_existing_folder_keeps_its_mode(tmp_path):
    folder = tmp_path / 'kept'
    folder.mkdir()
    os.chmod(str(folder), 0o751)
    files.ensure_dir(str(folder), 0o700)
    assert mode(str(folder)) == 0o751


def test_reading_and_removing(tmp_path):
    (tmp_path / 'ca.crt').write_bytes(b'ca')
    (tmp_path / 'tls.crt').write_bytes(b'crt')
    assert files.read_bytes(str(tmp_path / 'missing')) is None
    assert files.read_files(str(tmp_path), ('ca.crt', 'tls.crt', 'tls.key')) == {'ca.crt': b'ca', 'tls.crt': b'crt'}
    assert files.remove_file(str(tmp_path / 'ca.crt')) is True
    assert files.remove_file(str(tmp_path / 'ca.crt')) is False
