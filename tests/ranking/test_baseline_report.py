"""Methods are reported beside the zero-cost baselines, with their margin over the best one."""
import json

import numpy as np
import pytest

from pinas.ranking import kendall_tau_b
from pinas.ranking.report import compare_with_baselines, format_study, margin_over, read_baselines


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


def test_read_baselines_takes_the_proxy_tables_of_a_directory(tmp_path):
    rows = [dict(arch='0123', score=1.0), dict(arch='3210', score=2.0)]
    for name in ('params', 'snip', 'zero_cost', 'other'):
        (tmp_path / f'{name}.json').write_text(json.dumps(rows if name != 'zero_cost' else {'space': 'x'}))
    tables = read_baselines(tmp_path)
    assert list(tables) == ['params', 'snip'] and tables['snip'].values == {'0123': 1.0, '3210': 2.0}
    assert list(read_baselines(tmp_path, ['snip'])) == ['snip']
