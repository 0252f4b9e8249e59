"""Channel-sliced layers (OFA-style dynamic conv / BN / linear) of the channel-width supernets.

A layer of width ``c`` uses the first ``c`` filters of its weights; its input width adapts to the incoming tensor.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class SlicedConv2d(nn.Conv2d):
    """Conv that uses its first ``out_channels`` filters and as many input channels as the input has."""

    def forward(self, x: torch.Tensor, out_channels: int | None = None) -> torch.Tensor:
        in_chs = x.shape[1]
        out_chs = self.out_channels if out_channels is None else out_channels
        if in_chs > self.in_channels or out_chs > self.out_channels:
            raise ValueError(f'{type(self).__name__}({self.in_channels}->{self.out_channels}) cannot run '
                             f'{in_chs}->{out_chs} channels')
        bias = None if self.bias is None else self.bias[:out_chs]
        return self._conv_forward(x, self.weight[:out_chs, :in_chs], bias)


class SlicedBatchNorm2d(nn.BatchNorm2d):
    """BatchNorm over the first ``C`` channels of its parameters and running statistics (``C`` from the input).

    The running statistics are updated in place through views, so BN recalibration of one path touches only the
    channels that path uses.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        c = x.shape[1]
        momentum = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:
                momentum = 1.0 / float(self.num_batches_tracked)
        use_batch_stats = self.training or self.running_mean is None
        return F.batch_norm(x, _head(self.running_mean, c), _head(self.running_var, c), _head(self.weight, c),
                            _head(self.bias, c), use_batch_stats, momentum, self.eps)


class SlicedLinear(nn.Linear):
    """Linear layer that reads as many input features as the input has."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[1] > self.in_features:
            raise ValueError(f'{type(self).__name__} has {self.in_features} inputs, got {x.shape[1]}')
        return F.linear(x, self.weight[:, :x.shape[1]], self.bias)


def pad_channels(x: torch.Tensor, width: int) -> torch.Tensor:
    """Zero-pad pooled features ``[B, C]`` of a narrower path to ``width`` channels: a full-width linear layer then
    computes what a sliced one would (the zero inputs meet the unused columns)."""
    return F.pad(x, (0, width - x.shape[1])) if x.shape[1] < width else x


def _head(t: torch.Tensor | None, n: int) -> torch.Tensor | None:
    return None if t is None else t[:n]


class SlicedConvBN(nn.Module):
    """conv (no bias) + BN of at most ``out_chs`` filters."""

    def __init__(self, in_chs: int, out_chs: int, kernel_size: int, stride: int = 1):
        super().__init__()
        self.conv = SlicedConv2d(in_chs, out_chs, kernel_size, stride=stride, padding=kernel_size // 2, bias=False)
        self.bn = SlicedBatchNorm2d(out_chs)

    @property
    def width(self) -> int:
        return self.conv.out_channels

    def forward(self, x: torch.Tensor, width: int) -> torch.Tensor:
        return self.bn(self.conv(x, width))

    @torch.no_grad()
    def copy_from(self, src: 'SlicedConvBN') -> None:
        """Take the first ``self.width`` filters (all input channels) and BN entries of ``src``."""
        if src.conv.weight.shape[1:] != self.conv.weight.shape[1:] or src.width < self.width:
            raise ValueError(f'cannot copy a {tuple(src.conv.weight.shape)} conv into a '
                             f'{tuple(self.conv.weight.shape)} one')
        self.conv.weight.copy_(src.conv.weight[:self.width])
        for name in ('weight', 'bias', 'running_mean', 'running_var'):
            mine = getattr(self.bn, name)
            if mine is not None:
                mine.copy_(getattr(src.bn, name)[:self.width])
        self.bn.num_batches_tracked.copy_(src.bn.num_batches_tracked)
