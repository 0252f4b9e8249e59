"""Paths stored in files: written relative to the directory of the file that stores them, so that a work dir that
is copied or moved keeps pointing at its own files, never at the original's.

:func:`stored_path` writes a path in that form; :func:`resolve_stored` reads it back, and reads the forms files
written before held as well: an absolute path, or a path relative to the directory the writer ran in (committed
records say ``work_dirs/...``). A relative path is read against the storing file's directory first, then against
the working directory, so both old and new files resolve; the new form wins where both exist.
"""
from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

REMOTE = '://'  # a URL (``s3://``, ``https://``) is stored as it is: no directory holds it


def stored_path(target: str | os.PathLike, storing_file: str | os.PathLike) -> str:
    """``target`` relative to the directory of ``storing_file`` (POSIX separators), for storing in that file.

    Both are taken as they would resolve from the working directory; a URL stays as it is."""
    if REMOTE in str(target):
        return str(target)
    base = Path(os.path.abspath(storing_file)).parent
    return PurePosixPath(*Path(os.path.relpath(os.path.abspath(target), base)).parts).as_posix()


def stored_dir_path(target: str | os.PathLike, storing_dir: str | os.PathLike) -> str:
    """:func:`stored_path` for a file that will be written into ``storing_dir`` (whose name is not known yet)."""
    return stored_path(target, Path(storing_dir) / '_')


def resolve_stored(value: str | os.PathLike, storing_file: str | os.PathLike) -> Path:
    """The local path ``value`` that ``storing_file`` holds, in whichever form it was written (see the module): absolute
    as it is; relative, against the storing file's directory where that exists, else against the working directory
    where that exists, else (neither exists) against the storing file's directory, which error messages then name."""
    path = Path(value)
    if path.is_absolute():
        return path
    own = Path(storing_file).parent / path
    if own.exists() or not path.exists():
        return Path(os.path.normpath(own))
    return path


__all__ = ['stored_path', 'stored_dir_path', 'resolve_stored']
