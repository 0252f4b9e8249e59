"""The official stand-alone network of a Track-1 architecture (the CIFAR ResNet20 the ground truth was trained on).

Rebuilt from the challenge's Paddle ``ResNet20`` (ranking.md A2): stem conv3x3-BN-ReLU; stages of BasicBlocks
(conv3x3(in->mid, stride)-BN-ReLU-conv3x3(mid->out)-BN, plus the shortcut, then ReLU); a 1x1 conv + BN projection
shortcut in the first block of every stage (stride-1 stage included) and wherever in != out, otherwise identity;
global average pooling and ``Linear(c18, num_classes)``. The trailing unused width (c19) is ignored.
"""
from __future__ import annotations

import math
import torch
from timm.layers import ClassifierHead, ConvNormAct
from torch import nn

from ..arch import ArchLike
from ..registry import MODELS
from ..spaces import SpaceLike, build_space_for

# The official init draws U(-b, b) with b = sqrt(3) * gain / sqrt(fan_out), gain = sqrt(2) (ReLU).
_INIT_GAIN = math.sqrt(2.0)


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
    """Stand-alone network of one Track-1 architecture; ``arch`` is a width code such as ``'16-4-12-...'``."""

    def __init__(self, arch: ArchLike, space: SpaceLike = None, num_classes: int | None = None, in_chans: int = 3):
        super().__init__()
        self.space = build_space_for(type(self), space, 'track1_resnet20')
        self.arch = self.space.parse(arch)
        self.num_classes = self.space.num_classes if num_classes is None else num_classes
        widths = self.space.widths(self.arch)
        self.stem = ConvNormAct(in_chans, widths[0], 3)
        blocks = [Track1BasicBlock(i, m, o, stride, projection=first or i != o)
                  for (i, m, o), stride, first in zip(self.space.block_widths(self.arch), self.space.block_strides(),
                                                       self.space.block_is_stage_start())]
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

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        return self.stages(self.stem(x))

    def forward_head(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_head(self.forward_features(x))
