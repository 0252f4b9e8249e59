"""Helpers for the search tests: a small search space of any shape and synthetic scores with a known optimum."""
from __future__ import annotations

import math
import random

import numpy as np
from pinas.arch import Arch


class GridSpace:
    """The minimal space interface strategies rely on: cardinalities, arch(code), sample(rng)."""

    def __init__(self, cardinalities, name='grid'):
        self.cardinalities = tuple(cardinalities)
        self.name = name

    def arch(self, code) -> Arch:
        arch = Arch.parse(code, len(self.cardinalities))
        for position, (choice, card) in enumerate(zip(arch, self.cardinalities)):
            if choice >= card:
                raise ValueError(f'position {position} allows 0..{card - 1}, got {choice}')
        return arch

    def sample(self, rng: random.Random) -> Arch:
        return Arch(tuple(rng.randrange(card) for card in self.cardinalities))

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
