"""Let torch's weights-only unpickler (the default of ``torch.load`` since torch 2.6) read mmengine checkpoints.

An mmengine checkpoint stores the message hub next to the weights: ``HistoryBuffer`` objects holding numpy arrays
and scalars. Without an allow-list, ``--resume`` fails with "Unsupported global: HistoryBuffer". Rather than
loading with ``weights_only=False`` (which runs arbitrary pickled code), :func:`allow_mmengine_checkpoints`
registers exactly the globals such checkpoints reference.
"""
from __future__ import annotations

import builtins
from pathlib import Path

import numpy as np
import torch

try:  # numpy >= 2 moved the pickling helpers to numpy._core
    from numpy._core.multiarray import _reconstruct, scalar
except ImportError:  # pragma: no cover - numpy 1.x
    from numpy.core.multiarray import _reconstruct, scalar


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
    """A checkpoint file, or the latest checkpoint of an mmengine work dir (its ``last_checkpoint`` record)."""
    path = Path(path)
    if path.is_dir():
        record = path / 'last_checkpoint'
        if not record.is_file():
            raise FileNotFoundError(f'{path} is a directory without a last_checkpoint record: pass a .pth file or '
                                    'the work dir of a finished (or checkpointed) training run')
        path = Path(record.read_text().strip())
    if not path.is_file():
        raise FileNotFoundError(f'checkpoint {path} does not exist')
    return path
