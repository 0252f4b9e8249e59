"""The stand-alone network of an architecture in any space (what ground truth trains and resource constraints
count): the space names its class (``space.standalone_type``, registered in ``pinas.registry.MODELS``)."""
from __future__ import annotations

from torch import nn

from ..arch import ArchLike
from ..registry import MODELS
from ..spaces import SpaceLike, build_space


def build_standalone(space: SpaceLike, arch: ArchLike, num_classes: int | None = None) -> nn.Module:
    """The space's stand-alone network of ``arch``; ``num_classes=None`` keeps the class's default head (the
    space's classes for Track-1, headless for ResNeSt)."""
    space = build_space(space)
    kwargs = {} if num_classes is None else dict(num_classes=num_classes)
    return MODELS.get(space.standalone_type)(arch, space, **kwargs)
