"""A method's ranking with its training-seed variance, and paired comparisons between methods, budgets and
baselines.

One supernet training run is one draw: two runs of the same method at the same budget rank differently. So a
method's number is the mean over its supernet seeds, and its interval comes from a two-level bootstrap that
resamples both sources of variance: the architectures (jointly for every method and baseline, so that two
methods are compared on the same draws: a paired bootstrap) and, within each method, its seeds (with
replacement). A zero-cost baseline has no training and one value per architecture. A difference between two
rows is computed on the same architecture draws, so its interval is the paired one; it supports a claim only
where it excludes 0. With one seed the interval covers the architectures only, and the report says so.

Kendall tau-b and, with a control (FLOPs), Kendall's partial tau given it are the statistics (Kendall 1942).
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from .metrics import (DEFAULT_BOOTSTRAP, DEFAULT_CONFIDENCE, DEFAULT_SEED, MIN_BOOTSTRAP_ITEMS, RankingInputError,
                      _partial, kendall_rows, kendall_tau_b, partial_kendall_tau)

TAU = 'kendall_tau_b'
PARTIAL = 'partial_kendall_tau_b'


@dataclass(frozen=True)
class Estimate:
    """A row's statistic: the mean over its seeds, each seed's value, their standard deviation (ddof 1; None for
    one seed) and the two-level bootstrap interval (NaN where no interval can be given)."""

    value: float
    ci_low: float
    ci_high: float
    per_seed: tuple[float, ...]

    @property
    def std(self) -> float | None:
        return float(np.std(self.per_seed, ddof=1)) if len(self.per_seed) > 1 else None

    def as_dict(self) -> dict:
        return dict(value=self.value, ci=[self.ci_low, self.ci_high], per_seed=list(self.per_seed),
                    seeds=len(self.per_seed), std=self.std)


@dataclass(frozen=True)
class Difference:
    """``a`` minus ``b`` of one statistic, with its paired interval."""

    a: str
    b: str
    metric: str
    value: float
    ci_low: float
    ci_high: float

    @property
    def supported(self) -> bool | None:
        """Whether the interval excludes 0 (None without an interval)."""
        if math.isnan(self.ci_low):
            return None
        return self.ci_low > 0 or self.ci_high < 0

    def as_dict(self) -> dict:
        return dict(a=self.a, b=self.b, metric=self.metric, value=self.value, ci=[self.ci_low, self.ci_high],
                    excludes_zero=self.supported)


class SeededRanking:
    """Every row's statistics on the same bootstrap draws, so that any two can be differenced pairedly.

    ``rows``: ``{name: [scores of seed 1, scores of seed 2, ...]}`` (each ``{arch: score}``; a baseline is a row
    with one "seed"); ``truth``: ``{arch: value}`` over the architectures reported on; ``control``: the scores of
    the baseline partial taus are given (None: no partial taus).
    """

    def __init__(self, rows: Mapping[str, Sequence[Mapping[str, float]]], truth: Mapping[str, float],
                 control: Mapping[str, float] | None = None, resamples: int = DEFAULT_BOOTSTRAP,
                 seed: int = DEFAULT_SEED, confidence: float = DEFAULT_CONFIDENCE):
        if resamples < 0 or not 0 < confidence < 1:
            raise RankingInputError(f'bootstrap needs resamples >= 0 and 0 < confidence < 1, got {resamples} and '
                                    f'{confidence}')
        self.archs = sorted(truth)
        self.confidence = confidence
        # what fixes the bootstrap draws: two rankings with equal keys resample the same architectures and, row by
        # row, the same seeds, so a row's statistic can be differenced across their references (`across`)
        self.draws_key = (seed, resamples, tuple(self.archs), tuple((name, len(s)) for name, s in rows.items()))
        y = np.array([truth[a] for a in self.archs], dtype=float)
        z = None if control is None else np.array([control[a] for a in self.archs], dtype=float)
        n = len(self.archs)
        self.bootstrapped = resamples > 0 and n >= MIN_BOOTSTRAP_ITEMS  # below, a bootstrap is unreliable
        rng = np.random.default_rng(seed)
        index = rng.integers(0, n, size=(resamples if self.bootstrapped else 0, n))
        ys = y[index]
        zy = None if z is None else kendall_rows(z[index], ys)
        self.points: dict[str, dict[str, list[float]]] = {}
        self.draws: dict[str, dict[str, np.ndarray]] = {}
        for name, seeds in rows.items():
            if not seeds:
                raise RankingInputError(f'{name} has no scores')
            points = {TAU: [], PARTIAL: []}
            draws = {TAU: [], PARTIAL: []}
            for scores in seeds:
                missing = [a for a in self.archs if a not in scores]
                if missing:
                    raise RankingInputError(f'{name} scores no architecture {missing[0]} ({len(missing)} missing)')
                x = np.array([scores[a] for a in self.archs], dtype=float)
                points[TAU].append(kendall_tau_b(x, y))
                xy = kendall_rows(x[index], ys)
                draws[TAU].append(xy)
                if z is not None:
                    points[PARTIAL].append(partial_kendall_tau(x, y, z))
                    draws[PARTIAL].append(_partial(xy, kendall_rows(x[index], z[index]), zy))
            # Seeds resampled with replacement, per bootstrap draw: the training variance enters the interval.
            picks = rng.integers(0, len(seeds), size=(len(index), len(seeds)))
            self.points[name] = {m: v for m, v in points.items() if v}
            with warnings.catch_warnings():  # a row undefined on every draw (the control given itself) stays NaN
                warnings.simplefilter('ignore', RuntimeWarning)
                self.draws[name] = {m: np.nanmean(np.take_along_axis(np.array(d), picks.T, axis=0), axis=0)
                                    for m, d in draws.items() if d}

    @property
    def metrics(self) -> tuple[str, ...]:
        return (TAU, PARTIAL) if any(PARTIAL in p for p in self.points.values()) else (TAU,)

    def estimate(self, name: str, metric: str = TAU) -> Estimate:
        per_seed = tuple(float(v) for v in self.points[name][metric])
        low, high = self._interval(self.draws[name][metric])
        return Estimate(float(np.mean(per_seed)), low, high, per_seed)

    def difference(self, a: str, b: str, metric: str = TAU) -> Difference:
        value = float(np.mean(self.points[a][metric]) - np.mean(self.points[b][metric]))
        low, high = self._interval(self.draws[a][metric] - self.draws[b][metric])
        return Difference(a, b, metric, value, low, high)

    def across(self, other: 'SeededRanking', name: str, metric: str = TAU) -> Difference:
        """Row ``name``'s statistic against this ranking's reference minus against ``other``'s (a transfer ground
        truth minus the classification one), on the same draws of architectures and seeds: the paired interval."""
        self._check_paired(other)
        value = float(np.mean(self.points[name][metric]) - np.mean(other.points[name][metric]))
        low, high = self._interval(self.draws[name][metric] - other.draws[name][metric])
        return Difference(name, name, metric, value, low, high)

    def shift_difference(self, other: 'SeededRanking', a: str, b: str, metric: str = TAU) -> Difference:
        """How much more row ``a`` gains (or less it loses) than row ``b`` when the reference changes from
        ``other``'s to this one's: (a here - a there) - (b here - b there), pairedly. Both rows face the same two
        references, so the references' own noise (their ceilings) cancels out of this difference."""
        self._check_paired(other)
        shift = {row: np.mean(self.points[row][metric]) - np.mean(other.points[row][metric]) for row in (a, b)}
        draws = {row: self.draws[row][metric] - other.draws[row][metric] for row in (a, b)}
        low, high = self._interval(draws[a] - draws[b])
        return Difference(a, b, metric, float(shift[a] - shift[b]), low, high)

    def _check_paired(self, other: 'SeededRanking') -> None:
        if other.draws_key != self.draws_key:
            raise RankingInputError('two rankings are compared pairedly only on the same draws: give both the same '
                                    'architectures, rows (with their seeds) and bootstrap seed')

    def _interval(self, draws: np.ndarray) -> tuple[float, float]:
        if not self.bootstrapped or np.isnan(draws).mean() > 0.5:
            return math.nan, math.nan
        tail = 100 * (1 - self.confidence) / 2
        low, high = np.nanpercentile(draws, [tail, 100 - tail])
        return float(low), float(high)
