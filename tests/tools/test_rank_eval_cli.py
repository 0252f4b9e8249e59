"""tools/rank_eval.py end to end: a real subprocess writes the JSON report and the PNG plot."""
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from tools import rank_eval

REPO = Path(__file__).resolve().parents[2]
TOOL = REPO / 'tools' / 'rank_eval.py'


def make_tables(tmp_path, n=60):
    """A ranked score table (CSV) and a Track-1 style ground truth with '-'-joined codes."""
    rng = np.random.default_rng(0)
    codes = sorted({tuple(int(c) for c in rng.integers(0, 4, 6)) for _ in range(n)})
    truth = rng.normal(70, 3, len(codes))
    scores = truth + rng.normal(0, 2, len(codes))
    lines = [f'{i},{"".join(map(str, c))},{s}' for i, (c, s) in enumerate(zip(codes, scores))]
    csv = 'rank,arch,score\n' + '\n'.join(lines) + '\n'
    (tmp_path / 'ranked.csv').write_text(csv)
    gt = {f'arch{i}': dict(acc=float(t), arch='-'.join(map(str, c))) for i, (c, t) in enumerate(zip(codes, truth))}
    gt['arch_extra'] = dict(acc=50.0, arch='9-9-9-9-9-9')  # only in the ground truth
    (tmp_path / 'gt.json').write_text(json.dumps(gt))
    return scores, truth


@pytest.mark.slow
def test_rank_eval_writes_json_and_plot(tmp_path):
    scores, truth = make_tables(tmp_path)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get('PYTHONPATH', '')]))
    cmd = [sys.executable, str(TOOL), str(tmp_path / 'ranked.csv'), str(tmp_path / 'gt.json'), '--out',
           str(tmp_path / 'out' / 'rank.json'), '--plot', str(tmp_path / 'out' / 'rank.png'), '--topk', '5', '10%',
           '--bootstrap', '200', '--seed', '3']
    run = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert run.returncode == 0, run.stderr
    assert 'kendall_tau_b' in run.stdout and 'precision@10%' in run.stdout
    report = json.loads((tmp_path / 'out' / 'rank.json').read_text())
    assert report['matched'] == len(scores) and report['ground_truth']['rows'] == len(scores) + 1
    assert report['ground_truth']['key'] == 'acc' and report['bootstrap'] == 200
    metrics = report['metrics']
    assert set(metrics) == {'kendall_tau_b', 'spearman', 'pearson', 'precision@5', 'precision@10%'}
    tau = metrics['kendall_tau_b']
    assert abs(tau['value'] - stats.kendalltau(scores, truth).statistic) < 1e-12
    assert tau['ci'][0] <= tau['value'] <= tau['ci'][1]
    assert metrics['precision@10%']['k'] == round(0.1 * len(scores))
    png = (tmp_path / 'out' / 'rank.png').read_bytes()
    assert png.startswith(b'\x89PNG') and len(png) > 5000


def load_tool():
    return rank_eval


def test_rank_eval_reports_bad_input_without_a_traceback(tmp_path, capsys):
    make_tables(tmp_path)
    (tmp_path / 'other.json').write_text(json.dumps({'0000000': 1.0, '1111111': 2.0}))
    tool = load_tool()
    assert tool.main([str(tmp_path / 'ranked.csv'), str(tmp_path / 'other.json')]) == 2
    err = capsys.readouterr().err
    assert err.startswith('error: only 0 architecture(s)') and 'Traceback' not in err


# --- small samples: no number below 5, a permutation p-value below 20, a bootstrap CI from 20 -------------------
def write_pair(tmp_path, scores, truth):
    """A scores table and a ground-truth table ({code: value} JSON) of len(scores) architectures."""
    codes = [np.base_repr(i, 4).zfill(6) for i in range(len(scores))]
    (tmp_path / 's.json').write_text(json.dumps(dict(zip(codes, map(float, scores)))))
    (tmp_path / 't.json').write_text(json.dumps(dict(zip(codes, map(float, truth)))))
    return [str(tmp_path / 's.json'), str(tmp_path / 't.json')]


def run_main(capsys, argv):
    status = load_tool().main(argv)
    out = capsys.readouterr()
    return status, out.out, out.err


def brute_force_p(x, y) -> float:
    """Two-sided permutation p-value of Kendall's tau-b over all orders of ``y``, with scipy's tau-b."""
    observed = abs(stats.kendalltau(x, y).statistic)
    orders = list(itertools.permutations(y))
    return sum(abs(stats.kendalltau(x, order).statistic) >= observed - 1e-12 for order in orders) / len(orders)


def test_three_architectures_get_no_correlation_number(tmp_path, capsys):
    status, out, _ = run_main(capsys, write_pair(tmp_path, [1, 2, 3], [1, 3, 2]) + ['--out', str(tmp_path / 'r.json')])
    assert status == 0
    assert 'n too small (n=3, need 5)' in out and 'kendall_tau_b' not in out and 'CI' not in out
    report = json.loads((tmp_path / 'r.json').read_text())
    assert report['metrics'] == {} and report['skipped'] == 'n too small (n=3, need 5)'


def test_five_architectures_get_the_exact_p_value_of_all_orders_and_no_interval(tmp_path, capsys):
    scores, truth = [1.0, 2.0, 2.0, 3.0, 5.0], [1.0, 3.0, 2.0, 2.0, 4.0]   # ties on both sides
    status, out, _ = run_main(capsys, write_pair(tmp_path, scores, truth) + ['--out', str(tmp_path / 'r.json')])
    assert status == 0 and 'CI' not in out
    assert 'two-sided permutation test, exact: all 5! = 120 orders' in out
    report = json.loads((tmp_path / 'r.json').read_text())
    test = report['kendall_tau_b_permutation']
    assert test['exact'] and test['orders'] == 120 and test['p_value'] == pytest.approx(brute_force_p(scores, truth))
    assert report['metrics']['kendall_tau_b']['ci'] == [None, None]
    assert f'p = {test["p_value"]:.3f}' in out


def test_twelve_architectures_get_a_monte_carlo_p_value_with_its_error(tmp_path, capsys):
    rng = np.random.default_rng(0)
    truth = rng.normal(size=12)
    status, out, _ = run_main(capsys, write_pair(tmp_path, truth + rng.normal(0, 1, 12), truth))
    assert status == 0 and 'CI' not in out
    assert 'Monte-Carlo: 100000 seeded random orders, standard error 0.' in out


def test_twenty_architectures_get_a_bootstrap_interval(tmp_path, capsys):
    rng = np.random.default_rng(0)
    truth = rng.normal(size=20)
    status, out, _ = run_main(capsys, write_pair(tmp_path, truth + rng.normal(0, 1, 20), truth)
                              + ['--bootstrap', '200'])
    assert status == 0 and '95% CI low' in out and 'permutation' not in out


@pytest.mark.parametrize('option', [['--bootstrap', '-1'], ['--confidence', '2']])
def test_bad_bootstrap_options_are_one_line_with_the_fix(tmp_path, capsys, option):
    status, out, err = run_main(capsys, write_pair(tmp_path, range(8), range(8)) + option)
    assert status == 2 and out == '' and err.count('\n') == 1
    assert err.startswith('error: ') and '; pass ' in err and 'Traceback' not in err
