"""Atomic checkpoint writes: a checkpoint is written to a temporary file and renamed into place
(:func:`pinas.utils.files.atomic_write_bytes`), so an interrupted save never leaves a truncated ``epoch_N.pth``
beside the good ones, and the file gets the permissions the umask gives (not ``mkstemp``'s 0600).

Use with ``default_hooks.checkpoint.backend_args = dict(backend='atomic_local')`` (every config under
``configs/`` does); :func:`pinas.apis.build_runner` removes what a killed save left behind.
"""
from __future__ import annotations

from mmengine.fileio.backends import LocalBackend, register_backend

from ..utils.files import atomic_write_bytes


class AtomicLocalBackend(LocalBackend):
    def put(self, obj: bytes, filepath) -> None:
        atomic_write_bytes(filepath, obj)

    def put_text(self, obj: str, filepath, encoding: str = 'utf-8') -> None:
        atomic_write_bytes(filepath, obj.encode(encoding))


register_backend('atomic_local', AtomicLocalBackend, force=True)
