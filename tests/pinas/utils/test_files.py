"""What resumable jobs write: atomic files with the permissions the umask gives, what a killed save leaves behind
removed on the next start, damaged checkpoints refused, and a moved work dir that resumes from its own files: the
paths files store are relative to the file that stores them, and older absolute or cwd-relative ones still read."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from pinas.utils.checkpoint import (CheckpointError, latest_checkpoint, resolve_checkpoint, verify_checkpoint_file,
                                    write_last_checkpoint)
from pinas.utils.files import (atomic_write_bytes, atomic_write_json, file_identity, remove_stale_temp_files,
                               temp_path)
from pinas.utils.paths import resolve_stored, stored_path


@pytest.fixture
def umask_022():
    previous = os.umask(0o022)
    yield 0o022
    os.umask(previous)


def test_atomic_files_get_the_permissions_of_the_umask(tmp_path, umask_022):
    atomic_write_bytes(tmp_path / 'epoch_1.pth', b'weights')
    atomic_write_json(tmp_path / 'state.json', dict(history=[]))
    for name in ('epoch_1.pth', 'state.json'):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o644  # readable by colleagues, as open() would make it
    assert sorted(p.name for p in tmp_path.iterdir()) == ['epoch_1.pth', 'state.json']


def test_only_the_temporary_files_of_dead_writers_are_removed(tmp_path):
    dead = subprocess.run([sys.executable, '-c', 'import os; print(os.getpid())'], capture_output=True,
                          text=True).stdout.strip()
    left = temp_path(tmp_path / 'epoch_2.pth', int(dead))
    live = temp_path(tmp_path / 'epoch_3.pth')
    other = tmp_path / '.notes.tmp'  # not ours: kept
    for path in (left, live, other):
        path.write_bytes(b'partial')
    assert remove_stale_temp_files(tmp_path) == [left]
    assert not left.exists() and live.exists() and other.exists()


def test_damaged_checkpoints_are_refused_with_what_is_wrong(tmp_path):
    good = tmp_path / 'good.pth'
    torch.save(dict(state_dict=dict(w=torch.arange(4096.0))), good)
    assert verify_checkpoint_file(good) == good
    data = good.read_bytes()
    cases = {'empty.pth': (b'', 'is empty'), 'truncated.pth': (data[:len(data) // 2], 'truncated'),
             'text.pth': (b'not weights\n', 'not a torch checkpoint'),
             'changed.pth': (data[:len(data) // 2] + bytes(14) + data[len(data) // 2 + 14:], 'is damaged')}
    for name, (content, message) in cases.items():
        (tmp_path / name).write_bytes(content)
        with pytest.raises(CheckpointError, match=message):
            verify_checkpoint_file(tmp_path / name)


def test_a_moved_work_dir_resolves_its_own_checkpoint(tmp_path):
    original, moved = tmp_path / 'run', tmp_path / 'copy'
    original.mkdir()
    (original / 'epoch_2.pth').write_bytes(b'original')
    (original / 'last_checkpoint').write_text(str(original / 'epoch_2.pth'))  # mmengine writes absolute paths
    moved.mkdir()
    (moved / 'epoch_2.pth').write_bytes(b'copy')
    (moved / 'last_checkpoint').write_text((original / 'last_checkpoint').read_text())
    assert latest_checkpoint(moved) == resolve_checkpoint(moved) == moved / 'epoch_2.pth'  # not the original's
    (moved / 'last_checkpoint').write_text('epoch_2.pth')  # a relative record reads against the work dir
    assert latest_checkpoint(moved) == moved / 'epoch_2.pth'
    (moved / 'last_checkpoint').write_text('')
    with pytest.raises(CheckpointError, match='is empty'):
        latest_checkpoint(moved)
    assert write_last_checkpoint(moved, moved / 'epoch_2.pth') == 'epoch_2.pth'  # what our runner writes
    assert latest_checkpoint(moved) == moved / 'epoch_2.pth'


def test_stored_paths_are_relative_to_the_storing_file_and_old_forms_still_read(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / 'work' / 'export').mkdir(parents=True)
    (tmp_path / 'work' / 'epoch_1.pth').write_bytes(b'w')
    arch_file = tmp_path / 'work' / 'export' / 'a.json'
    assert stored_path(tmp_path / 'work' / 'epoch_1.pth', arch_file) == '../epoch_1.pth'
    assert stored_path('work/epoch_1.pth', 'work/export/a.json') == '../epoch_1.pth'  # both read from the cwd
    assert stored_path('s3://bucket/epoch_1.pth', arch_file) == 's3://bucket/epoch_1.pth'
    assert resolve_stored('../epoch_1.pth', arch_file) == tmp_path / 'work' / 'epoch_1.pth'
    assert resolve_stored(str(tmp_path / 'x.pth'), arch_file) == tmp_path / 'x.pth'  # absolute: as it is
    # older files name paths relative to the directory the job ran in; the storing file's own wins where both exist
    assert resolve_stored('work/epoch_1.pth', arch_file) == Path('work/epoch_1.pth')
    (tmp_path / 'work' / 'export' / 'work').mkdir()
    (tmp_path / 'work' / 'export' / 'work' / 'epoch_1.pth').write_bytes(b'own')
    assert resolve_stored('work/epoch_1.pth', arch_file) == tmp_path / 'work' / 'export' / 'work' / 'epoch_1.pth'
    assert resolve_stored('gone.pth', arch_file) == tmp_path / 'work' / 'export' / 'gone.pth'  # named in errors


def test_file_identity_tells_contents_apart(tmp_path):
    path = tmp_path / 'epoch_1.pth'
    path.write_bytes(b'a')
    first = file_identity(path)
    path.write_bytes(b'b')
    assert first['name'] == 'epoch_1.pth' and file_identity(path)['sha256'] != first['sha256']
