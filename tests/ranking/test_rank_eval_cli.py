"""tools/rank_eval.py end to end: a real subprocess writes the JSON report and the PNG plot."""
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from scipy import stats

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
    spec = importlib.util.spec_from_file_location('rank_eval', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_rank_eval_reports_bad_input_without_a_traceback(tmp_path, capsys):
    make_tables(tmp_path)
    (tmp_path / 'other.json').write_text(json.dumps({'0000000': 1.0, '1111111': 2.0}))
    tool = load_tool()
    assert tool.main([str(tmp_path / 'ranked.csv'), str(tmp_path / 'other.json')]) == 2
    err = capsys.readouterr().err
    assert err.startswith('error: only 0 architecture(s)') and 'Traceback' not in err
