"""tools/analysis_tools/gpu_check.py: a --tiny CPU run of one search and one transfer config gives their table rows;
bad input gives one line and exit status 2."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
TOOL = REPO / 'tools' / 'analysis_tools' / 'gpu_check.py'
SEARCH = 'configs/search/spos_resnest50d_*imagenet.py'  # ImageNet class folders, the AMP config on CPU
TRANSFER = 'configs/retinanet/*.py'  # COCO layout, the cheapest detector of the paper configs


def run_tool(*args, cwd=REPO, timeout=300):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get('PYTHONPATH', '')]))
    return subprocess.run([sys.executable, str(TOOL), *args], capture_output=True, text=True, env=env, cwd=cwd,
                          timeout=timeout)


def table_rows(text: str) -> dict[str, dict[str, str]]:
    lines = [line for line in text.splitlines() if line.startswith('| ')]
    header = [c.strip() for c in lines[0].strip('|').split('|')]
    return {cells[0]: dict(zip(header, cells)) for cells in
            ([c.strip() for c in line.strip('|').split('|')] for line in lines[1:])}


@pytest.mark.slow
def test_tiny_cpu_run_reports_a_search_and_a_transfer_config(tmp_path):
    out = tmp_path / 'gpu_check.md'
    run = run_tool('--tiny', '--configs', SEARCH, TRANSFER, '--work-dir', str(tmp_path / 'work'), '--out', str(out))
    assert run.returncode == 0, run.stdout + run.stderr
    rows = table_rows(run.stdout)
    names = {Path(p).stem for pattern in (SEARCH, TRANSFER) for p in REPO.glob(pattern)}
    assert len(names) == 2 and set(rows) == names
    for name, row in rows.items():
        assert float(row['s/iter']) > 0 and float(row['images/s']) > 0, row
        assert row['device'].startswith('CPU') and row['peak memory'].endswith('(RSS)'), row
        assert row['batch/GPU'] == '2', row
    search = next(row for name, row in rows.items() if name.startswith('spos'))
    assert 'AMP off (CPU)' in search['note'] and search['input (HxW)'] == '32x32'
    assert out.read_text() == run.stdout  # --out writes the printed table


@pytest.mark.slow
def test_a_glob_that_matches_nothing_is_one_line_and_status_2(tmp_path):
    run = run_tool('--configs', 'configs/search/no_such_config*.py', cwd=tmp_path, timeout=60)
    assert run.returncode == 2
    assert run.stderr.startswith('error: --configs') and 'matches no config' in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1 and 'Traceback' not in run.stderr and not run.stdout


def test_a_missing_library_is_one_line_and_status_2(monkeypatch, capsys):
    from tools.analysis_tools import gpu_check
    monkeypatch.setitem(sys.modules, 'downstream.gpu_check', None)  # import fails: no downstream package
    assert gpu_check.main(['--tiny', '--configs', str(REPO / TRANSFER)]) == 2
    err = capsys.readouterr().err
    assert err.startswith('error: the GPU check\'s library downstream.gpu_check cannot be imported')
    assert len(err.strip().splitlines()) == 1
