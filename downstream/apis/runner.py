"""Train and test an mmdet / mmseg config with the Runner of :func:`pinas.apis.build_runner` (GPUs or CPU-only
hosts); what is added here is transfer-specific: inputs checked up front, test metrics written to work_dir."""
from __future__ import annotations

import json
from pathlib import Path

from mmengine.config import Config
from mmengine.runner import Runner

from pinas.apis import build_runner
from pinas.utils import get_dist_info

from .config import check_data, check_pretrained, enable_tta

METRICS_FILE = 'test_metrics.json'


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
