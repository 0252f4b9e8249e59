"""Atomic checkpoint writes: a checkpoint is written to a temporary file and renamed into place, so an
interrupted save never leaves a truncated ``epoch_N.pth`` for ``--resume`` to trip over.

Use with ``default_hooks.checkpoint.backend_args = dict(backend='atomic_local')``.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from mmengine.fileio.backends import LocalBackend, register_backend


class AtomicLocalBackend(LocalBackend):
    def put(self, obj: bytes, filepath) -> None:
        self._write(filepath, obj, 'wb')

    def put_text(self, obj: str, filepath, encoding: str = 'utf-8') -> None:
        self._write(filepath, obj.encode(encoding), 'wb')

    @staticmethod
    def _write(filepath, data: bytes, mode: str) -> None:
        path = Path(filepath)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f'.{path.name}.', suffix='.tmp')
        try:
            with os.fdopen(fd, mode) as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


register_backend('atomic_local', AtomicLocalBackend, force=True)
