"""Score a fixed list of architectures: every code of a table, in its order.

What a ranking study needs: the architectures of a ground-truth table (the CVPR 2021 Track-1 challenge's
``gt_first_1000.json``, a ``tools/make_ground_truth.py`` table) scored by the supernet, so that the ranked table
goes straight into ``tools/rank_eval.py`` against it. Any format :func:`pinas.ranking.tables.read_table` reads.
"""
from __future__ import annotations

import random
from pathlib import Path
from typing import Sequence

from ..arch import Arch, ArchError
from ..ranking.tables import TableError, read_table
from ..registry import STRATEGIES
from .base import Evaluation, SearchError, SearchStrategy


@STRATEGIES.register_module('table')
class TableSearch(SearchStrategy):
    """Propose the architectures of the table at ``path`` in order (``key``: its value field, when ambiguous);
    the constraint, if any, skips those outside the limits."""

    name = 'table'

    def __init__(self, space, path: str, key: str | None = None, constraint=None):
        super().__init__(space, constraint)
        try:
            codes = list(read_table(path, key).values)
            self.archs = [space.parse(code) for code in codes]
        except (TableError, ArchError) as err:
            raise SearchError(f'table search over {path}: {err}') from None
        self.path = str(Path(path))

    @property
    def budget(self) -> int:
        return len(self.archs)

    def config(self) -> dict:
        return dict(super().config(), path=self.path, size=len(self.archs))

    def propose(self, history: Sequence[Evaluation], rng: random.Random) -> Arch | None:
        seen = {e.arch for e in history}
        return next((a for a in self.archs if self.acceptable(a, seen)), None)
