"""The "candidates enhancement" supernet of the Track-1 space, with the branches of progressive training.

Read from the 1st-place code (ranking.md A4):

* **Candidates enhancement.** Every path is larger than the stand-alone network it stands for: each block has a
  1x1 conv + BN projection shortcut, a PReLU (one slope per block) follows the residual add, and width choices 4
  and 8 run as 5 and 9 channels (``width_remap``).
* **Channel slicing.** A layer of width ``c`` uses the first ``c`` filters of its weights; its input width adapts
  to the incoming tensor (OFA-style dynamic conv/BN/linear).
* **Branches.** In ``shared`` mode (steps 1-2) every layer has one weight set. ``narrow`` (step 3) adds 4
  branches per layer, of widths 1/4, 2/4, 3/4, 4/4 of the layer's maximum; ``fine`` (step 4) adds one branch per
  width step (4/8/16 per stage officially). A layer picks its branch by its **output** width ``c'`` (after the
  remap): branch ``(c' - 1) // (max / n)``, sliced to ``c'``; input channels are always sliced from the incoming
  tensor; the shortcut follows conv2's output width and the classifier the final feature width. The shared
  weights stay beside the branches: in steps 3-4 the max path through them is the distillation teacher.
* **Weight copies between steps** (``inherit_from``): shared -> branches copies the first filters of the shared
  weights into every branch; coarse -> fine branches copies each branch into its finer children. Both keep every
  path's function unchanged (eval mode).
"""
from __future__ import annotations

import math
from typing import Any, Iterable, Mapping

import torch
import torch.nn.functional as F
from torch import nn

from ..arch import Arch, ArchLike
from ..registry import MODELS
from ..spaces import SpaceLike, build_space_for
from .track1_resnet import official_init_

# Candidates enhancement of the winner ("48p1": choices 4 and 8 plus one channel).
DEFAULT_WIDTH_REMAP = {4: 5, 8: 9}
# Branches per layer of the "narrow" mode (step 3): widths 1/4 .. 4/4 of the layer's maximum.
NARROW_BRANCHES = 4
BRANCH_MODES = ('shared', 'narrow', 'fine')
POST_ADD_ACTS = ('prelu', 'relu')


# --- sliced layers ---------------------------------------------------------------------------------------------
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


# --- branched layers -------------------------------------------------------------------------------------------
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


# --- the supernet ----------------------------------------------------------------------------------------------
class SuperBasicBlock(nn.Module):
    """Enhanced BasicBlock: conv-BN-ReLU-conv-BN + projection shortcut, then PReLU (or ReLU)."""

    def __init__(self, in_chs: int, mid_chs: int, out_chs: int, stride: int, num_branches: int,
                 post_add_act: str):
        super().__init__()
        self.conv1 = BranchedConvBN(in_chs, mid_chs, 3, stride, num_branches)
        self.act1 = nn.ReLU(inplace=True)
        self.conv2 = BranchedConvBN(mid_chs, out_chs, 3, 1, num_branches)
        self.shortcut = BranchedConvBN(in_chs, out_chs, 1, stride, num_branches)
        self.act2 = nn.PReLU() if post_add_act == 'prelu' else nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor, mid: int, out: int, use_branches: bool = False) -> torch.Tensor:
        y = self.conv2(self.act1(self.conv1(x, mid, use_branches)), out, use_branches)
        return self.act2(y + self.shortcut(x, out, use_branches))


@MODELS.register_module()
class Track1Supernet(nn.Module):
    """Enhanced weight-sharing supernet of a :class:`~pinas.spaces.track1.Track1Space`.

    Args:
        space: the space (preset name, config dict or space).
        mode: ``shared`` (steps 1-2), ``narrow`` (step 3) or ``fine`` (step 4); ignored if ``branch_counts``
            is given.
        branch_counts: branches per layer of each stage (0 = shared only); the stem follows stage 0 and the
            classifier the last stage. ``fine`` = one branch per width step of each stage.
        width_remap: enhanced width of each choice (default 4 -> 5, 8 -> 9); ``{}`` disables it.
        post_add_act: ``prelu`` (enhanced) or ``relu`` (the plain max path of step 1).
        num_classes: classifier outputs (default: the space's); ``0`` builds a headless backbone whose
            :meth:`forward_head` returns pooled features, as an unsupervised supernet (Pi-NAS) needs.
    """

    def __init__(self, space: SpaceLike = None, mode: str = 'shared',
                 branch_counts: Iterable[int] | None = None, width_remap: Mapping | Iterable | None = None,
                 post_add_act: str = 'prelu', num_classes: int | None = None, in_chans: int = 3):
        super().__init__()
        self.space = build_space_for(type(self), space, 'track1_resnet20')
        self.width_remap = _read_remap(DEFAULT_WIDTH_REMAP if width_remap is None else width_remap)
        self.branch_counts = self._branch_counts(mode, branch_counts)
        if post_add_act not in POST_ADD_ACTS:
            raise ValueError(f'post_add_act must be one of {POST_ADD_ACTS}, got {post_add_act!r}')
        self.post_add_act = post_add_act
        self._check_remap()
        max_w = self.space.max_widths
        self.stem = BranchedConvBN(in_chans, max_w[0], 3, 1, self.branch_counts[0])
        self.stem_act = nn.ReLU(inplace=True)
        self.blocks = nn.ModuleList(self._make_blocks())
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.num_classes = self.space.num_classes if num_classes is None else num_classes
        self.num_features = max_w[-1]  # pooled width of the widest path; narrower paths give fewer channels
        self.head = BranchedLinear(max_w[-1], self.num_classes, self.branch_counts[-1]) if self.num_classes else None
        official_init_(self)

    # --- construction ------------------------------------------------------------------------------------------
    def _branch_counts(self, mode: str, counts: Iterable[int] | None) -> tuple[int, ...]:
        num_stages = len(self.space.depths)
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
            return tuple(max(c) // math.gcd(*c) for c in self.space.stage_choices)
        raise ValueError(f'unknown branch mode {mode!r}; choose one of {BRANCH_MODES} or pass branch_counts')

    def _check_remap(self) -> None:
        for stage, choices in enumerate(self.space.stage_choices):
            too_wide = [w for w in choices if self.width_remap.get(w, w) > max(choices)]
            if too_wide:
                raise ValueError(f'width_remap {self.width_remap} makes stage {stage} widths {too_wide} wider than '
                                 f'the stage maximum {max(choices)}; drop those entries from width_remap')

    def _make_blocks(self) -> list[SuperBasicBlock]:
        max_w, blocks, in_chs = self.space.max_widths, [], self.space.max_widths[0]
        stages = [s for s, depth in enumerate(self.space.depths) for _ in range(depth)]
        for stage, stride in zip(stages, self.space.block_strides()):
            blocks.append(SuperBasicBlock(in_chs, max_w[stage], max_w[stage], stride, self.branch_counts[stage],
                                          self.post_add_act))
            in_chs = max_w[stage]
        return blocks

    # --- paths -------------------------------------------------------------------------------------------------
    @property
    def has_branches(self) -> bool:
        return any(self.branch_counts)

    def max_arch(self) -> Arch:
        return self.space.max_arch()

    def enhanced_widths(self, arch: ArchLike) -> tuple[int, ...]:
        """Widths the path of ``arch`` runs with: the network's positions after the remap (c19 dropped)."""
        widths = self.space.widths(arch)[:self.space.num_used_positions]
        return tuple(self.width_remap.get(w, w) for w in widths)

    def forward(self, x: torch.Tensor, arch: ArchLike, use_branches: bool | None = None) -> torch.Tensor:
        """Logits of one path; ``use_branches`` defaults to whether this supernet has branches."""
        return self.forward_head(self.forward_features(x, arch, use_branches), use_branches=use_branches)

    # The three methods below are the interface candidate scoring uses (pinas.search.scoring), shared with
    # SuperResNeSt; the classifier's branch follows the feature width, so the head needs no architecture.
    def forward_features(self, x: torch.Tensor, arch: ArchLike,
                         use_branches: bool | None = None) -> torch.Tensor:
        """The last feature map of one path."""
        use_branches = self.has_branches if use_branches is None else use_branches
        w = self.enhanced_widths(arch)
        x = self.stem_act(self.stem(x, w[0], use_branches))
        for k, block in enumerate(self.blocks):
            x = block(x, w[2 * k + 1], w[2 * k + 2], use_branches)
        return x

    def forward_head(self, x: torch.Tensor, pre_logits: bool = False,
                     use_branches: bool | None = None) -> torch.Tensor:
        """Pooled features (``pre_logits``) or logits of a feature map from :meth:`forward_features`."""
        x = torch.flatten(self.pool(x), 1)
        if pre_logits or self.head is None:
            return x
        return self.head(x, self.has_branches if use_branches is None else use_branches)

    def path_modules(self, arch: ArchLike) -> list[nn.Module]:
        """The conv-BN units the path of ``arch`` runs (BN recalibration touches only these)."""
        use, w = self.has_branches, self.enhanced_widths(arch)
        units = [self.stem.select(w[0], use)]
        for k, block in enumerate(self.blocks):
            units += [block.conv1.select(w[2 * k + 1], use), block.conv2.select(w[2 * k + 2], use),
                      block.shortcut.select(w[2 * k + 2], use)]
        return units

    # --- weight transfer between steps -------------------------------------------------------------------------
    def branched_modules(self) -> dict[str, _Branched]:
        return {name: m for name, m in self.named_modules() if isinstance(m, _Branched)}

    def shared_parameters(self) -> dict[str, nn.Parameter]:
        """Parameters of the shared weight set (the distillation teacher of steps 3-4), PReLU slopes excluded."""
        return {name: p for name, p in self.named_parameters() if '.shared.' in f'.{name}'}

    @torch.no_grad()
    def inherit_from(self, prev: 'Track1Supernet') -> None:
        """Build this supernet's weights from a previous step's supernet of the same space (see module doc)."""
        if prev.space != self.space:
            raise ValueError(f'previous supernet is over space {prev.space.name} {prev.space.depths}, this one over '
                             f'{self.space.name} {self.space.depths}; both steps must use the same space')
        for stage, (theirs, mine) in enumerate(zip(prev.branch_counts, self.branch_counts)):
            if theirs and (not mine or mine % theirs):
                raise ValueError(f'stage {stage}: cannot turn {theirs} branches into {mine}; weights only move from '
                                 f'coarser to finer sharing (previous branches {prev.branch_counts}, these '
                                 f'{self.branch_counts})')
        previous = prev.branched_modules()
        for name, module in self.branched_modules().items():
            module.inherit_from(previous[name])
        for mine, theirs in zip(self.blocks, prev.blocks):
            if isinstance(mine.act2, nn.PReLU) and isinstance(theirs.act2, nn.PReLU):
                mine.act2.weight.copy_(theirs.act2.weight)


def _read_remap(remap: Mapping | Iterable) -> dict[int, int]:
    """``{4: 5, 8: 9}`` from a dict (keys may be strings, as in JSON/YAML configs) or from (old, new) pairs."""
    items = remap.items() if isinstance(remap, Mapping) else remap
    try:
        return {int(old): int(new) for old, new in items}
    except (TypeError, ValueError) as err:
        raise ValueError(f'width_remap must map widths to enhanced widths, e.g. {DEFAULT_WIDTH_REMAP}; '
                         f'got {remap!r}') from err


def supernet_layout(state_dict: Mapping[str, torch.Tensor], space) -> dict[str, Any]:
    """``branch_counts`` and ``post_add_act`` of the supernet a state dict was saved from."""
    first_blocks = [k for k, first in enumerate(space.block_is_stage_start()) if first]
    counts = []
    for k in first_blocks:
        prefix = f'blocks.{k}.conv1.branches.'
        indices = {int(key[len(prefix):].split('.')[0]) for key in state_dict if key.startswith(prefix)}
        counts.append(max(indices) + 1 if indices else 0)
    prelu = any(key.endswith('.act2.weight') for key in state_dict)
    return dict(branch_counts=tuple(counts), post_add_act='prelu' if prelu else 'relu')
