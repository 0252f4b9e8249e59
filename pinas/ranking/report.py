"""Compare a score table with a ground-truth table: join, compute the metrics, format and save them.

This is the library behind ``tools/rank_eval.py``; call :func:`evaluate_tables` directly from Python.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from .metrics import (DEFAULT_BOOTSTRAP, DEFAULT_CONFIDENCE, DEFAULT_SEED, DEFAULT_TOPK, MetricResult, TopK,
                      ranking_metrics)
from .tables import JoinedTables, Table, join_tables, read_table


@dataclass
class RankingReport:
    """Everything rank_eval prints and saves."""

    scores: Table
    truth: Table
    joined: JoinedTables
    metrics: list[MetricResult]
    bootstrap: int
    seed: int
    confidence: float
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return dict(
            scores=dict(path=self.scores.path, format=self.scores.format, key=self.scores.key, rows=len(self.scores)),
            ground_truth=dict(path=self.truth.path, format=self.truth.format, key=self.truth.key,
                              rows=len(self.truth)),
            matched=self.joined.n_matched, bootstrap=self.bootstrap, seed=self.seed, confidence=self.confidence,
            metrics={m.name: m.as_dict() for m in self.metrics}, **self.extra)

    def format(self) -> str:
        return format_metrics(self.metrics, self.confidence, self.bootstrap, header=self._header())

    def _header(self) -> str:
        return (f'scores: {self.scores.path} ({len(self.scores)} rows, key {self.scores.key or "-"})\n'
                f'ground truth: {self.truth.path} ({len(self.truth)} rows, key {self.truth.key or "-"})\n'
                f'matched architectures: {self.joined.n_matched}')


def evaluate_tables(scores_path, truth_path, topk: Iterable[TopK] = DEFAULT_TOPK,
                    bootstrap: int = DEFAULT_BOOTSTRAP, seed: int = DEFAULT_SEED,
                    confidence: float = DEFAULT_CONFIDENCE, score_key: str | None = None,
                    truth_key: str | None = None) -> RankingReport:
    """Read both tables, join them by architecture and compute every metric with its bootstrap interval."""
    scores = read_table(scores_path, score_key)
    truth = read_table(truth_path, truth_key)
    joined = join_tables(scores, truth)
    metrics = ranking_metrics(joined.scores, joined.truth, topk, bootstrap, seed, confidence)
    return RankingReport(scores, truth, joined, metrics, bootstrap, seed, confidence)


def format_metrics(metrics: Sequence[MetricResult], confidence: float, bootstrap: int, header: str = '') -> str:
    """A fixed-width table: metric, value, CI bounds, k."""
    level = f'{100 * confidence:g}% CI' if bootstrap else 'CI (no bootstrap)'
    lines = [header] if header else []
    lines.append(f'{"metric":<18} {"value":>8} {level + " low":>16} {level + " high":>17} {"k":>6}')
    for m in metrics:
        lines.append(f'{m.name:<18} {m.value:>8.4f} {_num(m.ci_low):>16} {_num(m.ci_high):>17} '
                     f'{"" if m.k is None else m.k:>6}')
    return '\n'.join(lines)


def save_report(report: RankingReport, path) -> Path:
    """Write the report as JSON (NaN written as null, so any JSON reader accepts it)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_nan_to_none(report.as_dict()), indent=2) + '\n')
    return path


def _num(value: float) -> str:
    return 'nan' if math.isnan(value) else f'{value:.4f}'


def _nan_to_none(obj):
    if isinstance(obj, float) and math.isnan(obj):
        return None
    if isinstance(obj, dict):
        return {k: _nan_to_none(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_nan_to_none(v) for v in obj]
    return obj
