"""tools/leaderboard.py: rows and seeds, correlations, the files it writes, determinism and bad input."""
import csv
import io
import json
import math
import os
import shutil
import subprocess
import sys

import pytest
import yaml
from leaderboard_helpers import (ARCHS, BOOTSTRAP, DEEPLAB, MASK_RCNN, PAPER_DIR, REPO, SEEDS, SPOS_ARCHS,
                                 run_record, run_tool, study_dirs, study_records, write_records)

from pinas.leaderboard import save_record
from pinas.leaderboard.build import CORRELATIONS, CSV, HTML, MARKDOWN, build
from pinas.leaderboard.correlation import Settings
from pinas.leaderboard.model_index import INDEX_FILE
from pinas.leaderboard.table import LeaderboardError, build_boards, unique_records
from pinas.ranking import kendall_tau_b, ranking_metrics
from pinas.ranking.metrics import kendall_permutation_test

TOOL = REPO / 'tools' / 'leaderboard.py'
SETTINGS = Settings(resamples=BOOTSTRAP)


def board(leaderboard, task, dataset):
    return next(b for b in leaderboard.boards if b.task.name == task and b.dataset == dataset)


# --- rows ------------------------------------------------------------------------------------------------------
def test_rows_aggregate_seeds_and_sort_best_first(tmp_path):
    leaderboard = build(study_dirs(tmp_path), SETTINGS)
    records = study_records()
    seg = board(leaderboard, 'instance_segmentation', 'COCO')
    det = board(leaderboard, 'object_detection', 'COCO')
    # a Mask R-CNN record gives a detection row (box AP) and an instance segmentation row (mask AP)
    assert len(seg.rows) == len(det.rows) == len(ARCHS) + 1 + 2  # pinas archs, the baseline, two paper rows
    assert set(det.metric_names) == {'box_AP', 'box_AP50'} and seg.metric_names == ('mask_AP',)
    means = [row.primary.mean for row in seg.rows]
    assert means == sorted(means, reverse=True)
    row = next(r for r in seg.rows if r.first.arch == ARCHS[3] and r.method == 'pinas')
    values = [r.metrics['mask_AP'] for r in records if r.arch == ARCHS[3] and r.task == 'instance_segmentation'
              and r.provenance.method == 'pinas']
    assert row.seeds == SEEDS and row.primary.n == len(SEEDS)
    assert row.primary.mean == pytest.approx(sum(values) / 2)
    assert row.primary.std == pytest.approx(abs(values[0] - values[1]) / 2 ** 0.5)
    paper = [r for r in seg.rows if r.is_paper]
    assert {r.first.name for r in paper} == {'Pi-NAS-trans', 'ResNeSt-50'}
    assert all(r.primary.n == 1 and r.primary.std is None for r in paper)
    # the same architecture searched by two methods stays two rows (two settings)
    ade = board(leaderboard, 'semantic_segmentation', 'ADE20K')
    assert len([r for r in ade.rows if r.first.arch == SPOS_ARCHS[0] and not r.is_paper]) == 2


def test_correlations_match_pinas_ranking_and_leave_paper_rows_out(tmp_path):
    leaderboard = build(study_dirs(tmp_path), SETTINGS)
    found = {(s.board.task.name, s.board.dataset, s.method): s for s in leaderboard.studies}
    assert set(found) == {('object_detection', 'COCO', 'pinas'), ('instance_segmentation', 'COCO', 'pinas'),
                          ('semantic_segmentation', 'ADE20K', 'pinas'), ('semantic_segmentation', 'ADE20K', 'spos')}
    study = found[('instance_segmentation', 'COCO', 'pinas')]
    assert all(not row.is_paper and row.score is not None for row in study.rows) and len(study.rows) == len(ARCHS)
    # 8 architectures: point values (no bootstrap interval) and tau's exact permutation p-value
    scores, truth = [r.score for r in study.rows], [r.primary.mean for r in study.rows]
    expected = ranking_metrics(scores, truth, resamples=0)
    assert [(m.name, m.value) for m in study.metrics] == [(m.name, m.value) for m in expected]
    assert all(math.isnan(m.ci_low) and math.isnan(m.ci_high) for m in study.metrics)
    tau = study.metric('kendall_tau_b')
    assert tau.value > 0.5 and study.permutation == kendall_permutation_test(scores, truth)
    # the seed-to-seed tau: seed 0 vs seed 1 of the same architectures, with its own p-value
    (ceiling,) = study.ceiling
    assert ceiling.seeds == (0, 1)
    by_seed = {s: {r.arch: r.metrics['mask_AP'] for r in study_records() if r.seed == s and r.provenance.method ==
                   'pinas' and r.task == 'instance_segmentation'} for s in SEEDS}
    x, y = [by_seed[0][a] for a in ARCHS], [by_seed[1][a] for a in ARCHS]
    assert ceiling.tau.value == pytest.approx(kendall_tau_b(x, y))
    assert ceiling.permutation.p_value == kendall_permutation_test(x, y).p_value
    # SPOS scored 4 of the architectures: too few for any correlation
    spos = found[('semantic_segmentation', 'ADE20K', 'spos')]
    assert spos.skipped == 'n too small (n=4, need 5)' and spos.metrics == () and spos.ceiling == ()


def test_a_study_of_fewer_than_five_architectures_is_reported_as_skipped(tmp_path):
    records = [run_record(arch, 0, score=float(i)) for i, arch in enumerate(ARCHS[:4])]
    leaderboard = build([write_records(records, tmp_path)], SETTINGS)
    assert {s.skipped for s in leaderboard.studies} == {'n too small (n=4, need 5)'}


def test_identical_copies_count_once_with_a_warning(tmp_path):
    record = run_record(ARCHS[0], 0, score=1.0)
    save_record(record, tmp_path / 'a' / 'record.json')
    save_record(record, tmp_path / 'b' / 'record.json')
    records, warnings = unique_records([record, record])
    assert len(records) == 1 and len(warnings) == 1
    leaderboard = build([tmp_path], SETTINGS)
    assert len(leaderboard.records) == 1
    assert leaderboard.warnings == [f'{tmp_path / "b" / "record.json"}: identical to {tmp_path / "a" / "record.json"};'
                                    ' counted once']


# --- files -----------------------------------------------------------------------------------------------------
def test_tool_writes_markdown_csv_html_and_correlations(tmp_path, tool, capsys):
    out = tmp_path / 'out'
    status, stdout, err = run_tool(tool, capsys, *study_dirs(tmp_path), '--out', out)
    assert status == 0, err
    assert f'leaderboard: {(out / HTML).resolve()}' in stdout
    md = (out / MARKDOWN).read_text()
    assert '## Instance Segmentation: COCO val2017' in md and '## Search score vs downstream metric' in md
    assert '| 1 | Pi-NAS-trans | 3333113330011021 | pinas_resnest50d | 39.50 |' in md
    assert '± ' in md and '(n=2)' in md and 'paper [1]' in md and 'Peng et al.' in md
    rows = list(csv.DictReader(io.StringIO((out / CSV).read_text())))
    assert list(rows[0])[:3] == ['model', 'arch', 'space'] and 'param_count' in rows[0]
    seg = [r for r in rows if r['task'] == 'instance_segmentation']
    assert [int(r['rank']) for r in seg] == list(range(1, len(seg) + 1))
    assert [float(r['mask_AP']) for r in seg] == sorted((float(r['mask_AP']) for r in seg), reverse=True)
    assert {r['source'] for r in seg} == {'run', 'paper'}
    correlations = json.loads((out / CORRELATIONS).read_text())
    assert correlations['bootstrap'] == BOOTSTRAP and len(correlations['studies']) == 4
    study = correlations['studies'][0]
    assert set(study['statistics']) == {'kendall_tau_b', 'spearman', 'pearson', 'precision@10%', 'precision@20%'}
    assert study['seed_to_seed'][0]['seeds'] == [0, 1] and study['kendall_tau_b_permutation']['exact']
    assert study['noise_ceiling']['seeds'] == len(SEEDS)
    assert all(a['name'] not in ('Pi-NAS-trans', 'ResNeSt-50') for s in correlations['studies'] for a in s['archs'])
    html = (out / HTML).read_text()
    for remote in ('http://', 'https://', '<link', 'src='):
        assert remote not in html.replace('xmlns="http://www.w3.org/2000/svg"', '')
    # GMACs plots of 4 boards (Cityscapes' paper row has no GMACs) and the 4 studies
    assert html.count('<svg') == len(list((out / 'plots').glob('*.svg'))) == 8


def test_model_index_validates_with_the_model_index_package(tmp_path, tool, capsys):
    from modelindex.load_model_index import load
    out = tmp_path / 'out'
    assert run_tool(tool, capsys, *study_dirs(tmp_path), '--out', out)[0] == 0
    index = load(str(out / INDEX_FILE))
    assert index.check(silent=True) == []
    assert sorted(c.name for c in index.collections) == ['deeplabv3', 'mask_rcnn', 'paper']
    models = {m.name: m for m in index.models}
    assert len(models) == len(ARCHS) * 2 + len(SPOS_ARCHS) + 1 + 6
    mask = next(m for m in models.values() if m.in_collection == 'mask_rcnn' and m.config == MASK_RCNN)
    assert [r.task for r in mask.results] == ['Object Detection', 'Instance Segmentation']
    paper = yaml.safe_load((out / 'metafiles' / 'paper' / 'metafile.yml').read_text())
    trans = next(m for m in paper['Models'] if m['Name'].startswith('Pi-NAS-trans') and 'COCO' in m['Name'])
    assert trans['Results'][1] == {'Task': 'Instance Segmentation', 'Dataset': 'COCO',
                                   'Metrics': {'mask AP': '39.50'}}   # quoted: the printed precision survives
    deeplab = next(m for m in index.models if m.config == DEEPLAB)
    assert deeplab.results[0].task == 'Semantic Segmentation'
    # the validator does report errors (so an empty list above means something)
    broken = out / 'metafiles' / 'mask_rcnn' / 'metafile.yml'
    broken.write_text(broken.read_text().replace('In Collection: mask_rcnn', 'In Collection: mask-rcnn', 1))
    assert load(str(out / INDEX_FILE)).check(silent=True)


def test_same_records_give_byte_identical_files(tmp_path, tool, capsys):
    """Twice from the same records and scores table, the second time with the records laid out flat under other
    names and the directories passed in the other order."""
    first, second = tmp_path / 'first', tmp_path / 'second'
    table = tmp_path / 'spos' / 'ranked.json'
    table.parent.mkdir()
    table.write_text(json.dumps([dict(rank=i + 1, arch=arch, score=70.0 - i * 0.7 + (i % 3) * 0.9)
                                 for i, arch in enumerate(ARCHS)]))
    scores = ('--scores', f'spos:top1={table}')
    assert run_tool(tool, capsys, *study_dirs(tmp_path / 'a'), '--out', first, *scores)[0] == 0
    flat = write_records(list(reversed(study_records())), tmp_path / 'b' / 'flat', nested=False)
    shutil.copytree(PAPER_DIR, tmp_path / 'b' / 'published')
    assert run_tool(tool, capsys, tmp_path / 'b' / 'published', flat, '--out', second, *scores)[0] == 0
    files = sorted(p.relative_to(first) for p in first.rglob('*') if p.is_file())
    assert sorted(p.relative_to(second) for p in second.rglob('*') if p.is_file()) == files
    assert {p.suffix for p in files} == {'.md', '.csv', '.yml', '.json', '.html', '.svg'}
    assert len([p for p in files if p.name.startswith('score_') and '_spos_' in p.name]) == 4
    assert str(table) in (first / MARKDOWN).read_text()
    for path in files:
        assert (first / path).read_bytes() == (second / path).read_bytes(), path


def test_paper_records_alone(tmp_path, tool, capsys):
    status, _, err = run_tool(tool, capsys, PAPER_DIR, '--out', tmp_path)
    assert status == 0, err
    md = (tmp_path / MARKDOWN).read_text()
    assert 'No measured row carries a search score' in md and '| 45.47 | 81.27 |' in md
    assert json.loads((tmp_path / CORRELATIONS).read_text())['studies'] == []


# --- bad input: one line naming the file, exit 2, no traceback ------------------------------------------------
def write_json(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))
    return path


def good_dict():
    return run_record(ARCHS[0], 0, score=1.0).to_dict()


def missing_field(tmp_path):
    data = good_dict()
    del data['dataset']
    return write_json(tmp_path / 'runs' / 'r.record.json', data), 'field "dataset": is missing'


def metric_not_a_number(tmp_path):
    data = good_dict()
    data['metrics']['mask_AP'] = '39.5'
    return write_json(tmp_path / 'runs' / 'r.record.json', data), 'field "metrics.mask_AP": is \'39.5\', not a finite'


def unknown_task(tmp_path):
    data = good_dict()
    data['task'] = 'panoptic_segmentation'
    return write_json(tmp_path / 'runs' / 'r.record.json', data), "field \"task\": is 'panoptic_segmentation'"


def environment_not_versions(tmp_path):
    data = dict(good_dict(), environment={'torch': 2.1})
    return write_json(tmp_path / 'runs' / 'r.record.json', data), 'field "environment": is {\'torch\': 2.1}'


def no_records(tmp_path):
    (tmp_path / 'runs').mkdir()
    (tmp_path / 'runs' / 'test_metrics.json').write_text('{}')
    return tmp_path / 'runs', 'contains no records'


def conflicting(tmp_path):
    record = run_record(ARCHS[0], 0, score=1.0)
    save_record(record, tmp_path / 'runs' / 'a' / 'record.json')
    other = dict(record.to_dict(), metrics={'box_AP': 31.0, 'mask_AP': 28.0})
    return write_json(tmp_path / 'runs' / 'b' / 'record.json', other), 'two different records of one experiment'


BAD_INPUTS = [missing_field, metric_not_a_number, unknown_task, environment_not_versions, no_records, conflicting]


@pytest.mark.parametrize('make', BAD_INPUTS, ids=[f.__name__ for f in BAD_INPUTS])
def test_bad_input_is_one_line_naming_the_file(tmp_path, tool, capsys, make):
    path, problem = make(tmp_path)
    status, stdout, err = run_tool(tool, capsys, tmp_path / 'runs', PAPER_DIR, '--out', tmp_path / 'out')
    assert status == 2
    assert err.startswith('error: ') and err.count('\n') == 1 and 'Traceback' not in err
    assert str(path) in err and problem in err
    if make is conflicting:
        assert str(tmp_path / 'runs' / 'a' / 'record.json') in err
    assert not (tmp_path / 'out').exists()


@pytest.mark.parametrize('option', [['--bootstrap', '-1'], ['--confidence', '2']])
def test_bad_bootstrap_options_are_one_line_with_the_fix(tmp_path, tool, capsys, option):
    status = tool.main([str(PAPER_DIR), '--out', str(tmp_path / 'out')] + option)
    err = capsys.readouterr().err
    assert status == 2 and err.startswith('error: ') and err.count('\n') == 1 and '; pass ' in err
    assert not (tmp_path / 'out').exists()


def test_one_architecture_twice_in_a_study_is_an_error():
    stale = run_record(ARCHS[0], 0, score=1.0, config_sha256='f' * 64)
    records = [run_record(a, 0, score=float(i)) for i, a in enumerate(ARCHS[:3])] + [stale]
    with pytest.raises(LeaderboardError, match='appears twice in one study'):
        from pinas.leaderboard.correlation import studies
        studies(build_boards(records), SETTINGS)


@pytest.mark.slow
def test_command_line_exit_status(tmp_path):
    """The real process: conflicting records end it with status 2 and one line, no traceback."""
    conflicting(tmp_path)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get('PYTHONPATH', '')]))
    run = subprocess.run([sys.executable, str(TOOL), str(tmp_path / 'runs'), '--out', str(tmp_path / 'out')],
                         capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 2 and run.stderr.startswith('error: ') and run.stderr.count('\n') == 1
    assert 'Traceback' not in run.stderr
