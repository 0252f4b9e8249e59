"""NAS-Bench-Macro's stand-alone network, so that baselines run on the benchmark's published table.

From the benchmark's ``train/model.py``: stem conv3x3-BN-ReLU; per layer an identity (a 1x1 conv + BN, no ReLU,
where stride or width change) or an inverted residual (pw conv-BN-ReLU, depthwise kxk conv-BN-ReLU, pw-linear
conv-BN, plus the input when stride 1 and widths match); head conv1x1-BN-ReLU, global average pooling, linear.
Convolutions have no bias. Its params and conv + linear MACs equal the benchmark's ``params`` and ``flops`` fields
(tested). The space has no supernet yet: it serves the zero-cost baselines on the published table.
"""
from __future__ import annotations

import torch
from torch import nn

from ..arch import ArchLike
from ..registry import MODELS
from ..spaces import SpaceLike, build_space_for
from ..spaces.nasbench_macro import MacroCandidate


def conv_bn(in_chs: int, out_chs: int, kernel: int = 1, stride: int = 1, groups: int = 1,
            act: bool = True) -> nn.Sequential:
    layers = [nn.Conv2d(in_chs, out_chs, kernel, stride, kernel // 2, groups=groups, bias=False),
              nn.BatchNorm2d(out_chs)]
    return nn.Sequential(*layers, nn.ReLU(inplace=True)) if act else nn.Sequential(*layers)


class MacroLayer(nn.Module):
    """One searchable layer: identity (or its 1x1 projection) or an inverted residual."""

    def __init__(self, candidate: MacroCandidate, in_chs: int, out_chs: int, stride: int):
        super().__init__()
        self.residual = stride == 1 and in_chs == out_chs
        if candidate.is_identity:
            self.body = nn.Identity() if self.residual else conv_bn(in_chs, out_chs, stride=stride, act=False)
            self.residual = False
        else:
            hidden = round(in_chs * candidate.expansion)
            self.body = nn.Sequential(conv_bn(in_chs, hidden),
                                      conv_bn(hidden, hidden, candidate.kernel, stride, groups=hidden),
                                      conv_bn(hidden, out_chs, act=False))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x) if self.residual else self.body(x)


@MODELS.register_module()
class NASBenchMacroNet(nn.Module):
    """Stand-alone network of one NAS-Bench-Macro architecture (an 8-digit code such as ``'02012100'``)."""

    def __init__(self, arch: ArchLike, space: SpaceLike = None, num_classes: int | None = None, in_chans: int = 3):
        super().__init__()
        self.space = build_space_for(type(self), space, 'nasbench_macro')
        self.arch = self.space.parse(arch)
        num_classes = self.space.num_classes if num_classes is None else num_classes
        layers = self.space.layers(self.arch)
        self.stem = conv_bn(in_chans, self.space.stem_width, 3)
        self.layers = nn.Sequential(*(MacroLayer(*layer) for layer in layers))
        self.head = conv_bn(layers[-1][2], self.space.head_width)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(self.space.head_width, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.pool(self.head(self.layers(self.stem(x)))).flatten(1))
