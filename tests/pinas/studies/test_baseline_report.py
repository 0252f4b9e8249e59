"""Methods are reported beside the zero-cost baselines, with their margin over the best one."""
import json

import numpy as np
import pytest

from pinas.ranking import RankingInputError, kendall_tau_b
from pinas.ranking.metrics import partial_kendall_tau
from pinas.ranking.report import compare_with_baselines, format_study, margin_over
from pinas.studies.methods import read_baselines


def study(n=40, seed=0):
    rng = np.random.default_rng(seed)
    archs = [f'{i:06d}' for i in range(n)]
    truth = rng.normal(size=n)
    table = lambda noise: dict(zip(archs, truth + noise * rng.normal(size=n)))  # noqa: E731
    return dict(zip(archs, truth)), {'good': table(0.3), 'poor': table(3.0)}, {'params': table(1.0),
                                                                             'random': table(100.0)}


def test_each_method_gets_its_margin_over_the_best_baseline():
    truth, methods, baselines = study()
    rows = {r.name: r for r in compare_with_baselines(methods, baselines, truth, topk=[5], bootstrap=200)}
    assert [r.is_baseline for r in rows.values()] == [True, True, False, False]
    y = list(truth.values())
    taus = {name: kendall_tau_b([scores[a] for a in truth], y) for name, scores in {**methods, **baselines}.items()}
    assert rows['params'].tau.value == pytest.approx(taus['params']) and taus['params'] > taus['random']
    for name in methods:
        margin = rows[name].margin
        assert margin.name == 'margin_kendall_tau_b over params'
        assert margin.value == pytest.approx(taus[name] - taus['params'])
        assert margin.ci_low <= margin.value <= margin.ci_high
    assert rows['good'].margin.ci_low > 0 and rows['poor'].margin.value < 0
    assert rows['params'].margin is None and set(rows['good'].as_dict()) == {'kind', 'metrics', 'margin_kendall_tau_b'}


def test_the_margin_interval_is_paired():
    """A method identical to the baseline has margin 0 on every resample, however wide either tau's interval is."""
    truth, _, baselines = study(seed=1)
    x = [baselines['params'][a] for a in truth]
    margin = margin_over(x, x, list(truth.values()), 'params', bootstrap=200)
    assert (margin.value, margin.ci_low, margin.ci_high) == (0, 0, 0)


def test_only_architectures_every_table_holds_are_compared():
    truth, methods, baselines = study()
    baselines['params'].pop(next(iter(truth)))
    rows = compare_with_baselines(methods, baselines, truth, topk=[5], bootstrap=0)
    assert {r.tau.n for r in rows} == {len(truth) - 1}


def test_format_study_lists_methods_then_baselines_best_first():
    truth, methods, baselines = study()
    text = format_study(compare_with_baselines(methods, baselines, truth, topk=[5], bootstrap=100), ceiling=0.8)
    lines = text.splitlines()
    assert lines[0].startswith('|  | kind | Kendall tau-b [CI] | spearman | pearson | precision@5 | margin over best')
    assert [line.split(' | ')[0].strip('| ') for line in lines[2:]] == ['good', 'poor', 'params', 'random']
    assert '(params)' in lines[2] and lines[2].endswith('% |')
    with_compute = format_study(compare_with_baselines(methods, baselines, truth, topk=[5], bootstrap=0),
                                compute={'good': 88, 'poor': 90}).splitlines()
    assert with_compute[0].startswith('|  | kind | passes per image | Kendall tau-b [CI] |')
    assert with_compute[2].startswith('| good | method | 88 | ')
    assert with_compute[4].startswith('| params | baseline | 0 |')


def test_read_baselines_takes_the_proxy_tables_of_a_directory(tmp_path):
    rows = [dict(arch='0123', score=1.0), dict(arch='3210', score=2.0)]
    for name in ('params', 'snip', 'zero_cost', 'other'):
        (tmp_path / f'{name}.json').write_text(json.dumps(rows if name != 'zero_cost' else {'space': 'x'}))
    tables = read_baselines(tmp_path)
    assert list(tables) == ['params', 'snip'] and tables['snip'].values == {'0123': 1.0, '3210': 2.0}
    assert list(read_baselines(tmp_path, ['snip'])) == ['snip']


def test_partial_tau_given_the_control_tells_size_rankers_from_methods_that_see_beyond_size():
    """On a sample whose accuracy is mostly size, a score that only ranks size has a high plain tau and a partial
    tau given FLOPs near 0; a score that ranks what size does not has a positive one."""
    rng = np.random.default_rng(3)
    n = 80
    size, quality = rng.normal(size=n), rng.normal(scale=0.5, size=n)
    archs = [f'{i:06d}' for i in range(n)]
    truth = dict(zip(archs, size + quality))
    methods = {'sizer': dict(zip(archs, size + 0.05 * rng.normal(size=n))), 'seer': dict(zip(archs, quality))}
    baselines = {'flops': dict(zip(archs, size)), 'params': dict(zip(archs, size + rng.normal(size=n)))}
    rows = {r.name: r for r in compare_with_baselines(methods, baselines, truth, topk=[5], bootstrap=200,
                                                      control='flops')}
    assert rows['sizer'].tau.value > rows['seer'].tau.value
    assert rows['sizer'].partial.ci_low < 0.1 < rows['seer'].partial.ci_low
    assert rows['seer'].partial.ci_low <= rows['seer'].partial.value <= rows['seer'].partial.ci_high
    assert rows['flops'].partial is None and rows['params'].partial.name == 'partial_kendall_tau_b given flops'
    assert rows['seer'].as_dict()['partial_kendall_tau_b']['given'] == 'flops'
    assert 'partial tau given flops [CI]' in format_study(list(rows.values())).splitlines()[0]
    with pytest.raises(RankingInputError, match="control baseline 'macs' is not among the baselines"):
        compare_with_baselines(methods, baselines, truth, topk=[5], bootstrap=0, control='macs')


def test_partial_tau_is_kendalls_formula_and_undefined_when_the_control_is_the_score():
    x, y, z = [1, 2, 3, 4, 5, 6], [2, 1, 4, 3, 6, 5], [1, 3, 2, 5, 4, 6]
    t = lambda a, b: kendall_tau_b(a, b)  # noqa: E731
    expected = (t(x, y) - t(x, z) * t(z, y)) / np.sqrt((1 - t(x, z) ** 2) * (1 - t(z, y) ** 2))
    assert partial_kendall_tau(x, y, z) == pytest.approx(expected)
    assert np.isnan(partial_kendall_tau(x, y, x))
