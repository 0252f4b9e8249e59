"""One rule for every cached result (pinas.utils.reuse): a stored result is reused only when the key it was stored
with equals, field by field, the key the current inputs give; otherwise the change is named. Generated trees are
written whole beside their root and renamed into place, never merged."""
import os
import socket
import subprocess
import sys

import pytest

from pinas.utils.cli import UsageError
from pinas.utils.reuse import MISSING, Change, compare, describe, generate_dir, read_key, short

KEY = dict(config='3f2a9b1c' * 8, seed=0, train=dict(epochs=6, lr=0.1))


def test_equal_keys_reuse_and_every_changed_field_is_named():
    assert compare(KEY, dict(KEY)) == []
    changed = dict(KEY, config='9b1c0d2e' * 8, seed=1, train=dict(epochs=3, lr=0.1))
    changes = compare(KEY, changed)
    assert [c.field for c in changes] == ['config', 'seed', 'train.epochs']  # nested settings key by key
    assert describe(changes, stored_as='record') == ('config changed (record 3f2a9b1c.., now 9b1c0d2e..); '
                                                     'seed changed (record 0, now 1); '
                                                     'train.epochs changed (record 6, now 3)')
    assert describe(changes, limit=1) == 'config changed (was 3f2a9b1c.., now 9b1c0d2e..) (and 2 more)'


def test_a_field_one_side_lacks_is_a_change_unless_it_was_added_later():
    old = {k: v for k, v in KEY.items() if k != 'seed'}
    assert compare(old, KEY) == [Change('seed', MISSING, 0)]
    assert compare(old, KEY, optional=['seed']) == []  # results written before the seed was recorded
    assert compare(dict(KEY, extra=1), KEY) == [Change('extra', 1, MISSING)]
    assert 'absent' in describe(compare(old, KEY))


def test_short_values_fit_a_line():
    assert short('a' * 64) == 'aaaaaaaa..' and short(3) == '3' and short('302113') == '302113'
    assert len(short(list(range(100)))) == 40


def _writer(files, fail_after=None):
    def write(root):
        for number, (name, text) in enumerate(files.items()):
            if fail_after is not None and number == fail_after:
                raise KeyboardInterrupt  # a kill half-way through
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text)
    return write


def _tree(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob('*') if p.is_file())


def test_a_tree_of_the_same_key_is_kept_and_another_replaces_it_whole(tmp_path):
    root = tmp_path / 'data'
    large = {f'train/{i}.png': str(i) for i in range(5)}
    reason = generate_dir(root, dict(n=5), _writer(large), stamp='meta/spec.json', own={'train', 'meta'})
    assert reason == 'no generated data'
    assert read_key(root, 'meta/spec.json') == dict(n=5)
    assert generate_dir(root, dict(n=5), _writer({}), stamp='meta/spec.json', own={'train', 'meta'}) is None
    assert len(_tree(root)) == 6  # kept: the writer was not called
    reason = generate_dir(root, dict(n=2), _writer({f'train/{i}.png': 'x' for i in range(2)}),
                          stamp='meta/spec.json', own={'train', 'meta'})
    assert reason == 'n changed (was 5, now 2)'
    assert _tree(root) == ['meta/spec.json', 'train/0.png', 'train/1.png']  # no image of the larger tree is left
    assert sorted(p.name for p in tmp_path.iterdir()) == ['data']  # nothing left beside it


def test_a_kill_while_writing_leaves_the_old_complete_tree(tmp_path):
    root = tmp_path / 'data'
    generate_dir(root, dict(n=3), _writer({f'{i}.png': 'old' for i in range(3)}), stamp='spec.json',
                 own={'0.png', '1.png', '2.png', 'spec.json'})
    with pytest.raises(KeyboardInterrupt):
        generate_dir(root, dict(n=3, seed=1), _writer({f'{i}.png': 'new' for i in range(3)}, fail_after=2),
                     stamp='spec.json', own={'0.png', '1.png', '2.png', 'spec.json'})
    assert read_key(root, 'spec.json') == dict(n=3) and {p.read_text() for p in root.glob('*.png')} == {'old'}
    assert sorted(p.name for p in tmp_path.iterdir()) == ['data']


def test_what_a_killed_generator_left_beside_the_root_is_removed(tmp_path):
    dead = subprocess.run([sys.executable, '-c', 'import os; print(os.getpid())'], capture_output=True, text=True)
    pid = int(dead.stdout)
    root = tmp_path / 'data'
    host = socket.gethostname().split('.')[0] or 'host'
    left = tmp_path / f'.data.{host}.{pid}.0a1b2c3d.partial'
    (left / 'train').mkdir(parents=True)
    mine = tmp_path / f'.data.{host}.{os.getpid()}.0a1b2c3d.partial'  # a live writer's: left alone
    mine.mkdir()
    generate_dir(root, dict(n=1), _writer({'train/0.png': 'x'}), stamp='spec.json', own={'train', 'spec.json'})
    assert not left.exists() and mine.exists()


def test_a_root_holding_other_files_is_never_replaced(tmp_path):
    root = tmp_path / 'data'
    (root / 'imagenet').mkdir(parents=True)
    with pytest.raises(UsageError, match="holds 'imagenet', which is not part of the embedded dataset"):
        generate_dir(root, dict(n=1), _writer({'train/0.png': 'x'}), stamp='spec.json', own={'train', 'spec.json'},
                     what='embedded dataset')
    assert (root / 'imagenet').is_dir()
    (tmp_path / 'file').write_text('')
    with pytest.raises(UsageError, match='is a file, not a directory'):
        generate_dir(tmp_path / 'file', dict(n=1), _writer({}), stamp='spec.json', own={'spec.json'})
