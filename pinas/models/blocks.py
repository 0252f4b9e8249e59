"""Block constructors that plug the search space into timm's ``ResNet``.

timm's ``ResNet`` builds each stage with a ``block_fn(inplanes, planes, stride, downsample, **kwargs)`` callable.
The factories here are such callables, one per stage: ``ArchStage`` returns the candidate an architecture picks
for each successive block, ``ChoiceStage`` returns every candidate of a position (a supernet position). Both build
timm's own ``ResNestBottleneck``, so stem, shortcuts, dilation and feature info all stay timm's.
"""
from __future__ import annotations

from typing import Iterator, Sequence

from torch import nn
from timm.layers import SplitAttn
from timm.models.resnest import ResNestBottleneck

from ..spaces import Candidate


class PiNASBottleneck(ResNestBottleneck):
    """timm's ResNeSt bottleneck with the official Pi-NAS split-attention width.

    Pi-NAS sizes the attention MLP as ``max(group_width * radix // 4, 32)``; timm rounds it to a multiple of 8.
    The two differ for candidate 2 (cardinality 2, base width 42), so with ``attn_divisor=1`` the split-attention
    conv is rebuilt with timm's ``SplitAttn`` at the official width. Keys and layout are unchanged.
    """

    def __init__(self, inplanes: int, planes: int, stride: int = 1, downsample: nn.Module | None = None, *,
                 candidate: Candidate, attn_divisor: int = 1, **kwargs):
        super().__init__(inplanes, planes, stride, downsample, radix=candidate.radix,
                         cardinality=candidate.cardinality, base_width=candidate.base_width, **kwargs)
        if attn_divisor != 8:
            split = self.conv2
            group_width = candidate.group_width(planes)
            self.conv2 = SplitAttn(
                group_width, group_width, kernel_size=3, stride=split.conv.stride, padding=split.conv.padding,
                dilation=split.conv.dilation, groups=candidate.cardinality, radix=candidate.radix,
                rd_divisor=attn_divisor, norm_layer=kwargs.get('norm_layer', nn.BatchNorm2d),
                drop_layer=kwargs.get('drop_block'))


def _block_kwargs(kwargs: dict, avd: bool, avd_first: bool) -> dict:
    # timm's ResNet passes the network-wide cardinality/base_width; the candidate decides them here.
    kwargs = dict(kwargs)
    kwargs.pop('cardinality', None)
    kwargs.pop('base_width', None)
    kwargs.setdefault('avd', avd)
    kwargs.setdefault('avd_first', avd_first)
    return kwargs


class ArchStage:
    """Stage block factory of a stand-alone network: the i-th call builds the arch's i-th candidate."""

    expansion = ResNestBottleneck.expansion

    def __init__(self, candidates: Sequence[Candidate], *, avd: bool = True, avd_first: bool = False,
                 attn_divisor: int = 1):
        self._candidates: Iterator[Candidate] = iter(candidates)
        self._avd, self._avd_first, self._attn_divisor = avd, avd_first, attn_divisor

    def __call__(self, inplanes, planes, stride=1, downsample=None, **kwargs) -> PiNASBottleneck:
        return PiNASBottleneck(inplanes, planes, stride, downsample, candidate=next(self._candidates),
                               attn_divisor=self._attn_divisor,
                               **_block_kwargs(kwargs, self._avd, self._avd_first))


class ChoiceBlock(nn.ModuleList):
    """A supernet position: independent candidates that share one projection shortcut (if the stage has one)."""

    expansion = ResNestBottleneck.expansion

    def forward(self, x, choice: int):
        return self[choice](x)


class ChoiceStage:
    """Stage block factory of a supernet: every call builds one position holding all candidates."""

    expansion = ResNestBottleneck.expansion

    def __init__(self, candidates: Sequence[Candidate], *, avd: bool = True, avd_first: bool = False,
                 attn_divisor: int = 1):
        self._candidates = tuple(candidates)
        self._avd, self._avd_first, self._attn_divisor = avd, avd_first, attn_divisor

    def __call__(self, inplanes, planes, stride=1, downsample=None, **kwargs) -> ChoiceBlock:
        # The same ``downsample`` object goes into every candidate: the official ``[module] * 4`` sharing.
        kwargs = _block_kwargs(kwargs, self._avd, self._avd_first)
        return ChoiceBlock(
            PiNASBottleneck(inplanes, planes, stride, downsample, candidate=c, attn_divisor=self._attn_divisor,
                            **kwargs)
            for c in self._candidates)
