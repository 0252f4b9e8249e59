"""The Pi-NAS ResNeSt-50-D search space.

Every searchable position is a ResNeSt bottleneck whose split-attention shape (radix, cardinality, base width)
is one of a small candidate table. The macro design (deep stem, avg-down shortcuts, avd) is fixed. The default
values are the paper's (github.com/Ernie1/Pi-NAS); a config may change depths, widths and the table to get a
smaller space of the same kind, such as the CPU-sized ``pinas_resnest_tiny``.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..arch import ArchLike
from ..registry import SPACES
from .base import SearchSpace, register_space


@dataclass(frozen=True)
class Candidate:
    """One choice of split-attention block shape."""

    radix: int
    cardinality: int
    base_width: int

    def group_width(self, planes: int) -> int:
        """Channels of the 3x3 split-attention conv (timm's and the official formula)."""
        return int(planes * (self.base_width / 64.)) * self.cardinality


PINAS_CANDIDATES = (
    Candidate(radix=1, cardinality=1, base_width=64),
    Candidate(radix=2, cardinality=1, base_width=64),
    Candidate(radix=1, cardinality=2, base_width=42),
    Candidate(radix=2, cardinality=2, base_width=40),
)


@SPACES.register_module()
@dataclass(frozen=True)
class ResNeStSpace(SearchSpace):
    """A ResNeSt-D macro-architecture with one searchable candidate per bottleneck; codes are digit strings.

    Attributes:
        depths: blocks per stage; their sum is the number of searchable positions.
        candidates: the candidate table indexed by the architecture's digits.
        stem_width: width of the first two deep-stem convs (the third outputs twice this).
        width_mult: multiplier on the per-stage planes (64, 128, 256, 512).
        input_size: square training/eval resolution of the space.
        avd / avd_first: ResNeSt's average-pool downsampling inside stride-2 blocks.
        attn_divisor: rounding of split-attention channels; 1 reproduces the official ``max(gw*r//4, 32)``
            (timm rounds to multiples of 8, which changes candidate 2's widths).
        name: preset name, used in logs and exported configs.
    """

    depths: tuple[int, ...] = (3, 4, 6, 3)
    candidates: tuple[Candidate, ...] = PINAS_CANDIDATES
    stem_width: int = 32
    width_mult: float = 1.0
    input_size: int = 224
    avd: bool = True
    avd_first: bool = False
    attn_divisor: int = 1
    name: str = 'pinas_resnest50d'

    supernet_type = 'SuperResNeSt'
    standalone_type = 'StandaloneResNeSt'
    exports_backbones = True

    def __post_init__(self):
        object.__setattr__(self, 'depths', tuple(int(d) for d in self.depths))
        object.__setattr__(self, 'candidates', tuple(
            c if isinstance(c, Candidate) else Candidate(**c) for c in self.candidates))
        if not self.depths or min(self.depths) < 1:
            raise ValueError(f'search space depths must be positive integers per stage, got {self.depths}')
        if not 1 < len(self.candidates) <= 10:
            raise ValueError(f'a search space needs 2 to 10 candidates per position, got {len(self.candidates)}')

    # --- shape -------------------------------------------------------------------------------------------------
    @property
    def num_choices(self) -> int:
        return len(self.candidates)

    @property
    def cardinalities(self) -> tuple[int, ...]:
        """Number of choices at each position (the interface search strategies rely on)."""
        return (self.num_choices,) * sum(self.depths)

    @property
    def planes(self) -> tuple[int, ...]:
        return tuple(int(64 * 2 ** i * self.width_mult) for i in range(len(self.depths)))

    def stage_of(self, position: int) -> tuple[int, int]:
        """(stage index, block index within the stage) of a flat position."""
        for stage, depth in enumerate(self.depths):
            if position < depth:
                return stage, position
            position -= depth
        raise IndexError(f'position out of range for {self.num_positions} positions')

    # --- architectures -----------------------------------------------------------------------------------------
    def stage_candidates(self, arch: ArchLike) -> list[list[Candidate]]:
        return [[self.candidates[c] for c in group] for group in self.parse(arch).split(self.depths)]


PINAS_RESNEST50D = register_space(ResNeStSpace())
# CPU-sized variant of the same space: 6 positions, quarter width, 32x32 inputs. Serves tests and the embedded
# default; 4^6 = 4096 architectures.
PINAS_RESNEST_TINY = register_space(ResNeStSpace(
    depths=(1, 2, 2, 1), stem_width=8, width_mult=0.25, input_size=32, name='pinas_resnest_tiny'))


@dataclass(frozen=True)
class NamedArch:
    """An architecture people know by name: the two the Pi-NAS paper (Peng et al., ICCV 2021) searched, for
    classification and for transfer, and timm's ``resnest50d``, the space's all-``1`` architecture (the one
    :mod:`pinas.models.resnest` checks against timm). The one table of them: the timm model family, transfer
    records and benchmarks, and the demo read it."""

    key: str                 # the benchmark's ``dict(model=KEY)``
    name: str                # the name its leaderboard row carries
    code: str                # its code in ``space``
    kind: str                # provenance kind of its records: 'paper' or 'baseline'
    method: str | None       # the search method that found it
    space: str = PINAS_RESNEST50D.name


NAMED_ARCHS = (
    NamedArch('pinas-cls', 'Pi-NAS-cls', '3013231203213032', 'paper', 'pinas'),
    NamedArch('pinas-trans', 'Pi-NAS-trans', '3333113330011021', 'paper', 'pinas'),
    NamedArch('resnest50d', 'ResNeSt-50', '1' * 16, 'baseline', None),
)
PINAS_CLS, PINAS_TRANS, RESNEST50D = (a.code for a in NAMED_ARCHS)


def named_arch(space: str, code: str) -> NamedArch | None:
    """The named architecture ``code`` of ``space`` is, or None."""
    return next((a for a in NAMED_ARCHS if (a.space, a.code) == (space, code)), None)
