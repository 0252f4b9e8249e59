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
from mmengine.runner import IterBasedTrainLoop

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
    """Every random draw of a step, a function of the run's seed and the step's place in the run alone, so a resumed
    run is the uninterrupted one to the bit.

    A resumed run starts with the random state of a fresh process, not the one the interrupted run had reached: the
    augmentation's crops and flips and the model's own draws (dropout, a detector's RoI sampling) would differ from
    the first resumed step. So the python, numpy and torch RNGs of this process are seeded from the run's seed
    (which includes the rank when ``randomness.diff_rank_seed``) and the step's place:

    * an epoch-based loop: ``(seed, epoch)`` at the start of each epoch. The loader's workers are started afresh for
      the epoch with seeds from the same pair (mmengine's ``worker_init_fn`` would give them the same seeds every
      epoch, and persistent workers carry their state across epochs, which no checkpoint holds), so persistent
      workers live for one epoch.
    * an iteration-based loop (mmengine's one long epoch, resumed by replaying the data of the iterations done,
      which draws the augmentation's numbers but not the model's): ``(seed, 0, batch)`` before each batch is
      fetched, replayed ones included. The workers, seeded once, are replayed through the same batches, so their
      state is the uninterrupted run's.

    A run without a seed is left alone. The path sampler's own generator travels in the checkpoint
    (:class:`PathSamplerStateHook`).
    """

    priority = 'VERY_HIGH'  # before any other hook of the epoch draws

    def before_train(self, runner) -> None:
        loop = runner.train_loop
        if runner.seed is not None and isinstance(loop, IterBasedTrainLoop):
            loop.dataloader_iterator = _SeededBatches(loop.dataloader_iterator, runner.seed)

    def before_train_epoch(self, runner) -> None:
        seed = runner.seed
        if seed is None or isinstance(runner.train_loop, IterBasedTrainLoop):
            return
        epoch_seed = _seed_everything(seed, runner.epoch)
        loader = runner.train_loop.dataloader
        if getattr(loader, 'num_workers', 0) > 0:
            from mmengine.dist import get_rank
            loader.worker_init_fn = functools.partial(worker_init_fn, num_workers=loader.num_workers,
                                                      rank=get_rank(), seed=epoch_seed)
            iterator = getattr(loader, '_iterator', None)  # a persistent loader's workers of the last epoch
            if iterator is not None:
                iterator._shutdown_workers()
                loader._iterator = None


def _seed_everything(*entropy: int) -> int:
    """Seeds this process's python, numpy and torch (every device's) generators from ``entropy``; returns the seed."""
    seed = int(np.random.SeedSequence(list(entropy)).generate_state(1)[0])
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    return seed


class _SeededBatches:
    """An iteration loop's batch iterator that seeds this process before each batch it fetches (the ``n``-th from
    ``(seed, 0, n)``: epoch 0, as the epoch-based seeds name their epoch)."""

    def __init__(self, batches, seed: int):
        self.batches, self.seed, self.fetched = batches, seed, 0

    def __iter__(self):
        return self

    def __next__(self):
        _seed_everything(self.seed, 0, self.fetched)
        self.fetched += 1
        return next(self.batches)


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
