"""Evolutionary search (SPOS / MMRazor style): top-k parents, per-position mutation, uniform crossover.

Generation 0 is ``population_size`` random candidates. Every later generation takes the ``top_k`` best
architectures scored so far as parents and builds ``num_mutation`` mutants and ``num_crossover`` children,
topped up with random samples to ``population_size``. Children are always new (never scored, never queued
twice) and within the resource constraint, so no infeasible architecture is ever scored. Defaults are
MMRazor's ``EvolutionSearchLoop`` values.
"""
from __future__ import annotations

import random
from typing import Any, Callable, Sequence

from ..arch import Arch
from ..registry import STRATEGIES
from .base import DEFAULT_MAX_TRIES, Evaluation, SearchStrategy, ranked, seen_set


@STRATEGIES.register_module('evolution')
class EvolutionSearch(SearchStrategy):
    """Args:
        space, constraint, max_tries: see :class:`~pinas.search.base.SearchStrategy`.
        population_size: candidates per generation.
        max_generations: generations in total (budget = population_size * max_generations).
        top_k: parents drawn from the best ``top_k`` evaluations so far.
        num_mutation / num_crossover: children of each kind per generation.
        mutate_prob: probability that a position is resampled when mutating.
        crossover_prob: probability that a position comes from the second parent.
    """

    name = 'evolution'

    def __init__(self, space, constraint=None, population_size: int = 50, max_generations: int = 20,
                 top_k: int = 10, num_mutation: int = 25, num_crossover: int = 25, mutate_prob: float = 0.1,
                 crossover_prob: float = 0.5, max_tries: int = DEFAULT_MAX_TRIES):
        super().__init__(space, constraint, max_tries)
        _check_counts(population_size=population_size, max_generations=max_generations, top_k=top_k)
        _check_counts(minimum=0, num_mutation=num_mutation, num_crossover=num_crossover)
        if num_mutation + num_crossover > population_size:
            raise ValueError(f'num_mutation + num_crossover ({num_mutation} + {num_crossover}) exceeds '
                             f'population_size ({population_size}); lower them or grow the population')
        for name, p in dict(mutate_prob=mutate_prob, crossover_prob=crossover_prob).items():
            if not 0 <= p <= 1:
                raise ValueError(f'{name} must be a probability in [0, 1], got {p}')
        self.population_size = population_size
        self.max_generations = max_generations
        self.top_k = top_k
        self.num_mutation = num_mutation
        self.num_crossover = num_crossover
        self.mutate_prob = mutate_prob
        self.crossover_prob = crossover_prob
        self.generation = 0
        self.pending: list[Arch] = []

    @property
    def budget(self) -> int:
        return self.population_size * self.max_generations

    def config(self) -> dict[str, Any]:
        return dict(super().config(), population_size=self.population_size, max_generations=self.max_generations,
                    top_k=self.top_k, num_mutation=self.num_mutation, num_crossover=self.num_crossover,
                    mutate_prob=self.mutate_prob, crossover_prob=self.crossover_prob)

    # --- proposals ---------------------------------------------------------------------------------------------
    def propose(self, history: Sequence[Evaluation], rng: random.Random) -> Arch | None:
        while not self.pending:
            if self.generation >= self.max_generations:
                return None
            self.pending = self.next_generation(history, rng)
            self.generation += 1
            if not self.pending:
                return None  # nothing new and feasible is left to try
        return self.pending.pop(0)

    def next_generation(self, history: Sequence[Evaluation], rng: random.Random) -> list[Arch]:
        """The candidates of the next generation, in the order they will be scored."""
        seen = seen_set(history)
        children: list[Arch] = []
        if history and self.generation > 0:
            parents = [e.arch for e in ranked(history)[:self.top_k]]
            self._breed(children, seen, self.num_mutation, lambda: self.mutate(rng.choice(parents), rng))
            if len(parents) > 1:
                self._breed(children, seen, self.num_crossover, lambda: self.crossover(*rng.sample(parents, 2), rng))
        while len(children) < self.population_size:
            arch = self.draw_new(rng, seen)
            if arch is None:
                break
            children.append(arch)
            seen.add(arch)
        return children

    def _breed(self, children: list[Arch], seen: set[Arch], count: int, make: Callable[[], Arch]) -> None:
        """Append up to ``count`` new acceptable children, giving up after ``max_tries`` attempts."""
        added = 0
        for _ in range(self.max_tries):
            if added == count:
                return
            child = make()
            if self.acceptable(child, seen):
                children.append(child)
                seen.add(child)
                added += 1

    def mutate(self, parent: Arch, rng: random.Random) -> Arch:
        """Resample each position with probability ``mutate_prob``."""
        return Arch(tuple(rng.randrange(card) if rng.random() < self.mutate_prob else choice
                          for choice, card in zip(parent, self.space.cardinalities)))

    def crossover(self, first: Arch, second: Arch, rng: random.Random) -> Arch:
        """Take each position from ``second`` with probability ``crossover_prob``, else from ``first``."""
        return Arch(tuple(b if rng.random() < self.crossover_prob else a for a, b in zip(first, second)))

    # --- state -------------------------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        return dict(super().state_dict(), generation=self.generation,
                    pending=[self.space.format(a) for a in self.pending])

    def load_state_dict(self, state: dict[str, Any]) -> None:
        super().load_state_dict(state)
        self.generation = int(state['generation'])
        self.pending = [self.space.parse(code) for code in state['pending']]


def _check_counts(minimum: int = 1, **counts: int) -> None:
    for name, value in counts.items():
        if not isinstance(value, int) or value < minimum:
            raise ValueError(f'evolution search {name} must be an integer >= {minimum}, got {value!r}')
