"""Hooks of supernet training, and the hook every runner gets that keeps a work dir's checkpoint record relative."""
from __future__ import annotations

from pathlib import Path

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
