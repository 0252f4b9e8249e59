"""Turn a transfer config plus command-line choices into the Config a Runner is built from.

The rules are OpenMMLab's own (mmdet 3.x / mmseg 1.x ``tools/train.py``): work_dir from the command line, else the
config, else ``./work_dirs/<config name>``; ``--resume`` with no value resumes from the latest checkpoint of the
work_dir; ``--amp`` swaps in ``AmpOptimWrapper``. Errors say what to change.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import torch
from mmengine.config import Config, ConfigDict

LAUNCHERS = ('none', 'pytorch', 'slurm', 'mpi')
DEFAULT_WORK_ROOT = 'work_dirs'
RESUME_LATEST = 'auto'


def load_config(config: str | Path, *, cfg_options: Mapping[str, Any] | None = None, work_dir: str | None = None,
                launcher: str = 'none', resume: str | None = None, amp: bool = False,
                auto_scale_lr: bool = False) -> Config:
    """Read ``config`` and apply the standard OpenMMLab command-line overrides.

    Args:
        resume: ``None`` (start fresh), ``'auto'`` (latest checkpoint in work_dir) or a checkpoint path.
    """
    path = Path(config)
    if not path.is_file():
        raise FileNotFoundError(f'config {config} does not exist; transfer configs live under configs/ '
                                '(e.g. configs/mask_rcnn/, configs/deeplabv3/, configs/smoke/)')
    if launcher not in LAUNCHERS:
        raise ValueError(f'unknown launcher {launcher!r}; use one of {LAUNCHERS}')
    cfg = Config.fromfile(str(path))
    if cfg_options:
        cfg.merge_from_dict(dict(cfg_options))
        restore_arch_code(cfg)
    cfg.launcher = launcher
    cfg.work_dir = work_dir or cfg.get('work_dir') or str(Path(DEFAULT_WORK_ROOT) / path.stem)
    if amp:
        enable_amp(cfg)
    if resume:
        cfg.resume = True
        cfg.load_from = None if resume == RESUME_LATEST else resume
    if auto_scale_lr:
        enable_auto_scale_lr(cfg)
    return cfg


def restore_arch_code(cfg: Config) -> None:
    """``--cfg-options model.backbone.arch=0013...`` arrives as an int (leading zeros lost); restore the code.

    Architecture codes have one digit per position of the space, so zero-padding to that length is exact.
    """
    backbone = cfg.get('model', {}).get('backbone')
    if not backbone or not isinstance(backbone.get('arch'), int) or 'space' not in backbone:
        return
    from pinas.spaces import build_space
    backbone.arch = str(backbone.arch).zfill(build_space(backbone.space).num_positions)


def enable_amp(cfg: Config) -> None:
    """Mixed precision through mmengine's ``AmpOptimWrapper`` (GPU only)."""
    if not torch.cuda.is_available():
        raise RuntimeError('--amp needs a GPU (mmengine AmpOptimWrapper); drop --amp on a CPU host')
    if cfg.optim_wrapper.get('type', 'OptimWrapper') != 'AmpOptimWrapper':
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.loss_scale = 'dynamic'


def enable_auto_scale_lr(cfg: Config) -> None:
    """Scale the learning rate by (total batch size / ``auto_scale_lr.base_batch_size``)."""
    if 'base_batch_size' not in cfg.get('auto_scale_lr', {}):
        raise ValueError(f'{cfg.filename} has no auto_scale_lr.base_batch_size, so --auto-scale-lr cannot work; '
                         "add auto_scale_lr = dict(enable=False, base_batch_size=16) to the config")
    cfg.auto_scale_lr.enable = True


def enable_tta(cfg: Config) -> None:
    """Test-time augmentation the OpenMMLab way: ``tta_pipeline`` feeds a ``tta_model`` wrapping the model."""
    if 'tta_pipeline' not in cfg or 'tta_model' not in cfg:
        raise ValueError(f'{cfg.filename} defines no tta_pipeline / tta_model, so --tta cannot be used; '
                         'the segmentation configs (from mmseg datasets) define both')
    cfg.test_dataloader.dataset.pipeline = cfg.tta_pipeline
    cfg.tta_model.module = cfg.model
    cfg.model = cfg.tta_model


def pretrained_checkpoint(cfg: Config) -> str | None:
    """The backbone's ``init_cfg.checkpoint`` when it is a Pretrained init, else ``None``."""
    init_cfg = cfg.model.get('backbone', ConfigDict()).get('init_cfg')
    if isinstance(init_cfg, Mapping) and init_cfg.get('type') == 'Pretrained':
        return init_cfg.get('checkpoint')
    return None


def check_data(cfg: Config, loaders: tuple[str, ...]) -> None:
    """Fail before building anything when a dataloader's ``data_root`` or ``ann_file`` does not exist."""
    for loader in loaders:
        dataset = cfg.get(loader, {}).get('dataset', {})
        while 'dataset' in dataset:  # wrappers such as RepeatDataset
            dataset = dataset.dataset
        root = dataset.get('data_root', '')
        if '://' in root:
            continue
        ann_file = dataset.get('ann_file')
        missing = [p for p in (Path(root) if root else None, Path(root) / ann_file if ann_file else None)
                   if p is not None and not p.exists()]
        if missing:
            raise FileNotFoundError(
                f'{loader}: {missing[0]} does not exist; put the dataset there (layouts and '
                f'tools/prepare_dataset.py check in docs/transfer.md) or set {loader}.dataset.data_root')


def check_pretrained(cfg: Config) -> None:
    """Fail before any data loading when the backbone's local pretrained checkpoint is missing."""
    checkpoint = pretrained_checkpoint(cfg)
    if checkpoint is None or '://' in checkpoint or Path(checkpoint).is_file():
        return
    raise FileNotFoundError(
        f'backbone checkpoint {checkpoint} does not exist; pass the exported Pi-NAS weights with '
        '--cfg-options model.backbone.init_cfg.checkpoint=PATH, or train from scratch with '
        '--cfg-options model.backbone.init_cfg=None (see docs/transfer.md)')
