"""Train and test an mmdet / mmseg config with mmengine's Runner, on GPUs or on a CPU-only host.

What is added to the stock Runner, and why:
* the process group is started by :func:`pinas.utils.init_dist` (gloo on CPU hosts; mmengine's own init needs
  CUDA), before the Runner, which then skips its own initialisation;
* mmengine checkpoints are allow-listed for torch's weights-only loading, so ``--resume`` works on torch >= 2.6;
* on a CPU host a multi-process run reverts SyncBN to BN (torch's SyncBatchNorm needs a GPU) and wraps the model
  in DDP without ``device_ids``; single-process runs already get SyncBN reverted by mmengine.
"""
from __future__ import annotations

import json
from pathlib import Path

import torch
from mmengine.config import Config
from mmengine.model import is_model_wrapper, revert_sync_batchnorm
from mmengine.registry import RUNNERS
from mmengine.runner import Runner
from torch import nn

import pinas.engine  # noqa: F401  (registers DeviceAwareDDP)
from pinas.utils import allow_mmengine_checkpoints, get_dist_info, init_dist

from .config import check_data, check_pretrained, enable_tta

METRICS_FILE = 'test_metrics.json'


class TransferRunner(Runner):
    """mmengine's Runner that also runs multi-process on CPU-only hosts (gloo)."""

    def wrap_model(self, model_wrapper_cfg: dict | None, model: nn.Module) -> nn.Module:
        if self.distributed and not torch.cuda.is_available() and not is_model_wrapper(model):
            self.logger.warning('CPU host: SyncBN layers become BN; their statistics are per process')
            model = revert_sync_batchnorm(model)
            defaults = dict(broadcast_buffers=False,
                            find_unused_parameters=self.cfg.get('find_unused_parameters', False))
            # DeviceAwareDDP drops the device ids mmengine passes, which torch rejects for CPU modules.
            model_wrapper_cfg = {**defaults, **(model_wrapper_cfg or {}), 'type': 'DeviceAwareDDP'}
        return super().wrap_model(model_wrapper_cfg, model)


def setup_distributed(cfg: Config) -> None:
    """Start the process group for ``cfg.launcher`` with the config's ``env_cfg.dist_cfg`` settings."""
    if cfg.get('launcher', 'none') == 'none':
        return
    dist_cfg = dict(cfg.get('env_cfg', {}).get('dist_cfg', {}))
    backend = dist_cfg.pop('backend', None)
    init_dist(cfg.launcher, backend=backend if torch.cuda.is_available() else None, **dist_cfg)


def build_runner(cfg: Config) -> Runner:
    """The config's ``runner_type`` if it names one, else :class:`TransferRunner`."""
    allow_mmengine_checkpoints()
    setup_distributed(cfg)
    if 'runner_type' in cfg:
        return RUNNERS.build(cfg)
    return TransferRunner.from_cfg(cfg)


def train(cfg: Config) -> Runner:
    """Train (and validate, as the config says); returns the finished runner."""
    check_pretrained(cfg)  # the Runner initialises weights before it resumes, so the file is read either way
    check_data(cfg, ('train_dataloader', 'val_dataloader'))
    runner = build_runner(cfg)
    runner.train()
    return runner


def test(cfg: Config, checkpoint: str, tta: bool = False) -> dict:
    """Evaluate ``checkpoint`` on the config's test set; rank 0 also writes the metrics to work_dir."""
    if not Path(checkpoint).is_file() and '://' not in checkpoint:
        raise FileNotFoundError(f'checkpoint {checkpoint} does not exist; pass a .pth written by tools/train.py '
                                '(its work_dir holds epoch_N.pth / iter_N.pth and a last_checkpoint file)')
    check_data(cfg, ('test_dataloader',))
    cfg.load_from = checkpoint
    if tta:
        enable_tta(cfg)
    runner = build_runner(cfg)
    metrics = {k: _plain(v) for k, v in runner.test().items()}
    if get_dist_info().is_main:
        out = Path(cfg.work_dir) / METRICS_FILE
        out.write_text(json.dumps(dict(config=cfg.filename, checkpoint=checkpoint, metrics=metrics), indent=2))
    return metrics


def _plain(value):
    """A JSON-friendly metric value (numpy scalars become floats)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)
