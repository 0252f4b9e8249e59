"""One error convention for every command line under ``tools/``.

A mistake the user can fix (a path, an architecture code, a config key, an option) ends the tool with one line on
stderr, ``error: <what is wrong>; <how to fix it>``, and exit status 2, never a traceback: the library raises
:class:`UsageError` (or one of its subclasses: ``ArchError``, ``SearchError``, ``CheckpointError``, ...), and
:func:`cli_main` around each tool's ``main`` turns it into that line. :class:`ArgumentParser` reports its own
errors the same way. A distributed job whose peer process died ends with one line too (exit status 1), after the
collective timeout at the latest (``env_cfg.dist_cfg.timeout``).
"""
from __future__ import annotations

import argparse
import errno
import functools
import os
import sys
import tempfile
from pathlib import Path
from typing import Callable, Sequence

EXIT_USAGE = 2  # argparse's status for usage errors
EXIT_FAILURE = 1
_GLOO_SOURCE = 'gloo/'  # gloo's errors start with the file that raised them: [.../gloo/transport/tcp/pair.cc:538]


class UsageError(Exception):
    """Input the user can fix; the message names the problem and the fix, and tools print it without a trace."""


class UnknownNameError(UsageError, KeyError):
    """A name (space, strategy, ...) that no registry knows; the message lists the known ones."""

    def __str__(self) -> str:  # KeyError would print its message quoted
        return str(self.args[0]) if self.args else ''


# Errors that mean "this input is wrong", whatever raised them.
USAGE_ERRORS: tuple[type[BaseException], ...] = (UsageError, FileNotFoundError, NotADirectoryError,
                                                 IsADirectoryError)


def one_line(err: BaseException | str) -> str:
    """A message on one line: continuation lines are appended (after ':' with a space, else with '; ')."""
    text = ''
    for line in (part.strip() for part in str(err).splitlines()):
        if line:
            text = line if not text else text + (' ' if text.endswith(':') else '; ') + line
    return text


class ArgumentParser(argparse.ArgumentParser):
    """argparse's parser, with its errors on one line like every other usage error."""

    def error(self, message: str):
        self.exit(EXIT_USAGE, f'error: {one_line(message)} (see {self.prog} --help)\n')


def positive_int(text: str) -> int:
    """An argparse type: an integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'{text!r} is not an integer') from None
    if value < 1:
        raise argparse.ArgumentTypeError(f'must be at least 1, got {value}')
    return value


def device_name(text: str) -> str:
    """An argparse type: a torch device this host has (``cpu``, ``cuda``, ``cuda:1``), checked before any work."""
    import torch
    try:
        device = torch.device(text)
    except (RuntimeError, ValueError):
        raise argparse.ArgumentTypeError(f'{text!r} is not a torch device; use cpu, cuda or cuda:N') from None
    if device.type == 'cuda':
        count = torch.cuda.device_count()
        if device.index is not None and device.index >= count or count == 0:
            raise argparse.ArgumentTypeError(f'{text}: this host has {count} CUDA device(s); use cpu'
                                             + (f' or cuda:0..cuda:{count - 1}' if count else ''))
    elif device.type != 'cpu':
        raise argparse.ArgumentTypeError(f'{text}: pinas runs on cpu or cuda devices')
    return text


def parse_shard(text: str) -> tuple[int, int]:
    """An argparse type: ``K/N`` (0 <= K < N), shard K of N of a job list (every N-th job from the K-th), so that
    N processes or cluster jobs share one list without a scheduler."""
    try:
        index, count = (int(part) for part in text.split('/'))
    except ValueError:
        raise argparse.ArgumentTypeError(f'takes K/N, e.g. 0/4, got {text!r}') from None
    if not 0 <= index < count:
        raise argparse.ArgumentTypeError(f'{text}: K of K/N must be in 0..N-1, e.g. 0/{max(count, 2)}')
    return index, count


_READ_ONLY = (errno.EACCES, errno.EPERM, errno.EROFS)


def writable_dir(path: str | os.PathLike, what: str) -> Path:
    """``path`` as an output directory, checked before any work: not a file, under no file, and within a directory
    this process can write (the nearest existing one is probed with a temporary file, which also catches a
    read-only mount, where even root cannot write). Nothing is created. ``what`` names it in the error (``--out``,
    ``work_dir``)."""
    path = Path(path)
    _check_writable(path, path, what)
    return path


def writable_file(path: str | os.PathLike, what: str, example: str = 'out.json') -> Path:
    """``path`` as an output file, checked before any work: not a directory, and in a directory that
    :func:`writable_dir` accepts."""
    path = Path(path)
    if path.is_dir():
        raise UsageError(f'{what} {path} is a directory, where a file is expected; pass a file name, e.g. '
                         f'{path / example}')
    _check_writable(path.parent, path, what)
    return path


def _check_writable(directory: Path, path: Path, what: str) -> None:
    existing = directory
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        if existing == path:
            raise UsageError(f'{what} {path} is a file, where a directory is expected; pass a directory (or move '
                             'the file away)')
        raise UsageError(f'{what} {path}: {existing} is a file, not a directory; pass a path under a directory')
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as err:
        if err.errno not in _READ_ONLY:
            raise
        raise UsageError(f'{what} {path}: {existing} is a read-only directory ({err.strerror}); pass a directory '
                         'you can write') from None


def cli_main(*errors: type[BaseException]) -> Callable:
    """Decorate a tool's ``main(argv) -> int``: :data:`USAGE_ERRORS` and ``errors`` (a library's own usage
    errors) become ``error: ...`` on stderr and :data:`EXIT_USAGE`; a failed collective of a distributed job
    (a peer process killed or gone) becomes one line and :data:`EXIT_FAILURE`."""
    caught = USAGE_ERRORS + tuple(errors)

    def decorate(main: Callable[[Sequence[str] | None], int]):
        @functools.wraps(main)
        def run(argv: Sequence[str] | None = None) -> int:
            try:
                return main(argv)
            except caught as err:
                print(f'error: {one_line(err)}', file=sys.stderr, flush=True)
                return EXIT_USAGE
            except Exception as err:
                if not _is_peer_failure(err):
                    raise
                print(f'error: another process of this distributed job failed, was killed or stopped answering '
                      f'({_first_line(err)}); its log names the cause; start the job again, with --resume to continue '
                      'from the last checkpoint', file=sys.stderr, flush=True)
                return EXIT_FAILURE
        return run
    return decorate


def _is_peer_failure(err: BaseException) -> bool:
    """A collective that failed because a peer died or the timeout passed: torch's ``DistError`` (NCCL, the TCP
    store), or the plain ``RuntimeError`` gloo raises, which names its own source file."""
    import torch.distributed as dist
    if not dist.is_available():
        return False
    return isinstance(err, dist.DistError) or (isinstance(err, RuntimeError) and _GLOO_SOURCE in str(err))


def _first_line(err: BaseException) -> str:
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    return lines[0] if lines else type(err).__name__
