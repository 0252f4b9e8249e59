"""tools/leaderboard.py --scores METHOD[:SCORE_NAME]=TABLE: another search's scores of the same fine-tuned
architectures, studied against the downstream metric beside the records' own search scores."""
import csv
import importlib.util
import json
import math
import statistics
from dataclasses import replace

import pytest
from leaderboard_helpers import (ARCHS, BOOTSTRAP, DEEPLAB, PAPER_DIR, REPO, SPOS_ARCHS, run_record, study_dirs,
                                 study_records, write_records)

from pinas.leaderboard.build import CORRELATIONS, HTML, MARKDOWN, build
from pinas.leaderboard.correlation import Settings, parse_scores_spec, read_score_table, studies
from pinas.leaderboard.table import LeaderboardError, build_boards, slugify
from pinas.ranking import TableError, ranking_metrics

TOOL = REPO / 'tools' / 'leaderboard.py'
SETTINGS = Settings(resamples=BOOTSTRAP)
ADE = ('semantic_segmentation', 'ADE20K')


@pytest.fixture(scope='module')
def tool():
    spec = importlib.util.spec_from_file_location('leaderboard_tool_scores', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_tool(tool, capsys, *argv):
    status = tool.main([str(a) for a in argv] + ['--bootstrap', str(BOOTSTRAP)])
    out = capsys.readouterr()
    return status, out.out, out.err


def ade_means() -> dict:
    """Mean mIoU over every ADE20K run of each architecture (the Pi-NAS runs and, for 4 of them, the SPOS one)."""
    values = {}
    for record in study_records():
        if record.task == 'semantic_segmentation':
            values.setdefault(record.arch, []).append(record.metrics['mIoU'])
    return {arch: statistics.fmean(v) for arch, v in values.items()}


def write_json(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))
    return path


def table_studies(leaderboard, method='spos', score_name='top1'):
    return {(s.board.task.name, s.board.dataset): s for s in leaderboard.studies
            if s.scores_file and s.method == method and s.score_name == score_name}


# --- the studies -----------------------------------------------------------------------------------------------
def test_a_table_equal_to_the_metric_gives_tau_one_and_reversed_minus_one(tmp_path):
    means = ade_means()
    ranked = write_json(tmp_path / 'spos' / 'ranked.json',
                        [dict(rank=i + 1, arch=a, score=m) for i, (a, m) in
                         enumerate(sorted(means.items(), key=lambda item: -item[1]))])
    reversed_ = write_json(tmp_path / 'reversed.json', {arch: -mean for arch, mean in means.items()})
    tables = [read_score_table('spos', 'top1', ranked), read_score_table('oracle', None, reversed_)]
    leaderboard = build(study_dirs(tmp_path), SETTINGS, tables)
    study = table_studies(leaderboard)[ADE]
    assert study.scores_file == str(ranked) and study.source == str(ranked) and study.config == DEEPLAB
    assert len(study.rows) == len(ARCHS) and study.skipped is None
    assert list(study.scores) == sorted(means.values(), reverse=True)
    assert [row.primary.mean for row in study.rows] == pytest.approx(list(study.scores))
    # an architecture run under two provenances (Pi-NAS pick, 2 seeds; SPOS pick, 1 seed) counts once, all runs
    merged = next(row for row in study.rows if row.first.arch == SPOS_ARCHS[0])
    assert len(merged.records) == 3 and {r.provenance.method for r in merged.records} == {'pinas', 'spos'}
    assert study.metric('kendall_tau_b').value == pytest.approx(1.0)
    assert study.metric('spearman').value == pytest.approx(1.0)
    assert all(study.metric(name).value == pytest.approx(1.0) for name in ('precision@10%', 'precision@20%'))
    expected = ranking_metrics(list(study.scores), [r.primary.mean for r in study.rows], resamples=BOOTSTRAP)
    assert [(m.name, m.value, m.ci_low, m.ci_high) for m in study.metrics] == \
           [(m.name, m.value, m.ci_low, m.ci_high) for m in expected]
    (ceiling,) = study.ceiling
    assert study.ceiling_mean == ceiling.tau.value and study.tau_over_ceiling == pytest.approx(1.0 / ceiling.tau.value)
    # seeds that barely agree (the interval reaches zero) leave nothing to predict: no ratio, not 1 / 0.07 = 14
    weak = replace(ceiling, tau=replace(ceiling.tau, value=0.07, ci_low=-0.6, ci_high=0.7))
    assert math.isnan(replace(study, ceiling=(weak,)).tau_over_ceiling)
    oracle = next(s for s in leaderboard.studies if s.method == 'oracle' and s.board.dataset == 'ADE20K')
    assert oracle.score_name is None and oracle.metric('kendall_tau_b').value == pytest.approx(-1.0)
    # the records' own studies are still there, unchanged in number, beside one table study per board and config
    own = [s for s in leaderboard.studies if not s.scores_file]
    assert len(own) == 4 and {s.source for s in own} == {'provenance.score'}
    # COCO boards: the table has ADE20K means for the same codes, so their studies exist (whatever their tau)
    assert {key for key in table_studies(leaderboard)} == {('object_detection', 'COCO'),
                                                            ('instance_segmentation', 'COCO'), ADE}
    assert len({s.slug for s in leaderboard.studies}) == len(leaderboard.studies)
    # a study's id (its plot's file name) says which method and score it is
    assert all(s.slug.endswith(f'_{slugify(s.method)}_{slugify(s.score_name or "score")}')
               for s in leaderboard.studies)


def test_rows_need_no_search_score_and_codes_are_compared_as_architectures(tmp_path):
    """Baseline runs (no provenance score) of 5 architectures; the table writes their codes with dashes."""
    archs = ARCHS[:5]
    records = [run_record(arch, seed, metrics={'box_AP': 20.0 + i + seed / 10, 'mask_AP': 18.0 + i + seed / 10},
                          name=f'net-{arch}') for i, arch in enumerate(archs) for seed in (0, 1, 2)]
    assert all(r.provenance.score is None for r in records)
    boards = build_boards(records)
    assert studies(boards, SETTINGS) == []
    table = read_score_table('spos', 'top1', write_json(tmp_path / 't.json',
                                                        {'-'.join(a): float(i) for i, a in enumerate(archs)}))
    assert set(table.values) == set(archs)   # '0-1-2-3-0-1' is read as '012301'
    found = studies(boards, SETTINGS, [table])
    assert [(s.board.task.name, len(s.rows)) for s in found] == [('object_detection', 5),
                                                                  ('instance_segmentation', 5)]
    for study in found:
        assert study.metric('kendall_tau_b').value == pytest.approx(1.0)
        # 3 seeds: 3 seed pairs, each ranking the architectures alike
        assert [c.seeds for c in study.ceiling] == [(0, 1), (0, 2), (1, 2)]
        assert study.ceiling_mean == pytest.approx(1.0) and study.tau_over_ceiling == pytest.approx(1.0)


def test_csv_tables_are_read(tmp_path):
    records = [run_record(arch, 0, metrics={'box_AP': 20.0 + i, 'mask_AP': 18.0 + i}, name=f'net-{arch}')
               for i, arch in enumerate(ARCHS[:4])]
    path = tmp_path / 'scores.csv'
    with path.open('w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(['arch', 'score'])
        writer.writerows([[a, 10 - i] for i, a in enumerate(ARCHS[:4])])
    (study, _) = studies(build_boards(records), SETTINGS, [read_score_table('zc', 'synflow', path)])
    assert study.metric('kendall_tau_b').value == pytest.approx(-1.0) and study.score_name == 'synflow'


def test_a_table_of_two_architectures_is_skipped_and_one_matching_none_says_why(tmp_path):
    two = write_json(tmp_path / 'two.json', {ARCHS[0]: 1.0, ARCHS[1]: 2.0})
    none = write_json(tmp_path / 'none.json', {'0123012301230123': 1.0, '3210321032103210': 2.0})
    leaderboard = build(study_dirs(tmp_path), SETTINGS,
                        [read_score_table('spos', 'top1', two), read_score_table('other', None, none)])
    coco = table_studies(leaderboard)[('instance_segmentation', 'COCO')]
    # the COCO config has the 8 Pi-NAS picks and a baseline run of one of them: 8 architectures
    assert coco.skipped == '2 of 8 measured architecture(s) in the table; a correlation needs at least 3'
    assert coco.metrics == () and len(coco.rows) == 2 and coco.scores == (2.0, 1.0)
    other = next(s for s in leaderboard.studies if s.method == 'other' and s.board.dataset == 'ADE20K')
    assert other.rows == () and other.skipped.startswith("0 of 8 measured architecture(s) in the table (its codes "
                                                         "look like '0123012301230123', ")
    # a study with no architecture has no plot; one with two has its scatter
    plot_ids = {p.id for p in leaderboard.plots}
    assert f'score_{coco.slug}' in plot_ids and f'score_{other.slug}' not in plot_ids
    coco_plot = next(p for p in leaderboard.plots if p.id == f'score_{coco.slug}')
    assert coco_plot.caption.startswith(f'Scores from {two}. No statistics: 2 of 8')


def test_a_table_named_like_the_records_scores_is_an_error(tmp_path):
    table = read_score_table('spos', 'knn', write_json(tmp_path / 't.json', {a: 1.0 for a in ARCHS}))
    with pytest.raises(LeaderboardError, match=r"t\.json: spos knn scores also come from the records' "
                                               r"provenance\.score \(e\.g\. .*\); name the table's scores "
                                               r"differently"):
        build(study_dirs(tmp_path), SETTINGS, [table])
    other = read_score_table('spos', 'knn', write_json(tmp_path / 'u.json', {a: 2.0 for a in ARCHS}))
    records = [run_record(a, 0, name=f'net-{a}') for a in ARCHS[:3]]
    with pytest.raises(LeaderboardError, match=r'u\.json: spos knn scores also come from .*t\.json'):
        studies(build_boards(records), SETTINGS, [table, other])


def test_parse_scores_spec():
    assert parse_scores_spec('spos:top1=work_dirs/a=b/ranked.json') == ('spos', 'top1', 'work_dirs/a=b/ranked.json')
    assert parse_scores_spec('zc=scores.csv') == ('zc', None, 'scores.csv')
    for bad in ('spos:top1', '=ranked.json', 'spos='):
        with pytest.raises(ValueError, match=r'write METHOD\[:SCORE_NAME\]=TABLE'):
            parse_scores_spec(bad)


# --- the files -------------------------------------------------------------------------------------------------
def test_the_table_study_is_in_every_output(tmp_path, tool, capsys):
    means = ade_means()
    ranked = write_json(tmp_path / 'spos' / 'ranked.json', [dict(arch=a, score=m) for a, m in means.items()])
    out = tmp_path / 'out'
    status, stdout, err = run_tool(tool, capsys, *study_dirs(tmp_path), '--out', out,
                                   '--scores', f'spos:top1={ranked}')
    assert status == 0, err
    assert '7 correlation studies' in stdout
    data = json.loads((out / CORRELATIONS).read_text())
    (study,) = [s for s in data['studies'] if s['scores_file'] == str(ranked) and s['dataset'] == 'ADE20K']
    assert study['method'] == 'spos' and study['score'] == 'top1' and study['n'] == len(ARCHS)
    assert study['statistics']['kendall_tau_b']['value'] == pytest.approx(1.0)
    assert [a['score'] for a in study['archs']] == sorted(means.values(), reverse=True)
    assert study['seed_ceiling_mean'] == study['seed_ceiling'][0]['kendall_tau_b']['value']
    assert study['tau_over_ceiling'] == pytest.approx(1.0 / study['seed_ceiling_mean'])
    assert all(s['scores_file'] is None for s in data['studies'] if s['method'] != 'spos' or s['score'] != 'top1')
    md = (out / MARKDOWN).read_text()
    assert 'Does the search predict transfer?' in md
    header = next(line for line in md.splitlines() if line.startswith('| board | config |'))
    assert '| scores from | n | Kendall tau-b [95% CI] |' in header
    assert header.endswith('| seed ceiling: Kendall tau-b | seed ceiling: mean tau | tau / ceiling |')
    line = next(line for line in md.splitlines()
                if line.startswith(f'| Semantic Segmentation: ADE20K val | {DEEPLAB} | spos | top1 | {ranked} | 8 |'))
    cells = [c.strip() for c in line.strip('|').split('|')]
    assert cells[6].startswith('1.000 [') and cells[-1] == f'{1.0 / study["seed_ceiling_mean"]:.3f}'
    assert f'| Semantic Segmentation: ADE20K val | {DEEPLAB} | pinas | knn | provenance.score | 8 |' in md
    html = (out / HTML).read_text()
    # the records' SPOS study on ADE20K, and the table's on ADE20K and both COCO boards
    assert len(list((out / 'plots').glob('score_*_spos_knn.svg'))) == 1
    assert len(list((out / 'plots').glob('score_*_spos_top1.svg'))) == 3
    assert f'Scores from {ranked}. 8 architectures, config {DEEPLAB}. Kendall tau-b 1.000 [' in html
    assert 'ADE20K val: mIoU vs spos top1' in html
    assert html.count('<svg') == len(list((out / 'plots').glob('*.svg'))) == 11


# --- bad input: one line naming the file and the fix, exit 2, nothing written --------------------------------
def not_json_table(tmp_path):
    return write_json(tmp_path / 'record.json', run_record(ARCHS[0], 0).to_dict()), 'is not a string of digits'


def missing_table(tmp_path):
    return tmp_path / 'work_dirs' / 'spos' / 'ranked.json', 'does not exist'


def empty_csv(tmp_path):
    path = tmp_path / 'scores.csv'
    path.write_text('arch,score\n')
    return path, 'has no data rows'


def binary_file(tmp_path):
    path = tmp_path / 'supernet.pth'
    path.write_bytes(bytes(range(256)) * 4)
    return path, 'cannot be read as text'


BAD_TABLES = [not_json_table, missing_table, empty_csv, binary_file]


@pytest.mark.parametrize('make', BAD_TABLES, ids=[f.__name__ for f in BAD_TABLES])
def test_a_bad_table_is_one_line_naming_the_file(tmp_path, tool, capsys, make):
    path, problem = make(tmp_path)
    with pytest.raises(TableError, match=problem):
        read_score_table('spos', 'top1', path)
    status, stdout, err = run_tool(tool, capsys, PAPER_DIR, '--out', tmp_path / 'out', '--scores', f'spos:top1={path}')
    assert status == 2 and stdout == ''
    assert err.startswith('error: --scores spos:top1: ') and err.count('\n') == 1
    assert str(path) in err and problem in err and 'Traceback' not in err
    assert 'a ranked.json' in err   # the fix: what a scores table is
    assert not (tmp_path / 'out').exists()


def test_scores_without_equals_is_a_usage_error(tmp_path, tool, capsys):
    with pytest.raises(SystemExit) as exit_:
        tool.main([str(PAPER_DIR), '--out', str(tmp_path / 'out'), '--scores', 'spos:top1'])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and err.count('\n') == 1
    assert err.startswith("error: argument --scores: 'spos:top1' has no \"=\"; write METHOD[:SCORE_NAME]=TABLE, "
                          'e.g. spos:top1=work_dirs/spos/search/ranked.json')
    assert not (tmp_path / 'out').exists()


def test_a_conflicting_table_exits_2_in_one_line(tmp_path, tool, capsys):
    table = write_json(tmp_path / 't.json', {a: 1.0 for a in ARCHS})
    status, _, err = run_tool(tool, capsys, *study_dirs(tmp_path), '--out', tmp_path / 'out',
                              '--scores', f'pinas:knn={table}')
    assert status == 2 and err.count('\n') == 1 and err.startswith(f'error: {table}: pinas knn scores also come')
    assert not (tmp_path / 'out').exists()


def test_paper_rows_never_enter_a_table_study(tmp_path):
    """The paper Pi-NAS-trans code scored by a table: its rows stay out (they come from other pipelines)."""
    table = write_json(tmp_path / 't.json', {'3333113330011021': 9.0, '1111111111111111': 1.0})
    records = [run_record(a, 0, task='semantic_segmentation', metrics={'mIoU': 30.0 + i}, config=DEEPLAB,
                          pipeline='mmseg 1.2.2', name=f'net-{a}') for i, a in enumerate(ARCHS[:3])]
    leaderboard = build([write_records(records, tmp_path / 'runs'), PAPER_DIR], SETTINGS,
                        [read_score_table('spos', 'top1', table)])
    (study,) = leaderboard.studies
    assert study.rows == () and study.scores == () and study.config == DEEPLAB
    assert study.skipped.startswith('0 of 3 measured architecture(s) in the table')


def test_a_table_of_one_config_shares_its_name_with_another_configs_records(tmp_path):
    """One leaderboard of two studies (say two spaces): the ResNeSt runs scored by a SPOS table, the Track-1 runs by
    their own SPOS search. The table covers only the first config, so it neither conflicts with nor adds an empty
    study to the second."""
    first, second = ARCHS[4:], ARCHS[:4]
    records = [run_record(a, 0, score=float(i), method='pinas', config='configs/a.py') for i, a in enumerate(first)]
    records += [run_record(a, 0, score=float(i), method='spos', config='configs/b.py') for i, a in enumerate(second)]
    table = read_score_table('spos', 'knn', write_json(tmp_path / 't.json', {a: float(i) for i, a in enumerate(first)}))
    found = {(s.config, s.method): s for s in studies(build_boards(records), SETTINGS, [table])}
    assert sorted(found) == [('configs/a.py', 'pinas'), ('configs/a.py', 'spos'), ('configs/b.py', 'spos')]
    assert found[('configs/a.py', 'spos')].scores_file == str(tmp_path / 't.json')
    assert found[('configs/b.py', 'spos')].scores_file is None and len(found[('configs/b.py', 'spos')].rows) == 4


# --- free baselines ----------------------------------------------------------------------------------------------
def test_baselines_rank_the_rows_by_their_records_params_and_macs(tmp_path, tool, capsys):
    """--baselines params flops: the free rankings a search has to beat, one study each per board and config,
    from the records alone (here params and MACs grow with the architecture's index, and so does the metric)."""
    archs = ARCHS[:5]
    records = [run_record(arch, seed, metrics={'box_AP': 20.0 + i + seed / 10, 'mask_AP': 30.0 - i + seed / 10},
                          name=f'net-{arch}') for i, arch in enumerate(archs) for seed in (0, 1)]
    found = studies(build_boards(records), SETTINGS, baselines=['params', 'flops'])
    taus = {(s.board.task.name, s.score_name): s.metric('kendall_tau_b').value for s in found}
    assert taus == {('object_detection', 'params'): pytest.approx(1.0),
                    ('object_detection', 'flops'): pytest.approx(1.0),
                    ('instance_segmentation', 'params'): pytest.approx(-1.0),
                    ('instance_segmentation', 'flops'): pytest.approx(-1.0)}
    assert {(s.method, s.source) for s in found} == {('baseline', 'record.params_M'), ('baseline', 'record.flops_G')}
    with pytest.raises(ValueError, match='unknown baseline'):
        studies(build_boards(records), SETTINGS, baselines=['latency'])
    write_records(records, tmp_path / 'records')
    status, stdout, err = run_tool(tool, capsys, tmp_path / 'records', '--out', tmp_path / 'out',
                                   '--baselines', 'params')
    assert status == 0, err
    assert '2 correlation studies' in stdout
    md = (tmp_path / 'out' / MARKDOWN).read_text()
    config = records[0].config
    assert f'| Object Detection: COCO val2017 | {config} | baseline | params | record.params_M | 5 |' in md
