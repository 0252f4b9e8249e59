"""Ranking studies: each algorithm counts its own training passes, a study config turns into a plan of epochs at
equal compute per budget, runs resume from their files, and the cost curves are drawn. Nothing here trains beyond
one step of a small supernet on a few random images."""
import json
import math
import shutil
from pathlib import Path

import pytest
import torch
from mmengine.optim import OptimWrapper

from pinas.algorithms import SPOS, CEPT, PiNAS
from pinas.ranking.plot import plot_cost_curves
from pinas.studies.study import (count_passes, cost_curves, evaluate_runs, load_study, plan_study,
                                 resolve_study_config, run_plan, split_archs, stale_reason, study_from_dict)
from pinas.utils.cli import UsageError
from tools import ranking_study

ROOT = Path(__file__).resolve().parents[3]
PNG = b'\x89PNG\r\n\x1a\n'


@pytest.fixture(autouse=True)
def _in_checkout(monkeypatch):
    """Studies find configs/ in the working directory, as the tools run from the checkout."""
    monkeypatch.chdir(ROOT)


# passes per batch (at least, at most) of every embedded search config, as its algorithm counts them
EMBEDDED = {
    'spos_embedded': (3, 3),  # one path, forward + backward
    'spos_track1_embedded': (3, 3),
    'pinas_embedded': (8, 8),  # 2 paths x (student forward + backward 3 + teacher forward 1)
    'pinas_track1_embedded': (8, 8),
    'cept_embedded': (3, 3),  # step 1: the max path
    'cept_embedded_step2': (37, 52),  # max path 3 + 5 watched + 8 x 3 + 5 second looks; + 3 per recovered path
    'cept_embedded_step3': (25, 25),  # fixed teacher forward 1 + 8 x 3
    'cept_embedded_step4': (25, 25),
}


@pytest.mark.parametrize('config, expected', EMBEDDED.items())
def test_every_embedded_search_config_counts_its_passes(config, expected):
    assert count_passes(config) == expected


def test_changing_a_config_changes_the_count(tmp_path):
    search = tmp_path / 'configs/search'
    search.mkdir(parents=True)
    (search / 'pinas_one_path.py').write_text(
        f"_base_ = ['{ROOT / 'configs/search/pinas_embedded.py'}']\nmodel = dict(num_paths=1)\n")
    (search / 'cept_four_paths.py').write_text(
        f"_base_ = ['{ROOT / 'configs/search/cept_embedded_step2.py'}']\nmodel = dict(num_paths=4, max_recover=1)\n")
    assert count_passes('pinas_one_path', root=tmp_path) == (4, 4)
    assert count_passes('cept_four_paths', root=tmp_path) == (3 + 5 + 4 * 3 + 4, 3 + 5 + 4 * 3 + 5 + 3)
    assert count_passes('cept_embedded_step3', {'model.fix_pretrain': False}) == (3 + 8 * 3,) * 2
    # ... and the plan follows: one Pi-NAS path halves its passes, so SPOS gets half the epochs
    study = load_study(resolve_study_config('resnest'))
    two = plan_study(study, [1])[1]['spos']
    one = plan_study(study, [1], passes=lambda c, _: count_passes(c, {'model.num_paths': 1} if 'pinas' in c else {}))
    assert (two.epochs, one[1]['spos'].epochs, one[1]['pinas'].units) == ([16], [8], 24)


# --- the counts are what a training step runs ------------------------------------------------------------------
def _count_forwards(*supernets) -> list:
    """Record, for every forward of the given supernets, whether it builds a graph (which then gets a backward)."""
    calls = []
    for net in supernets:
        def counted(*args, _forward=net.forward_features, **kwargs):
            calls.append(torch.is_grad_enabled())
            return _forward(*args, **kwargs)
        net.forward_features = counted
    return calls


def _passes(calls) -> int:
    return len(calls) + 2 * sum(calls)  # forward 1, backward 2 more


TRACK1_SMALL = dict(base='track1_resnet20', depths=(1, 1, 1), num_classes=10)


def _cept(step, **kwargs):
    from mmengine.config import Config
    name = 'cept_embedded' if step == 1 else f'cept_embedded_step{step}'
    cfg = Config.fromfile(str(ROOT / 'configs/search' / f'{name}.py')).model.to_dict()
    for key in ('type', 'init_from'):
        cfg.pop(key, None)
    cfg['backbone']['space'] = TRACK1_SMALL
    return CEPT(**{**cfg, 'seed': 0, **kwargs})


def _batch(n=2, size=16):  # the count does not depend on the batch: keep the step cheap
    return torch.randn(n, 3, size, size), torch.randint(0, 10, (n,))


@pytest.mark.parametrize('step, kwargs', [(1, {}), (2, {}), (2, dict(max_recover=1)), (3, {}),
                                          (4, dict(fix_pretrain=False, distill_coeff=0.8))])
def test_cept_counts_the_passes_its_training_step_runs(step, kwargs):
    model = _cept(step, **kwargs)
    calls = _count_forwards(model.bare_supernet)
    inputs, labels = _batch()
    log = model.train_step(dict(inputs=inputs, data_samples=labels),
                           OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.01)))
    recovered = int(log.get('recovered', 0))
    assert model.passes_per_batch <= _passes(calls) <= model.max_passes_per_batch
    assert log['passes'] == _passes(calls)  # what the step logs is what it ran
    if step == 2 and model.max_recover >= model.look_num:  # every watched path gets its second look
        assert _passes(calls) == model.passes_per_batch + 3 * recovered
    elif step != 2:
        assert _passes(calls) == model.passes_per_batch == model.max_passes_per_batch


def test_spos_and_pinas_count_the_passes_their_training_step_runs():
    spos = SPOS(backbone=dict(type='Track1Supernet', space=TRACK1_SMALL), num_classes=10)
    calls = _count_forwards(spos.bare_supernet)
    inputs, labels = _batch()
    spos.loss(inputs, labels)['loss'].backward()
    assert _passes(calls) == spos.passes_per_batch == 3
    for num_paths in (1, 2):
        pinas = PiNAS(backbone=dict(space='pinas_resnest_tiny'), neck=dict(hidden_channels=16, out_channels=8),
                      queue_len=8, num_paths=num_paths)
        calls = _count_forwards(pinas.bare_supernet, pinas.teacher['supernet'])
        pinas.loss(torch.randn(2, 2 * num_paths, 3, 16, 16))['loss'].backward()
        assert _passes(calls) == pinas.passes_per_batch == 4 * num_paths


# --- study configs and plans -----------------------------------------------------------------------------------
def test_a_study_config_becomes_a_plan_at_equal_compute():
    study = load_study(ROOT / 'configs/ranking/methods_track1.py')
    assert (study.name, study.reference.name, study.epochs, study.budgets) == ('track1', 'cept', (1, 1, 1, 1),
                                                                               (1, 2, 4))
    assert [m.name for m in study.baselines] == ['spos', 'pinas', 'pinas_same_neck_width'] and study.topk == (5, 10)
    plans = plan_study(study)
    # a variant of a method (its cfg_options) trains at that method's compute
    assert all(runs['pinas_same_neck_width'].epochs == runs['pinas'].epochs for runs in plans.values())
    table = {budget: {m: (run.epochs, run.units) for m, run in runs.items() if m != 'pinas_same_neck_width'}
             for budget, runs in plans.items()}
    assert table == {
        1: {'spos': ([30], 90), 'pinas': ([11], 88), 'cept': ([1, 1, 1, 1], 90)},
        2: {'spos': ([60], 180), 'pinas': ([22], 176), 'cept': ([2, 2, 2, 2], 180)},
        4: {'spos': ([120], 360), 'pinas': ([45], 360), 'cept': ([4, 4, 4, 4], 360)}}
    assert plans[1]['cept'].units_max == 3 + 52 + 25 + 25 and plans[2]['cept'].name == 'cept_x2'
    assert plans[1]['cept'].fields()['passes_per_batch'] == [3, 37, 25, 25]
    resnest = plan_study(load_study(resolve_study_config('resnest')), [1, 0.5, 2.0], epochs=[3])
    assert {b: (r['pinas'].epochs, r['spos'].epochs) for b, r in resnest.items()} == \
        {1: ([3], [8]), 0.5: ([2], [5]), 2: ([6], [16])}  # half of 3 epochs rounds to 2


def _study(**changes):
    cfg = dict(name='s', reference=dict(name='ref', stages=['a', 'b'], epochs=[1, 2], score_label='x'),
               baselines=[dict(name='base', stages=['c'])], budgets=[1, 2], zero_cost='zc', topk=[3])
    cfg.update(changes)
    return cfg


@pytest.mark.parametrize('changes, message', [
    (dict(reference=dict(name='ref', stages=['a', 'b'], epochs=[1])), 'one whole number >= 1 per stage'),
    (dict(baselines=[dict(name='base', stages=['c', 'd'])]), 'has 2 stages; a baseline trains one stage'),
    (dict(baselines=[dict(name='ref', stages=['c'])]), 'method names must differ'),
    (dict(budgets=[1, 0]), 'a budget must be positive'),
    (dict(budgets=[1, 1.0]), 'budgets repeat'),
    (dict(budget=[1]), r"unknown keys \['budget'\]"),
    (dict(baselines=[dict(name='base', stages='c')]), 'stages must be a non-empty list'),
    (dict(health=dict(min_margin=3)), r'health must be dict\(min_margin='),
    (dict(health=dict(margin=0.1)), r'health must be dict\(min_margin='),
    (dict(pairs='baseline'), r"pairs must be one of \['all', 'reference'\]"),
])
def test_a_wrong_study_config_is_named(changes, message):
    with pytest.raises(UsageError, match=message):
        study_from_dict(_study(**changes))


def test_a_study_is_found_by_name_or_path(tmp_path):
    assert resolve_study_config('resnest').name == 'methods_resnest.py'
    with pytest.raises(UsageError, match='resnest, track1'):
        resolve_study_config('nope')
    (tmp_path / 'bad.py').write_text('x = 1\n')
    with pytest.raises(UsageError, match='has no `study = dict'):
        load_study(tmp_path / 'bad.py')


# --- resuming --------------------------------------------------------------------------------------------------
ARCHS = ['000', '111', '222', '333']
PASSES = {'a': (3, 3), 'b': (10, 12), 'c': (4, 4)}


class FakeTrain:
    """Stands for train_and_score: records what it was asked to train and scores by a fixed rule."""

    def __init__(self):
        self.calls = []

    def __call__(self, run, archs, work_dir, cfg_options):
        self.calls.append((run.name, run.epochs, Path(work_dir).name))
        return dict(train_seconds=1.0, score_seconds=0.1, scores={a: float(int(a[0]) * run.units) for a in archs})


def _plans(**kwargs):
    return plan_study(study_from_dict(_study()), passes=lambda config, _: PASSES[config], **kwargs)


def test_runs_are_trained_once_and_then_reused(tmp_path):
    plans, train = _plans(), FakeTrain()
    records = run_plan(plans, ARCHS, tmp_path, tmp_path / 'work', train=train, log=lambda _: None)
    # ref: 3 x 1 + 10 x 2 = 23 passes; base: 4 x round(23 / 4) = 24; budget 2: 46 and 48
    assert train.calls == [('base', [6], 'x1'), ('ref', [1, 2], 'x1'), ('base_x2', [12], 'x2'),
                           ('ref_x2', [2, 4], 'x2')]
    assert sorted(p.name for p in tmp_path.glob('*_run.json')) == ['base_run.json', 'base_x2_run.json',
                                                                    'ref_run.json', 'ref_x2_run.json']
    assert records[2]['ref']['units'] == 46 and records[2]['ref']['units_max'] == 2 * 3 + 4 * 12
    again = FakeTrain()
    assert run_plan(plans, ARCHS, tmp_path, tmp_path / 'work', train=again, log=lambda _: None) == records
    assert again.calls == []
    assert run_plan(_plans(budgets=[1]), ARCHS[:2], tmp_path, tmp_path, train=again, log=lambda _: None)
    assert again.calls == []  # a smaller table is scored by the same runs


def test_a_run_file_that_no_longer_stands_for_its_run_is_trained_again(tmp_path):
    plans, train = _plans(budgets=[1]), FakeTrain()
    run_plan(plans, ARCHS, tmp_path, tmp_path, train=train, log=lambda _: None)
    ref = plans[1]['ref']
    record = json.loads((tmp_path / 'ref_run.json').read_text())
    assert stale_reason(record, ref, ARCHS) is None
    assert 'scores no architecture' in stale_reason(record, ref, ARCHS + ['444'])
    assert 'trained epochs [1, 2], the plan gives [2, 4]' in stale_reason(record, _plans(budgets=[2])[2]['ref'],
                                                                          ARCHS)
    changed = plan_study(study_from_dict(_study()), [1], passes=lambda config, _: {**PASSES, 'b': (13, 13)}[config])
    assert 'passes_per_batch [3, 10], the configs now give [3, 13]' in stale_reason(record, changed[1]['ref'], ARCHS)
    assert 'cfg-options' in stale_reason(record, ref, ARCHS, {'train_dataloader.batch_size': 8})
    retrain, lines = FakeTrain(), []
    run_plan(changed, ARCHS, tmp_path, tmp_path, train=retrain, log=lines.append)
    assert [c[0] for c in retrain.calls] == ['base', 'ref']  # 23 -> 29 passes: the baseline's epochs change too
    assert 'ref: training' in lines[-1] and 'configs now give' in lines[-1]


def test_a_run_file_from_before_the_counts_is_kept_and_completed(tmp_path):
    """Files written before runs recorded their stages and counts are judged by their epochs and scores."""
    plans = _plans(budgets=[1])
    legacy = dict(epochs=[1, 2], units=99, train_seconds=5.0, score_seconds=1.0, scores={a: 1.0 for a in ARCHS})
    (tmp_path / 'ref_run.json').write_text(json.dumps(legacy))
    train = FakeTrain()
    records = run_plan(plans, ARCHS, tmp_path, tmp_path, train=train, log=lambda _: None)
    assert [c[0] for c in train.calls] == ['base']
    stored = json.loads((tmp_path / 'ref_run.json').read_text())
    assert stored == records[1]['ref'] and stored['units'] == 23 and stored['train_seconds'] == 5.0
    assert stored['stages'] == ['a', 'b'] and stored['passes_per_batch'] == [3, 10]


def test_the_report_holds_every_budget_and_its_curve(tmp_path):
    run_plan(_plans(), ARCHS, tmp_path, tmp_path, train=FakeTrain(), log=lambda _: None)
    records = run_plan(_plans(), ARCHS, tmp_path, tmp_path, train=None, log=lambda _: None)  # nothing to train
    truth = {'000': 1.0, '111': 3.0, '222': 2.0, '333': 4.0}
    result = evaluate_runs(records, truth, {'params': {a: -v for a, v in truth.items()}}, topk=[1], reference='ref')
    assert set(result['budgets']) == {'1', '2'} and result['budgets']['2']['reference_units'] == 46
    assert result['zero_cost']['params']['metrics']['kendall_tau_b']['value'] == pytest.approx(-1)
    curves = cost_curves(result['budgets'])
    assert [p[0] for p in curves['ref']] == [23, 46] and [p[0] for p in curves['base']] == [24, 48]
    assert all(p[1] == pytest.approx(2 / 3) for p in curves['ref'])  # scores follow the arch codes 0 < 1 < 2 < 3
    assert cost_curves(result['budgets'], 'partial_tau') == {}  # no control baseline: no partial tau


# --- cost curves -----------------------------------------------------------------------------------------------
def test_cost_curves_are_drawn(tmp_path):
    curves = {'cept': [(85, 0.44, 0.15, 0.67), (170, 0.47, 0.2, 0.7), (340, 0.5, 0.25, 0.72)],
              'spos': [(84, 0.36, 0.10, 0.60), (168, 0.40, 0.12, 0.62), (336, 0.41, float('nan'), float('nan'))],
              'pinas': [(352, 0.30, 0.31, 0.5), (88, 0.19, -0.09, 0.45), (176, 0.25, 0.0, 0.5)]}  # CI above the value
    baselines = {'params': 0.31, 'flops': 0.30, 'synflow': 0.28, 'snip': -0.05, 'grasp': float('nan')}
    path = plot_cost_curves(curves, tmp_path / 'sub' / 'cost_curves.png', baselines,
                            ceilings={'seed-to-seed tau': 0.486, 'noise ceiling': 0.64}, max_baselines=3, title='track1')
    data = path.read_bytes()
    assert data.startswith(PNG) and len(data) > 20_000
    empty = plot_cost_curves({}, tmp_path / 'empty.png')
    assert empty.read_bytes().startswith(PNG) and len(data) > 2 * len(empty.read_bytes())


def test_the_tool_reports_the_budgets_found_and_draws_the_curves(tmp_path):
    """Runs of budgets 1 and 2 in place, budget 1 asked for: nothing trains, both budgets are reported."""
    bench = ranking_study
    archs = [f'{i}{i}{i}{i}{i}{i}' for i in range(4)] + ['012301', '320132', '112233', '330022', '101010', '232323',
                                                          '001122', '331100']  # >= 10 for the study's top-10
    truth = {a: float(sum(map(int, a))) for a in archs}
    (tmp_path / 'gt.json').write_text(json.dumps([dict(arch=a, score=s) for a, s in truth.items()]))
    out = tmp_path / 'out' / 'resnest'
    out.mkdir(parents=True)
    for name, epochs, noise in (('pinas', 6, 3), ('spos', 16, 2), ('pinas_x2', 12, 1), ('spos_x2', 32, 0.5)):
        scores = {a: s + noise * math.sin(7 * i) for i, (a, s) in enumerate(truth.items())}
        (out / f'{name}_run.json').write_text(json.dumps(dict(epochs=[epochs], train_seconds=0, score_seconds=0,
                                                              scores=scores)))
    assert bench.main(['resnest', str(tmp_path / 'gt.json'), '--out-dir', str(tmp_path / 'out'), '--zero-cost',
                       str(tmp_path / 'none'), '--budget', '1']) == 0
    report = json.loads((out / 'report.json').read_text())
    assert list(report['budgets']) == ['1', '2'] and report['reference'] == 'pinas'
    assert [p['units'] for p in report['cost_curves']['spos']] == [48, 96]
    assert report['budgets']['2']['methods']['pinas']['epochs'] == [12]
    assert (out / 'cost_curves.png').read_bytes().startswith(PNG) and (out / 'spos_x2.png').is_file()
    assert json.loads((out / 'spos_x2_scores.json').read_text())[0]['arch'] == '333333'


# --- method variants, held-out halves, a growing ground truth ---------------------------------------------------
def test_a_method_variant_is_a_line_of_the_study_config(tmp_path):
    """Pi-NAS at another temperature is a baseline with its own cfg_options: counted, trained and checked with
    them on top of the study's."""
    variant = dict(name='base_t5', stages=['c'], cfg_options={'model.temperature': 0.5})
    study = study_from_dict(_study(baselines=[dict(name='base', stages=['c']), variant]))
    seen = []

    def passes(config, options):
        seen.append((config, dict(options)))
        return (8, 8) if options else PASSES[config]

    plans = plan_study(study, [1], passes=passes)
    assert ('c', {'model.temperature': 0.5}) in seen and plans[1]['base_t5'].units == 24 == plans[1]['base'].units
    train = FakeTrain()
    options = []
    run_plan(plans, ARCHS, tmp_path, tmp_path / 'work',
             cfg_options={'train_dataloader.batch_size': 8},
             train=lambda run, archs, work, opts: options.append((run.name, opts)) or train(run, archs, work, opts),
             log=lambda _: None)
    assert dict(options)['base_t5'] == {'train_dataloader.batch_size': 8, 'model.temperature': 0.5}
    assert dict(options)['base'] == {'train_dataloader.batch_size': 8}
    record = json.loads((tmp_path / 'base_t5_run.json').read_text())
    assert record['cfg_options'] == {'train_dataloader.batch_size': 8, 'model.temperature': 0.5}
    other = plan_study(study_from_dict(_study(baselines=[dict(variant, cfg_options={'model.temperature': 0.3})])),
                       [1], passes=passes)
    assert 'not {' in stale_reason(record, other[1]['base_t5'], ARCHS, {'train_dataloader.batch_size': 8})
    with pytest.raises(UsageError, match='cfg_options must be a dict'):
        study_from_dict(_study(baselines=[dict(variant, cfg_options=['model.temperature=0.5'])]))


def test_the_held_out_halves_stay_put_as_the_table_grows():
    codes = [f'{i:03d}' for i in range(200)]
    halves = split_archs(codes)
    assert sorted(halves['tune'] + halves['report']) == halves['all'] == sorted(codes)
    assert not set(halves['tune']) & set(halves['report']) and 80 <= len(halves['tune']) <= 120
    first = split_archs(codes[:50][::-1])  # a partial table, in another order: the same halves of it
    assert first['tune'] == [a for a in halves['tune'] if a in codes[:50]]
    assert split_archs(codes, seed=1)['tune'] != halves['tune']
    assert len(split_archs(codes, tune=0.25)['tune']) < len(halves['tune'])
    for bad in (dict(tune=1.0), dict(tune=0.5, seed='a'), dict(fraction=0.5), 'half'):
        with pytest.raises(UsageError, match='split must be dict'):
            study_from_dict(_study(split=bad))


def test_a_grown_ground_truth_only_scores_its_new_architectures(tmp_path):
    """The supernet of a run file that lacks architectures is loaded from its checkpoints, not trained again; if
    they are gone, the new supernet scores every architecture (no scores of two trainings in one table)."""
    plans = _plans(budgets=[1])
    run_plan(plans, ARCHS[:2], tmp_path, tmp_path, train=FakeTrain(), log=lambda _: None)
    asked = []

    def loaded(run, archs, work_dir, options):  # train_and_score finding the finished checkpoints
        asked.append(list(archs))
        return dict(FakeTrain()(run, archs, work_dir, options), trained=0, train_seconds=1.0)

    lines = []
    records = run_plan(plans, ARCHS, tmp_path, tmp_path, train=loaded, log=lines.append)
    assert asked == [ARCHS[2:], ARCHS[2:]] and 'base: scoring' in lines[0]
    assert set(records[1]['ref']['scores']) == set(ARCHS) and 'trained' not in records[1]['ref']
    asked.clear()

    def retrained(run, archs, work_dir, options):  # the checkpoints were gone
        asked.append(list(archs))
        return dict(FakeTrain()(run, archs, work_dir, options), trained=len(run.stages))

    run_plan(plans, ARCHS + ['444'], tmp_path, tmp_path, train=retrained, log=lambda _: None)
    assert asked == [['444'], ARCHS + ['444']] * 2


def test_seed_to_seed_tau_of_a_half_comes_from_the_seed_columns():
    from pinas.studies.ground_truth import seed_to_seed_tau
    rows = [dict(arch=str(i), score=i, top1_seed0=i, top1_seed1=i if i < 4 else 10 - i) for i in range(8)]
    assert seed_to_seed_tau(rows, [str(i) for i in range(4)]) == pytest.approx(1.0)
    assert seed_to_seed_tau(rows) < 1.0
    assert seed_to_seed_tau([dict(arch='a', score=1.0)]) is None and seed_to_seed_tau({'a': 1.0}) is None


def _tiny_embedded(tmp_path) -> dict:
    """Overrides that shrink an embedded search config to 80 training images scored with one recalibration batch."""
    data = str(tmp_path / 'data')
    return {'train_dataloader.dataset.synthetic.train_per_class': 4,
            'train_dataloader.dataset.synthetic.val_per_class': 2, 'train_dataloader.dataset.root': data,
            'train_dataloader.batch_size': 16, 'train_dataloader.num_workers': 0,
            'train_dataloader.persistent_workers': False, 'search.data.batch_size': 16,
            'search.scorer.recalib_batches': 1, 'search.data.recalib.root': data, 'search.data.val.root': data}


@pytest.mark.slow
def test_a_finished_stage_is_loaded_not_trained_again(tmp_path):
    """train_and_score keeps each stage's work dir: the same run asked for more architectures loads the finished
    supernet (same scores for the old ones), and a run with other settings trains anew."""
    from pinas.studies.study import PlannedRun, StageRun, train_and_score
    small = _tiny_embedded(tmp_path)
    run = PlannedRun('spos', 1, (StageRun('spos_track1_embedded', 1, 3, 3),))
    space_codes = ['4-4-4-4-4-4-4-4-4-4-4-4-4-4-4-4-4-4-4-4',
                   '16-16-16-16-16-16-16-32-32-32-32-32-32-64-64-64-64-64-64-64',
                   '8-8-8-8-8-8-8-16-16-16-16-16-16-32-32-32-32-32-32-32']
    first = train_and_score(run, space_codes[:2], tmp_path / 'work', small)
    stage_dir, = (tmp_path / 'work').glob('spos_track1_embedded-*')
    assert first['trained'] == 1 and (stage_dir / 'study_stage.json').is_file()
    assert first['measured_passes_per_batch'] == [None] and first['units_measured'] == 3  # SPOS logs none: planned
    again = train_and_score(run, space_codes, tmp_path / 'work', small)
    assert again['trained'] == 0 and again['train_seconds'] == first['train_seconds']
    assert [again['scores'][c] for c in space_codes[:2]] == [first['scores'][c] for c in space_codes[:2]]
    # another way of scoring the same supernet trains nothing
    rescored = train_and_score(run, space_codes[:2], tmp_path / 'work', {**small, 'search.scorer.recalib_batches': 2})
    assert rescored['trained'] == 0 and len(list((tmp_path / 'work').iterdir())) == 1
    other = train_and_score(run, space_codes[:1], tmp_path / 'work', {**small, 'optim_wrapper.optimizer.lr': 0.01})
    assert other['trained'] == 1 and len(list((tmp_path / 'work').iterdir())) == 2


@pytest.mark.slow
def test_a_run_records_the_passes_its_steps_ran(tmp_path):
    """CEPT logs the passes of every step (step 2's depend on the data): the run records their mean per stage and
    the units they add up to, kept with the finished stage."""
    from pinas.studies.study import PlannedRun, StageRun, train_and_score
    small = _tiny_embedded(tmp_path)
    code = '16-16-16-16-16-16-16-32-32-32-32-32-32-64-64-64-64-64-64-64'
    run = PlannedRun('cept', 1, (StageRun('cept_embedded', 2, 3, 3),))
    first = train_and_score(run, [code], tmp_path / 'work', small)
    assert first['measured_passes_per_batch'] == [3.0] and first['units_measured'] == 6
    again = train_and_score(run, [code], tmp_path / 'work', small)  # loaded, not trained: the marker keeps them
    assert again['trained'] == 0 and again['measured_passes_per_batch'] == [3.0]


def test_a_stage_names_its_previous_stage_relative_so_a_moved_study_finds_its_stages(tmp_path):
    """A later stage starts from the previous stage's work dir: its marker and its dir's name hold that path
    relative to the stage (a sibling), the same wherever the study's work dir is; a stage finished when they held
    the path as given is still found, and a first stage's name is what it always was."""
    from pinas.studies.study import STAGE_FILE, find_stage, portable_settings, stage_work_dir

    def given(work):
        return {'model': {'type': 'CEPT', 'init_from': str(work / 'step1-0123456789')}, 'seed': 1}
    work, moved = tmp_path / 'work' / 'x1', tmp_path / 'moved' / 'x1'
    settings = portable_settings(given(work), work, 'step2')
    assert settings == {'model': {'type': 'CEPT', 'init_from': '../step1-0123456789'}, 'seed': 1}
    assert portable_settings(given(moved), moved, 'step2') == settings
    first = {'model': {'type': 'CEPT'}, 'seed': 1}
    assert portable_settings(first, work, 'step1') == first

    def finish(folder, recorded):
        folder.mkdir(parents=True)
        (folder / STAGE_FILE).write_text(json.dumps(dict(settings=recorded, train_seconds=1.0)))
        return dict(settings=recorded, train_seconds=1.0)
    done = finish(stage_work_dir(work, 'step2', settings), settings)
    shutil.copytree(tmp_path / 'work', tmp_path / 'moved')
    assert find_stage(moved, 'step2', settings, given(moved)) == (stage_work_dir(moved, 'step2', settings), done,
                                                                  settings)
    legacy = tmp_path / 'legacy' / 'x1'
    done = finish(stage_work_dir(legacy, 'step2', given(legacy)), given(legacy))  # before paths were portable
    assert find_stage(legacy, 'step2', settings, given(legacy)) == (stage_work_dir(legacy, 'step2', given(legacy)),
                                                                    done, given(legacy))
    other = tmp_path / 'other'
    assert find_stage(other, 'step2', settings, given(other)) == (stage_work_dir(other, 'step2', settings), {},
                                                                  settings)


def test_a_changed_stage_config_makes_its_run_stale(tmp_path):
    """A run file records what its stage configs trained and scored with: a new learning rate or scorer in a
    config retrains it instead of reusing a result its inputs no longer produce."""
    from pinas.studies.study import stage_settings_digest
    base = stage_settings_digest('spos_track1_embedded')
    assert base == stage_settings_digest('spos_track1_embedded')
    assert base != stage_settings_digest('spos_track1_embedded', {'optim_wrapper.optimizer.lr': 0.5})
    assert base != stage_settings_digest('spos_track1_embedded', {'search.scorer.type': 'neg_loss'})
    digests = {'a': 'A', 'b': 'B', 'c': 'C'}
    plans = _plans(budgets=[1], settings=lambda config, _: digests[config])
    run_plan(plans, ARCHS, tmp_path, tmp_path, train=FakeTrain(), log=lambda _: None)
    record = json.loads((tmp_path / 'base_run.json').read_text())
    assert record['settings_sha256'] == ['C'] and stale_reason(record, plans[1]['base'], ARCHS) is None
    digests['c'] = 'C2'
    changed = _plans(budgets=[1], settings=lambda config, _: digests[config])
    assert stale_reason(record, changed[1]['base'], ARCHS) == 'the settings of c changed since it was trained'
    retrain = FakeTrain()
    run_plan(changed, ARCHS, tmp_path, tmp_path, train=retrain, log=lambda _: None)
    assert [c[0] for c in retrain.calls] == ['base']



# --- training health ---------------------------------------------------------------------------------------------
class HealthTrain(FakeTrain):
    """A contrastive method's runs log their similarities: the baseline's embedding collapsed (negatives as close
    as positives), the reference's did not."""

    def __call__(self, run, archs, work_dir, cfg_options):
        result = super().__call__(run, archs, work_dir, cfg_options)
        pos, neg = (0.92, 0.93) if run.method == 'base' else (0.85, 0.40)
        return dict(result, health=dict(pos_sim=pos, neg_sim=neg, key_rank=3.0, margin=round(pos - neg, 4)))


def test_a_run_whose_embedding_collapsed_says_so_in_its_run_file_and_the_study(tmp_path):
    from pinas.ranking.report import _health_lines
    from pinas.studies.methods import health_of_runs
    study = study_from_dict(_study(health=dict(min_margin=0.05)))
    plans = plan_study(study, [1], passes=lambda config, _: PASSES[config])
    lines = []
    records = run_plan(plans, ARCHS, tmp_path, tmp_path, train=HealthTrain(), log=lines.append, min_margin=0.05)
    assert json.loads((tmp_path / 'base_run.json').read_text())['health']['collapsed'] is True
    assert records[1]['ref']['health']['collapsed'] is False
    assert any('base: collapsed: pos_sim 0.92 - neg_sim 0.93 < 0.05' in line for line in lines)
    runs = health_of_runs(study, {1: {m: [dict(r, seed=0)] for m, r in records[1].items()}})
    assert [runs['base']['collapsed'], runs['ref']['collapsed']] == [True, False]
    text = _health_lines(dict(min_margin=0.05, runs={**runs, 'old': None}))
    assert text[0].startswith('Training health of the runs that log it') and text[0].endswith('1 of 2 collapsed.')
    assert '| base | 0.92 | 0.93 | -0.01 | 3.0 | **yes** |' in text and '| ref | 0.85 | 0.40 | 0.45 | 3.0 | no |' in text
    assert text[-1] == 'Not recorded (trained before the check, or a method that logs no similarities): old.'
    assert _health_lines(dict(min_margin=0.05, runs={'ref': runs['ref']}))[0].endswith('none of 1 collapsed.')
    assert 'no run of this report recorded it' in _health_lines(dict(min_margin=0.05, runs={'old': None}))[0]


def test_training_health_is_the_last_epoch_of_what_the_run_logged():
    from types import SimpleNamespace

    from mmengine.logging import MessageHub

    from pinas.studies.study import training_health
    hub = MessageHub(f'health-{id(object())}')
    for step in range(10):  # two epochs of 5 steps: healthy, then collapsed
        hub.update_scalar('train/pos_sim', 0.9)
        hub.update_scalar('train/neg_sim', 0.2 if step < 5 else 0.9)
    runner = SimpleNamespace(message_hub=hub, train_loop=SimpleNamespace(dataloader=[None] * 5))
    assert training_health(runner) == dict(pos_sim=0.9, neg_sim=0.9, margin=0.0)
    runner.message_hub = MessageHub(f'health-none-{id(object())}')
    assert training_health(runner) is None  # a method that logs no similarities


def test_a_hook_that_only_draws_the_random_numbers_is_not_a_setting():
    """EpochSeedHook changes which random numbers a run draws, not what it trains: runs from before it was added
    are draws of the same experiment, so it leaves the settings digest alone; any other hook changes it."""
    from mmengine.config import Config

    from pinas.studies.study import training_settings
    hooks = [dict(type='PathSamplerStateHook')]
    plain = training_settings(Config(dict(lr=0.1, custom_hooks=hooks)))
    assert training_settings(Config(dict(lr=0.1, custom_hooks=[*hooks, dict(type='EpochSeedHook')]))) == plain
    assert training_settings(Config(dict(lr=0.1, custom_hooks=[*hooks, dict(type='EMAHook')]))) != plain
