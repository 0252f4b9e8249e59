"""The narrow branches of CEPT's progressive training (arXiv 2108.05866) and the weight copies between its steps.

* In ``shared`` mode (CEPT steps 1-2) every layer has one weight set. ``narrow`` (step 3) adds 4 branches per
  layer, of widths 1/4, 2/4, 3/4, 4/4 of the layer's maximum; ``fine`` (step 4) adds one branch per width step
  (4/8/16 per stage officially). A layer picks its branch by its **output** width ``c'`` (after the supernet's
  width remap): branch ``(c' - 1) // (max / n)``, sliced to ``c'``; input channels are always sliced from the
  incoming tensor. The shared weights stay beside the branches: in steps 3-4 the max path through them is the
  distillation teacher.
* **Weight copies between steps** (:func:`inherit_branches`): shared -> branches copies the first filters of the
  shared weights into every branch; coarse -> fine branches copies each branch into its finer children. Both keep
  every path's function unchanged (eval mode).
"""
from __future__ import annotations

import math
from typing import Any, Iterable, Mapping, Sequence

import torch
from torch import nn

from .sliced import SlicedConvBN, SlicedLinear

# Branches per layer of the "narrow" mode (step 3): widths 1/4 .. 4/4 of the layer's maximum.
NARROW_BRANCHES = 4
BRANCH_MODES = ('shared', 'narrow', 'fine')


def stage_branch_counts(stage_choices: Sequence[Sequence[int]], mode: str = 'shared',
                        counts: Iterable[int] | None = None) -> tuple[int, ...]:
    """Branches per layer of each stage: ``counts`` if given, else those of ``mode`` (``fine``: one branch per
    width step of the stage's choices)."""
    num_stages = len(stage_choices)
    if counts is not None:
        counts = tuple(int(c) for c in counts)
        if len(counts) != num_stages:
            raise ValueError(f'branch_counts needs one count per stage ({num_stages}), got {counts}')
        return counts
    if mode == 'shared':
        return (0,) * num_stages
    if mode == 'narrow':
        return (NARROW_BRANCHES,) * num_stages
    if mode == 'fine':
        return tuple(max(c) // math.gcd(*c) for c in stage_choices)
    raise ValueError(f'unknown branch mode {mode!r}; choose one of {BRANCH_MODES} or pass branch_counts')


class _Branched(nn.Module):
    """Shared weights plus ``num_branches`` narrower copies; the branch is chosen by width."""

    max_width: int
    shared: nn.Module
    branches: nn.ModuleList

    @property
    def num_branches(self) -> int:
        return len(self.branches)

    def branch_index(self, width: int) -> int:
        """The branch a layer of (remapped) width ``width`` runs on."""
        if not 1 <= width <= self.max_width:
            raise ValueError(f'width {width} outside 1..{self.max_width}')
        return (width - 1) // (self.max_width // self.num_branches)

    def branch_width(self, width: int) -> int:
        """Filters of the branch that runs width ``width`` (the shared width without branches)."""
        if not self.num_branches:
            return self.max_width
        return (self.branch_index(width) + 1) * self.max_width // self.num_branches

    def select(self, width: int, use_branches: bool) -> nn.Module:
        if use_branches and self.num_branches:
            return self.branches[self.branch_index(width)]
        return self.shared

    def inherit_from(self, prev: '_Branched') -> None:
        """Copy ``prev``'s shared weights, and fill the branches from ``prev``'s (coarser) branches or shared."""
        self.shared.copy_from(prev.shared)
        if not self.num_branches:
            return
        if not prev.num_branches:
            for branch in self.branches:
                branch.copy_from(prev.shared)
            return
        if self.num_branches % prev.num_branches:
            raise ValueError(f'cannot split {prev.num_branches} branches into {self.num_branches}: the finer '
                             'branch count must be a multiple of the coarser one')
        ratio = self.num_branches // prev.num_branches
        for j, branch in enumerate(self.branches):
            branch.copy_from(prev.branches[j // ratio])


def _check_branches(max_width: int, num_branches: int, what: str) -> None:
    if num_branches < 0 or (num_branches and max_width % num_branches):
        raise ValueError(f'{what}: {num_branches} branches do not divide the maximum width {max_width}; '
                         'choose a branch count that divides it (or 0 for shared weights only)')


class BranchedConvBN(_Branched):
    """conv + BN with optional width-grouped branches of widths ``(i + 1) * max_width / num_branches``."""

    def __init__(self, in_chs: int, out_chs: int, kernel_size: int, stride: int = 1, num_branches: int = 0):
        super().__init__()
        _check_branches(out_chs, num_branches, f'conv {in_chs}->{out_chs}')
        self.max_width = out_chs
        self.shared = SlicedConvBN(in_chs, out_chs, kernel_size, stride)
        self.branches = nn.ModuleList(
            SlicedConvBN(in_chs, (i + 1) * out_chs // num_branches, kernel_size, stride)
            for i in range(num_branches))

    def forward(self, x: torch.Tensor, width: int, use_branches: bool = False) -> torch.Tensor:
        return self.select(width, use_branches)(x, width)


class _LinearUnit(SlicedLinear):

    @torch.no_grad()
    def copy_from(self, src: nn.Linear) -> None:
        if src.in_features < self.in_features or src.out_features != self.out_features:
            raise ValueError(f'cannot copy a {tuple(src.weight.shape)} linear layer into a '
                             f'{tuple(self.weight.shape)} one')
        self.weight.copy_(src.weight[:, :self.in_features])
        self.bias.copy_(src.bias)


class BranchedLinear(_Branched):
    """Classifier with optional branches chosen by the incoming feature width."""

    def __init__(self, in_features: int, num_classes: int, num_branches: int = 0):
        super().__init__()
        _check_branches(in_features, num_branches, f'classifier {in_features}->{num_classes}')
        self.max_width = in_features
        self.shared = _LinearUnit(in_features, num_classes)
        self.branches = nn.ModuleList(
            _LinearUnit((i + 1) * in_features // num_branches, num_classes) for i in range(num_branches))

    def forward(self, x: torch.Tensor, use_branches: bool = False) -> torch.Tensor:
        return self.select(x.shape[1], use_branches)(x)


def branched_modules(net: nn.Module) -> dict[str, _Branched]:
    """The branched layers of ``net`` by module name."""
    return {name: m for name, m in net.named_modules() if isinstance(m, _Branched)}


@torch.no_grad()
def inherit_branches(net: nn.Module, counts: Sequence[int], prev: nn.Module, prev_counts: Sequence[int]) -> None:
    """Fill the branched layers of ``net`` (``counts`` branches per stage) from those of the same name in ``prev``
    (``prev_counts``); weights only move from coarser to finer sharing."""
    for stage, (theirs, mine) in enumerate(zip(prev_counts, counts)):
        if theirs and (not mine or mine % theirs):
            raise ValueError(f'stage {stage}: cannot turn {theirs} branches into {mine}; weights only move from '
                             f'coarser to finer sharing (previous branches {tuple(prev_counts)}, these '
                             f'{tuple(counts)})')
    previous = branched_modules(prev)
    for name, module in branched_modules(net).items():
        module.inherit_from(previous[name])


def supernet_layout(state_dict: Mapping[str, torch.Tensor], space) -> dict[str, Any]:
    """``branch_counts`` and ``post_add_act`` of the Track-1 supernet a state dict was saved from."""
    first_blocks = [k for k, first in enumerate(space.block_is_stage_start()) if first]
    counts = []
    for k in first_blocks:
        prefix = f'blocks.{k}.conv1.branches.'
        indices = {int(key[len(prefix):].split('.')[0]) for key in state_dict if key.startswith(prefix)}
        counts.append(max(indices) + 1 if indices else 0)
    prelu = any(key.endswith('.act2.weight') for key in state_dict)
    return dict(branch_counts=tuple(counts), post_add_act='prelu' if prelu else 'relu')
