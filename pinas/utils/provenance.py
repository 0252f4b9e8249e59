"""Where a result came from: the code (git commit, and whether the tree had changes the commit does not hold) and
the data (a fingerprint), so that two results are compared only when they could have been produced alike.

Every record and run file the suite writes carries these (``downstream`` result records, ranking-study run files,
ground-truth runs). The checkout is the one this package is imported from; outside a git checkout (an installed
package) the commit is None and the record says so rather than guessing.
"""
from __future__ import annotations

import functools
import hashlib
import json
import subprocess
from pathlib import Path
from typing import Any, Iterable

PACKAGE_DIR = Path(__file__).resolve().parents[1]
READ_BLOCK = 1 << 20  # bytes read at a time when hashing a file


def _git(*args: str) -> str | None:
    try:
        result = subprocess.run(['git', '-C', str(PACKAGE_DIR), *args], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout if result.returncode == 0 else None


@functools.lru_cache(maxsize=1)
def git_commit() -> str | None:
    """The commit of the checkout this code runs from; None outside a git checkout."""
    out = _git('rev-parse', 'HEAD')
    return out.strip() if out else None


def git_dirty() -> bool | None:
    """Whether tracked files differ from the commit (untracked files such as work dirs do not count); None
    outside a git checkout. Not cached: a long job's tree may change while it runs, and the record says how it
    was when the record was written."""
    out = _git('status', '--porcelain', '--untracked-files=no')
    return None if out is None else bool(out.strip())


def code_state() -> dict[str, Any]:
    """``{'git_commit': ..., 'git_dirty': ...}`` for a record."""
    return dict(git_commit=git_commit(), git_dirty=git_dirty())


def fingerprint(value: Any) -> str:
    """A short stable hash of a JSON-able value (e.g. a generated dataset's settings and generator version)."""
    text = json.dumps(value, sort_keys=True, default=repr, separators=(',', ':'))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def files_fingerprint(paths: Iterable[str | Path]) -> str:
    """A short hash of the contents of ``paths`` (e.g. a dataset's annotation files), in the order given; a
    missing file is hashed as its name alone, so that its absence changes the fingerprint too."""
    digest = hashlib.sha256()
    for path in paths:
        path = Path(path)
        digest.update(path.name.encode())
        if path.is_file():
            _hash_contents(digest, path)
    return digest.hexdigest()[:16]


def tree_fingerprint(root: str | Path) -> str:
    """A short hash of every file under ``root`` (its path relative to ``root`` and its contents), in path order,
    e.g. a segmentation dataset's folder of annotation images: adding, removing, renaming or changing one changes
    it, and where the tree sits does not. A missing ``root`` hashes as an empty tree."""
    root = Path(root)
    files = sorted((p.relative_to(root).as_posix(), p) for p in root.rglob('*') if p.is_file()) \
        if root.is_dir() else []
    digest = hashlib.sha256()
    for name, path in files:
        digest.update(f'{name}\0{path.stat().st_size}\0'.encode())  # where one file ends and the next begins
        _hash_contents(digest, path)
    return digest.hexdigest()[:16]


def _hash_contents(digest, path: Path) -> None:
    with path.open('rb') as handle:
        for block in iter(lambda: handle.read(READ_BLOCK), b''):
            digest.update(block)
