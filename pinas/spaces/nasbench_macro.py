"""NAS-Bench-Macro's space (Su et al., CVPR 2021; github.com/xiusu/NAS-Bench-Macro): 8 layers of a
CIFAR-10 MobileNetV2-style network, each one of identity, inverted residual k3 t3 or k5 t6; codes are 8 digits.

It is here so that baselines (params, FLOPs, zero-cost proxies) run on the benchmark's published table
(``nas-bench-macro_cifar10.json``) with the suite's own tools. Only the stand-alone network exists
(``NASBenchMacroNet``, in :mod:`pinas.models.nasbench_macro`); there is no supernet for it yet.

An identity in a stage's non-first layer only shortens the stage, so several codes name one network: the benchmark
trained each network once, under the code whose identities sit at the end of their stage, and maps every other code
to it. :meth:`NASBenchMacroSpace.format` writes that code, so tables keyed by ``format`` hold one row per network
(3,969 of the 6,561 codes).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ..arch import Arch, ArchLike
from ..registry import SPACES
from .base import SearchSpace, register_space


@dataclass(frozen=True)
class MacroCandidate:
    """One layer choice: an inverted residual (kernel, expansion), or the identity when ``kernel`` is None (a 1x1
    conv + BN projection where the layer changes stride or width)."""

    kernel: Optional[int] = None
    expansion: int = 1

    @property
    def is_identity(self) -> bool:
        return self.kernel is None


NASBENCH_MACRO_CANDIDATES = (MacroCandidate(), MacroCandidate(3, 3), MacroCandidate(5, 6))


@SPACES.register_module()
@dataclass(frozen=True)
class NASBenchMacroSpace(SearchSpace):
    """The benchmark's ``Network(arch, num_classes=10, stages=[2, 3, 3], init_channels=32)``.

    Attributes:
        depths: layers per stage; each stage's first layer has stride 2 and doubles the width.
        stem_width: width of the stem conv (and of the input of the first stage).
        head_width: width of the 1x1 conv before pooling.
        candidates: the layer choices indexed by the code's digits.
        num_classes: classifier outputs (CIFAR-10).
        input_size: square input resolution.
        name: preset name.
    """

    depths: tuple[int, ...] = (2, 3, 3)
    stem_width: int = 32
    head_width: int = 1280
    candidates: tuple[MacroCandidate, ...] = NASBENCH_MACRO_CANDIDATES
    num_classes: int = 10
    input_size: int = 32
    name: str = 'nasbench_macro'

    supernet_type = None
    standalone_type = 'NASBenchMacroNet'

    def __post_init__(self):
        object.__setattr__(self, 'depths', tuple(int(d) for d in self.depths))
        object.__setattr__(self, 'candidates', tuple(
            c if isinstance(c, MacroCandidate) else MacroCandidate(**c) for c in self.candidates))
        if sum(c.is_identity for c in self.candidates) != 1:
            raise ValueError(f'{self.name}: exactly one candidate must be the identity (kernel None)')

    @property
    def cardinalities(self) -> tuple[int, ...]:
        return (len(self.candidates),) * sum(self.depths)

    @property
    def identity(self) -> int:
        """Index of the identity candidate."""
        return next(i for i, c in enumerate(self.candidates) if c.is_identity)

    def canonical(self, arch: ArchLike) -> Arch:
        """The same network with the identities of each stage's non-first layers moved to the stage's end."""
        choices = []
        for group in self.parse(arch).split(self.depths):
            layers = [c for c in group[1:] if c != self.identity]
            choices += [group[0], *layers, *[self.identity] * (len(group) - 1 - len(layers))]
        return Arch(tuple(choices))

    def format(self, arch: ArchLike) -> str:
        """The code the benchmark trained this network under (see the module docstring)."""
        return str(self.canonical(arch))

    def layers(self, arch: ArchLike) -> list[tuple[MacroCandidate, int, int, int]]:
        """(candidate, in width, out width, stride) of every layer in order."""
        out, width = [], self.stem_width
        for group in self.parse(arch).split(self.depths):
            for i, choice in enumerate(group):
                out_width = width * 2 if i == 0 else width
                out.append((self.candidates[choice], width, out_width, 2 if i == 0 else 1))
                width = out_width
        return out


NASBENCH_MACRO = register_space(NASBenchMacroSpace())
