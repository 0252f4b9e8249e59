"""Hooks of supernet training, and the hook every runner gets that keeps a work dir's checkpoint record relative."""
from __future__ import annotations

import functools
import random
from pathlib import Path

import numpy as np
import torch
from mmengine.dataset import worker_init_fn
from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from ..registry import HOOKS
from ..utils.checkpoint import LAST_CHECKPOINT, write_last_checkpoint
from ..utils.paths import REMOTE

CHECKPOINT_KEY = 'path_sampler'


@HOOKS.register_module()
class PathSamplerStateHook(Hook):
    """Keeps the path sampler's generator state in checkpoints.

    A resumed run then draws the same paths as an uninterrupted one, instead of replaying the sequence from its
    seed. Models without a ``sampler`` (or checkpoints without the entry) are left alone.
    """

    priority = 'VERY_LOW'

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        sampler = _sampler(runner)
        if sampler is not None:
            checkpoint[CHECKPOINT_KEY] = sampler.state_dict()

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        sampler = _sampler(runner)
        if sampler is not None and CHECKPOINT_KEY in checkpoint:
            sampler.load_state_dict(checkpoint[CHECKPOINT_KEY])


@HOOKS.register_module()
class EpochSeedHook(Hook):
    """Every random draw of an epoch, a function of the run's seed and the epoch alone, so a resumed run is the
    uninterrupted one to the bit.

    A resumed run starts with the random state of a fresh process, not the one epoch N left: the augmentation's
    crops and flips (python, numpy and torch RNGs of this process, or of the loader's workers) then differ from
    the first resumed step. So at the start of each training epoch the RNGs of this process are seeded from
    ``(seed, epoch)`` (plus the rank when ``randomness.diff_rank_seed``; both are in the checkpoint's meta), and
    the loader's workers are started afresh for the epoch with seeds from the same pair (mmengine's
    ``worker_init_fn`` would give them the same seeds every epoch, and persistent workers carry their state across
    epochs, which no checkpoint holds). Persistent workers therefore live for one epoch. A run without a seed is
    left alone. The path sampler's own generator travels in the checkpoint (:class:`PathSamplerStateHook`).
    """

    priority = 'VERY_HIGH'  # before any other hook of the epoch draws

    def before_train_epoch(self, runner) -> None:
        seed = runner.seed
        if seed is None:
            return
        epoch_seed = int(np.random.SeedSequence([seed, runner.epoch]).generate_state(1)[0])
        random.seed(epoch_seed)
        np.random.seed(epoch_seed)
        torch.manual_seed(epoch_seed)  # every device's generator too
        loader = runner.train_loop.dataloader
        if getattr(loader, 'num_workers', 0) > 0:
            from mmengine.dist import get_rank
            loader.worker_init_fn = functools.partial(worker_init_fn, num_workers=loader.num_workers,
                                                      rank=get_rank(), seed=epoch_seed)
            iterator = getattr(loader, '_iterator', None)  # a persistent loader's workers of the last epoch
            if iterator is not None:
                iterator._shutdown_workers()
                loader._iterator = None


def _sampler(runner):
    model = runner.model.module if is_model_wrapper(runner.model) else runner.model
    return getattr(model, 'sampler', None)


LAST_CKPT_INFO = 'last_ckpt'  # the message hub entry mmengine's CheckpointHook sets to each checkpoint it saves


@HOOKS.register_module()
class RelativeLastCheckpointHook(Hook):
    """Rewrites the ``last_checkpoint`` record mmengine's CheckpointHook writes (an absolute path) relative to the
    work dir (:func:`pinas.utils.checkpoint.write_last_checkpoint`), right after each save, so that a copied work dir
    names its own checkpoint. Runs after the CheckpointHook (``LOWEST``) at every point it may save."""

    priority = 'LOWEST'

    def __init__(self):
        self._done: str | None = None

    def _rewrite(self, runner) -> None:
        saved = runner.message_hub.get_info(LAST_CKPT_INFO)
        if not saved or saved == self._done or REMOTE in str(saved) or not is_main_process():
            return
        record = Path(runner.work_dir) / LAST_CHECKPOINT
        if record.is_file() and record.read_text().strip() == str(saved):
            write_last_checkpoint(runner.work_dir, saved)
            self._done = saved

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        self._rewrite(runner)

    def after_train_epoch(self, runner) -> None:
        self._rewrite(runner)

    def after_val_epoch(self, runner, metrics=None) -> None:
        self._rewrite(runner)

    def after_train(self, runner) -> None:
        self._rewrite(runner)
