"""Random search: uniformly drawn, never repeated, within the resource limits.

The baseline every other strategy must beat at equal budget (Li & Talwalkar 2019 found it hard to beat in
weight-sharing spaces).
"""
from __future__ import annotations

import random
from typing import Sequence

from ..arch import Arch
from ..registry import STRATEGIES
from .base import DEFAULT_MAX_TRIES, Evaluation, SearchStrategy, seen_set


@STRATEGIES.register_module('random')
class RandomSearch(SearchStrategy):
    """Propose distinct uniform samples until the searcher's budget (or the space) runs out.

    Args:
        space, constraint, max_tries: see :class:`~pinas.search.base.SearchStrategy`.
        max_evals: optional own budget; otherwise the searcher's ``max_evals`` bounds the search.
    """

    name = 'random'

    def __init__(self, space, constraint=None, max_evals: int | None = None, max_tries: int = DEFAULT_MAX_TRIES):
        super().__init__(space, constraint, max_tries)
        if max_evals is not None and max_evals < 1:
            raise ValueError(f'random search max_evals must be at least 1, got {max_evals}')
        self.max_evals = max_evals

    @property
    def budget(self) -> int | None:
        return self.max_evals

    def config(self) -> dict:
        return dict(super().config(), max_evals=self.max_evals)

    def propose(self, history: Sequence[Evaluation], rng: random.Random) -> Arch | None:
        if self.max_evals is not None and len(history) >= self.max_evals:
            return None
        return self.draw_new(rng, seen_set(history))
