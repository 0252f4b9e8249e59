"""What every search space is, and the one registry of spaces.

A space is frozen data: its shape (choices per position), how its architecture codes are written and read, and
which networks it builds. Everything else (supernets, search strategies, ground truth, export) reads a space only
through this interface, so a new space is one new module that subclasses :class:`SearchSpace` and registers its
presets, with no branch on the space's type anywhere else.

Two registries serve two needs: space *types* (classes, for ``dict(type='Track1Space', ...)`` configs) in
:data:`pinas.registry.SPACES`, and space *presets* (named instances such as ``'pinas_resnest_tiny'``) here.
:func:`build_space` is the one way in.
"""
from __future__ import annotations

import math
import random
from dataclasses import asdict, fields, replace
from typing import Any, ClassVar, Mapping, Sequence, Union

from ..arch import Arch, ArchError, ArchLike
from ..registry import SPACES
from ..utils.cli import UnknownNameError

DEFAULT_SPACE = 'pinas_resnest50d'


class SearchSpace:
    """Interface of a search space; subclasses are frozen dataclasses with a ``name`` and an ``input_size``.

    Subclasses define :attr:`cardinalities`, and override :meth:`parse`/:meth:`format` when their codes are not
    plain candidate indices (the Track-1 space writes widths). Class attributes say which networks the space
    builds (names in ``pinas.registry.MODELS``) and whether its architectures export as backbones.
    """

    name: str
    input_size: int
    supernet_type: ClassVar[str]
    standalone_type: ClassVar[str]
    exports_backbones: ClassVar[bool] = False

    # --- shape -------------------------------------------------------------------------------------------------
    @property
    def cardinalities(self) -> tuple[int, ...]:
        """Number of choices at each position of a code."""
        raise NotImplementedError

    @property
    def num_positions(self) -> int:
        return len(self.cardinalities)

    @property
    def size(self) -> int:
        """Number of distinct architectures."""
        return math.prod(self.cardinalities)

    # --- codes: the one place architectures are read and written ------------------------------------------------
    def parse(self, code: ArchLike | int) -> Arch:
        """The validated architecture of ``code``: ``'3013...'``, ``'3-0-1-3'``, a sequence of indices, an ``Arch``,
        or an int of exactly one digit per position (a config's ``arch=311021``). An int never gets digits added:
        ``31102`` is 5 positions, not ``031102`` (``--cfg-options`` keeps a code with a leading zero as text)."""
        if isinstance(code, int) and not isinstance(code, bool):
            if max(self.cardinalities) > 10 or code < 0 or len(str(code)) != self.num_positions:
                raise ArchError(f'{self.name}: cannot read an architecture from the number {code} ({len(str(code))} '
                                f'digits, the space has {self.num_positions} positions); quote the code, e.g. '
                                f"'{self.format(self.min_arch())}'")
            code = str(code)
        choices = set(self.cardinalities)
        arch = Arch.parse(code, self.num_positions, choices.pop() if len(choices) == 1 else None)
        return self._check_indices(arch)

    def format(self, arch: ArchLike) -> str:
        """The code users read and type; :meth:`parse` reads it back."""
        return str(self.parse(arch))

    def _check_indices(self, arch: Arch) -> Arch:
        for position, (index, n) in enumerate(zip(arch, self.cardinalities)):
            if index >= n:
                raise ArchError(f'{self.name}: position {position} has choice {index}, allowed 0-{n - 1}; '
                                f"e.g. '{self.format(self.max_arch())}'")
        return arch

    # --- architectures -----------------------------------------------------------------------------------------
    def sample(self, rng: random.Random | None = None) -> Arch:
        """A uniformly random architecture (independent uniform choice per position)."""
        rng = rng or random
        return Arch(tuple(rng.randrange(n) for n in self.cardinalities))

    def uniform(self, choice: int) -> Arch:
        """The same choice index at every position."""
        return self._check_indices(Arch((choice,) * self.num_positions))

    def max_arch(self) -> Arch:
        """The last choice everywhere (the widest network of a width space)."""
        return Arch(tuple(n - 1 for n in self.cardinalities))

    def min_arch(self) -> Arch:
        return Arch((0,) * self.num_positions)

    # --- config ------------------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A config dict that :func:`build_space` turns back into this space."""
        return dict(type=type(self).__name__, **_plain(asdict(self)))

    def replace(self, **changes) -> 'SearchSpace':
        return replace(self, **changes)


SpaceLike = Union[SearchSpace, str, Mapping[str, Any], None]
_PRESETS: dict[str, SearchSpace] = {}


def register_space(space: SearchSpace) -> SearchSpace:
    """Make ``space`` buildable by its name."""
    _PRESETS[space.name] = space
    return space


def list_spaces() -> list[str]:
    return sorted(_PRESETS)


def get_space(name: str) -> SearchSpace:
    try:
        return _PRESETS[name]
    except KeyError:
        raise UnknownNameError(f'unknown search space {name!r}; known spaces: {", ".join(list_spaces())}') from None


def build_space(cfg: SpaceLike = None) -> SearchSpace:
    """A space from a preset name, a config dict or a space.

    A dict is ``dict(base='preset', **overrides)`` or ``dict(type='ResNeStSpace', **fields)``; a dict with neither
    overrides the default preset (``pinas_resnest50d``).
    """
    if cfg is None:
        return get_space(DEFAULT_SPACE)
    if isinstance(cfg, SearchSpace):
        return cfg
    if isinstance(cfg, str):
        return get_space(cfg)
    cfg = dict(cfg)
    kind = cfg.pop('type', None)
    if 'base' in cfg:
        base = get_space(cfg.pop('base'))
        if kind is not None and kind != type(base).__name__:
            raise ValueError(f'space type {kind!r} does not match its base {base.name!r} ({type(base).__name__})')
    elif kind is not None:
        cls = SPACES.get(kind)
        if cls is None:
            raise UnknownNameError(f'unknown search space type {kind!r}; known: {sorted(SPACES.module_dict)}')
        base = cls()
    else:
        base = get_space(DEFAULT_SPACE)
    allowed = sorted(f.name for f in fields(base))
    unknown = sorted(set(cfg) - set(allowed))
    if unknown:
        raise ValueError(f'unknown search space fields {unknown} for {type(base).__name__}; allowed: {allowed}')
    return replace(base, **cfg)


def _plain(value):
    """Tuples as lists, recursively, so that a space's dict reads like a config."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [_plain(v) for v in value]
    return value


def build_space_for(model: type, cfg: SpaceLike, default: str) -> SearchSpace:
    """The space a network class is built over (``default`` when ``cfg`` is None), refused with a clear error
    when that space builds other networks (a Track-1 space given to the ResNeSt supernet, say)."""
    space = build_space(default if cfg is None else cfg)
    if model.__name__ not in (space.supernet_type, space.standalone_type):
        raise ValueError(f'{model.__name__} cannot be built over the space {space.name!r} ({type(space).__name__}), '
                         f'whose networks are {space.supernet_type} and {space.standalone_type}; pass a space '
                         f'of the right kind, e.g. {default!r}')
    return space
