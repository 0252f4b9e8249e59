"""The stand-alone network of an architecture in any of pinas's spaces (what ground truth trains and what resource
constraints count)."""
from __future__ import annotations

from torch import nn

from ..arch import ArchLike
from ..spaces import ResNeStSpace
from ..spaces.track1 import Track1Space
from .resnest import PiNASResNeSt
from .track1_resnet import Track1ResNet


def build_standalone(space, arch: ArchLike, num_classes: int | None = None) -> nn.Module:
    """``PiNASResNeSt`` for a ResNeSt space, the official ``Track1ResNet`` for a Track-1 space.

    ``num_classes`` defaults to the space's own (Track-1) or to a headless backbone (ResNeSt)."""
    if isinstance(space, ResNeStSpace):
        return PiNASResNeSt(arch, space, num_classes=num_classes or 0)
    if isinstance(space, Track1Space):
        return Track1ResNet(arch, space, num_classes=num_classes)
    raise TypeError(f'no stand-alone network for a space of type {type(space).__name__}; '
                    'expected a ResNeStSpace or a Track1Space')
