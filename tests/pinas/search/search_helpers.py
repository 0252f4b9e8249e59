"""Helpers for the search tests: a small search space of any shape and synthetic scores with a known optimum."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from pinas.arch import Arch
from pinas.spaces import SearchSpace


@dataclass(frozen=True)
class GridSpace(SearchSpace):
    """A space of any shape with index codes: everything but its shape comes from the SearchSpace interface
    (which is what a new space has to provide)."""

    shape: tuple[int, ...]
    name: str = 'grid'
    input_size: int = 32

    @property
    def cardinalities(self) -> tuple[int, ...]:
        return tuple(self.shape)

    def all_archs(self):
        for index in range(math.prod(self.cardinalities)):
            choices = []
            for card in self.cardinalities:
                index, choice = divmod(index, card)
                choices.append(choice)
            yield Arch(tuple(choices))


class SeparableScore:
    """sum_i W[i, a_i] with a distinct value per choice, so the optimum is unique and known; records calls."""

    def __init__(self, cardinalities, seed: int = 7):
        rng = np.random.default_rng(seed)
        self.table = [rng.permutation(card) * (1 + 0.1 * i) for i, card in enumerate(cardinalities)]
        self.optimum = Arch(tuple(int(np.argmax(row)) for row in self.table))
        self.calls: list[Arch] = []

    def value(self, arch: Arch) -> float:
        return float(sum(row[c] for row, c in zip(self.table, arch)))

    def __call__(self, arch: Arch) -> float:
        self.calls.append(arch)
        return self.value(arch)
