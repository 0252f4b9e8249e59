"""``PiNASResNeSt``: a Pi-NAS architecture as an OpenMMLab backbone (mmdet 3.x, mmsegmentation 1.x).

The modules are those of the timm model ``pinas.models.StandaloneResNeSt`` (same names: ``conv1``, ``bn1``,
``layer1..4``), so exported timm weights load without renaming, and a supernet checkpoint loads by slicing the
chosen candidates. Loading is strict: a key that does not fit raises an error naming it, unlike mmengine's
``PretrainedInit``, which loads non-strictly and only logs.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import torch
from mmcv.cnn import build_norm_layer
from mmengine.logging import MMLogger
from mmengine.registry import MODELS
from mmengine.runner.checkpoint import CheckpointLoader
from torch import nn

from pinas.models import (CheckpointMismatchError, StandaloneResNeSt, is_supernet_state_dict, load_checked,
                          subnet_state_dict, unwrap_state_dict)
from pinas.arch import code_or_arch_file
from pinas.models.inherit import SUPERNET_PREFIX, weights_under_prefixes
from pinas.spaces import PINAS_TRANS, build_space
from pinas.utils.checkpoint import verify_checkpoint_file

from .base import StagedBackbone

# (strides, dilations) of the four stages for each output stride, as in mmdet/mmseg ResNet configs.
_STRIDE_LAYOUTS = {
    32: ((1, 2, 2, 2), (1, 1, 1, 1)),
    16: ((1, 2, 2, 1), (1, 1, 1, 2)),
    8: ((1, 2, 1, 1), (1, 1, 2, 4)),
}
# Prefixes tried, in order, when a checkpoint is given without one.
# Where backbone weights sit in the checkpoints people have: a detector / segmentor, a pinas supernet (its student),
# MoCo-style wrappers, DDP, or a bare backbone.
_KNOWN_PREFIXES = ('backbone.', 'module.backbone.', SUPERNET_PREFIX, 'student.backbone.', 'encoder_q.0.', 'module.', '')


def output_stride_of(strides: Sequence[int], dilations: Sequence[int]) -> int:
    """The output stride a (strides, dilations) pair encodes; only the standard dilated layouts are allowed."""
    layout = (tuple(strides), tuple(dilations))
    for output_stride, known in _STRIDE_LAYOUTS.items():
        if layout == known:
            return output_stride
    allowed = '; '.join(f'output stride {os}: strides={s}, dilations={d}' for os, (s, d) in _STRIDE_LAYOUTS.items())
    raise ValueError(f'unsupported strides={tuple(strides)}, dilations={tuple(dilations)} for PiNASResNeSt; '
                     f'use one of: {allowed}')


def _norm_factory(norm_cfg: Mapping[str, Any]):
    norm_cfg = dict(norm_cfg)

    def norm_layer(num_features: int, **_factory_kwargs) -> nn.Module:
        return build_norm_layer(norm_cfg, num_features)[1]

    return norm_layer


@MODELS.register_module()
class PiNASResNeSt(StagedBackbone):
    """Pi-NAS ResNeSt-D backbone.

    Args:
        arch: architecture code of ``space`` (Pi-NAS-trans, :data:`pinas.spaces.PINAS_TRANS`, by default), or the
            path of an arch file written by the search (a text file holding the code).
        space: search space preset name or dict (``'pinas_resnest50d'``, ``'pinas_resnest_tiny'``, ...).
        out_indices: stages whose outputs are returned (0 = C2, ..., 3 = C5).
        strides / dilations: per-stage layout; output stride 32, 16 or 8 (see ``_STRIDE_LAYOUTS``).
        frozen_stages: stages (and stem, index 0) to freeze: -1 none, 0 stem, k stem + layer1..layerk.
        norm_eval: keep BN layers in eval mode while training (frozen statistics).
        norm_cfg: mmcv norm config, ``dict(type='BN')`` or ``dict(type='SyncBN')``.
        init_cfg: ``dict(type='Pretrained', checkpoint=..., prefix=None)`` loads an exported (timm) checkpoint or
            a supernet checkpoint (candidates are sliced to ``arch``); ``prefix=None`` tries common prefixes.
        pretrained: shorthand for ``init_cfg=dict(type='Pretrained', checkpoint=pretrained)``, convenient as a
            one-line ``--cfg-options model.backbone.pretrained=PATH`` override.
    """

    def __init__(self, arch: str = PINAS_TRANS, space: str | Mapping[str, Any] = 'pinas_resnest50d',
                 out_indices: Sequence[int] = (0, 1, 2, 3), strides: Sequence[int] = (1, 2, 2, 2),
                 dilations: Sequence[int] = (1, 1, 1, 1), frozen_stages: int = -1, norm_eval: bool = False,
                 norm_cfg: Mapping[str, Any] = dict(type='BN', requires_grad=True), init_cfg=None,
                 pretrained: str | None = None):
        if pretrained is not None:
            init_cfg = dict(type='Pretrained', checkpoint=pretrained)
        super().__init__(init_cfg=init_cfg)
        self.space = build_space(space)
        self.arch = self.space.parse(code_or_arch_file(arch))
        num_stages = len(self.space.depths)
        if not out_indices or not all(0 <= i < num_stages for i in out_indices):
            raise ValueError(f'out_indices must be stage indices in 0..{num_stages - 1}, got {tuple(out_indices)}')
        if not -1 <= frozen_stages <= num_stages:
            raise ValueError(f'frozen_stages must be in -1..{num_stages}, got {frozen_stages}')
        self.out_indices = tuple(out_indices)
        self.frozen_stages = frozen_stages
        self.norm_eval = norm_eval

        net = StandaloneResNeSt(self.arch, self.space, num_classes=0, global_pool='',
                               output_stride=output_stride_of(strides, dilations),
                               norm_layer=_norm_factory(norm_cfg))
        self.conv1, self.bn1, self.act1, self.maxpool = net.conv1, net.bn1, net.act1, net.maxpool
        self.stage_names = [f'layer{i + 1}' for i in range(num_stages)]
        for name in self.stage_names:
            self.add_module(name, getattr(net, name))
        self.out_channels = [net.feature_info[i + 1]['num_chs'] for i in self.out_indices]
        self._freeze_stages()

    # --- weights -----------------------------------------------------------------------------------------------
    def init_weights(self):
        cfg = self.init_cfg if isinstance(self.init_cfg, Mapping) else None
        if cfg is None or cfg.get('type') != 'Pretrained':
            super().init_weights()
            return
        self.load_pretrained(cfg['checkpoint'], cfg.get('prefix'), cfg.get('map_location', 'cpu'))
        self._is_init = True

    def load_pretrained(self, checkpoint: str, prefix: str | None = None, map_location: str = 'cpu') -> None:
        """Strictly load an exported or supernet checkpoint; errors name the keys that do not fit, and a damaged
        local file is refused before it loads as garbage weights (:func:`verify_checkpoint_file`)."""
        if '://' not in str(checkpoint):
            verify_checkpoint_file(checkpoint)
        raw = unwrap_state_dict(CheckpointLoader.load_checkpoint(checkpoint, map_location=map_location))
        own = self.state_dict()
        candidates = [prefix] if prefix is not None else _KNOWN_PREFIXES
        state_dict = weights_under_prefixes(raw, own, candidates, explicit=prefix is not None,
                                            is_supernet=is_supernet_state_dict,
                                            to_subnet=lambda sd: subnet_state_dict(sd, self.arch, self.space))
        if state_dict is None:
            heads = sorted({k.split('.')[0] for k in raw})[:10]
            raise CheckpointMismatchError(
                f'{checkpoint}: no PiNASResNeSt weights found under prefixes {list(candidates)} (top-level keys '
                f'{heads}): a checkpoint of another network, e.g. a Track-1 supernet; pass a ResNeSt supernet of '
                f'{self.space.name} or its export (tools/export_arch.py), or set init_cfg.prefix')
        state_dict = {k: v for k, v in state_dict.items() if not k.startswith(('fc.', 'head.', 'neck.'))}
        load_checked(self, state_dict, source=checkpoint)
        MMLogger.get_current_instance().info(
            f'PiNASResNeSt {self.arch}: loaded {len(state_dict)} tensors from {checkpoint}')

    # --- train/eval behaviour ----------------------------------------------------------------------------------
    def frozen_modules(self) -> list[nn.Module]:
        return ([self.conv1, self.bn1] if self.frozen_stages >= 0 else []) + \
            [getattr(self, n) for n in self.stage_names[:max(self.frozen_stages, 0)]]

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        x = self.maxpool(self.act1(self.bn1(self.conv1(x))))
        outs = []
        for i, name in enumerate(self.stage_names):
            x = getattr(self, name)(x)
            if i in self.out_indices:
                outs.append(x)
        return tuple(outs)

