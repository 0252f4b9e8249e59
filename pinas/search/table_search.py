"""Score a fixed list of architectures: every code of a table (or of a list in the config), in its order.

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
    """Propose the architectures of the table at ``path`` (``key``: its value field, when ambiguous), or the codes
    ``archs``, in order; the constraint, if any, skips those outside the limits."""

    name = 'table'

    def __init__(self, space, path: str | None = None, key: str | None = None, constraint=None,
                 archs: Sequence[str] | None = None):
        super().__init__(space, constraint)
        if (path is None) == (archs is None):
            raise SearchError('a table search takes either path=TABLE (a ranked or ground-truth table) or '
                              'archs=[CODE, ...] (e.g. the architectures of a transfer study), not '
                              + ('both' if path else 'neither'))
        source = path if path is not None else 'search.strategy.archs'
        try:
            self.archs = [space.parse(code) for code in read_table(path, key, space=space).values] if path is not None \
                else [space.parse(str(code)) for code in archs]
        except (TableError, ArchError) as err:
            raise SearchError(f'table search over {source}: {err}') from None
        if not self.archs:
            raise SearchError(f'table search over {source}: no architectures; list at least one')
        self.path = str(Path(path)) if path is not None else None

    @property
    def budget(self) -> int:
        return len(self.archs)

    def config(self) -> dict:
        return dict(super().config(), path=self.path, size=len(self.archs),
                    archs=None if self.path else [self.space.format(a) for a in self.archs])

    def propose(self, history: Sequence[Evaluation], rng: random.Random) -> Arch | None:
        seen = {e.arch for e in history}
        return next((a for a in self.archs if self.acceptable(a, seen)), None)
