"""Does the search know what transfers? Search score vs downstream metric, beside the seed-to-seed ceiling.

A *study* is the measured rows of one board that one search method scored with one score, fine-tuned with one
config: the architectures' search scores (``provenance.score``) against their downstream primary metric (mean over
seeds), with Kendall tau-b, Spearman, Pearson and top-k precision and bootstrap CIs from :mod:`pinas.ranking`.
Paper rows never enter a study: they come from other pipelines. Where the rows have several seeds, the Kendall
tau between two seeds' metrics across the same architectures is the ceiling any search score can reach.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from itertools import combinations
from typing import Optional, Sequence

from pinas.ranking.metrics import (DEFAULT_BOOTSTRAP, DEFAULT_CONFIDENCE, DEFAULT_SEED, DEFAULT_TOPK, MIN_PAIRS,
                                   MetricResult, bootstrap_ci, kendall_rows, kendall_tau_b, ranking_metrics)

from .table import Board, LeaderboardError, Row


@dataclass(frozen=True)
class Settings:
    """How the statistics are computed (defaults: :mod:`pinas.ranking`'s)."""
    topk: tuple = DEFAULT_TOPK
    resamples: int = DEFAULT_BOOTSTRAP
    seed: int = DEFAULT_SEED
    confidence: float = DEFAULT_CONFIDENCE

    def as_dict(self) -> dict:
        return dict(topk=list(self.topk), bootstrap=self.resamples, bootstrap_seed=self.seed,
                    confidence=self.confidence)


@dataclass(frozen=True)
class SeedCeiling:
    """Kendall tau-b between two seeds' downstream metrics over the architectures run with both."""
    seeds: tuple
    tau: MetricResult


@dataclass(frozen=True)
class Study:
    board: Board
    config: Optional[str]
    method: str
    score_name: Optional[str]
    rows: tuple[Row, ...]                        # sorted by search score, best first
    metrics: tuple[MetricResult, ...] = ()       # empty when skipped
    ceiling: tuple[SeedCeiling, ...] = ()
    skipped: Optional[str] = None                # why no statistics were computed
    slug: str = field(default='', compare=False)

    @property
    def title(self) -> str:
        return f'{self.board.title}: {self.method} {self.score_name or "score"} vs {self.board.task.primary}'

    def metric(self, name: str) -> Optional[MetricResult]:
        return next((m for m in self.metrics if m.name == name), None)


def studies(boards: Sequence[Board], settings: Settings = Settings()) -> list[Study]:
    """Every study of ``boards``, in board order, then by config, method and score name."""
    found = []
    for board in boards:
        groups: dict[tuple, list[Row]] = {}
        for row in board.rows:
            if row.is_paper or row.score is None:
                continue
            groups.setdefault((row.first.config or '', row.method, row.first.provenance.score_name or ''),
                              []).append(row)
        for index, ((config, method, score_name), rows) in enumerate(sorted(groups.items())):
            _check_one_row_per_arch(rows)
            rows = tuple(sorted(rows, key=lambda r: (-r.score,) + r.sort_key()))
            study = Study(board, config or None, method, score_name or None, rows,
                          slug=f'{board.slug}_{index}_{method}')
            found.append(_measure(study, settings))
    return found


def _check_one_row_per_arch(rows: list[Row]) -> None:
    seen: dict[tuple, Row] = {}
    for row in rows:
        other = seen.setdefault((row.first.space, row.first.arch), row)
        if other is not row:
            raise LeaderboardError(
                f'{other.first.origin} and {row.first.origin}: architecture {row.first.arch} appears twice in one '
                f'study ({row.task.name}, config {row.first.config}, method {row.method}) with different config '
                'hashes; remove the stale records')


def _measure(study: Study, settings: Settings) -> Study:
    scores = [row.score for row in study.rows]
    truth = [row.primary.mean for row in study.rows]
    if len(scores) < MIN_PAIRS:
        return replace(study, skipped=f'{len(scores)} architecture(s); a correlation needs at least {MIN_PAIRS}')
    metrics = ranking_metrics(scores, truth, settings.topk, settings.resamples, settings.seed, settings.confidence)
    return replace(study, metrics=tuple(metrics), ceiling=seed_ceiling(study.rows, settings))


def seed_ceiling(rows: Sequence[Row], settings: Settings) -> tuple[SeedCeiling, ...]:
    """Kendall tau-b between every pair of seeds that at least :data:`MIN_PAIRS` architectures were run with."""
    per_arch = [{r.seed: r.metrics[row.task.primary] for r in row.records
                 if r.seed is not None and row.task.primary in r.metrics} for row in rows]
    seeds = sorted({seed for values in per_arch for seed in values})
    found = []
    for a, b in combinations(seeds, 2):
        pairs = [(values[a], values[b]) for values in per_arch if a in values and b in values]
        if len(pairs) < MIN_PAIRS:
            continue
        x, y = zip(*pairs)
        low, high = bootstrap_ci(kendall_rows, x, y, settings.resamples, settings.seed, settings.confidence)
        found.append(SeedCeiling((a, b), MetricResult('kendall_tau_b', kendall_tau_b(x, y), low, high, len(x))))
    return tuple(found)


def _number(value: float) -> Optional[float]:
    """JSON has no NaN: an undefined statistic is null."""
    return None if value is None or math.isnan(value) else float(value)


def _result_dict(result: MetricResult) -> dict:
    row = dict(value=_number(result.value), ci=[_number(result.ci_low), _number(result.ci_high)], n=result.n)
    if result.k is not None:
        row['k'] = result.k
    return row


def studies_dict(found: Sequence[Study], settings: Settings) -> dict:
    """The studies as JSON data (what ``correlations.json`` holds and a README quotes)."""
    out = []
    for study in found:
        out.append(dict(
            task=study.board.task.name, dataset=study.board.dataset, split=study.board.split, config=study.config,
            method=study.method, score=study.score_name, metric=study.board.task.primary, n=len(study.rows),
            archs=[dict(name=row.first.name, space=row.first.space, arch=row.first.arch, score=row.score,
                        metric=row.primary.mean, seeds=len(row.records)) for row in study.rows],
            statistics={m.name: _result_dict(m) for m in study.metrics},
            seed_ceiling=[dict(seeds=list(c.seeds), kendall_tau_b=_result_dict(c.tau)) for c in study.ceiling],
            skipped=study.skipped))
    return dict(settings.as_dict(), studies=out,
                note='search score (provenance.score) vs the downstream primary metric (mean over seeds) of the '
                     'measured rows of each board; paper rows never enter; seed_ceiling is the Kendall tau-b '
                     'between two seeds of the same architectures')
