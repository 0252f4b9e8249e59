"""What every search strategy shares: the evaluation record and candidate filtering.

A strategy is asked for one architecture at a time, given every evaluation so far and the searcher's random
generator; it never scores anything itself (the :class:`~pinas.search.searcher.Searcher` does). That split keeps
strategies testable with synthetic scores and lets the searcher checkpoint and resume any of them the same way:
the searcher's state file holds the history, the generator state and ``strategy.state_dict()``.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from ..arch import Arch
from ..spaces import SearchSpace
from ..utils.cli import UsageError

DEFAULT_MAX_TRIES = 10_000


class SearchError(UsageError, RuntimeError):
    """A search that cannot start or continue; the message says why and what to change."""


@dataclass(frozen=True)
class Evaluation:
    """One scored architecture; ``info`` carries measurements such as params or latency."""

    arch: Arch
    score: float
    info: dict[str, Any] = field(default_factory=dict)

    def as_dict(self, space: SearchSpace) -> dict[str, Any]:
        return dict(arch=space.format(self.arch), score=self.score, info=dict(self.info))

    @classmethod
    def from_dict(cls, row: dict, space: SearchSpace) -> 'Evaluation':
        return cls(space.parse(row['arch']), float(row['score']), dict(row.get('info', {})))


def ranked(history: Sequence[Evaluation]) -> list[Evaluation]:
    """Best first; equal scores keep evaluation order, so rankings are reproducible."""
    return sorted(history, key=lambda e: -e.score)


class SearchStrategy:
    """Proposes the next architecture to score.

    Args:
        space: the :class:`~pinas.spaces.SearchSpace` searched.
        constraint: optional :class:`~pinas.search.constraints.ResourceConstraint`; candidates that break it
            are never proposed, hence never scored.
        max_tries: random draws allowed when looking for one new acceptable candidate.
    """

    name = 'base'

    def __init__(self, space: SearchSpace, constraint=None, max_tries: int = DEFAULT_MAX_TRIES):
        if max_tries < 1:
            raise ValueError(f'max_tries must be at least 1, got {max_tries}')
        self.space = space
        self.constraint = constraint
        self.max_tries = max_tries

    # --- interface ---------------------------------------------------------------------------------------------
    @property
    def budget(self) -> int | None:
        """The most evaluations this strategy will ask for (None: unbounded, the searcher must set a budget)."""
        return None

    def propose(self, history: Sequence[Evaluation], rng: random.Random) -> Arch | None:
        """The next architecture to score, or None when the strategy is finished or the space is exhausted."""
        raise NotImplementedError

    def config(self) -> dict[str, Any]:
        """Settings recorded in the state file, to warn when a resumed search was configured differently."""
        return dict(max_tries=self.max_tries)

    def state_dict(self) -> dict[str, Any]:
        """JSON-serialisable state needed to continue exactly where the search stopped."""
        return dict(constraint=self.constraint.state_dict() if self.constraint else None)

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if self.constraint is not None and state.get('constraint'):
            self.constraint.load_state_dict(state['constraint'])

    def measurements(self, arch: Arch) -> dict[str, Any]:
        """What the constraint measured for ``arch`` (stored with its evaluation)."""
        return self.constraint.measure(arch) if self.constraint is not None else {}

    # --- helpers -----------------------------------------------------------------------------------------------
    def acceptable(self, arch: Arch, seen: set[Arch]) -> bool:
        """New and within the resource limits (the constraint is only consulted for new architectures)."""
        return arch not in seen and (self.constraint is None or self.constraint.is_feasible(arch))

    def draw_new(self, rng: random.Random, seen: set[Arch]) -> Arch | None:
        """A uniformly drawn acceptable architecture, or None after ``max_tries`` draws or when all are seen."""
        if len(seen) >= self.space.size:
            return None
        for _ in range(self.max_tries):
            arch = self.space.sample(rng)
            if self.acceptable(arch, seen):
                return arch
        return None


def seen_set(history: Iterable[Evaluation], extra: Iterable[Arch] = ()) -> set[Arch]:
    seen = {e.arch for e in history}
    seen.update(extra)
    return seen
