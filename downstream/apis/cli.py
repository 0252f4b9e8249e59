"""Command lines of ``tools/train.py`` and ``tools/test.py``: OpenMMLab's interface, for mmdet and mmseg alike.

The task (detection or segmentation) comes from the config (its ``default_scope``), so one pair of scripts serves
every config under ``configs/``.
"""
from __future__ import annotations

import argparse
import json
import os
from typing import Sequence

from mmengine.config import DictAction

from .config import LAUNCHERS, RESUME_LATEST, load_config
from .runner import test, train


def _common_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('--work-dir', help='where logs and checkpoints go (default: work_dirs/<config name>)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default={},
                        help='override config entries, e.g. model.backbone.arch=3013231203213032 '
                             'model.backbone.init_cfg.checkpoint=weights.pth')
    parser.add_argument('--launcher', choices=LAUNCHERS, default='none', help='job launcher')
    # torch.distributed.launch passes --local-rank since torch 2.0 and --local_rank before; accept both
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def train_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description='Train a detector or segmentor with a Pi-NAS backbone')
    parser.add_argument('config', help='config file, e.g. configs/mask_rcnn/...py')
    parser.add_argument('--resume', nargs='?', const=RESUME_LATEST, default=None, metavar='CHECKPOINT',
                        help='resume from CHECKPOINT, or from the latest checkpoint in work_dir when none is given')
    parser.add_argument('--amp', action='store_true', help='automatic mixed precision (GPU)')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale the lr by total batch size / auto_scale_lr.base_batch_size')
    _common_args(parser)
    return parser


def test_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description='Evaluate a trained detector or segmentor')
    parser.add_argument('config', help='config file the checkpoint was trained with')
    parser.add_argument('checkpoint', help='checkpoint file (.pth)')
    parser.add_argument('--tta', action='store_true', help='test-time augmentation (the config\'s tta_pipeline)')
    _common_args(parser)
    return parser


def train_main(argv: Sequence[str] | None = None):
    args = train_parser().parse_args(argv)
    _set_local_rank(args.local_rank)
    cfg = load_config(args.config, cfg_options=args.cfg_options, work_dir=args.work_dir, launcher=args.launcher,
                      resume=args.resume, amp=args.amp, auto_scale_lr=args.auto_scale_lr)
    return train(cfg)


def test_main(argv: Sequence[str] | None = None) -> dict:
    args = test_parser().parse_args(argv)
    _set_local_rank(args.local_rank)
    cfg = load_config(args.config, cfg_options=args.cfg_options, work_dir=args.work_dir, launcher=args.launcher)
    metrics = test(cfg, args.checkpoint, tta=args.tta)
    print('metrics: ' + json.dumps(metrics), flush=True)
    return metrics


def _set_local_rank(local_rank: int) -> None:
    """torch.distributed.launch passes the rank as an argument; mmengine reads LOCAL_RANK from the env."""
    os.environ.setdefault('LOCAL_RANK', str(local_rank))
