"""A study's verdicts: a method is the mean over its supernet seeds with an interval that holds both the architecture
sample's and the training's variance, every comparison is paired, and scores are judged against the noise ceiling
of the seed-averaged ground truth, not against seed-to-seed tau."""
import json
import math

import numpy as np
import pytest

from pinas.ranking.metrics import noise_ceiling_tau, ranking_metrics, seed_ceilings
from pinas.ranking.paired import PARTIAL, TAU, SeededRanking
from pinas.ranking.report import format_seeded_study
from pinas.studies.study import plan_study, run_plan, seed_records, seeded_summary, study_from_dict
from pinas.utils.cli import UsageError


def _truth(n: int, seed: int = 0) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    return {f'{i:03d}': float(v) for i, v in enumerate(rng.normal(size=n))}


def _noisy(truth: dict, noise: float, seed: int) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    return {a: v + noise * float(rng.normal()) for a, v in truth.items()}


# --- the ceiling -----------------------------------------------------------------------------------------------
def test_the_noise_ceiling_is_what_a_noise_free_ranking_reaches_against_the_seed_mean():
    """Simulated ground truth: true accuracies plus independent seed noise. Seed-to-seed tau understates what a
    perfect ranking reaches against the 2-seed mean; the corrected ceiling predicts it."""
    rng = np.random.default_rng(0)
    true = rng.normal(size=4000)
    seeds = true + 0.8 * rng.normal(size=(2, 4000))
    from scipy import stats
    seed_tau = stats.kendalltau(seeds[0], seeds[1]).statistic
    reached = stats.kendalltau(true, seeds.mean(axis=0)).statistic
    assert seed_tau < reached - 0.1
    assert noise_ceiling_tau(seed_tau, 2) == pytest.approx(reached, abs=0.015)
    # the formula, written out: tau -> Pearson (sin), Spearman-Brown for k seeds, sqrt, back to tau (arcsin)
    r1 = math.sin(math.pi * 0.705 / 2)
    assert noise_ceiling_tau(0.705, 2) == pytest.approx(2 / math.pi * math.asin(math.sqrt(2 * r1 / (1 + r1))))
    assert noise_ceiling_tau(0.7052504851705526, 2) == pytest.approx(0.8485, abs=1e-4)  # the Track-1 table (100)
    assert math.isnan(noise_ceiling_tau(-0.1, 2))


def test_seed_ceilings_give_both_references_with_one_interval_each():
    truth = _truth(60)
    seeds = [_noisy(truth, 0.5, s) for s in (1, 2)]
    raw, ceiling = seed_ceilings([list(s.values()) for s in seeds])
    assert raw.ci_low <= raw.value <= raw.ci_high and ceiling.ci_low <= ceiling.value <= ceiling.ci_high
    assert ceiling.value == pytest.approx(noise_ceiling_tau(raw.value, 2)) and ceiling.value > raw.value
    noise = [list(_noisy({a: 0.0 for a in truth}, 1.0, s).values()) for s in (3, 4)]  # seeds that share nothing
    raw, ceiling = seed_ceilings(noise)
    assert raw.ci_low < 0 and ceiling.ci_low == 0.0  # draws without agreement count as a ceiling of 0


# --- a method over its seeds -----------------------------------------------------------------------------------
def test_one_seed_gives_the_architecture_interval_of_the_single_run_metrics():
    truth = _truth(40)
    scores = _noisy(truth, 0.7, 1)
    estimate = SeededRanking({'m': [scores]}, truth).estimate('m')
    tau = ranking_metrics([scores[a] for a in sorted(truth)], [truth[a] for a in sorted(truth)], topk=[])[0]
    assert (estimate.value, estimate.ci_low, estimate.ci_high) == pytest.approx((tau.value, tau.ci_low, tau.ci_high))
    assert estimate.std is None


def test_training_variance_widens_the_interval_and_the_mean_is_over_seeds():
    truth = _truth(40)
    stable = [_noisy(truth, 0.7, 1)] * 3
    varying = [_noisy(truth, noise, s) for s, noise in ((1, 0.7), (2, 0.2), (3, 1.5))]
    ranking = SeededRanking({'stable': stable, 'varying': varying}, truth)
    a, b = ranking.estimate('stable'), ranking.estimate('varying')
    assert b.value == pytest.approx(np.mean(b.per_seed)) and b.std == pytest.approx(np.std(b.per_seed, ddof=1))
    assert (b.ci_high - b.ci_low) > (a.ci_high - a.ci_low)


def test_a_difference_is_supported_only_where_its_paired_interval_excludes_zero():
    truth = _truth(50)
    good, bad = [_noisy(truth, 0.2, s) for s in (1, 2, 3)], [_noisy(truth, 3.0, s) for s in (4, 5, 6)]
    twin = [_noisy(truth, 0.2, s) for s in (7, 8, 9)]
    ranking = SeededRanking({'good': good, 'bad': bad, 'twin': twin}, truth, control=_noisy(truth, 2.0, 10))
    assert ranking.difference('good', 'bad').supported is True
    assert ranking.difference('good', 'twin').supported is False
    assert ranking.difference('good', 'bad', PARTIAL).value > 0


def test_below_twenty_architectures_no_interval_is_claimed():
    truth = _truth(12)
    ranking = SeededRanking({'m': [_noisy(truth, 0.5, 1)], 'n': [_noisy(truth, 1.0, 2)]}, truth)
    assert not ranking.bootstrapped and math.isnan(ranking.estimate('m').ci_low)
    assert ranking.difference('m', 'n').supported is None


# --- a study's seeds -------------------------------------------------------------------------------------------
def _study(**changes):
    cfg = dict(name='s', reference=dict(name='ref', stages=['a'], epochs=[1]), baselines=[dict(name='base',
               stages=['c'])], budgets=[1, 2], seeds=[0, 1, 2], seeded_budgets=[1])
    cfg.update(changes)
    return study_from_dict(cfg)


PASSES = {'a': (3, 3), 'c': (3, 3)}


def test_a_seed_is_a_run_of_its_own_named_and_trained_with_it():
    study = _study()
    first, second = plan_study(study, passes=lambda c, _: PASSES[c]), \
        plan_study(study, passes=lambda c, _: PASSES[c], seed=1)
    assert first[1]['ref'].name == 'ref' and 'randomness.seed' not in first[1]['ref'].options()
    assert list(second) == [1]  # budget 2 trains the first seed only
    assert second[1]['base'].name == 'base_s1' and second[1]['base'].options()['randomness.seed'] == 1
    with pytest.raises(UsageError, match='not one of the study'):
        plan_study(study, passes=lambda c, _: PASSES[c], seed=7)
    for bad, message in ((dict(seeds=[0, 0]), 'distinct'), (dict(seeded_budgets=[4]), 'not budgets of the study')):
        with pytest.raises(UsageError, match=message):
            _study(**bad)


def test_a_report_gathers_the_seeds_whose_runs_are_there_and_renders_from_its_numbers(tmp_path):
    study = _study()
    truth = _truth(30)
    archs = sorted(truth)

    def train(run, todo, work_dir, options):
        noise = 0.3 if run.method == 'ref' else 1.0
        return dict(train_seconds=1.0, score_seconds=0.1,
                    scores=_noisy({a: truth[a] for a in todo}, noise, hash((run.name, run.budget)) % 1000))

    passes = lambda c, _: PASSES[c]  # noqa: E731
    records = run_plan(plan_study(study, passes=passes), archs, tmp_path, tmp_path, train=train, log=lambda _: None)
    run_plan(plan_study(study, passes=passes, seed=1), archs, tmp_path, tmp_path, train=train, log=lambda _: None)
    runs = seed_records(study, records, archs, tmp_path, passes=passes)
    assert [r['seed'] for r in runs[1]['ref']] == [0, 1] and len(runs[2]['ref']) == 1  # seed 2 not trained yet
    flops = _noisy(truth, 1.5, 99)
    summary = json.loads(json.dumps(seeded_summary(runs, truth, {'flops': flops, 'synflow': _noisy(truth, 0.8, 98)},
                                                   control='flops', methods=['ref', 'base'])))
    row = summary['methods']['ref x1']
    assert row['seeds'] == [0, 1] and row[TAU]['seeds'] == 2 and PARTIAL in row
    assert summary['best_baseline'] == {TAU: 'synflow', PARTIAL: 'synflow'}
    pairs = {(d['a'], d['b'], d['metric']) for d in summary['comparisons']}
    assert {('ref x1', 'base x1', TAU), ('ref x2', 'ref x1', TAU), ('base x2', 'synflow', PARTIAL)} <= pairs
    # an ablation study compares each variant with the reference only (study key pairs='reference')
    three = {b: {**r, 'var': r['base']} for b, r in runs.items()}
    against = seeded_summary(three, truth, {'flops': flops}, methods=['ref', 'base', 'var'], against='ref')
    within = {(d['a'], d['b']) for d in against['comparisons'] if d['a'].endswith('x1') and d['b'].endswith('x1')}
    assert within == {('ref x1', 'base x1'), ('ref x1', 'var x1')}
    assert study_from_dict(dict(name='s', reference=dict(name='ref', stages=['a'], epochs=[1]), baselines=[],
                                pairs='reference')).pairs == 'reference'
    report = dict(ground_truth='gt.json', archs='all', seeded=summary, ceilings=None)
    text = format_seeded_study(report)
    assert text == format_seeded_study(json.loads(json.dumps(report)))
    assert '| x1 | ref | 3 | 2 |' in text and 'synflow (zero-cost)' in text and '**yes**' in text
