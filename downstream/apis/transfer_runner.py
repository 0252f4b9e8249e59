"""Train and test an mmdet / mmseg config with the Runner of :func:`pinas.apis.build_runner` (GPUs or CPU-only
hosts); what is added here is transfer-specific: inputs checked up front, test checkpoints loaded strictly, test
metrics and a result record (:mod:`.records`) written to work_dir."""
from __future__ import annotations

import json
from pathlib import Path

from mmengine.config import Config
from mmengine.runner import Runner

from pinas.apis import build_runner
from pinas.utils import get_dist_info
from pinas.utils.checkpoint import latest_checkpoint, load_checkpoint_file, resolve_checkpoint
from pinas.utils.paths import stored_path

from .config import check_data, check_pretrained, complete_pretrained_init, enable_tta
from .records import RecordHook, RunMeter, StrictLoadHook, write_record

METRICS_FILE = 'test_metrics.json'


def train(cfg: Config) -> Runner:
    """Train (and validate, as the config says); returns the finished runner."""
    complete_pretrained_init(cfg)
    check_pretrained(cfg)  # the Runner initialises weights before it resumes, so the file is read either way
    check_data(cfg, ('train_dataloader', 'val_dataloader'))
    meter = RunMeter()
    runner = build_runner(cfg)
    hook = RecordHook()
    runner.register_hook(hook)
    runner.train()
    if get_dist_info().is_main and hook.val_metrics is not None and hook.val_iter == runner.iter:
        checkpoint = latest_checkpoint(cfg.work_dir)  # the final one: checkpoints are saved before validation
        if checkpoint is not None:
            write_record(cfg, runner.model, checkpoint, load_checkpoint_file(checkpoint).get('meta', {}),
                         hook.val_metrics, loader='val_dataloader', tta=False, meter=meter)
    return runner


def test(cfg: Config, checkpoint: str, tta: bool = False) -> dict:
    """Evaluate ``checkpoint`` (a file, or a work dir: its latest checkpoint) on the config's test set; rank 0
    also writes the metrics and the run's record to work_dir. A checkpoint of another model is refused
    (:class:`~pinas.models.CheckpointMismatchError`) before any image is scored."""
    if Path(checkpoint).is_dir():
        checkpoint = str(resolve_checkpoint(checkpoint))
    elif not Path(checkpoint).is_file() and '://' not in checkpoint:
        raise FileNotFoundError(f'checkpoint {checkpoint} does not exist; pass a .pth written by tools/train.py '
                                '(its work_dir holds epoch_N.pth / iter_N.pth and a last_checkpoint file)')
    complete_pretrained_init(cfg)
    check_data(cfg, ('test_dataloader',))
    cfg.load_from = checkpoint
    if tta:
        enable_tta(cfg)
    meter = RunMeter()
    runner = build_runner(cfg)
    loaded = StrictLoadHook(checkpoint)
    runner.register_hook(loaded)
    metrics = {k: _plain(v) for k, v in runner.test().items()}
    if get_dist_info().is_main:
        write_record(cfg, runner.model, checkpoint, loaded.meta, metrics, loader='test_dataloader', tta=tta,
                     meter=meter)
        out = Path(cfg.work_dir) / METRICS_FILE  # last: a benchmark job is done when it exists beside a record
        checkpoint = stored_path(checkpoint, out)  # relative to the metrics file: a copied work dir names its own
        out.write_text(json.dumps(dict(config=cfg.filename, checkpoint=checkpoint, metrics=metrics), indent=2))
    return metrics


def _plain(value):
    """A JSON-friendly metric value (numpy scalars become floats)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)
