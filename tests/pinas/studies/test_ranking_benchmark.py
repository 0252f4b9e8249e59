"""The ranking benchmark compares methods at equal compute: every baseline gets the reference method's budget of
network passes per training image, at every budget of the study config (configs/ranking/methods_*.py)."""
import json
from pathlib import Path

import pytest

from pinas.studies.methods import ceiling, json_rows
from pinas.studies.study import count_passes, load_study, plan_study, resolve_study_config, study_names
from pinas.utils.cli import UsageError
from pinas.utils.paths import resolve_stored
from tools import ranking_study

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def _in_checkout(monkeypatch):
    """Studies find configs/ in the working directory, as the tools run from the checkout."""
    monkeypatch.chdir(ROOT)


@pytest.fixture(scope='module')
def bench():
    return ranking_study


def test_both_studies_have_a_config():
    assert {'resnest', 'track1'} <= set(study_names())
    assert resolve_study_config('track1') == ROOT / 'configs/ranking/methods_track1.py'


@pytest.mark.parametrize('study, epochs', [('track1', None), ('track1', [2, 1, 1, 1]), ('resnest', [6])])
def test_every_method_gets_the_reference_budget(study, epochs):
    study = load_study(resolve_study_config(study))
    plans = plan_study(study, epochs=epochs)
    assert list(plans) == [1, 2, 4]
    for budget, runs in plans.items():
        reference = runs[study.reference.name]
        assert reference.epochs == [budget * e for e in (epochs or study.epochs)]
        for method in study.baselines:
            stage, = runs[method.name].stages
            assert abs(runs[method.name].units - reference.units) <= stage.passes_per_batch / 2  # nearest epoch
    assert set(plans[1]) == ({'spos', 'pinas', 'pinas_same_neck_width', 'cept'} if study.name == 'track1'
                             else {'spos', 'pinas'})


def test_the_pinas_health_ablations_each_build_at_the_official_runs_compute():
    """Each variant's options build its model (a misspelled option fails here, not an hour into a run)."""
    study = load_study(resolve_study_config('track1_pinas_health'))
    runs = plan_study(study)[1]
    assert len(runs) == 8 and {run.units for run in runs.values()} == {runs['pinas'].units}


def test_every_study_config_exists_and_can_be_scored():
    from mmengine.config import Config
    for name in study_names():
        for method in load_study(resolve_study_config(name)).methods:
            for stage in method.stages:
                cfg = Config.fromfile(str(ROOT / 'configs/search' / f'{stage}.py'))
                assert {'scorer', 'data'} <= set(cfg.search), stage


def test_a_wrong_number_of_stage_epochs_is_explained(bench, capsys):
    with pytest.raises(UsageError, match='cept has 4 stages'):
        plan_study(load_study(resolve_study_config('track1')), epochs=[6], passes=lambda config, _: (3, 3))
    assert bench.main(['track1', 'missing.json', '--epochs', '6', '--plan']) == 2
    assert 'error: cept has 4 stages' in capsys.readouterr().err


def test_the_plan_is_printed_without_training(bench, capsys):
    assert bench.main(['configs/ranking/methods_track1.py', 'unused.json', '--plan', '--budget', '1']) == 0
    out = capsys.readouterr().out
    assert '1+1+1+1' in out and '3+37+25+25' in out and '(<= 105)' in out  # CEPT: 90, up to 105 with recovers
    assert 'spos' in out and ' 30 ' in out.split('spos')[1]


def test_the_report_sets_every_method_beside_the_zero_cost_baselines(bench, tmp_path, capsys):
    """With run files in place nothing trains: the metrics, the baselines and the margins are recomputed."""
    import numpy as np
    rng = np.random.default_rng(0)
    archs = [f'{i:06d}' for i in range(12)]
    truth = rng.normal(size=len(archs))
    (tmp_path / 'gt.json').write_text(json.dumps([dict(arch=a, score=float(t)) for a, t in zip(archs, truth)]))
    for method, epochs in (('spos', 16), ('pinas', 6)):  # the resnest study's budget 1 (Pi-NAS 8 x 6 = SPOS 3 x 16)
        run = dict(epochs=[epochs], units=48, train_seconds=0, score_seconds=0,
                   scores={a: float(t + rng.normal()) for a, t in zip(archs, truth)})
        (tmp_path / 'out' / 'resnest').mkdir(parents=True, exist_ok=True)
        (tmp_path / 'out' / 'resnest' / f'{method}_run.json').write_text(json.dumps(run))
    (tmp_path / 'zc').mkdir()
    for proxy in ('params', 'synflow'):
        rows = [dict(arch=a, score=float(t + 2 * rng.normal())) for a, t in zip(archs, truth)]
        (tmp_path / 'zc' / f'{proxy}.json').write_text(json.dumps(rows))
    args = ['resnest', str(tmp_path / 'gt.json'), '--out-dir', str(tmp_path / 'out'), '--zero-cost',
            str(tmp_path / 'zc'), '--budget', '1']
    assert bench.main(args) == 2  # the study's control baseline (FLOPs) is missing: named before anything runs
    assert "control baseline 'flops' has no table" in capsys.readouterr().err
    rows = [dict(arch=a, score=float(t + 2 * rng.normal())) for a, t in zip(archs, truth)]
    (tmp_path / 'zc' / 'flops.json').write_text(json.dumps(rows))
    assert bench.main(['resnest', str(tmp_path / 'gt.json'), '--out-dir', str(tmp_path / 'out'),
                       '--zero-cost', str(tmp_path / 'zc'), '--budget', '1']) == 0
    out_dir = tmp_path / 'out' / 'resnest'
    report = json.loads((out_dir / 'report.json').read_text())
    assert set(report['zero_cost']['baselines']) == {'params', 'synflow', 'flops'}
    assert report['zero_cost']['dir'] == '../../zc'  # paths the report holds are relative to it
    assert resolve_stored(report['config'], out_dir / 'report.json') == ROOT / 'configs/ranking/methods_resnest.py'
    margin = report['budgets']['1']['methods']['pinas']['margin_over_best_baseline']
    # 12 architectures: too few for a bootstrap, so values without intervals (a study reports CIs from 20 on)
    assert margin['name'].startswith('margin_kendall_tau_b over ') and margin['ci'] == [None, None]
    partial = report['budgets']['1']['methods']['pinas']['partial_tau']
    assert partial['given'] == 'flops' and partial['ci'] == [None, None] and -1 <= partial['value'] <= 1
    out = capsys.readouterr().out
    assert '| pinas | method |' in out and 'partial tau given flops [CI]' in out
    assert (out_dir / 'cost_curves_partial.png').is_file()
    assert (out_dir / 'cost_curves.png').is_file() and (out_dir / 'pinas.png').is_file()
    assert json.loads((out_dir / 'pinas_run.json').read_text())['passes_per_batch'] == [8]  # the plan's counts


def test_every_study_names_its_zero_cost_baselines():
    for name in study_names():
        assert load_study(resolve_study_config(name)).zero_cost.startswith('results/ranking/baselines/'), name


def test_the_counts_follow_the_overrides():
    assert count_passes('pinas_track1_embedded', {'model.num_paths': 1}) == (4, 4)


def test_a_held_out_half_is_reported_on_its_own(bench, tmp_path, capsys):
    """--split tune / report: metrics and the seed ceiling over that half only, in <out-dir>/<study>/<half>/."""
    import numpy as np
    from pinas.studies.study import split_archs
    rng = np.random.default_rng(1)
    archs = [f'{i:06d}' for i in range(18)]
    seeds = rng.normal(size=(2, len(archs)))
    rows = [dict(arch=a, score=float(s0 + s1) / 2, top1_seed0=float(s0), top1_seed1=float(s1))
            for a, s0, s1 in zip(archs, *seeds)]
    (tmp_path / 'gt.json').write_text(json.dumps(rows))
    out = tmp_path / 'out' / 'resnest'
    out.mkdir(parents=True)
    for method, epochs in (('spos', 16), ('pinas', 6)):
        run = dict(epochs=[epochs], units=48, train_seconds=0, score_seconds=0,
                   scores={r['arch']: r['score'] + float(rng.normal()) for r in rows})
        (out / f'{method}_run.json').write_text(json.dumps(run))
    halves = split_archs(archs)
    small = min(('tune', 'report'), key=lambda half: len(halves[half]))
    assert len(halves[small]) < 10  # too few for the study's top-10: left out, not an error
    for half in ('tune', 'report'):
        assert bench.main(['resnest', str(tmp_path / 'gt.json'), '--out-dir', str(tmp_path / 'out'),
                           '--zero-cost', str(tmp_path / 'none'), '--budget', '1', '--split', half]) == 0
        report = json.loads((out / half / 'report.json').read_text())
        assert report['archs'] == half and report['num_archs'] == len(halves[half])
        from pinas.ranking.metrics import kendall_tau_b
        chosen = [r for r in rows if r['arch'] in halves[half]]
        assert report['seed_to_seed_tau'] == pytest.approx(
            kendall_tau_b([r['top1_seed0'] for r in chosen], [r['top1_seed1'] for r in chosen]))
        assert (out / half / 'cost_curves.png').is_file() and (out / half / 'pinas.png').is_file()
        assert ('precision@10' in report['budgets']['1']['methods']['spos']['metrics']) == (len(halves[half]) >= 10)
    assert not (out / 'report.json').exists()
    assert f'{len(halves["report"])} architectures (the `report` half)' in capsys.readouterr().out
    # the sample of a table still training: runs that score it stand, nothing trains
    (tmp_path / 'sample.txt').write_text('\n'.join(archs) + '\n')
    assert bench.main(['resnest', str(tmp_path / 'gt.json'), '--out-dir', str(tmp_path / 'out'), '--budget', '1',
                       '--score-also', str(tmp_path / 'sample.txt'), '--zero-cost', str(tmp_path / 'none')]) == 0
    assert bench.main(['resnest', str(tmp_path / 'gt.json'), '--score-also', str(tmp_path / 'nope.txt')]) == 2
    assert '--score-also' in capsys.readouterr().err
    (tmp_path / 'zc').mkdir()
    (tmp_path / 'zc' / 'params.json').write_text(json.dumps([dict(arch=a, score=1.0) for a in archs[1:]]))
    assert bench.main(['resnest', str(tmp_path / 'gt.json'), '--out-dir', str(tmp_path / 'out'), '--budget', '1',
                       '--zero-cost', str(tmp_path / 'zc')]) == 2
    assert f'params.json lacks 1 of the 18 architectures (e.g. {archs[0]}): make the baselines' in \
        capsys.readouterr().err


def test_every_method_variant_builds_its_config_and_scorer_data():
    """A variant's cfg_options apply to its search config, and its scorer finds the data it reads (a linear probe
    trains its head on search.data.train)."""
    import pinas.search.scoring  # noqa: F401  (registers the proxies)
    from pinas.apis import load_config
    from pinas.registry import PROXIES
    seen = set()
    for name in study_names():
        for method in load_study(resolve_study_config(name)).methods:
            cfg = load_config(ROOT / 'configs/search' / f'{method.stages[-1]}.py', cfg_options=method.cfg_options)
            kind = cfg.search.scorer.type
            seen.add(kind)
            assert PROXIES.get(kind) is not None, (name, method.name)
            if kind == 'linear_probe':
                assert cfg.search.data.train.split == 'train' and cfg.search.scorer.head.num_classes == 20
    assert {'knn', 'top1', 'linear_probe'} <= seen


def test_a_study_can_train_some_of_its_methods(bench, capsys):
    assert bench.main(['track1', 'unused.json', '--plan', '--budget', '1', '--methods', 'spos', 'cept']) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines() if line.lstrip().startswith('x1 ')]
    assert [row[1] for row in rows] == ['spos', 'cept']  # the method column; the header names the config's path
    assert bench.main(['track1', 'unused.json', '--plan', '--methods', 'spo']) == 2
    assert 'error: --methods: spo not in the study track1 (cept, spos, pinas, pinas_same_neck_width)' \
        in capsys.readouterr().err


def test_a_half_of_a_table_without_seed_columns_has_no_ceiling(bench, tmp_path):
    """The seed tau recorded beside a table is the whole table's: never shown as a half's ceiling."""
    gt = tmp_path / 'gt.json'
    gt.write_text(json.dumps([dict(arch=f'{i:06d}', score=float(i)) for i in range(8)]))
    gt.with_suffix('.meta.json').write_text(json.dumps({'seed_to_seed_kendall_tau': {'0-1': 0.5}}))
    archs = [f'{i:06d}' for i in range(8)]
    assert ceiling(gt, json_rows(gt), archs, whole=True) == 0.5
    assert ceiling(gt, json_rows(gt), archs[:4], whole=False) is None
    csv = tmp_path / 'other.csv'  # no meta beside it
    csv.write_text('arch,score\n000000,1\n000001,2\n')
    assert ceiling(csv, json_rows(csv), archs[:2], whole=True) is None
