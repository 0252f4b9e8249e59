"""The leaderboard's files are replaced as one set: a failure or a kill while they are written leaves the old set
whole (the Markdown never shows other records than the page), and the next build finishes or discards what a
killed one left."""
from __future__ import annotations

import hashlib
import os
import signal

import pytest
from leaderboard_helpers import BOOTSTRAP, PAPER_DIR, study_dirs

from pinas.leaderboard import build as build_module
from pinas.leaderboard.build import HTML, MARKDOWN, STAGING_PREFIX, build, finish_interrupted, texts, write
from pinas.leaderboard.correlation import Settings

SETTINGS = Settings(resamples=BOOTSTRAP)

pytestmark = pytest.mark.skipif(not hasattr(os, 'fork'), reason='the killed writers are forked children')


@pytest.fixture(scope='module')
def boards(tmp_path_factory):
    """An old leaderboard (the paper records) and a new one (a study beside them): different sets of files."""
    root = tmp_path_factory.mktemp('records')
    return build([PAPER_DIR], SETTINGS), build(study_dirs(root), SETTINGS)


def snapshot(root):
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob('*')) if p.is_file()}


def expected(board):
    return {name: hashlib.sha256(text.encode()).hexdigest() for name, text in texts(board).items()}


def test_a_failure_after_the_first_file_leaves_the_old_set(boards, tmp_path, monkeypatch):
    old, new = boards
    out = tmp_path / 'out'
    write(old, out)
    before = snapshot(out)
    assert before == expected(old)
    calls = []

    def fail_on_second(path, data):
        calls.append(path)
        if len(calls) == 2:
            raise OSError(28, 'No space left on device')
        original(path, data)
    original = build_module._write_synced
    monkeypatch.setattr(build_module, '_write_synced', fail_on_second)
    with pytest.raises(OSError, match='No space left'):
        write(new, out)
    assert snapshot(out) == before  # old files untouched, no staging directory left
    assert not list(out.glob(f'{STAGING_PREFIX}*'))
    monkeypatch.undo()
    write(new, out)
    assert {k: v for k, v in snapshot(out).items() if k in expected(new)} == expected(new)


def killed_writer(board, out, owner, name: str, call: int) -> None:
    """Run ``write(board, out)`` in a child that SIGKILLs itself at the ``call``-th call of ``owner.name``."""
    pid = os.fork()
    if pid == 0:
        try:
            original, calls = getattr(owner, name), []

            def wrapper(*args, **kwargs):
                calls.append(1)
                if len(calls) == call:
                    os.kill(os.getpid(), signal.SIGKILL)
                return original(*args, **kwargs)
            setattr(owner, name, wrapper)
            write(board, out)
        finally:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL


def test_a_kill_before_the_set_is_complete_leaves_the_old_set(boards, tmp_path):
    old, new = boards
    out = tmp_path / 'out'
    write(old, out)
    before = snapshot(out)
    killed_writer(new, out, build_module, '_write_synced', 3)  # two new files written, in the staging directory
    staging = list(out.glob(f'{STAGING_PREFIX}*'))
    assert len(staging) == 1 and (staging[0] / MARKDOWN).is_file()
    assert {k: v for k, v in snapshot(out).items() if not k.startswith(STAGING_PREFIX)} == before
    assert finish_interrupted(out) == staging  # what the next build does first: the unmarked set is removed
    assert snapshot(out) == before


def test_a_kill_while_the_set_moves_in_is_finished_by_the_next_build(boards, tmp_path):
    old, new = boards
    out = tmp_path / 'out'
    write(old, out)
    killed_writer(new, out, os, 'replace', 2)  # the set is complete and marked; one file moved in
    moved = snapshot(out)
    assert moved[MARKDOWN] == expected(new)[MARKDOWN] and moved[HTML] == expected(old)[HTML]  # torn, for now
    write(old, tmp_path / 'elsewhere')  # a build of another directory leaves this one alone
    assert snapshot(out) == moved
    assert len(finish_interrupted(out)) == 1  # what the next build does first: the rest of the marked set moves in
    assert not list(out.glob(f'{STAGING_PREFIX}*'))
    assert {k: v for k, v in snapshot(out).items() if k in expected(new)} == expected(new)


def test_an_output_that_is_a_file_is_one_line(tmp_path, capsys):
    from tools import leaderboard as tool
    out = tmp_path / 'leaderboard.md'
    out.write_text('an old file\n')
    assert tool.main([str(PAPER_DIR), '--out', str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count('error:') == 1 and f'--out {out} is a file, where a directory is expected' in err
    assert out.read_text() == 'an old file\n'
