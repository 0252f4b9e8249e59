"""Files that are either old or new, never torn: what every resumable job (checkpoints, search state, ground truth,
benchmarks) writes with.

A write goes to a temporary file beside the target, is flushed to disk and renamed over the target. The temporary
file is created with mode 0666 less the process's umask, as ``open`` would create the target (``mkstemp``'s 0600
would hide checkpoints from colleagues on a shared file system). Its name records the writer's host and process
id, so that the next start can remove what a killed writer left behind (:func:`remove_stale_temp_files`) without
touching a file that a live writer is still filling.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import socket
from pathlib import Path
from typing import Any

TEMP_SUFFIX = '.tmp'
_NEW_FILE_MODE = 0o666  # as open() creates files: the umask takes its bits away
# .<target name>.<host>.<pid>.<random>.tmp
_TEMP_NAME = re.compile(r'^\.(?P<target>.+)\.(?P<host>[^.]+)\.(?P<pid>\d+)\.[0-9a-f]+' + re.escape(TEMP_SUFFIX) + '$')


def host_name() -> str:
    """This host's name as it appears in temporary names (no dots, which separate the name's fields)."""
    return socket.gethostname().split('.')[0] or 'host'


def temp_path(path: str | os.PathLike, pid: int | None = None) -> Path:
    """A new temporary file name beside ``path`` for the writer ``pid`` (default: this process) of this host."""
    path = Path(path)
    pid = os.getpid() if pid is None else pid
    return path.with_name(f'.{path.name}.{host_name()}.{pid}.{secrets.token_hex(4)}{TEMP_SUFFIX}')


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` so that ``path`` always holds either its old or its new complete content."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path(path)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _NEW_FILE_MODE)
    try:
        with os.fdopen(fd, 'wb') as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_json(path: str | os.PathLike, data: Any) -> None:
    """Write JSON so that ``path`` always holds either the old or the new complete content."""
    atomic_write_bytes(path, json.dumps(data).encode())


def remove_stale_temp_files(directory: str | os.PathLike) -> list[Path]:
    """Remove the temporary files of :func:`atomic_write_bytes` in ``directory`` whose writer (a process of this
    host) no longer runs: what a save killed half-way leaves behind (gigabytes for a supernet checkpoint).
    Returns the removed paths."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    removed = []
    for path in directory.iterdir():
        match = _TEMP_NAME.match(path.name)
        if match and match['host'] == host_name() and not process_alive(int(match['pid'])):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` of this host runs (another user's counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


HASH_CHUNK = 1 << 24  # bytes read at a time when hashing a file


def file_identity(path: str | os.PathLike) -> dict[str, Any]:
    """What identifies a file's content: its name, size and sha256 (the whole file: about a second per GB, and
    unlike a modification time it survives copies and tells a retrained checkpoint of the same name apart)."""
    path = Path(path)
    digest = hashlib.sha256()
    with path.open('rb') as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
    return dict(name=path.name, size=path.stat().st_size, sha256=digest.hexdigest())
