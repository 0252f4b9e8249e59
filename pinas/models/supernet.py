"""The weight-sharing supernet of a ResNeSt space.

Every position holds all candidates (independent weights and BNs); each stage's projection shortcut is one module
shared by the candidates of its first position; the stem is shared by all paths. ``forward(x, arch)`` runs one
path. State-dict keys are ``layer{s}.{b}.{candidate}.*``, the official Pi-NAS layout.
"""
from __future__ import annotations

from typing import Iterator

import torch
from torch import nn
from timm.models.resnet import ResNet

from ..arch import ArchLike
from ..registry import MODELS
from ..spaces import SpaceLike, build_space_for
from .blocks import ChoiceBlock, ChoiceStage


@MODELS.register_module()
class SuperResNeSt(ResNet):
    """Supernet over a :class:`~pinas.spaces.ResNeStSpace`; ``num_classes=0`` gives a headless backbone."""

    def __init__(self, space: SpaceLike = None, num_classes: int = 0, **kwargs):
        space = build_space_for(type(self), space, 'pinas_resnest50d')
        stages = tuple(
            ChoiceStage(space.candidates, avd=space.avd, avd_first=space.avd_first, attn_divisor=space.attn_divisor)
            for _ in space.depths)
        super().__init__(block=stages, layers=space.depths, channels=space.planes, stem_width=space.stem_width,
                         stem_type='deep', avg_down=True, num_classes=num_classes, **kwargs)
        self.space = space

    # --- paths -------------------------------------------------------------------------------------------------
    def positions(self) -> Iterator[ChoiceBlock]:
        """The searchable positions in architecture-code order."""
        for stage in self.stages():
            yield from stage

    def stages(self) -> list[nn.Sequential]:
        return [getattr(self, f'layer{i + 1}') for i in range(len(self.space.depths))]

    def stem(self) -> list[nn.Module]:
        return [self.conv1, self.bn1]

    def path_modules(self, arch: ArchLike) -> list[nn.Module]:
        """Modules a path uses: the stem and the chosen candidate of each position (with its shortcut)."""
        arch = self.space.parse(arch)
        return self.stem() + [position[choice] for position, choice in zip(self.positions(), arch)]

    # --- forward -----------------------------------------------------------------------------------------------
    def forward_features(self, x: torch.Tensor, arch: ArchLike) -> torch.Tensor:
        arch = self.space.parse(arch)
        x = self.maxpool(self.act1(self.bn1(self.conv1(x))))
        for position, choice in zip(self.positions(), arch):
            x = position(x, choice)
        return x

    def forward(self, x: torch.Tensor, arch: ArchLike) -> torch.Tensor:
        return self.forward_head(self.forward_features(x, arch))
