"""Hooks of supernet training."""
from __future__ import annotations

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from ..registry import HOOKS

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
