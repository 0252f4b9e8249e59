"""Reading checkpoints: torch's weights-only unpickler allowed to read mmengine checkpoints, damaged files refused
with one clear error, and a work dir's newest checkpoint found even after the work dir moved (its
``last_checkpoint`` record names the file relative to the work dir: :func:`write_last_checkpoint`).

An mmengine checkpoint stores the message hub next to the weights: ``HistoryBuffer`` objects holding numpy arrays
and scalars. Without an allow-list, ``--resume`` fails with "Unsupported global: HistoryBuffer". Rather than
loading with ``weights_only=False`` (which runs arbitrary pickled code), :func:`allow_mmengine_checkpoints`
registers exactly the globals such checkpoints reference.
"""
from __future__ import annotations

import builtins
import hashlib
import io
import zipfile
import zlib
from pathlib import Path

import numpy as np
import torch

try:  # numpy >= 2 moved the pickling helpers to numpy._core
    from numpy._core.multiarray import _reconstruct, scalar
except ImportError:  # pragma: no cover - numpy 1.x
    from numpy.core.multiarray import _reconstruct, scalar

from .cli import UsageError
from .files import atomic_write_bytes
from .paths import REMOTE, stored_dir_path

LAST_CHECKPOINT = 'last_checkpoint'  # mmengine's record of a work dir's newest checkpoint


def mmengine_checkpoint_globals() -> list:
    """The non-tensor globals an mmengine (mmdet / mmseg) training checkpoint references, and why."""
    from mmengine.logging.history_buffer import HistoryBuffer
    return [
        HistoryBuffer,  # message_hub.log_scalars
        np.ndarray, _reconstruct, np.dtype, scalar,  # HistoryBuffer._log_history and numpy scalars
        # numpy >= 1.25 rebuilds a dtype as an instance of its class: the numeric types logged values take
        *(type(np.dtype(t)) for t in (np.float64, np.float32, np.int64, np.int32)),
        # HistoryBuffer pickles its statistics methods as getattr(HistoryBuffer, 'min'); the weights-only
        # unpickler still refuses to *call* anything not on this list, so getattr can only fetch attributes.
        builtins.getattr,
    ]


def allow_mmengine_checkpoints() -> None:
    """Register :func:`mmengine_checkpoint_globals` as safe for ``torch.load(weights_only=True)``; idempotent."""
    add_safe_globals = getattr(torch.serialization, 'add_safe_globals', None)
    if add_safe_globals is not None:  # torch < 2.4 loads with weights_only=False by default: nothing to do
        add_safe_globals(mmengine_checkpoint_globals())


def resolve_checkpoint(path) -> Path:
    """A checkpoint file, or the latest checkpoint of an mmengine work dir (:func:`latest_checkpoint`)."""
    path = Path(path)
    if path.is_dir():
        latest = latest_checkpoint(path)
        if latest is None:
            raise FileNotFoundError(f'{path} is a directory without a {LAST_CHECKPOINT} record: pass a .pth file or '
                                    'the work dir of a finished (or checkpointed) training run')
        path = latest
    if not path.is_file():
        raise FileNotFoundError(f'checkpoint {path} does not exist')
    return path


def latest_checkpoint(work_dir) -> Path | None:
    """The checkpoint named by ``work_dir``'s ``last_checkpoint`` record (None without a record).

    Our runner writes the record relative to ``work_dir`` (:func:`write_last_checkpoint`) and it is read against
    ``work_dir``; mmengine writes an absolute path, of which the file of that name in ``work_dir`` itself wins, so a
    moved or copied work dir resumes from its own checkpoint, not the original's, in either form."""
    record = Path(work_dir) / LAST_CHECKPOINT
    if not record.is_file():
        return None
    named = Path(record.read_text().strip())
    if not named.name:
        raise CheckpointError(f'{record} is empty (a save was interrupted while writing it); write the name of the '
                              'newest epoch_N.pth or iter_N.pth of that directory into it')
    own = record.parent / named.name
    return own if own.is_file() else record.parent / named


def write_last_checkpoint(work_dir, checkpoint) -> str:
    """Write ``work_dir``'s ``last_checkpoint`` record naming ``checkpoint`` relative to ``work_dir`` (a URL as it
    is), atomically; returns what it wrote. mmengine's own record is an absolute path, which sends a copied work
    dir back to the original's files; mmengine's ``find_latest_checkpoint`` would read the relative name against
    the working directory, so every reader here goes through :func:`latest_checkpoint` (the runner's
    ``load_or_resume`` included)."""
    text = str(checkpoint) if REMOTE in str(checkpoint) else stored_dir_path(checkpoint, work_dir)
    atomic_write_bytes(Path(work_dir) / LAST_CHECKPOINT, text.encode())
    return text


class CheckpointError(UsageError):
    """A checkpoint file that cannot be used: missing, empty, truncated, damaged, or not a checkpoint at all."""


# What a file written by torch.save starts with: a zip archive (torch >= 1.6), or a pickle (the legacy format).
_ZIP_MAGIC, _PICKLE_MAGIC = b'PK', b'\x80'


def verify_checkpoint_file(path) -> Path:
    """``path`` if it is a complete torch checkpoint whose bytes match the CRC-32 checksums ``torch.save``
    stores with every record of its zip archive (``torch.load`` does not check them, so damaged bytes would load
    as garbage weights); else :class:`CheckpointError` saying what is wrong and what to do."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f'checkpoint {path} does not exist; pass a .pth file written by the training or export '
                              'tools, or their work dir')
    size = path.stat().st_size
    fix = 'use another checkpoint (a work dir\'s last_checkpoint names its newest complete one) or write it again'
    if size == 0:
        raise CheckpointError(f'checkpoint {path} is empty (0 bytes); {fix}')
    with path.open('rb') as handle:
        head = handle.read(len(_ZIP_MAGIC))
    if head.startswith(_PICKLE_MAGIC):
        return path  # the legacy format carries no checksums: torch.load judges it
    if not head.startswith(_ZIP_MAGIC):
        raise CheckpointError(f'{path} is not a torch checkpoint (it starts with {head!r}, not a zip archive); '
                              'pass the .pth file itself')
    try:
        with zipfile.ZipFile(path) as archive:
            damaged = archive.testzip()
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as err:
        raise CheckpointError(f'checkpoint {path} is truncated or damaged ({size} bytes; {err}); {fix}') from None
    if damaged is not None:
        raise CheckpointError(f'checkpoint {path} is damaged: the bytes of {damaged} do not match the checksum '
                              f'torch.save stored for them (changed after it was written); {fix}')
    return path


def load_checkpoint_file(path, map_location='cpu'):
    """``torch.load`` of a verified checkpoint (:func:`verify_checkpoint_file`) with weights-only loading, mmengine's
    logging state allowed; any failure is one :class:`CheckpointError`."""
    path = verify_checkpoint_file(path)
    allow_mmengine_checkpoints()
    try:
        return torch.load(path, map_location=map_location, weights_only=True)
    except Exception as err:  # torch raises bare UnpicklingError / RuntimeError / EOFError for foreign content
        first = next((line for line in str(err).splitlines() if line.strip()), type(err).__name__)
        raise CheckpointError(f'cannot read {path} with torch.load(weights_only=True): {first}. Only checkpoints of '
                              'tensors and mmengine\'s logging state are read; pass the file the training or export '
                              'tools wrote') from None


def save_checkpoint_file(obj, path) -> str:
    """``torch.save`` of ``obj`` to ``path`` atomically (:func:`pinas.utils.files.atomic_write_bytes`): a kill
    during the save leaves the old file or none, never a truncated one. Returns the written bytes' sha256, which
    provenance names the file by, without reading it back."""
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    atomic_write_bytes(path, buffer.getvalue())
    return hashlib.sha256(buffer.getbuffer()).hexdigest()
