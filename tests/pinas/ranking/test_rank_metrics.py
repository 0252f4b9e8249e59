"""Ranking metrics: agreement with scipy and with the textbook definitions, top-k precision, bootstrap CIs."""
import itertools
import math

import numpy as np
import pytest
from scipy import stats

from pinas.ranking import (RankingInputError, bootstrap_ci, kendall_tau_b, pearson, ranking_metrics, resolve_k,
                           spearman, topk_precision)
from pinas.ranking.metrics import kendall_rows, pearson_rows, spearman_rows, topk_rows


def tied_data(seed, n=40):
    """Rounded values so both inputs have many ties, as rounded accuracies do."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 8, n).astype(float)
    y = np.round(x + rng.normal(0, 3, n))
    return x, y


def tau_b_by_definition(x, y):
    """(C - D) / sqrt((n0 - n1)(n0 - n2)) counted pair by pair."""
    concordant = discordant = ties_x = ties_y = 0
    for i, j in itertools.combinations(range(len(x)), 2):
        dx, dy = np.sign(x[i] - x[j]), np.sign(y[i] - y[j])
        ties_x += dx == 0
        ties_y += dy == 0
        concordant += dx * dy > 0
        discordant += dx * dy < 0
    n0 = len(x) * (len(x) - 1) / 2
    return (concordant - discordant) / math.sqrt((n0 - ties_x) * (n0 - ties_y))


@pytest.mark.parametrize('seed', range(5))
def test_kendall_tau_b_with_ties_matches_scipy_and_definition(seed):
    x, y = tied_data(seed)
    assert len(np.unique(x)) < len(x) and len(np.unique(y)) < len(y)
    expected = stats.kendalltau(x, y, variant='b').statistic
    assert kendall_tau_b(x, y) == pytest.approx(expected, abs=1e-12)
    assert kendall_tau_b(x, y) == pytest.approx(tau_b_by_definition(x, y), abs=1e-12)


@pytest.mark.parametrize('seed', range(5))
def test_spearman_and_pearson_match_scipy(seed):
    x, y = tied_data(seed)
    assert spearman(x, y) == pytest.approx(stats.spearmanr(x, y).statistic, abs=1e-12)
    assert pearson(x, y) == pytest.approx(stats.pearsonr(x, y).statistic, abs=1e-12)


def test_batched_versions_used_by_the_bootstrap_match_the_scalar_metrics():
    x, y = tied_data(11, n=30)
    idx = np.random.default_rng(0).integers(0, 30, size=(25, 30))
    xs, ys = x[idx], y[idx]
    for rows, scalar in [(kendall_rows, kendall_tau_b), (spearman_rows, spearman), (pearson_rows, pearson)]:
        expected = [scalar(a, b) for a, b in zip(xs, ys)]
        np.testing.assert_allclose(rows(xs, ys), expected, atol=1e-12)
    np.testing.assert_allclose(topk_rows(5)(xs, ys), [topk_precision(a, b, 5) for a, b in zip(xs, ys)])


def test_topk_precision_hand_made_cases():
    truth = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]
    assert topk_precision(truth, truth, 3) == 1.0
    assert topk_precision(truth[::-1], truth, 3) == 0.0
    # the scores' top 4 are items 0, 1, 5, 6; the truth's top 4 are items 0-3: two shared
    scores = [9, 8, 0, 0, 0, 7, 6, 0, 0, 0]
    assert topk_precision(scores, truth, 4) == 0.5
    # a fraction is a share of the items: 0.2 of 10 is k = 2 (items 0 and 1 on both sides)
    assert topk_precision(scores, truth, 0.2) == 1.0
    # ties at the cut are broken by input order: top-1 of all-equal scores is item 0, the truth's best
    assert topk_precision([1, 1, 1, 1], [4, 3, 2, 1], 1) == 1.0


def test_resolve_k_counts_fractions_and_errors():
    assert resolve_k(10, 100) == 10
    assert resolve_k(0.1, 95) == 10  # rounded, 9.5 -> 10
    assert resolve_k(0.001, 50) == 1  # at least one
    for bad in (0, 101, 1.5, -0.1, True, '10'):
        with pytest.raises(RankingInputError):
            resolve_k(bad, 100)


def test_bootstrap_intervals_contain_the_estimate_and_are_seeded():
    x, y = tied_data(3, n=60)
    results = ranking_metrics(x, y, topk=(6, 0.2), resamples=300, seed=5)
    assert [r.name for r in results] == ['kendall_tau_b', 'spearman', 'pearson', 'precision@6', 'precision@20%']
    assert [r.k for r in results[3:]] == [6, 12]
    for r in results:
        assert r.ci_low <= r.value <= r.ci_high, r
        assert r.ci_low < r.ci_high, r  # the data are noisy: the interval is not degenerate
    again = ranking_metrics(x, y, topk=(6, 0.2), resamples=300, seed=5)
    assert again == results
    other = ranking_metrics(x, y, topk=(6, 0.2), resamples=300, seed=6)
    assert [r.ci_low for r in other] != [r.ci_low for r in results]


def test_wider_confidence_gives_wider_interval_and_zero_resamples_gives_none():
    x, y = tied_data(4, n=50)
    narrow = bootstrap_ci(kendall_rows, x, y, resamples=400, confidence=0.5)
    wide = bootstrap_ci(kendall_rows, x, y, resamples=400, confidence=0.99)
    assert wide[0] < narrow[0] < narrow[1] < wide[1]
    assert all(math.isnan(v) for v in bootstrap_ci(kendall_rows, x, y, resamples=0))


def test_perfect_ranking():
    x = np.arange(20.0)
    for r in ranking_metrics(x, x ** 3, topk=(5,), resamples=100):
        if r.name == 'pearson':
            assert 0.9 < r.value < 1
        else:
            assert r.value == pytest.approx(1.0) and r.ci_low == pytest.approx(1.0)


def test_constant_scores_give_nan_correlation_not_an_exception():
    assert math.isnan(kendall_tau_b([1, 1, 1, 1], [1, 2, 3, 4]))
    assert math.isnan(spearman([1, 1, 1, 1], [1, 2, 3, 4]))
    assert math.isnan(pearson([1, 2, 3, 4], [5, 5, 5, 5]))


@pytest.mark.parametrize('x, y, message', [
    ([1, 2, 3], [1, 2], 'same length'),
    ([1, 2], [1, 2], 'at least 3'),
    ([1, 2, float('nan')], [1, 2, 3], 'NaN'),
])
def test_bad_inputs_raise_clear_errors(x, y, message):
    with pytest.raises(RankingInputError, match=message):
        ranking_metrics(x, y, resamples=10)
