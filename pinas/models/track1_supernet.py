"""The weight-sharing supernet of the Track-1 space, plain or with CEPT's "candidates enhancement" and branches.

Every block has a 1x1 conv + BN projection shortcut; a layer of width ``c`` uses the first ``c`` filters of its
weights (:mod:`pinas.models.sliced`). By default the supernet is **plain**: nominal widths, ReLU after the residual
add, one shared weight set: what SPOS and Pi-NAS train. Read from the 1st-place code (arXiv 2108.05866), CEPT switches
on:

* **Candidates enhancement**: every path is larger than the stand-alone network it stands for: a PReLU (one slope
  per block) follows the residual add (``post_add_act='prelu'``), and width choices 4 and 8 run as 5 and 9
  channels (``width_remap=ENHANCED_WIDTH_REMAP``).
* **Branches** of progressive training (``mode='narrow'`` / ``'fine'`` or ``branch_counts``): narrower weight
  copies per layer chosen by output width, filled from a previous step by :meth:`Track1Supernet.inherit_from`
  (:mod:`pinas.models.branches`). The shortcut follows conv2's output width and the classifier the final feature
  width.
"""
from __future__ import annotations

from typing import Iterable, Mapping

import torch
from torch import nn

from ..arch import Arch, ArchLike
from ..registry import MODELS
from ..spaces import SpaceLike, build_space_for
from .branches import BranchedConvBN, BranchedLinear, inherit_branches, stage_branch_counts
from .track1_resnet import official_init_

# Candidates enhancement of the winner ("48p1": choices 4 and 8 plus one channel).
ENHANCED_WIDTH_REMAP = {4: 5, 8: 9}
POST_ADD_ACTS = ('relu', 'prelu')


class SuperBasicBlock(nn.Module):
    """BasicBlock: conv-BN-ReLU-conv-BN + projection shortcut, then ReLU (or PReLU, enhanced)."""

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
    """Weight-sharing supernet of a :class:`~pinas.spaces.track1.Track1Space`: plain unless configured (see the
    module doc).

    Args:
        space: the space (preset name, config dict or space).
        mode: ``shared`` (CEPT steps 1-2, SPOS, Pi-NAS), ``narrow`` (CEPT step 3) or ``fine`` (CEPT step 4);
            ignored if ``branch_counts`` is given.
        branch_counts: branches per layer of each stage (0 = shared only); the stem follows stage 0 and the
            classifier the last stage. ``fine`` = one branch per width step of each stage.
        width_remap: width each choice runs with, e.g. :data:`ENHANCED_WIDTH_REMAP` (4 -> 5, 8 -> 9); default
            none (nominal widths).
        post_add_act: ``relu`` (plain, default) or ``prelu`` (enhanced).
        num_classes: classifier outputs (default: the space's); ``0`` builds a headless backbone whose
            :meth:`forward_head` returns pooled features, as an unsupervised supernet (Pi-NAS) needs.
    """

    def __init__(self, space: SpaceLike = None, mode: str = 'shared',
                 branch_counts: Iterable[int] | None = None, width_remap: Mapping | Iterable | None = None,
                 post_add_act: str = 'relu', num_classes: int | None = None, in_chans: int = 3):
        super().__init__()
        self.space = build_space_for(type(self), space, 'track1_resnet20')
        self.width_remap = _read_remap(width_remap or {})
        self.branch_counts = stage_branch_counts(self.space.stage_choices, mode, branch_counts)
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
    def shared_parameters(self) -> dict[str, nn.Parameter]:
        """Parameters of the shared weight set (the distillation teacher of steps 3-4), PReLU slopes excluded."""
        return {name: p for name, p in self.named_parameters() if '.shared.' in f'.{name}'}

    @torch.no_grad()
    def inherit_from(self, prev: 'Track1Supernet') -> None:
        """Build this supernet's weights from a previous step's supernet of the same space: shared weights and
        branches by :func:`~pinas.models.branches.inherit_branches`, PReLU slopes where both have them."""
        if prev.space != self.space:
            raise ValueError(f'previous supernet is over space {prev.space.name} {prev.space.depths}, this one over '
                             f'{self.space.name} {self.space.depths}; both steps must use the same space')
        inherit_branches(self, self.branch_counts, prev, prev.branch_counts)
        for mine, theirs in zip(self.blocks, prev.blocks):
            if isinstance(mine.act2, nn.PReLU) and isinstance(theirs.act2, nn.PReLU):
                mine.act2.weight.copy_(theirs.act2.weight)


def _read_remap(remap: Mapping | Iterable) -> dict[int, int]:
    """``{4: 5, 8: 9}`` from a dict (keys may be strings, as in JSON/YAML configs) or from (old, new) pairs."""
    items = remap.items() if isinstance(remap, Mapping) else remap
    try:
        return {int(old): int(new) for old, new in items}
    except (TypeError, ValueError) as err:
        raise ValueError(f'width_remap must map widths to enhanced widths, e.g. {ENHANCED_WIDTH_REMAP}; '
                         f'got {remap!r}') from err

