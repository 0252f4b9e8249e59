"""The official stand-alone network of a Track-1 architecture (the CIFAR ResNet20 the ground truth was trained on).

Rebuilt from the challenge's Paddle ``ResNet20`` (arXiv 2108.05866): stem conv3x3-BN-ReLU; stages of BasicBlocks
(conv3x3(in->mid, stride)-BN-ReLU-conv3x3(mid->out)-BN, plus the shortcut, then ReLU); a 1x1 conv + BN projection
shortcut in the first block of every stage (stride-1 stage included) and wherever in != out, otherwise identity;
global average pooling and ``Linear(c18, num_classes)``. The trailing unused width (c19) is ignored.

The plain Track-1 supernet (SPOS, Pi-NAS) gives every block a projection shortcut; ``shortcut='projection'`` builds
that layout, and :func:`track1_subnet_state_dict` slices a plain supernet's weights into either layout, so a
stand-alone network of the supernet's layout computes exactly the supernet's path.
"""
from __future__ import annotations

import math
import re
from collections import OrderedDict
from typing import Mapping

import torch
from timm.layers import ClassifierHead, ConvNormAct
from torch import nn

from ..arch import ArchLike
from ..registry import MODELS
from ..spaces import SpaceLike, build_space, build_space_for
from .inherit import CheckpointMismatchError

# The official init draws U(-b, b) with b = sqrt(3) * gain / sqrt(fan_out), gain = sqrt(2) (ReLU).
_INIT_GAIN = math.sqrt(2.0)
# Shortcut layouts: the challenge's network (projection where a stage starts or the width changes) and the plain
# supernet's (a projection in every block).
SHORTCUTS = ('official', 'projection')
# Keys of a plain Track-1 supernet's shared weights (``Track1Supernet``), and what marks an enhanced one.
_SUPERNET_UNIT = re.compile(r'^(stem|blocks\.(\d+)\.(conv1|conv2|shortcut))\.shared\.(conv|bn)\.(.+)$')
_SUPERNET_HEAD = re.compile(r'^head\.shared\.(weight|bias)$')
_ENHANCED_KEYS = re.compile(r'\.branches\.|\.act2\.weight$')


def official_init_(module: nn.Module) -> None:
    """The challenge's init: conv and linear weights uniform with bound sqrt(3)*sqrt(2)/sqrt(fan_out), BN weight 1
    and bias 0, linear bias 0.

    fan_out is ``out_channels * k * k`` for a conv and ``out_features`` for a linear layer, as the Paddle code
    computes it on Paddle's ``[in, out]`` linear weight (the winner's PyTorch port reads ``in_features`` instead).
    """
    for m in module.modules():
        if isinstance(m, nn.Conv2d):
            _uniform_fan_out_(m.weight, m.weight.shape[0] * m.weight[0, 0].numel())
        elif isinstance(m, nn.BatchNorm2d):
            if m.affine:
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Linear):
            _uniform_fan_out_(m.weight, m.out_features)
            if m.bias is not None:
                nn.init.zeros_(m.bias)


def _uniform_fan_out_(weight: torch.Tensor, fan_out: int) -> None:
    bound = math.sqrt(3.0) * _INIT_GAIN / math.sqrt(fan_out)
    nn.init.uniform_(weight, -bound, bound)


class Track1BasicBlock(nn.Module):
    """BasicBlock with independent mid and out widths; ``projection`` selects the 1x1 conv + BN shortcut."""

    def __init__(self, in_chs: int, mid_chs: int, out_chs: int, stride: int = 1, projection: bool = False):
        super().__init__()
        self.conv1 = ConvNormAct(in_chs, mid_chs, 3, stride=stride)
        self.conv2 = ConvNormAct(mid_chs, out_chs, 3, apply_act=False)
        self.shortcut = ConvNormAct(in_chs, out_chs, 1, stride=stride, apply_act=False) if projection \
            else nn.Identity()
        self.act = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.conv2(self.conv1(x)) + self.shortcut(x))


@MODELS.register_module()
class Track1ResNet(nn.Module):
    """Stand-alone network of one Track-1 architecture; ``arch`` is a width code such as ``'16-4-12-...'``.

    ``shortcut``: ``'official'`` (the challenge's network) or ``'projection'`` (a projection shortcut in every
    block, the plain supernet's layout; see :func:`projection_shortcuts`).
    """

    def __init__(self, arch: ArchLike, space: SpaceLike = None, num_classes: int | None = None, in_chans: int = 3,
                 shortcut: str = 'official'):
        super().__init__()
        self.space = build_space_for(type(self), space, 'track1_resnet20')
        self.arch = self.space.parse(arch)
        self.num_classes = self.space.num_classes if num_classes is None else num_classes
        self.shortcut = shortcut
        widths = self.space.widths(self.arch)
        self.stem = ConvNormAct(in_chans, widths[0], 3)
        blocks = [Track1BasicBlock(i, m, o, stride, projection=projection)
                  for (i, m, o), stride, projection in zip(self.space.block_widths(self.arch),
                                                           self.space.block_strides(),
                                                           projection_shortcuts(self.space, self.arch, shortcut))]
        self.stages = nn.Sequential(*self._split_stages(blocks))
        self.num_features = widths[self.space.num_used_positions - 1]
        self.head = ClassifierHead(self.num_features, self.num_classes)
        official_init_(self)

    def _split_stages(self, blocks: list[nn.Module]) -> list[nn.Sequential]:
        stages, start = [], 0
        for depth in self.space.depths:
            stages.append(nn.Sequential(*blocks[start:start + depth]))
            start += depth
        return stages

    @property
    def code(self) -> str:
        return self.space.format(self.arch)

    @property
    def stage_channels(self) -> tuple[int, ...]:
        """Output width of every stage (what :meth:`forward_stages` returns)."""
        return stage_out_widths(self.space, self.arch)

    def forward_stages(self, x: torch.Tensor) -> list[torch.Tensor]:
        """The feature map after every stage (strides 1, 2, 4 of the input in the official layout)."""
        x, outs = self.stem(x), []
        for stage in self.stages:
            x = stage(x)
            outs.append(x)
        return outs

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        return self.stages(self.stem(x))

    def forward_head(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_head(self.forward_features(x))


def projection_shortcuts(space: SpaceLike, arch: ArchLike, shortcut: str = 'official') -> list[bool]:
    """Which blocks have a 1x1 conv + BN shortcut: ``official`` where a stage starts or the width changes,
    ``projection`` in every block (the plain supernet's layout)."""
    if shortcut not in SHORTCUTS:
        raise ValueError(f'shortcut must be one of {SHORTCUTS}, got {shortcut!r}')
    space = build_space(space)
    return [shortcut == 'projection' or first or i != o
            for (i, _, o), first in zip(space.block_widths(arch), space.block_is_stage_start())]


def stage_out_widths(space: SpaceLike, arch: ArchLike) -> tuple[int, ...]:
    """Output width of every stage of ``arch``: the out width of each stage's last block."""
    space = build_space(space)
    widths, last, out = space.widths(arch), 0, []
    for depth in space.depths:
        last += depth
        out.append(widths[2 * last])
    return tuple(out)


def track1_subnet_state_dict(state_dict: Mapping[str, torch.Tensor], arch: ArchLike, space: SpaceLike = None,
                             shortcut: str = 'official') -> 'OrderedDict[str, torch.Tensor]':
    """The state dict of :class:`Track1ResNet` (``arch``, ``shortcut`` layout; keys ``stem.*``, ``stages.*``,
    ``head.fc.*`` where the supernet has a classifier) sliced out of a plain :class:`Track1Supernet` state dict:
    every layer keeps its first ``width`` filters and input channels, as the supernet's path runs it.

    An enhanced supernet (CEPT: branches, PReLU after the add) is refused: its paths are no stand-alone network. A
    width remap leaves no trace in the weights, so a remapped supernet must not be passed.
    """
    space = build_space(space)
    arch = space.parse(arch)
    enhanced = sorted(k for k in state_dict if _ENHANCED_KEYS.search(k))
    if enhanced:
        raise CheckpointMismatchError(
            f'the supernet state dict is an enhanced Track-1 supernet (e.g. {enhanced[0]!r}: CEPT branches or '
            'PReLU), whose paths no stand-alone network computes; inherit from a plain supernet (SPOS or Pi-NAS '
            'on the Track-1 space: configs/search/spos_track1_embedded.py, pinas_track1_embedded.py)')
    widths = space.widths(arch)
    stage_of = [s for s, depth in enumerate(space.depths) for _ in range(depth)]
    block_of = [b for depth in space.depths for b in range(depth)]
    projection = projection_shortcuts(space, arch, shortcut)
    # (supernet unit) -> (stand-alone prefix, out width, in width)
    units = {'stem': ('stem', widths[0], None)}
    for k, (i, m, o) in enumerate(space.block_widths(arch)):
        prefix = f'stages.{stage_of[k]}.{block_of[k]}'
        units[f'blocks.{k}.conv1'] = (f'{prefix}.conv1', m, i)
        units[f'blocks.{k}.conv2'] = (f'{prefix}.conv2', o, m)
        if projection[k]:
            units[f'blocks.{k}.shortcut'] = (f'{prefix}.shortcut', o, i)
    out = OrderedDict()
    found = set()
    for key, value in state_dict.items():
        head = _SUPERNET_HEAD.match(key)
        if head:
            last = widths[space.num_used_positions - 1]
            out[f'head.fc.{head[1]}'] = value[:, :last] if head[1] == 'weight' else value
            continue
        match = _SUPERNET_UNIT.match(key)
        if match is None or match[1] not in units:
            continue  # the identity shortcuts of the official layout, or keys of no network layer
        prefix, width, in_width = units[match[1]]
        found.add(match[1])
        if match[4] == 'conv':
            value = value[:width, :in_width] if in_width is not None else value[:width]
        elif value.dim():
            value = value[:width]  # BN weight, bias and running statistics; num_batches_tracked is a scalar
        out[f'{prefix}.{match[4]}.{match[5]}'] = value
    missing = sorted(set(units) - found)
    if missing:
        shown = ', '.join(missing[:4]) + (', ...' if len(missing) > 4 else '')
        raise CheckpointMismatchError(f'no plain Track-1 supernet weights for {shown} in the state dict (first key '
                                      f'{next(iter(state_dict), None)!r}); pass a Track1Supernet state dict of '
                                      'this space, without a prefix (read_supernet_state_dict strips it)')
    return out
