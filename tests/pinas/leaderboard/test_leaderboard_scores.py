"""tools/leaderboard.py --scores METHOD[:SCORE_NAME]=TABLE: another search's scores of the same fine-tuned
architectures, studied against the downstream metric beside the records' own search scores."""
import csv
import json
import math
import statistics
from dataclasses import replace
from itertools import combinations, permutations

import numpy as np
import pytest
from scipy import stats
from leaderboard_helpers import (ARCHS, BOOTSTRAP, DEEPLAB, PAPER_DIR, SPOS_ARCHS, run_record, study_dirs,
                                 run_tool, study_records, write_records)

from pinas.leaderboard.build import CORRELATIONS, HTML, MARKDOWN, build
from pinas.leaderboard.correlation import Settings, parse_scores_spec, read_score_table, studies
from pinas.leaderboard.html import score_plot
from pinas.leaderboard.render import correlation_table, result_text
from pinas.leaderboard.table import LeaderboardError, build_boards, slugify
from pinas.ranking import TableError, ranking_metrics
from pinas.ranking.metrics import kendall_permutation_test, noise_ceiling_tau, seed_ceilings

SETTINGS = Settings(resamples=BOOTSTRAP)
ADE = ('semantic_segmentation', 'ADE20K')


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
    expected = ranking_metrics(list(study.scores), [r.primary.mean for r in study.rows], resamples=0)
    assert [(m.name, m.value) for m in study.metrics] == [(m.name, m.value) for m in expected]
    (ceiling,) = study.ceiling
    # 4 of the 8 rows hold 3 runs (2 Pi-NAS seeds and the SPOS run), 4 hold 2: k is their harmonic mean
    k = statistics.harmonic_mean([3] * 4 + [2] * 4)
    assert study.noise_seeds == pytest.approx(k) and study.ceiling_mean == ceiling.tau.value
    assert study.noise_ceiling.value == pytest.approx(noise_ceiling_tau(ceiling.tau.value, k))
    assert study.tau_over_noise_ceiling == pytest.approx(1.0 / study.noise_ceiling.value)
    # seeds that barely agree (p-value or interval says chance) leave nothing to predict: no ratio
    chance = replace(ceiling, tau=replace(ceiling.tau, value=0.07),
                     permutation=replace(ceiling.permutation, value=0.07, p_value=0.9))
    assert math.isnan(replace(study, ceiling=(chance,)).tau_over_noise_ceiling)
    weak = replace(ceiling, tau=replace(ceiling.tau, value=0.07, ci_low=-0.6, ci_high=0.7), permutation=None)
    assert math.isnan(replace(study, ceiling=(weak,)).tau_over_noise_ceiling)
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
        assert study.ceiling_mean == pytest.approx(1.0) and study.noise_seeds == 3
        assert study.noise_ceiling.value == pytest.approx(1.0) and study.tau_over_noise_ceiling == pytest.approx(1.0)


def test_csv_tables_are_read(tmp_path):
    records = [run_record(arch, 0, metrics={'box_AP': 20.0 + i, 'mask_AP': 18.0 + i}, name=f'net-{arch}')
               for i, arch in enumerate(ARCHS[:5])]
    path = tmp_path / 'scores.csv'
    with path.open('w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(['arch', 'score'])
        writer.writerows([[a, 10 - i] for i, a in enumerate(ARCHS[:5])])
    (study, _) = studies(build_boards(records), SETTINGS, [read_score_table('zc', 'synflow', path)])
    assert study.metric('kendall_tau_b').value == pytest.approx(-1.0) and study.score_name == 'synflow'


def test_a_table_of_two_architectures_is_skipped_and_one_matching_none_says_why(tmp_path):
    two = write_json(tmp_path / 'two.json', {ARCHS[0]: 1.0, ARCHS[1]: 2.0})
    none = write_json(tmp_path / 'none.json', {'0123012301230123': 1.0, '3210321032103210': 2.0})
    leaderboard = build(study_dirs(tmp_path), SETTINGS,
                        [read_score_table('spos', 'top1', two), read_score_table('other', None, none)])
    coco = table_studies(leaderboard)[('instance_segmentation', 'COCO')]
    # the COCO config has the 8 Pi-NAS picks and a baseline run of one of them: 8 architectures
    assert coco.skipped == '2 of 8 measured architecture(s) in the table; n too small (n=2, need 5)'
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
    assert study['seed_to_seed_mean']['value'] == study['seed_to_seed'][0]['kendall_tau_b']['value']
    assert study['tau_over_noise_ceiling'] == pytest.approx(1.0 / study['noise_ceiling']['value'])
    assert all(s['scores_file'] is None for s in data['studies'] if s['method'] != 'spos' or s['score'] != 'top1')
    md = (out / MARKDOWN).read_text()
    assert 'Does the search predict transfer?' in md
    header = next(line for line in md.splitlines() if line.startswith('| board | config |'))
    assert '| scores from | n | Kendall tau-b [95% CI] or (p) |' in header
    assert header.endswith('| seed-to-seed tau (reproducibility) | seed-to-seed: mean | noise ceiling (k-seed mean) '
                           '| tau / noise ceiling |')
    line = next(line for line in md.splitlines()
                if line.startswith(f'| Semantic Segmentation: ADE20K val | {DEEPLAB} | spos | top1 | {ranked} | 8 |'))
    cells = [c.strip() for c in line.strip('|').split('|')]
    assert cells[6] == '1.000 (p < 0.001 exact)'   # 8 architectures: no interval, an exact p-value
    assert cells[-1] == f'{1.0 / study["noise_ceiling"]["value"]:.3f}'
    assert f'| Semantic Segmentation: ADE20K val | {DEEPLAB} | pinas | knn | provenance.score | 8 |' in md
    html = (out / HTML).read_text()
    # the records' SPOS study on ADE20K, and the table's on ADE20K and both COCO boards
    assert len(list((out / 'plots').glob('score_*_spos_knn.svg'))) == 1
    assert len(list((out / 'plots').glob('score_*_spos_top1.svg'))) == 3
    assert f'Scores from {ranked}. 8 architectures, config {DEEPLAB}. Kendall tau-b 1.000 (p &lt; 0.001 exact)' in html
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
    return path, 'is binary data, not a table'


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


# --- what n architectures can say, and the ceiling a score is judged against -----------------------------------
def scored_records(n: int, seeds=(0, 1)) -> list:
    """``n`` architectures (codes beyond ARCHS), each run once per seed: box AP grows with the architecture's index
    up to seed noise, the search score and the params up to noise of their own."""
    rng = np.random.default_rng(n)
    template = run_record(ARCHS[0], 0, score=0.0)
    records = []
    for i in range(n):
        code = np.base_repr(i, 4).zfill(len(ARCHS[0]))
        provenance = replace(template.provenance, score=round(i + float(rng.normal(0, 3)), 3))
        params = round(1.0 + 0.1 * i + float(rng.normal(0, 0.5)), 3)
        for seed in seeds:
            box = round(20.0 + 0.5 * i + float(rng.normal(0, 2)), 2)
            records.append(replace(template, arch=code, name=f'pinas-{code}', seed=seed, provenance=provenance,
                                   params_M=params, metrics={'box_AP': box, 'mask_AP': box - 2}))
    return records


def detection_studies(records, baselines=()):
    return [s for s in studies(build_boards(records), SETTINGS, baselines=baselines)
            if s.board.task.name == 'object_detection']


def cells_of(study) -> dict:
    header, (row,) = correlation_table([study])
    return dict(zip(header, row))


def brute_force_p(x, y) -> float:
    """Two-sided permutation p-value of Kendall's tau by enumeration, without the library: the share of all orders
    of ``y`` whose |concordant - discordant| is at least the observed one (tau-b's denominator is the same for
    every order, as reordering keeps the ties)."""
    pairs = list(combinations(range(len(x)), 2))
    sign_x = [np.sign(x[j] - x[i]) for i, j in pairs]

    def numerator(order) -> float:
        return sum(s * np.sign(order[j] - order[i]) for s, (i, j) in zip(sign_x, pairs))
    observed = abs(numerator(y))
    orders = list(permutations(y))
    return sum(abs(numerator(order)) >= observed for order in orders) / len(orders)


def test_three_architectures_give_no_correlation_number():
    (study,) = detection_studies(scored_records(3))
    assert study.skipped == 'n too small (n=3, need 5)'
    assert study.metrics == () and study.permutation is None and study.ceiling == () and study.noise_ceiling is None
    cells = cells_of(study)
    assert cells['Kendall tau-b [95% CI] or (p)'] == 'skipped: n too small (n=3, need 5)'
    assert not any(c for name, c in cells.items() if name not in ('board', 'config', 'method', 'score',
                                                                  'scores from', 'n', 'Kendall tau-b [95% CI] or (p)'))
    assert score_plot(study, ['pinas']).caption == 'No statistics: n too small (n=3, need 5).'


def test_the_exact_p_value_counts_every_order_of_the_architectures():
    # a tiny case with ties, against scipy's tau-b of every one of the 5! orders
    x, y = np.array([1.0, 2.0, 2.0, 3.0, 5.0]), np.array([1.0, 3.0, 2.0, 2.0, 4.0])
    observed = stats.kendalltau(x, y).statistic
    orders = list(permutations(y))
    expected = sum(abs(stats.kendalltau(x, order).statistic) >= abs(observed) - 1e-12 for order in orders) / 120
    test = kendall_permutation_test(x, y)
    assert test.exact and test.orders == 120 and test.p_value == pytest.approx(expected)
    assert brute_force_p(x, y) == pytest.approx(expected)
    # 8 architectures in a study: the p-value of all 8! orders, and no bootstrap interval
    (study,) = detection_studies(scored_records(8))
    scores, truth = list(study.scores), [row.primary.mean for row in study.rows]
    assert study.permutation.exact and study.permutation.orders == math.factorial(8)
    assert study.permutation.p_value == pytest.approx(brute_force_p(scores, truth))
    assert all(math.isnan(m.ci_low) and math.isnan(m.ci_high) for m in study.metrics)
    tau = study.metric('kendall_tau_b').value
    assert cells_of(study)['Kendall tau-b [95% CI] or (p)'] == (f'{tau:.3f} ({study.permutation.short_text()})')
    assert study.permutation.short_text().endswith(' exact')


def test_nine_to_nineteen_architectures_use_a_seeded_monte_carlo_p_value():
    rng = np.random.default_rng(0)
    x = rng.normal(size=12)
    y = x + rng.normal(0, 1.5, size=12)
    test = kendall_permutation_test(x, y, seed=3)
    assert not test.exact and test.orders >= 10 ** 5 and test == kendall_permutation_test(x, y, seed=3)
    exact = stats.kendalltau(x, y, method='exact').pvalue   # no ties: scipy's exact null distribution
    assert abs(test.p_value - exact) < 4 * test.p_error + 1 / test.orders
    assert test.short_text().endswith(' MC') and '±' in test.short_text() and 'standard error' in test.text()


def test_twenty_or_more_architectures_get_bootstrap_intervals_and_one_ceiling():
    records = scored_records(24)
    found = detection_studies(records, baselines=['params'])
    study = next(s for s in found if s.method == 'pinas')
    tau = study.metric('kendall_tau_b')
    assert study.permutation is None and tau.ci_low <= tau.value <= tau.ci_high
    (pair,) = study.ceiling
    assert pair.permutation is None and pair.tau.ci_low <= pair.tau.value <= pair.tau.ci_high
    # the noise ceiling of the 2-seed mean, beside the seed-to-seed tau: noise_ceiling_tau of it, with the CI of
    # seed_ceilings (the same resampled architectures as the pair's, so one seed pair's CI is the mean's)
    per_arch = {}
    for record in records:
        per_arch.setdefault(record.arch, {})[record.seed] = record.metrics['box_AP']
    archs = sorted(per_arch)
    seed_to_seed, noise = seed_ceilings([[per_arch[a][s] for a in archs] for s in (0, 1)], BOOTSTRAP)
    assert study.noise_seeds == 2
    assert study.noise_ceiling.value == pytest.approx(noise_ceiling_tau(pair.tau.value, 2))
    assert (study.noise_ceiling.ci_low, study.noise_ceiling.ci_high) == (noise.ci_low, noise.ci_high)
    assert (study.seed_mean.ci_low, study.seed_mean.ci_high) == (seed_to_seed.ci_low, seed_to_seed.ci_high) \
        == (pair.tau.ci_low, pair.tau.ci_high)
    cells = cells_of(study)
    assert cells['seed-to-seed tau (reproducibility)'] == f'seeds 0/1: {result_text(pair.tau)}'
    assert cells['seed-to-seed: mean'] == result_text(pair.tau)
    assert cells['noise ceiling (k-seed mean)'] == f'{result_text(study.noise_ceiling)} (k=2)'
    assert cells['tau / noise ceiling'] == f'{tau.value / study.noise_ceiling.value:.3f}'
    # another score of the same rows (sorted by another order) shows the same ceiling with the same interval
    baseline = next(s for s in found if s.method == 'baseline')
    assert baseline.rows != study.rows
    assert (baseline.ceiling, baseline.seed_mean, baseline.noise_ceiling) == \
           (study.ceiling, study.seed_mean, study.noise_ceiling)
