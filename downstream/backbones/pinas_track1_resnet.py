"""``PiNASTrack1ResNet``: a plain stand-alone network of the Track-1 width space as an OpenMMLab backbone.

The Track-1 space's architectures differ in cost (widths up to 16x apart), which the FLOP-matched ResNeSt
candidates do not, so transfer can be studied on them too. The modules have the names and shapes of
:class:`pinas.models.Track1ResNet` (``stem``, ``stages.{s}.{b}.{conv1,conv2,shortcut}.{conv,bn}``), so its weights
load unchanged, and a plain Track-1 supernet checkpoint (SPOS / Pi-NAS on the Track-1 space) loads by slicing
(:func:`pinas.models.track1_resnet.track1_subnet_state_dict`). Convolution and norm are separate modules (an
mmcv norm, then ReLU) so that SyncBN configs work, and mmengine's SyncBN -> BN reversion on CPU hosts keeps the
activations (timm's fused norm-act layers would lose them).

A CIFAR ResNet20 keeps full resolution in its first stage; detection and segmentation configs downsample first
with ``stem_stride`` and ``stem_pool`` (weights are unaffected: strides carry no parameters).
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import torch
import torch.nn.functional as F
from mmcv.cnn import build_norm_layer
from mmengine.logging import MMLogger
from mmengine.registry import MODELS
from mmengine.runner.checkpoint import CheckpointLoader
from torch import nn

from pinas.arch import code_or_arch_file
from pinas.models import CheckpointMismatchError, load_checked, unwrap_state_dict
from pinas.models.inherit import SUPERNET_PREFIX, weights_under_prefixes
from pinas.models.track1_resnet import (official_init_, projection_shortcuts, stage_out_widths,
                                        track1_subnet_state_dict)
from pinas.spaces import build_space
from pinas.utils.checkpoint import verify_checkpoint_file

from .base import StagedBackbone

# Where backbone weights sit in the checkpoints people have: a detector / segmentor, an algorithm's supernet (its
# student), DDP, or a bare network. Tried in order when init_cfg names no prefix.
_KNOWN_PREFIXES = ('backbone.', 'module.backbone.', SUPERNET_PREFIX, 'module.' + SUPERNET_PREFIX, 'module.', '')
_SUPERNET_MARK = '.shared.'  # every weight of a Track1Supernet sits in a shared (or branch) unit
_STEM_POOL = dict(kernel_size=3, stride=2, padding=1)  # as ResNet's stem max-pool
_CLASSIFIER_PREFIXES = ('head.',)


class ConvBN(nn.Module):
    """conv (no bias) + norm, with the ``conv`` / ``bn`` names of timm's ``ConvNormAct``."""

    def __init__(self, in_chs: int, out_chs: int, kernel_size: int, stride: int, norm_cfg: Mapping[str, Any]):
        super().__init__()
        self.conv = nn.Conv2d(in_chs, out_chs, kernel_size, stride=stride, padding=kernel_size // 2, bias=False)
        self.bn = build_norm_layer(dict(norm_cfg), out_chs)[1]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.bn(self.conv(x))


class BasicBlock(nn.Module):
    """The Track-1 BasicBlock (:class:`pinas.models.track1_resnet.Track1BasicBlock`) with an mmcv norm."""

    def __init__(self, in_chs: int, mid_chs: int, out_chs: int, stride: int, projection: bool,
                 norm_cfg: Mapping[str, Any]):
        super().__init__()
        self.conv1 = ConvBN(in_chs, mid_chs, 3, stride, norm_cfg)
        self.conv2 = ConvBN(mid_chs, out_chs, 3, 1, norm_cfg)
        self.shortcut = ConvBN(in_chs, out_chs, 1, stride, norm_cfg) if projection else nn.Identity()
        self.act = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.conv2(self.act(self.conv1(x))) + self.shortcut(x))


@MODELS.register_module()
class PiNASTrack1ResNet(StagedBackbone):
    """A Track-1 architecture as a backbone; returns the feature maps of the stages in ``out_indices``.

    Args:
        arch: width code (``'16-4-12-...'``) of ``space``, or the path of an arch file written by the search.
        space: Track-1 space preset name or dict (``'track1_resnet20'``, or the embedded search's
            ``dict(base='track1_resnet20', num_classes=20, name='track1_resnet20_embedded')``: only the widths
            matter here).
        out_indices: stages whose outputs are returned (0 = first stage).
        shortcut: ``'projection'`` (default: every block has a projection shortcut, as the plain supernet, so
            inherited weights compute exactly the supernet's path) or ``'official'`` (the challenge's network).
        stem_stride: stride of the stem conv (the space's network: 1).
        stem_pool: a 3x3 stride-2 max-pool after the stem, as ResNet's.
        strides: stride of each stage's first block (default: the space's, (1, 2, 2)).
        pad_to_max_width: zero-pad every output to its stage's widest choice, so one neck / head config fits every
            architecture of the space (the padded channels are zero; the neck reads the others as a narrower one
            would). ``out_channels`` reports the padded widths.
        frozen_stages: -1 none, 0 the stem, k the stem and the first k stages.
        norm_eval: keep norm layers in eval mode while training.
        norm_cfg: mmcv norm config (``dict(type='BN')``, ``dict(type='SyncBN')``).
        init_cfg: ``dict(type='Pretrained', checkpoint=..., prefix=None)``: a stand-alone ``Track1ResNet`` or a
            detector's backbone (weights as they are), or a plain Track-1 supernet checkpoint (sliced to ``arch``);
            loading is strict. Without it the challenge's init is used.
        pretrained: shorthand for ``init_cfg=dict(type='Pretrained', checkpoint=pretrained)``.
    """

    def __init__(self, arch: str, space: str | Mapping[str, Any] = 'track1_resnet20',
                 out_indices: Sequence[int] = (0, 1, 2), shortcut: str = 'projection', stem_stride: int = 1,
                 stem_pool: bool = False, strides: Sequence[int] | None = None, pad_to_max_width: bool = True,
                 frozen_stages: int = -1, norm_eval: bool = False,
                 norm_cfg: Mapping[str, Any] = dict(type='BN', requires_grad=True), init_cfg=None,
                 pretrained: str | None = None):
        if pretrained is not None:
            init_cfg = dict(type='Pretrained', checkpoint=pretrained)
        super().__init__(init_cfg=init_cfg)
        self.space = build_space(space)
        if not hasattr(self.space, 'block_widths'):
            raise ValueError(f'PiNASTrack1ResNet needs a Track-1 width space, got {self.space.name!r}; use '
                             'PiNASResNeSt for ResNeSt spaces')
        self.arch = self.space.parse(code_or_arch_file(arch))
        num_stages = len(self.space.depths)
        if not out_indices or not all(0 <= i < num_stages for i in out_indices):
            raise ValueError(f'out_indices must be stage indices in 0..{num_stages - 1}, got {tuple(out_indices)}')
        if not -1 <= frozen_stages <= num_stages:
            raise ValueError(f'frozen_stages must be in -1..{num_stages}, got {frozen_stages}')
        strides = tuple(self.space.strides if strides is None else strides)
        if len(strides) != num_stages:
            raise ValueError(f'strides needs one stride per stage ({num_stages}), got {strides}')
        self.out_indices, self.frozen_stages, self.norm_eval = tuple(out_indices), frozen_stages, norm_eval
        self.shortcut = shortcut

        widths = self.space.widths(self.arch)
        self.stem = ConvBN(3, widths[0], 3, stem_stride, norm_cfg)
        self.stem_act = nn.ReLU(inplace=True)
        self.stem_pool = nn.MaxPool2d(**_STEM_POOL) if stem_pool else nn.Identity()
        block_strides = [strides[s] if b == 0 else 1 for s, depth in enumerate(self.space.depths)
                         for b in range(depth)]
        blocks = [BasicBlock(i, m, o, stride, projection, norm_cfg)
                  for (i, m, o), stride, projection in zip(self.space.block_widths(self.arch), block_strides,
                                                           projection_shortcuts(self.space, self.arch, shortcut))]
        stages, start = [], 0
        for depth in self.space.depths:
            stages.append(nn.Sequential(*blocks[start:start + depth]))
            start += depth
        self.stages = nn.Sequential(*stages)
        self.stage_channels = stage_out_widths(self.space, self.arch)
        self.pad_widths = tuple(self.space.max_widths) if pad_to_max_width else self.stage_channels
        self.out_channels = [self.pad_widths[i] for i in self.out_indices]
        official_init_(self)
        self._freeze_stages()

    # --- weights -----------------------------------------------------------------------------------------------
    def init_weights(self):
        cfg = self.init_cfg if isinstance(self.init_cfg, Mapping) else None
        if cfg is None or cfg.get('type') != 'Pretrained':
            if self.init_cfg is not None:
                super().init_weights()
            return  # the challenge's init, applied at construction
        self.load_pretrained(cfg['checkpoint'], cfg.get('prefix'), cfg.get('map_location', 'cpu'))
        self._is_init = True

    def load_pretrained(self, checkpoint: str, prefix: str | None = None, map_location: str = 'cpu') -> None:
        """Strictly load a stand-alone or plain-supernet checkpoint; errors name the keys that do not fit, and a
        damaged local file is refused before it loads as garbage weights."""
        if '://' not in str(checkpoint):
            verify_checkpoint_file(checkpoint)
        raw = unwrap_state_dict(CheckpointLoader.load_checkpoint(checkpoint, map_location=map_location))
        own = self.state_dict()
        state_dict = weights_under_prefixes(
            raw, own, [prefix] if prefix is not None else _KNOWN_PREFIXES, explicit=prefix is not None,
            is_supernet=lambda sd: any(_SUPERNET_MARK in k for k in sd),
            to_subnet=lambda sd: track1_subnet_state_dict(sd, self.arch, self.space, self.shortcut))
        if state_dict is None:
            heads = sorted({k.split('.')[0] for k in raw})[:10]
            raise CheckpointMismatchError(
                f'{checkpoint}: no PiNASTrack1ResNet weights found under prefixes {list(_KNOWN_PREFIXES)} (top-level '
                f'keys {heads}): a checkpoint of another network, e.g. a ResNeSt supernet; pass a Track-1 supernet '
                f'of {self.space.name} or its stand-alone weights, or set init_cfg.prefix')
        state_dict = {k: v for k, v in state_dict.items() if not k.startswith(_CLASSIFIER_PREFIXES)}
        load_checked(self, state_dict, source=checkpoint)
        MMLogger.get_current_instance().info(
            f'PiNASTrack1ResNet {self.space.format(self.arch)}: loaded {len(state_dict)} tensors from {checkpoint}')

    # --- train/eval behaviour ----------------------------------------------------------------------------------
    def frozen_modules(self) -> list[nn.Module]:
        return ([self.stem] if self.frozen_stages >= 0 else []) + list(self.stages[:max(self.frozen_stages, 0)])

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        x = self.stem_pool(self.stem_act(self.stem(x)))
        outs = []
        for i, stage in enumerate(self.stages):
            x = stage(x)
            if i in self.out_indices:
                outs.append(F.pad(x, (0, 0, 0, 0, 0, self.pad_widths[i] - x.shape[1])))
        return tuple(outs)
