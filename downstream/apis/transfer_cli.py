"""Command lines of ``tools/train.py`` and ``tools/test.py``: OpenMMLab's interface, for mmdet and mmseg alike.

The task (detection or segmentation) comes from the config (its ``default_scope``), so one pair of scripts serves
every config under ``configs/``.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

from pinas.apis import add_runner_args, load_config
from pinas.apis.runner import RESUME_LATEST
from pinas.utils.checkpoint import verify_checkpoint_file
from pinas.utils.cli import ArgumentParser

from .transfer_runner import test, train


def train_parser() -> ArgumentParser:
    parser = ArgumentParser(description='Train a detector or segmentor with a Pi-NAS backbone')
    parser.add_argument('config', help='config file, e.g. configs/mask_rcnn/...py')
    parser.add_argument('--resume', nargs='?', const=RESUME_LATEST, default=None, metavar='CHECKPOINT',
                        help='resume from CHECKPOINT, or from the latest checkpoint in work_dir when none is given')
    parser.add_argument('--amp', action='store_true', help='automatic mixed precision (GPU)')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale the lr by total batch size / auto_scale_lr.base_batch_size')
    return add_runner_args(parser)


def test_parser() -> ArgumentParser:
    parser = ArgumentParser(description='Evaluate a trained detector or segmentor')
    parser.add_argument('config', help='config file the checkpoint was trained with')
    parser.add_argument('checkpoint', help='checkpoint file (.pth), or a work dir (its latest checkpoint)')
    parser.add_argument('--tta', action='store_true', help='test-time augmentation (the config\'s tta_pipeline)')
    return add_runner_args(parser)


def train_main(argv: Sequence[str] | None = None):
    args = train_parser().parse_args(argv)
    cfg = load_config(args.config, cfg_options=args.cfg_options, work_dir=args.work_dir, launcher=args.launcher,
                      resume=args.resume, amp=args.amp, auto_scale_lr=args.auto_scale_lr)
    return train(cfg)


def test_main(argv: Sequence[str] | None = None) -> dict:
    args = test_parser().parse_args(argv)
    cfg = load_config(args.config, cfg_options=args.cfg_options, work_dir=args.work_dir, launcher=args.launcher)
    if Path(args.checkpoint).is_file():  # a damaged file fails here, before anything is built
        verify_checkpoint_file(args.checkpoint)
    metrics = test(cfg, args.checkpoint, tta=args.tta)
    print('metrics: ' + json.dumps(metrics), flush=True)
    return metrics
