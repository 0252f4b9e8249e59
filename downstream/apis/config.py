"""Task-specific checks and switches of mmdet / mmseg transfer configs; config loading is
:func:`pinas.apis.load_config`'s."""
from __future__ import annotations

from pathlib import Path
from typing import Mapping

from mmengine.config import Config, ConfigDict

from pinas.utils.checkpoint import verify_checkpoint_file
from pinas.utils.cli import UsageError


def enable_tta(cfg: Config) -> None:
    """Test-time augmentation the OpenMMLab way: ``tta_pipeline`` feeds a ``tta_model`` wrapping the model."""
    if 'tta_pipeline' not in cfg or 'tta_model' not in cfg:
        raise UsageError(f'{cfg.filename} defines no tta_pipeline / tta_model, so --tta cannot be used; '
                         'the segmentation configs (from mmseg datasets) define both')
    cfg.test_dataloader.dataset.pipeline = cfg.tta_pipeline
    cfg.tta_model.module = cfg.model
    cfg.model = cfg.tta_model


def pretrained_checkpoint(cfg: Config) -> str | None:
    """The backbone's pretrained checkpoint: ``pretrained`` (the shorthand PiNASResNeSt takes) or the
    ``init_cfg.checkpoint`` of a Pretrained init; ``None`` when it has neither."""
    backbone = cfg.model.get('backbone', ConfigDict())
    if backbone.get('pretrained'):
        return backbone.pretrained
    init_cfg = backbone.get('init_cfg')
    if isinstance(init_cfg, Mapping) and init_cfg.get('type') == 'Pretrained':
        return init_cfg.get('checkpoint')
    return None


def complete_pretrained_init(cfg: Config) -> None:
    """``--cfg-options model.backbone.init_cfg.checkpoint=PATH`` on a config whose backbone has no init
    (``init_cfg=None``, the smoke configs) leaves ``init_cfg=dict(checkpoint=PATH)``: a Pretrained init, as on
    every other config."""
    init_cfg = cfg.model.get('backbone', ConfigDict()).get('init_cfg')
    if isinstance(init_cfg, Mapping) and 'checkpoint' in init_cfg and 'type' not in init_cfg:
        init_cfg.type = 'Pretrained'


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
                f'tools/prepare_dataset.py check in docs/export_and_transfer.md) or set {loader}.dataset.data_root')


def check_pretrained(cfg: Config) -> None:
    """Fail before any data loading when the backbone's local pretrained checkpoint is missing or damaged
    (:func:`pinas.utils.checkpoint.verify_checkpoint_file`: truncated, not a checkpoint, bytes changed)."""
    checkpoint = pretrained_checkpoint(cfg)
    if checkpoint is None or '://' in checkpoint:
        return
    if not Path(checkpoint).is_file():
        raise FileNotFoundError(
            f'backbone checkpoint {checkpoint} does not exist; pass the exported Pi-NAS weights with '
            '--cfg-options model.backbone.init_cfg.checkpoint=PATH, or train from scratch with '
            '--cfg-options model.backbone.init_cfg=None (see docs/export_and_transfer.md)')
    verify_checkpoint_file(checkpoint)
