"""The ranking benchmark compares methods at equal compute: every baseline gets the reference method's budget of
network passes per training image."""
import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope='module')
def bench():
    spec = importlib.util.spec_from_file_location('ranking_methods', ROOT / 'tools/benchmarks/ranking_methods.py')
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _passes(stages):
    return sum(stage.units_per_batch * epochs for stage, epochs in stages)


@pytest.mark.parametrize('study, epochs', [('track1', [1, 1, 1, 1]), ('track1', [2, 1, 1, 1]), ('resnest', [6])])
def test_every_method_gets_the_reference_budget(bench, study, epochs):
    plan = bench.plan(bench.STUDIES[study], epochs)
    reference = bench.STUDIES[study].reference
    assert [e for _, e in plan[reference.name]] == epochs
    budget = _passes(plan[reference.name])
    for method in bench.STUDIES[study].baselines:
        (stage, _), = plan[method.name]
        assert abs(_passes(plan[method.name]) - budget) <= stage.units_per_batch / 2  # nearest whole epoch
    assert set(plan) == {'spos', 'pinas', 'cept'} if study == 'track1' else {'spos', 'pinas'}


def test_every_study_config_exists_and_can_be_scored(bench):
    from mmengine.config import Config
    for study in bench.STUDIES.values():
        for method in (study.reference, *study.baselines):
            for stage in method.stages:
                cfg = Config.fromfile(str(ROOT / 'configs/search' / f'{stage.config}.py'))
                assert {'scorer', 'data'} <= set(cfg.search), stage.config


def test_a_wrong_number_of_stage_epochs_is_explained(bench):
    with pytest.raises(SystemExit, match='cept has 4 stages'):
        bench.plan(bench.STUDIES['track1'], [6])


def test_the_report_sets_every_method_beside_the_zero_cost_baselines(bench, tmp_path, capsys):
    """With run files in place nothing trains: the metrics, the baselines and the margins are recomputed."""
    import json

    import numpy as np
    rng = np.random.default_rng(0)
    archs = [f'{i:06d}' for i in range(12)]
    truth = rng.normal(size=len(archs))
    (tmp_path / 'gt.json').write_text(json.dumps([dict(arch=a, score=float(t)) for a, t in zip(archs, truth)]))
    for method in ('spos', 'pinas'):
        run = dict(epochs=[1], units=3, train_seconds=0, score_seconds=0,
                   scores={a: float(t + rng.normal()) for a, t in zip(archs, truth)})
        (tmp_path / 'out' / 'resnest').mkdir(parents=True, exist_ok=True)
        (tmp_path / 'out' / 'resnest' / f'{method}_run.json').write_text(json.dumps(run))
    (tmp_path / 'zc').mkdir()
    for proxy in ('params', 'synflow'):
        rows = [dict(arch=a, score=float(t + 2 * rng.normal())) for a, t in zip(archs, truth)]
        (tmp_path / 'zc' / f'{proxy}.json').write_text(json.dumps(rows))
    assert bench.main(['resnest', str(tmp_path / 'gt.json'), '--out-dir', str(tmp_path / 'out'),
                       '--zero-cost', str(tmp_path / 'zc')]) == 0
    report = json.loads((tmp_path / 'out' / 'resnest' / 'report.json').read_text())
    assert set(report['zero_cost']['baselines']) == {'params', 'synflow'}
    margin = report['methods']['pinas']['margin_over_best_baseline']
    assert margin['name'].startswith('margin_kendall_tau_b over ') and margin['ci'][0] <= margin['value']
    assert '| pinas | method |' in capsys.readouterr().out


def test_every_study_names_its_zero_cost_baselines(bench):
    for name, study in bench.STUDIES.items():
        assert study.zero_cost.startswith('results/ranking/baselines/'), name
