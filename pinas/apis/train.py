"""Supernet training from a config, under a single process, torchrun (NCCL) or torchrun on CPU (gloo)."""
from __future__ import annotations

from mmengine.config import Config
from mmengine.runner import Runner

import pinas.algorithms  # noqa: F401  (registers models)
import pinas.datasets  # noqa: F401  (registers datasets)

from .runner import build_runner


def build_supernet_runner(cfg: Config) -> Runner:
    """:func:`build_runner`, with DeviceAwareDDP as a distributed supernet's wrapper when the config names none."""
    if cfg.get('launcher', 'none') != 'none':
        cfg.setdefault('model_wrapper_cfg', dict(type='DeviceAwareDDP'))
    return build_runner(cfg)


def train_supernet(cfg: Config) -> Runner:
    runner = build_supernet_runner(cfg)
    runner.train()
    return runner
