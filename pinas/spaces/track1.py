"""The CVPR 2021 NAS challenge Track-1 space: channel widths of a CIFAR ResNet20.

An architecture is one width per position, written as the challenge writes it: 20 integers joined by '-'
(``'16-4-12-...'``). Position 0 is the stem's width; block ``k`` (k = 0..8) reads width ``c(2k)``, uses
``mid = c(2k+1)`` and outputs ``c(2k+2)``, so the stem plus the blocks of stage ``s`` take their widths from that
stage's choice set (official: {4..16}, {4..32}, {4..64} in steps of 4). The last position (c19) belongs to every
code of the challenge but **no network reads it** (the classifier reads c18); it is kept so that codes, files and
ground-truth tables round-trip unchanged, and it takes the last stage's choices.

``Arch`` values of this space hold choice *indices* (0 = narrowest); ``widths``/``format`` turn them into widths.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from ..arch import Arch, ArchError, ArchLike
from ..registry import SPACES
from .base import SearchSpace, register_space


def _stepped(step: int, top: int) -> tuple[int, ...]:
    return tuple(range(step, top + 1, step))


@SPACES.register_module()
@dataclass(frozen=True)
class Track1Space(SearchSpace):
    """A ResNet20-shaped width space; the defaults are the challenge's (CVPR 2021 NAS Track 1). Codes are widths.

    Attributes:
        depths: BasicBlocks per stage.
        strides: stride of each stage's first block.
        stage_choices: allowed widths of the positions of each stage (the stem takes the first stage's set).
        unused_positions: trailing positions that belong to the code but not to the network (c19 officially);
            they take the last stage's choices.
        num_classes: classifier outputs (CIFAR-100).
        input_size: square input resolution.
        name: preset name.
    """

    depths: tuple[int, ...] = (3, 3, 3)
    strides: tuple[int, ...] = (1, 2, 2)
    stage_choices: tuple[tuple[int, ...], ...] = (_stepped(4, 16), _stepped(4, 32), _stepped(4, 64))
    unused_positions: int = 1
    num_classes: int = 100
    input_size: int = 32
    name: str = 'track1_resnet20'

    supernet_type = 'Track1Supernet'
    standalone_type = 'Track1ResNet'
    exports_backbones = False  # a path runs the supernet's enhanced blocks, which no stand-alone network has

    def __post_init__(self):
        object.__setattr__(self, 'depths', tuple(int(d) for d in self.depths))
        object.__setattr__(self, 'strides', tuple(int(s) for s in self.strides))
        object.__setattr__(self, 'stage_choices', tuple(tuple(int(w) for w in c) for c in self.stage_choices))
        if not self.depths or min(self.depths) < 1:
            raise ValueError(f'{self.name}: depths must be positive block counts per stage, got {self.depths}')
        if len(self.strides) != len(self.depths) or len(self.stage_choices) != len(self.depths):
            raise ValueError(f'{self.name}: depths {self.depths}, strides {self.strides} and stage_choices '
                             f'({len(self.stage_choices)} sets) need one entry per stage')
        for stage, choices in enumerate(self.stage_choices):
            if not choices or min(choices) < 1 or list(choices) != sorted(set(choices)):
                raise ValueError(f'{self.name}: stage {stage} choices {choices} must be increasing positive widths')
        if self.unused_positions < 0:
            raise ValueError(f'{self.name}: unused_positions must be >= 0, got {self.unused_positions}')

    # --- shape -------------------------------------------------------------------------------------------------
    @property
    def num_blocks(self) -> int:
        return sum(self.depths)

    @property
    def num_used_positions(self) -> int:
        """Positions the network reads: the stem plus mid and out of every block."""
        return 1 + 2 * self.num_blocks

    @property
    def position_stages(self) -> tuple[int, ...]:
        """Stage whose choice set each position uses (the stem counts as stage 0)."""
        stages = [0]
        for stage, depth in enumerate(self.depths):
            stages += [stage] * (2 * depth)
        return tuple(stages + [len(self.depths) - 1] * self.unused_positions)

    @property
    def position_choices(self) -> tuple[tuple[int, ...], ...]:
        return tuple(self.stage_choices[s] for s in self.position_stages)

    @property
    def cardinalities(self) -> tuple[int, ...]:
        return tuple(len(c) for c in self.position_choices)

    @property
    def max_widths(self) -> tuple[int, ...]:
        """Widest choice of each stage."""
        return tuple(max(c) for c in self.stage_choices)

    @property
    def size(self) -> int:
        """Number of distinct networks (the unused positions do not count)."""
        total = 1
        for n in self.cardinalities[:self.num_used_positions]:
            total *= n
        return total

    def block_widths(self, arch: ArchLike) -> list[tuple[int, int, int]]:
        """(in, mid, out) widths of every block in order."""
        w = self.widths(arch)
        return [(w[2 * k], w[2 * k + 1], w[2 * k + 2]) for k in range(self.num_blocks)]

    def block_strides(self) -> list[int]:
        """Stride of every block: each stage's first block takes the stage stride."""
        return [stride if b == 0 else 1 for stride, depth in zip(self.strides, self.depths) for b in range(depth)]

    def block_is_stage_start(self) -> list[bool]:
        return [b == 0 for depth in self.depths for b in range(depth)]

    # --- architectures -----------------------------------------------------------------------------------------
    def parse(self, code: ArchLike) -> Arch:
        """Choice indices of ``code``: a width string ``'16-4-...'``, a sequence of widths, or an ``Arch`` of
        indices (validated). Raises :class:`ArchError` naming the position, the value and the allowed set."""
        if isinstance(code, Arch):
            return self._check_indices(code)
        widths = self._read_widths(code)
        indices = []
        for position, (width, allowed) in enumerate(zip(widths, self.position_choices)):
            if width not in allowed:
                raise ArchError(f'{self.name}: position {position} has width {width}, allowed '
                                f'{_show(allowed)}{self._unused_note(position)}; code {self._show_code(widths)}')
            indices.append(allowed.index(width))
        return Arch(tuple(indices))

    def widths(self, arch: ArchLike) -> tuple[int, ...]:
        """All widths of ``arch`` (the unused trailing positions included)."""
        arch = self.parse(arch)
        return tuple(choices[i] for choices, i in zip(self.position_choices, arch))

    def format(self, arch: ArchLike) -> str:
        """The challenge's code: widths joined by '-' (what arch files and GT tables hold)."""
        return '-'.join(str(w) for w in self.widths(arch))

    # --- helpers -----------------------------------------------------------------------------------------------
    def _read_widths(self, code) -> tuple[int, ...]:
        if isinstance(code, str):
            parts = [p.strip() for p in code.strip().split('-')]
            if not all(p.isdigit() for p in parts):
                raise ArchError(f'{self.name}: cannot read widths from {code!r}; write {self.num_positions} '
                                f"integers joined by '-', e.g. {self._show_code(self.widths(self.max_arch()))}")
            widths = tuple(int(p) for p in parts)
        else:
            try:
                widths = tuple(int(w) for w in code)
            except (TypeError, ValueError) as err:
                raise ArchError(f'{self.name}: cannot read widths from {code!r}; pass a width string such as '
                                f'{self._show_code(self.widths(self.max_arch()))} or a list of widths') from err
        if len(widths) != self.num_positions:
            raise ArchError(f'{self.name}: {len(widths)} widths given, the space needs {self.num_positions} '
                            f'({self.num_used_positions} used by the network + {self.unused_positions} unused '
                            f'trailing), e.g. {self._show_code(self.widths(self.max_arch()))}')
        return widths

    def _check_indices(self, arch: Arch) -> Arch:
        if len(arch) != self.num_positions:
            raise ArchError(f'{self.name}: architecture {arch} has {len(arch)} choice indices, the space needs '
                            f'{self.num_positions}')
        for position, (index, n) in enumerate(zip(arch, self.cardinalities)):
            if index >= n:
                raise ArchError(f'{self.name}: position {position} has choice index {index}, allowed 0-{n - 1} '
                                f'(widths {_show(self.position_choices[position])})')
        return arch

    def _unused_note(self, position: int) -> str:
        return ' (this position is unused by the network but part of the code)' \
            if position >= self.num_used_positions else ''

    @staticmethod
    def _show_code(widths: Sequence[int]) -> str:
        return "'" + '-'.join(str(w) for w in widths) + "'"


def _show(choices: Sequence[int]) -> str:
    return '{' + ', '.join(str(c) for c in choices) + '}'


TRACK1_RESNET20 = register_space(Track1Space())
