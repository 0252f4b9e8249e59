"""Ranking-correlation metrics between proxy scores and ground truth, with bootstrap confidence intervals.

A supernet is judged by how well its scores *rank* architectures, so the headline number is Kendall tau-b (the
variant that corrects for ties, which are common when scores are rounded accuracies); Spearman, Pearson and top-k
precision complete the picture. Higher is better for both inputs; negate a loss before passing it.

Confidence intervals are percentile-bootstrap intervals over (score, ground truth) pairs resampled with
replacement (seeded), so each interval shows how much the number depends on which architectures were sampled.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence, Union

import numpy as np

TopK = Union[int, float]

DEFAULT_BOOTSTRAP = 1000
DEFAULT_CONFIDENCE = 0.95
DEFAULT_SEED = 0
DEFAULT_TOPK: tuple[TopK, ...] = (0.1, 0.2)
MIN_PAIRS = 3
PARTIAL_EPS = 1e-6  # a partial tau's denominator below this is 0: the control ranks a variable perfectly
# How many architectures a correlation needs (see :func:`ranking_evidence`):
MIN_CORRELATION_ITEMS = 5    # below: no correlation at all (n = 4: even tau = 1 has exact p = 2 / 4! = 0.083)
MIN_BOOTSTRAP_ITEMS = 20     # below: a permutation p-value instead of a bootstrap CI (a resample of n items holds
                             # about 0.63 n distinct ones, so its percentiles are coarse and too narrow)
EXACT_PERMUTATION_MAX_ITEMS = 8  # all n! orders up to here (8! = 40,320); a seeded Monte-Carlo sample above
PERMUTATION_DRAWS = 100_000  # Monte-Carlo orders: the p-value's standard error is at most 0.5 / sqrt(draws) = 0.0016


class RankingInputError(ValueError):
    """Inputs that no ranking metric can be computed on; the message says what to change."""


@dataclass(frozen=True)
class MetricResult:
    """A metric's point estimate and its bootstrap interval (NaN bounds when no bootstrap was run)."""

    name: str
    value: float
    ci_low: float
    ci_high: float
    n: int
    k: int | None = None

    def as_dict(self) -> dict:
        row = dict(value=self.value, ci=[self.ci_low, self.ci_high], n=self.n)
        if self.k is not None:
            row['k'] = self.k
        return row


# --- point estimates -------------------------------------------------------------------------------------------
def kendall_tau_b(x: Sequence[float], y: Sequence[float]) -> float:
    """Kendall's tau-b: (concordant - discordant) / sqrt((n0 - ties_x) (n0 - ties_y))."""
    x, y = _pair(x, y)
    if _constant(x, y):
        return math.nan
    return _finite_or_nan(_stats().kendalltau(x, y, variant='b').statistic)


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    """Spearman's rho: Pearson correlation of the (average-tie) ranks."""
    x, y = _pair(x, y)
    if _constant(x, y):
        return math.nan
    return _finite_or_nan(_stats().spearmanr(x, y).statistic)


def pearson(x: Sequence[float], y: Sequence[float]) -> float:
    """Pearson's r on the raw values (sensitive to the scale of the scores, unlike the rank metrics)."""
    x, y = _pair(x, y)
    if _constant(x, y):
        return math.nan
    return _finite_or_nan(_stats().pearsonr(x, y).statistic)


def partial_kendall_tau(x: Sequence[float], y: Sequence[float], z: Sequence[float]) -> float:
    """Kendall's partial tau of x and y given z: how well x ranks y beyond what z (e.g. FLOPs) already ranks,
    (t_xy - t_xz t_zy) / sqrt((1 - t_xz^2)(1 - t_zy^2)) on tau-b; NaN where z ranks x or y perfectly."""
    x, y = _pair(x, y)
    z, _ = _pair(z, y)
    return float(_partial(*(np.array([kendall_tau_b(a, b)]) for a, b in ((x, y), (x, z), (z, y))))[0])


def _partial(t_xy: np.ndarray, t_xz: np.ndarray, t_zy: np.ndarray) -> np.ndarray:
    denom = np.sqrt(np.clip((1 - t_xz ** 2) * (1 - t_zy ** 2), 0, None))
    with np.errstate(invalid='ignore', divide='ignore'):  # |tau| = 1 up to rounding: z is x or y, nothing is left
        return np.where(denom > PARTIAL_EPS, (t_xy - t_xz * t_zy) / denom, math.nan)


def resolve_k(k: TopK, n: int) -> int:
    """A top-k size as a count: an int is a count, a float in (0, 1] a fraction of ``n`` (at least 1)."""
    if isinstance(k, (bool, np.bool_)):
        raise RankingInputError(f'top-k must be a count (int >= 1) or a fraction in (0, 1], got {k!r}')
    if isinstance(k, (int, np.integer)):
        if not 1 <= k <= n:
            raise RankingInputError(f'top-k count {k} is outside 1..{n} (the number of matched architectures); '
                                    f'pass a smaller count or a fraction such as 0.1')
        return int(k)
    if isinstance(k, (float, np.floating)) and 0 < k <= 1:
        return max(1, int(round(k * n)))
    raise RankingInputError(f'top-k must be a count (int >= 1) or a fraction in (0, 1], got {k!r}')


def topk_label(k: TopK) -> str:
    """``precision@10`` for a count, ``precision@10%`` for a fraction."""
    if isinstance(k, (float, np.floating)):
        return f'precision@{100 * k:g}%'
    return f'precision@{k}'


def topk_precision(x: Sequence[float], y: Sequence[float], k: TopK) -> float:
    """|top-k by x  intersect  top-k by y| / k.

    Ties at the cut are broken by input order (a stable sort), so the result is deterministic.
    """
    x, y = _pair(x, y)
    count = resolve_k(k, len(x))
    top_x = np.argsort(-x, kind='stable')[:count]
    top_y = np.argsort(-y, kind='stable')[:count]
    return len(np.intersect1d(top_x, top_y)) / count


# --- the same metrics on many resamples at once (rows of 2-D arrays) ------------------------------------------
RowStatistic = Callable[[np.ndarray, np.ndarray], np.ndarray]


def _stats():
    """scipy.stats, imported on first use: it takes seconds to import, and every tool imports this module."""
    from scipy import stats
    return stats


def kendall_rows(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Kendall tau-b of each row pair (scipy per row: its O(n log n) tie-aware algorithm)."""
    stats = _stats()
    return np.array([math.nan if _constant(a, b) else stats.kendalltau(a, b, variant='b').statistic
                     for a, b in zip(xs, ys)], dtype=float)


def pearson_rows(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Pearson r of each row pair; NaN where a row is constant."""
    xc = xs - xs.mean(axis=1, keepdims=True)
    yc = ys - ys.mean(axis=1, keepdims=True)
    denom = np.sqrt((xc * xc).sum(axis=1) * (yc * yc).sum(axis=1))
    with np.errstate(invalid='ignore', divide='ignore'):
        r = (xc * yc).sum(axis=1) / denom
    return np.where(denom > 0, np.clip(r, -1.0, 1.0), math.nan)


def spearman_rows(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Spearman rho of each row pair: Pearson r of average-tie ranks."""
    return pearson_rows(_stats().rankdata(xs, axis=1), _stats().rankdata(ys, axis=1))


def partial_kendall_rows(x: np.ndarray, z: np.ndarray) -> RowStatistic:
    """Kendall's partial tau of x and y given z for each resample, as a row statistic over resampled *indices* (the
    first input) into ``x`` and ``z`` and the resampled truth (the second): bootstrap_ci draws two inputs."""
    def partial(index: np.ndarray, ys: np.ndarray) -> np.ndarray:
        xs, zs = x[index.astype(int)], z[index.astype(int)]
        return _partial(kendall_rows(xs, ys), kendall_rows(xs, zs), kendall_rows(zs, ys))
    return partial


def topk_rows(count: int) -> RowStatistic:
    """Top-``count`` precision of each row pair, ties broken by position as in :func:`topk_precision`."""
    def precision(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        return (_top_mask(xs, count) & _top_mask(ys, count)).sum(axis=1) / count
    return precision


def _top_mask(values: np.ndarray, count: int) -> np.ndarray:
    mask = np.zeros(values.shape, dtype=bool)
    np.put_along_axis(mask, np.argsort(-values, axis=1, kind='stable')[:, :count], True, axis=1)
    return mask


# --- the reference a ranking is judged against ------------------------------------------------------------------
def noise_ceiling_tau(seed_tau: float, seeds: int) -> float:
    """The Kendall tau a noise-free ranking would reach against the mean of ``seeds`` training seeds, given the mean
    seed-to-seed tau of those seeds (Spearman-Brown, via the Greiner relation between tau and Pearson's r for
    bivariate normal data, r = sin(pi tau / 2)).

    Seed-to-seed tau has one seed's noise on both sides, while every score is ranked against the seeds' mean, which
    is less noisy; so a score can beat seed-to-seed tau but, up to sampling error, not this ceiling. With one
    seed's reliability r1, the k-seed mean's is r_k = k r1 / (1 + (k - 1) r1) (Spearman-Brown), the correlation of
    the true ranking with that mean is sqrt(r_k), and tau = (2 / pi) arcsin(sqrt(r_k)). NaN for a non-positive
    seed tau (no signal to correct) or k < 1.
    """
    if not math.isfinite(seed_tau) or seed_tau <= 0 or seeds < 1:
        return math.nan
    r1 = math.sin(math.pi * min(seed_tau, 1.0) / 2)
    rk = seeds * r1 / (1 + (seeds - 1) * r1)
    return 2 / math.pi * math.asin(math.sqrt(rk))


def seed_ceilings(per_seed: Sequence[Sequence[float]], resamples: int = DEFAULT_BOOTSTRAP, seed: int = DEFAULT_SEED,
                  confidence: float = DEFAULT_CONFIDENCE) -> tuple[MetricResult, MetricResult]:
    """``(seed_to_seed, noise_ceiling)`` of a ground truth from its per-seed values (one row per training seed, one
    column per architecture, at least two rows): the mean seed-pair Kendall tau-b and :func:`noise_ceiling_tau` for
    the mean of all the rows, each with a bootstrap CI over architectures (resampled jointly for every seed, so the
    two intervals come from the same draws)."""
    values = np.asarray(per_seed, dtype=float)
    if values.ndim != 2 or len(values) < 2:
        raise RankingInputError(f'a seed ceiling needs the values of at least 2 seeds, got {len(values)}')
    pairs = [(a, b) for a in range(len(values)) for b in range(a + 1, len(values))]

    def mean_tau(index: np.ndarray, _unused: np.ndarray) -> np.ndarray:
        index = index.astype(int)
        return np.nanmean([kendall_rows(values[a][index], values[b][index]) for a, b in pairs], axis=0)

    def ceiling(index: np.ndarray, unused: np.ndarray) -> np.ndarray:
        # a draw whose seeds do not agree at all leaves nothing to rank: its ceiling is 0, not a skipped NaN, which
        # would bias the interval upwards exactly when the ground truth is least reproducible
        return np.array([0.0 if t <= 0 else noise_ceiling_tau(t, len(values)) for t in mean_tau(index, unused)])

    columns = np.arange(values.shape[1], dtype=float)
    whole = columns[None, :]
    tau = float(mean_tau(whole, whole)[0])
    results = []
    for name, value, rows in (('seed_to_seed_kendall_tau_b', tau, mean_tau),
                              ('noise_ceiling_kendall_tau_b', noise_ceiling_tau(tau, len(values)), ceiling)):
        low, high = bootstrap_ci(rows, columns, columns, resamples, seed, confidence)
        results.append(MetricResult(name, value, low, high, values.shape[1]))
    return results[0], results[1]


# --- bootstrap -------------------------------------------------------------------------------------------------
RESAMPLE_BLOCK_ELEMENTS = 2_000_000  # resampled values held in memory at once per input


def bootstrap_ci(statistic: RowStatistic, x, y, resamples: int = DEFAULT_BOOTSTRAP, seed: int = DEFAULT_SEED,
                 confidence: float = DEFAULT_CONFIDENCE) -> tuple[float, float]:
    """Percentile interval of a row statistic over paired resamples; (nan, nan) when ``resamples`` is 0.

    The same seed draws the same resampled index sets for every metric, so their intervals are comparable.
    Resamples on which a correlation is undefined (e.g. one architecture drawn n times) are skipped; if more
    than half are undefined the interval is (nan, nan).
    """
    x, y = _pair(x, y)
    if resamples == 0:
        return math.nan, math.nan
    if resamples < 0 or not 0 < confidence < 1:
        raise RankingInputError(f'bootstrap needs resamples >= 0 and 0 < confidence < 1, got {resamples} and '
                                f'{confidence}')
    draws = np.concatenate([statistic(x[idx], y[idx]) for idx in _resample_blocks(len(x), resamples, seed)])
    if np.isnan(draws).mean() > 0.5:
        return math.nan, math.nan
    tail = 100 * (1 - confidence) / 2
    low, high = np.nanpercentile(draws, [tail, 100 - tail])
    return float(low), float(high)


def _resample_blocks(n: int, resamples: int, seed: int):
    """Index arrays (rows = resamples) drawn from one seeded generator, in memory-bounded blocks."""
    rng = np.random.default_rng(seed)
    rows = max(1, RESAMPLE_BLOCK_ELEMENTS // n)
    for start in range(0, resamples, rows):
        yield rng.integers(0, n, size=(min(rows, resamples - start), n))


def ranking_metrics(scores: Sequence[float], truth: Sequence[float], topk: Iterable[TopK] = DEFAULT_TOPK,
                    resamples: int = DEFAULT_BOOTSTRAP, seed: int = DEFAULT_SEED,
                    confidence: float = DEFAULT_CONFIDENCE) -> list[MetricResult]:
    """Kendall tau-b, Spearman, Pearson and top-k precision of ``scores`` against ``truth``, each with its CI."""
    x, y = _pair(scores, truth)
    named: list[tuple[str, float, RowStatistic, int | None]] = [
        ('kendall_tau_b', kendall_tau_b(x, y), kendall_rows, None),
        ('spearman', spearman(x, y), spearman_rows, None),
        ('pearson', pearson(x, y), pearson_rows, None)]
    for k in topk:
        count = resolve_k(k, len(x))
        named.append((topk_label(k), topk_precision(x, y, count), topk_rows(count), count))
    results = []
    for name, value, rows, count in named:
        low, high = bootstrap_ci(rows, x, y, resamples, seed, confidence)
        results.append(MetricResult(name, value, low, high, len(x), count))
    return results


# --- input checks ----------------------------------------------------------------------------------------------
def _pair(x, y) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    if x.shape != y.shape:
        raise RankingInputError(f'scores and ground truth must have the same length, got {len(x)} and {len(y)}')
    if len(x) < MIN_PAIRS:
        raise RankingInputError(f'ranking metrics need at least {MIN_PAIRS} (score, ground-truth) pairs, got '
                                f'{len(x)}; score more architectures that also appear in the ground truth')
    bad = ~(np.isfinite(x) & np.isfinite(y))
    if bad.any():
        raise RankingInputError(f'{int(bad.sum())} pair(s) hold NaN or infinite values (first at index '
                                f'{int(np.argmax(bad))}); drop those architectures before computing metrics')
    return x, y


def _constant(x: np.ndarray, y: np.ndarray) -> bool:
    """A correlation with a constant input is undefined (scipy would warn and return NaN)."""
    return bool(np.ptp(x) == 0 or np.ptp(y) == 0)


def _finite_or_nan(value) -> float:
    value = float(value)
    return value if math.isfinite(value) else math.nan


# --- small samples: what a correlation of n architectures can say ----------------------------------------------
P_DECIMALS = 3  # a p-value printed to this many decimals; smaller ones as "p < 0.001"


def too_few_text(n: int) -> str:
    """Why no correlation of ``n`` items is reported."""
    return f'n too small (n={n}, need {MIN_CORRELATION_ITEMS})'


def check_bootstrap_settings(resamples: int, confidence: float) -> None:
    """Refuse bootstrap settings no interval can be computed with, whether or not the n at hand would use them (a
    bad option must fail on 8 architectures as on 100)."""
    if isinstance(resamples, bool) or not isinstance(resamples, (int, np.integer)) or resamples < 0:
        raise RankingInputError(f'the number of bootstrap resamples must be an integer >= 0, got {resamples!r}; '
                                f'pass 0 for no interval or e.g. {DEFAULT_BOOTSTRAP}')
    if not 0 < confidence < 1:
        raise RankingInputError(f'the confidence level must lie strictly between 0 and 1, got {confidence!r}; '
                                f'pass e.g. {DEFAULT_CONFIDENCE}')


@dataclass(frozen=True)
class PermutationTest:
    """Kendall tau-b and its two-sided permutation p-value: the share of orders of the ground truth under which
    |tau| is at least the observed |tau|. If the scores say nothing about the truth, every order is equally likely,
    so the p-value is exact whatever n is; it replaces a bootstrap interval where n is too small for one."""

    value: float
    p_value: float
    n: int
    orders: int     # orders compared: n! when exact, else the Monte-Carlo draws
    exact: bool

    @property
    def p_error(self) -> float:
        """Binomial standard error of a Monte-Carlo p-value; 0 for an exact one."""
        if self.exact or math.isnan(self.p_value):
            return 0.0
        return math.sqrt(self.p_value * (1 - self.p_value) / self.orders)

    def short_text(self) -> str:
        """``p = 0.017 exact`` or ``p = 0.023 ± 0.001 MC`` (± one standard error), for a table cell."""
        if self.exact:
            return f'{_p_text(self.p_value)} exact'
        return f'{_p_text(self.p_value)} ± {self.p_error:.{P_DECIMALS + 1}f} MC'

    def text(self) -> str:
        """The p-value and how it was computed, in words."""
        if self.exact:
            return (f'{_p_text(self.p_value)} (two-sided permutation test, exact: all {self.n}! = {self.orders} '
                    'orders)')
        return (f'{_p_text(self.p_value)} (two-sided permutation test, Monte-Carlo: {self.orders} seeded random '
                f'orders, standard error {self.p_error:.{P_DECIMALS + 1}f})')

    def as_dict(self) -> dict:
        return dict(p_value=None if math.isnan(self.p_value) else self.p_value, two_sided=True, exact=self.exact,
                    orders=self.orders, p_standard_error=self.p_error, n=self.n)


def _p_text(p: float) -> str:
    if math.isnan(p):
        return 'p = n/a'
    if p < 10 ** -P_DECIMALS:
        return f'p < {10 ** -P_DECIMALS:.{P_DECIMALS}f}'
    return f'p = {p:.{P_DECIMALS}f}'


def kendall_permutation_test(x: Sequence[float], y: Sequence[float], draws: int = PERMUTATION_DRAWS,
                             seed: int = DEFAULT_SEED) -> PermutationTest:
    """Kendall tau-b of ``x`` and ``y`` with its two-sided permutation p-value: over all n! orders of ``y`` up to
    :data:`EXACT_PERMUTATION_MAX_ITEMS` items, else over ``draws`` seeded random orders with the observed order
    counted once, p = (hits + 1) / (draws + 1), so that a Monte-Carlo p is never 0 (Phipson & Smyth, "Permutation
    p-values should never be zero", Stat. Appl. Genet. Mol. Biol. 9(1), 2010).

    A reordering of ``y`` keeps both inputs' ties, so tau-b's denominator is fixed and the test compares the
    integer numerators (concordant - discordant pairs) exactly. NaN for a constant input."""
    x, y = _pair(x, y)
    n = len(x)
    exact = n <= EXACT_PERMUTATION_MAX_ITEMS
    value = kendall_tau_b(x, y)
    if math.isnan(value):
        return PermutationTest(math.nan, math.nan, n, 0, exact)
    if not exact and draws < 1:
        raise RankingInputError(f'a Monte-Carlo permutation test needs at least 1 draw, got {draws}; pass e.g. '
                                f'{PERMUTATION_DRAWS}')
    first, second = np.triu_indices(n, 1)
    sign_x = np.sign(x[second] - x[first]).astype(np.float32)  # float32 BLAS: exact for these small integers
    ranks = _stats().rankdata(y, method='dense').astype(np.int32)   # ties kept, cheaper to shuffle than floats
    observed = abs(float(sign_x @ np.sign(ranks[second] - ranks[first]).astype(np.float32)))

    def hits(orders: np.ndarray) -> int:
        shuffled = ranks[orders]
        numerators = np.sign(shuffled[:, second] - shuffled[:, first]).astype(np.float32) @ sign_x
        return int((np.abs(numerators) >= observed - 0.5).sum())  # integers held as floats: no rounding at 0.5

    if exact:
        orders = np.array(list(itertools.permutations(range(n))), dtype=np.intp)
        return PermutationTest(value, hits(orders) / len(orders), n, len(orders), True)
    rng = np.random.default_rng(seed)
    rows = max(1, RESAMPLE_BLOCK_ELEMENTS // len(first))
    found = sum(hits(rng.permuted(np.tile(np.arange(n), (min(rows, draws - start), 1)), axis=1))
                for start in range(0, draws, rows))
    return PermutationTest(value, (found + 1) / (draws + 1), n, draws, False)


@dataclass(frozen=True)
class RankingEvidence:
    """What a ranking of n architectures supports (:func:`ranking_evidence`): no metric below
    :data:`MIN_CORRELATION_ITEMS` (``skipped`` says so); the metrics without intervals and Kendall tau-b's
    permutation p-value below :data:`MIN_BOOTSTRAP_ITEMS`; the metrics with bootstrap intervals from there on."""

    n: int
    metrics: tuple[MetricResult, ...] = ()
    permutation: PermutationTest | None = None
    skipped: str | None = None

    @property
    def note(self) -> str:
        """One line on what was (not) computed and why; '' when the bootstrap intervals are there."""
        if self.skipped:
            return f'{self.skipped}: no correlation reported'
        if self.permutation is not None:
            return (f'n={self.n} < {MIN_BOOTSTRAP_ITEMS}: no bootstrap interval (unreliable on so few items); '
                    f'Kendall tau-b {self.permutation.text()}')
        return ''


def ranking_evidence(scores: Sequence[float], truth: Sequence[float], topk: Iterable[TopK] = DEFAULT_TOPK,
                     resamples: int = DEFAULT_BOOTSTRAP, seed: int = DEFAULT_SEED,
                     confidence: float = DEFAULT_CONFIDENCE, draws: int = PERMUTATION_DRAWS) -> RankingEvidence:
    """:func:`ranking_metrics` under the small-sample rules: nothing below :data:`MIN_CORRELATION_ITEMS` pairs;
    point values and :func:`kendall_permutation_test` below :data:`MIN_BOOTSTRAP_ITEMS` (percentile intervals
    undercover in small samples, Efron & Tibshirani, An Introduction to the Bootstrap, 1993; 20 is this project's
    cut); bootstrap intervals from there on. The bootstrap settings are checked in every case."""
    check_bootstrap_settings(resamples, confidence)
    n = len(np.asarray(scores, dtype=float).ravel())
    if n < MIN_CORRELATION_ITEMS and n == len(np.asarray(truth, dtype=float).ravel()):
        return RankingEvidence(n, skipped=too_few_text(n))
    if n < MIN_BOOTSTRAP_ITEMS:
        metrics = ranking_metrics(scores, truth, topk, 0, seed, confidence)
        return RankingEvidence(n, tuple(metrics), kendall_permutation_test(scores, truth, draws, seed))
    return RankingEvidence(n, tuple(ranking_metrics(scores, truth, topk, resamples, seed, confidence)))
