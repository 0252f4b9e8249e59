"""Architectures as values.

An architecture of a weight-sharing space is one candidate index per searchable position, written as a digit
string such as ``3013231203213032`` (Pi-NAS-cls). ``Arch`` is immutable and hashable, so it can key score tables,
caches and sets of already-evaluated candidates.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence, Union

from .utils.cli import UsageError
from .utils.files import atomic_write_bytes

ArchLike = Union['Arch', str, Sequence[int]]

_SEPARATORS = re.compile(r'[\s,\-_\[\]()]+')
# A minus sign before a digit, at the start or after a separator: a negative choice (`3-1--1`, `[3, -1]`), never
# a separator to skip.
_NEGATIVE = re.compile(r'(?:^|[\s,\-_\[\]()])-\d')


class ArchError(UsageError, ValueError):
    """A malformed architecture code; the message says what the space allows."""


@dataclass(frozen=True, order=True)
class Arch:
    """One candidate index per position of a search space."""

    choices: tuple[int, ...]

    def __post_init__(self):
        if not all(isinstance(c, int) and c >= 0 for c in self.choices):
            raise ArchError(f'architecture choices must be non-negative integers, got {self.choices!r}')

    @classmethod
    def parse(cls, code: ArchLike, num_positions: int | None = None, num_choices: int | None = None) -> 'Arch':
        """Parse ``'3013...'``, ``'3 0 1 3 ...'``, ``'3-0-1-...'`` or a sequence of ints, then validate it.

        ``num_positions`` and ``num_choices`` are the space's shape; when given, a code of the wrong length or
        with an out-of-range digit raises :class:`ArchError` naming what is allowed.
        """
        if isinstance(code, Arch):
            arch = code
        elif isinstance(code, str):
            text = code.strip()
            if _NEGATIVE.search(text):
                raise ArchError(_describe(f'architecture code {code!r} has a negative choice', num_positions,
                                          num_choices))
            if _SEPARATORS.search(text):
                parts = [p for p in _SEPARATORS.split(text) if p]
            else:
                parts = list(text)
            if not parts or not all(p.isdigit() for p in parts):
                raise ArchError(_describe(f'architecture code {code!r} is not a string of digits', num_positions,
                                          num_choices))
            arch = cls(tuple(int(p) for p in parts))
        else:
            try:
                arch = cls(tuple(int(c) for c in code))
            except (TypeError, ValueError) as err:
                raise ArchError(_describe(f'cannot read an architecture from {code!r}', num_positions,
                                          num_choices)) from err
        arch.validate(num_positions, num_choices)
        return arch

    def validate(self, num_positions: int | None = None, num_choices: int | None = None) -> 'Arch':
        if num_positions is not None and len(self.choices) != num_positions:
            raise ArchError(_describe(f'architecture {self} has {len(self.choices)} positions', num_positions,
                                      num_choices))
        if num_choices is not None:
            bad = [(i, c) for i, c in enumerate(self.choices) if c >= num_choices]
            if bad:
                where = ', '.join(f'position {i} is {c}' for i, c in bad)
                raise ArchError(_describe(f'architecture {self}: {where}', num_positions, num_choices))
        return self

    def __str__(self) -> str:
        if all(c < 10 for c in self.choices):
            return ''.join(str(c) for c in self.choices)
        return '-'.join(str(c) for c in self.choices)

    def __len__(self) -> int:
        return len(self.choices)

    def __iter__(self):
        return iter(self.choices)

    def __getitem__(self, index):
        return self.choices[index]

    def split(self, sizes: Iterable[int]) -> list[tuple[int, ...]]:
        """Cut the code into consecutive groups, e.g. per stage."""
        groups, start = [], 0
        for size in sizes:
            groups.append(self.choices[start:start + size])
            start += size
        return groups


def _describe(problem: str, num_positions: int | None, num_choices: int | None) -> str:
    if num_positions is None and num_choices is None:
        return problem
    digits = f'0-{num_choices - 1}' if num_choices else 'a candidate index'
    length = f'{num_positions} digits' if num_positions else 'one digit per position'
    example = ''
    if num_positions and num_choices:
        example = ", e.g. '" + ''.join(str(i % num_choices) for i in range(num_positions)) + "'"
    return f'{problem}; this space needs {length}, each {digits}{example}'


def write_arch_file(path, space, arch: ArchLike, **meta) -> None:
    """Write an arch file: JSON with the space's own code of ``arch`` under ``"arch"`` (``space.format``, which
    ``space.parse`` reads back: a Track-1 code keeps its '-' between one-digit widths), the space's name under
    ``"space"``, plus free metadata (score, rank, ...)."""
    meta = {k: v for k, v in meta.items() if k != 'space'}
    atomic_write_bytes(path, (json.dumps(dict(arch=space.format(arch), space=space.name, **meta), indent=2)
                              + '\n').encode())


def read_arch_file(path) -> str:
    """The architecture code stored in an arch file (JSON with ``"arch"``, or a text file holding the code)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f'arch file {path} does not exist; pass an architecture code such as '
                                f"'3333113330011021' or the path of an arch file written by tools/search.py")
    text = path.read_text().strip()
    if text.startswith('{'):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise ArchError(f'arch file {path} is not valid JSON ({err}); write it again with tools/search.py or '
                            'tools/export_arch.py, or pass the code itself') from None
        if 'arch' not in data:
            raise ArchError(f'arch file {path} has no "arch" entry (keys: {sorted(data)})')
        return str(data['arch'])
    return text


ARCH_FILE_SUFFIXES = ('.json', '.txt', '.arch')


def code_or_arch_file(arch):
    """``arch`` itself, or the code stored in the arch file it names: a string with a '/' or an arch file's suffix
    is a path (a missing file is reported as such, not as a malformed code)."""
    if isinstance(arch, (str, Path)) and (str(arch).endswith(ARCH_FILE_SUFFIXES) or '/' in str(arch)):
        return read_arch_file(arch)
    return arch
