"""Does a supernet's ranking predict transfer? Every row is ranked against the classification ground truth and a
transfer one of the same architectures; each row's change between them and the difference of two methods' changes
are paired over one set of draws, so a method that ranks what transfers (and not what only classifies) shows as a
supported positive shift, and the references' own noise cancels out of that shift."""
import json
import math

import numpy as np
import pytest

from pinas.ranking.metrics import RankingInputError
from pinas.ranking.paired import TAU, SeededRanking
from pinas.ranking.report import format_seeded_study
from pinas.studies.transfer import Reference, reference_summary
from tools import ranking_study

PNG = b'\x89PNG'


def _latent(n: int, seed: int = 0) -> dict[str, np.ndarray]:
    """What both tasks share, what only classification rewards, what only transfer rewards."""
    rng = np.random.default_rng(seed)
    return {k: rng.normal(size=n) for k in ('shared', 'cls', 'transfer')}


def _case(n: int = 60, seeds: int = 2):
    z = _latent(n)
    archs = [f'{i:03d}' for i in range(n)]
    table = lambda v: {a: float(x) for a, x in zip(archs, v)}  # noqa: E731
    cls, tr = table(z['shared'] + z['cls']), table(z['shared'] + z['transfer'])
    rng = np.random.default_rng(1)

    def runs(signal):
        return [dict(scores=table(signal + 0.3 * rng.normal(size=n)), units=3) for _ in range(seeds)]

    by_seed = {1.0: {'supervised': runs(z['shared'] + z['cls']), 'transferable': runs(z['shared'] + z['transfer'])}}
    baselines = {'params': table(z['shared'] + rng.normal(size=n))}
    return archs, cls, tr, by_seed, baselines


def test_a_method_that_ranks_what_transfers_gains_where_one_tuned_for_classification_loses():
    archs, cls, tr, by_seed, baselines = _case()
    summary = json.loads(json.dumps(reference_summary(
        by_seed, [Reference('classification', 'gt.json', cls), Reference('ade', 'ade.json', tr)], baselines, archs)))
    sup, trans = summary['rows']['supervised x1'], summary['rows']['transferable x1']
    assert sup['tau']['classification']['value'] > sup['tau']['ade']['value']
    assert sup['change']['ade']['value'] < 0 < trans['change']['ade']['value']
    assert sup['change']['ade']['excludes_zero'] and trans['change']['ade']['excludes_zero']
    shift = next(d for d in summary['shifts'] if d['a'] == 'supervised x1' and d['b'] == 'transferable x1')
    assert shift['value'] == pytest.approx(sup['change']['ade']['value'] - trans['change']['ade']['value'])
    assert shift['excludes_zero'] and shift['ci'][1] < 0
    assert summary['rows']['params']['kind'] == 'baseline' and 'ade' in summary['rows']['params']['change']
    cross = summary['cross_task']['ade']
    assert 0.2 < cross['value'] < 0.6 and cross['ci'][0] < cross['value'] < cross['ci'][1]


def test_the_same_ranking_against_a_noisier_copy_of_its_reference_shifts_no_method_against_another():
    """Two methods facing a transfer table that is the classification one plus noise: each loses tau, but the
    difference of their changes is the noise's effect on both, and cancels within its interval."""
    archs, cls, _, by_seed, baselines = _case()
    rng = np.random.default_rng(5)
    noisy = {a: v + 0.8 * float(rng.normal()) for a, v in cls.items()}
    runs = {1.0: {'a': by_seed[1.0]['supervised'], 'b': [dict(r, scores={k: v + 0.5 * math.sin(i)
                                                                          for i, (k, v) in enumerate(r['scores'].items())})
                                                         for r in by_seed[1.0]['supervised']]}}
    summary = reference_summary(runs, [Reference('classification', 'gt', cls), Reference('noisy', 'n', noisy)],
                                baselines, archs)
    assert summary['rows']['a x1']['change']['noisy']['value'] < 0
    shift = summary['shifts'][0]
    assert not shift['excludes_zero'] and shift['ci'][0] < 0 < shift['ci'][1]


def test_rankings_on_different_draws_are_not_differenced():
    archs, cls, tr, by_seed, _ = _case(n=30)
    rows = {'m': [r['scores'] for r in by_seed[1.0]['supervised']]}
    with pytest.raises(RankingInputError, match='same draws'):
        SeededRanking(rows, tr, seed=1).across(SeededRanking(rows, cls, seed=2), 'm')
    assert SeededRanking(rows, tr).across(SeededRanking(rows, cls), 'm').metric == TAU


def test_references_that_share_too_few_architectures_give_no_correlation():
    archs, cls, tr, by_seed, baselines = _case(n=30)
    few = {a: tr[a] for a in archs[:4]}
    with pytest.raises(RankingInputError, match='share 4 of the 30 architectures'):
        reference_summary(by_seed, [Reference('classification', 'gt', cls), Reference('ade', 'ade.json', few)],
                          baselines, archs)


def test_below_twenty_architectures_the_section_gives_no_interval_and_says_so():
    archs, cls, tr, by_seed, baselines = _case(n=12)
    summary = json.loads(json.dumps(reference_summary(
        by_seed, [Reference('classification', 'gt', cls), Reference('ade', 'ade.json', tr)], baselines, archs)))
    assert not summary['bootstrapped'] and summary['cross_task']['ade']['p_value'] is not None
    report = dict(ground_truth='gt.json', archs='all', ceilings=None, transfer=summary,
                  seeded=dict(num_archs=12, bootstrapped=False, control=None, methods={}, baselines={},
                              comparisons=[]))
    text = format_seeded_study(report)
    assert '### Against transfer (12 architectures' in text and 'no bootstrap interval' in text
    assert '| supervised x1 |' in text and 'no CI' in text and 'permutation p =' in text
    assert 'no difference is claimed either way' in text and 'Supported' not in text


def test_the_study_tool_ranks_every_row_against_a_transfer_table_too(tmp_path):
    """Runs in place, a transfer table of the same architectures: the report gains its section and its plot."""
    archs, cls, tr, by_seed, _ = _case(n=24)
    codes = [f'{i % 4}{i // 4 % 4}{i // 16 % 4}{i % 3}{i % 2}{i % 4}' for i in range(24)]
    rename = dict(zip(archs, codes))
    rows = lambda t, metric: [dict(arch=rename[a], score=v, **{f'{metric}_seed0': v + 0.1 * math.sin(i),  # noqa: E731
                                                              f'{metric}_seed1': v - 0.1 * math.sin(i)})
                              for i, (a, v) in enumerate(t.items())]
    (tmp_path / 'gt.json').write_text(json.dumps(rows(cls, 'top1')))
    (tmp_path / 'ade.json').write_text(json.dumps(rows(tr, 'mIoU')))
    out = tmp_path / 'out' / 'resnest'
    out.mkdir(parents=True)
    for name, run in (('pinas', by_seed[1.0]['transferable'][0]), ('spos', by_seed[1.0]['supervised'][0])):
        scores = {rename[a]: v for a, v in run['scores'].items()}
        (out / f'{name}_run.json').write_text(json.dumps(dict(epochs=[6 if name == 'pinas' else 16],
                                                              train_seconds=0, score_seconds=0, scores=scores)))
    argv = ['resnest', str(tmp_path / 'gt.json'), '--out-dir', str(tmp_path / 'out'), '--zero-cost',
            str(tmp_path / 'none'), '--budget', '1']
    assert ranking_study.main([*argv, '--transfer', f'ade={tmp_path / "ade.json"}']) == 0
    report = json.loads((out / 'report.json').read_text())
    section = report['transfer']
    assert section['num_archs'] == 24 and set(section['references']) == {'classification', 'ade'}
    assert section['references']['ade']['ceilings']['seeds'] == 2
    assert section['references']['ade']['ceilings']['noise_ceiling']['ci'][0] is not None  # 24 architectures
    assert section['rows']['pinas x1']['change']['ade']['value'] > 0 > section['rows']['spos x1']['change']['ade']['value']
    assert (out / 'transfer_vs_ade.png').read_bytes().startswith(PNG)
    assert '### Against transfer' in (out / 'study.md').read_text()


def test_a_transfer_table_of_too_few_of_the_architectures_is_refused_before_anything_trains(tmp_path, capsys):
    (tmp_path / 'gt.json').write_text(json.dumps([dict(arch=f'{i}{i}{i}{i}{i}{i}', score=i) for i in range(4)] +
                                                 [dict(arch=f'{i}{i}{i}{i}{i}0', score=i) for i in range(1, 4)]))
    (tmp_path / 'ade.json').write_text(json.dumps([dict(arch=f'{i}{i}{i}{i}{i}{i}', score=i) for i in range(4)]))
    code = ranking_study.main(['resnest', str(tmp_path / 'gt.json'), '--out-dir', str(tmp_path / 'out'),
                               '--work-dir', str(tmp_path / 'work'), '--transfer', f'ade={tmp_path / "ade.json"}'])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith('error: ') and 'share 4 of the 7 architectures' in err
    assert not (tmp_path / 'work').exists() and not (tmp_path / 'out').exists()


@pytest.mark.parametrize('bad, message', [('ade', 'give NAME=TABLE'), ('classification=x.json', 'own ground truth')])
def test_a_wrong_transfer_argument_is_one_line(tmp_path, capsys, bad, message):
    (tmp_path / 'gt.json').write_text(json.dumps([dict(arch=f'{i}{i}{i}{i}{i}{i}', score=i) for i in range(4)]))
    try:
        code = ranking_study.main(['resnest', str(tmp_path / 'gt.json'), '--out-dir', str(tmp_path / 'out'),
                                   '--transfer', bad])
    except SystemExit as exit:  # argparse's own exit for a malformed argument
        code = exit.code
    err = capsys.readouterr().err
    assert code == 2 and message in err and 'Traceback' not in err


def test_a_reference_of_fewer_than_twenty_architectures_states_its_ceilings_without_an_interval():
    from pinas.studies.study import truth_ceilings
    rows = [dict(arch=f'{i}{i % 4}{i % 3}{i % 2}00', score=i, mIoU_seed2=i + 0.3 * math.sin(i),
                 mIoU_seed3=i - 0.3 * math.sin(i)) for i in range(12)]
    few = truth_ceilings(rows, [r['arch'] for r in rows])
    assert few['seed_to_seed']['ci'] == [None, None] and few['noise_ceiling']['ci'] == [None, None]
    assert few['seed_to_seed']['value'] > 0.9
