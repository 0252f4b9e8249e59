"""A transfer ground truth from records (tools/make_ground_truth.py --from-records): one experiment, every seed of
every architecture once, the per-seed columns and both references of a classification ground truth."""
import json

import pytest
from leaderboard_helpers import ARCHS, DEEPLAB, run_record, write_records

from pinas.leaderboard.table import LeaderboardError
from pinas.leaderboard.truth import transfer_runs
from tools.make_ground_truth import main as make_ground_truth


def seg_record(arch, seed, miou, **fields):
    fields = dict(dict(pretrain='standalone', pretrained_sha256=f'{seed}' * 64, dataset_fingerprint='f' * 16,
                       train_wall_time_s=120.0), **fields)
    return run_record(arch, seed, 'semantic_segmentation', {'mIoU': miou, 'aAcc': 80.0}, config=DEEPLAB,
                      pipeline='mmseg 1.2.2', **fields)


def test_records_become_runs_with_their_initial_weights():
    records = [seg_record(a, s, 30.0 + i + s) for i, a in enumerate(ARCHS[:3]) for s in (2, 3)]
    table = transfer_runs(records)
    assert table['runs'] == {a: {'2': 32.0 + i, '3': 33.0 + i} for i, a in enumerate(ARCHS[:3])}
    assert table['meta']['metric'] == 'mIoU' and table['meta']['pretrain'] == 'standalone'
    assert table['provenance'][ARCHS[0]]['3']['pretrained_sha256'] == '3' * 64
    assert transfer_runs(records, 'aAcc')['runs'][ARCHS[0]] == {'2': 80.0, '3': 80.0}


@pytest.mark.parametrize('bad, problem', [
    (dict(dataset_fingerprint='0' * 16), 'differ in dataset_fingerprint'),
    (dict(pretrain='supernet-inherited'), 'differ in pretrain'),
    (dict(pretrained_dataset_fingerprint='1' * 16), 'differ in pretrained_dataset_fingerprint'),
    (dict(config_sha256='9' * 64), 'ran different configs'),
])
def test_records_of_another_experiment_are_refused(bad, problem):
    records = [seg_record(ARCHS[0], 2, 30.0), seg_record(ARCHS[0], 3, 31.0, **bad)]
    with pytest.raises(LeaderboardError, match=problem):
        transfer_runs(records)


def test_a_run_recorded_twice_is_refused():
    with pytest.raises(LeaderboardError, match='a second record of 000000 seed 2'):
        transfer_runs([seg_record(ARCHS[0], 2, 30.0), seg_record(ARCHS[0], 2, 30.5)])


def test_the_tool_writes_the_table_and_its_references(tmp_path, capsys):
    values = {a: (30.0 + i, 30.5 + i + (1.1 if i == 2 else 0)) for i, a in enumerate(ARCHS[:6])}
    records = [seg_record(a, s, v[k]) for a, v in values.items() for k, s in enumerate((2, 3))]
    records.append(seg_record(ARCHS[6], 2, 40.0))  # its seed 3 still running
    work = write_records(records, tmp_path / 'work')
    out = tmp_path / 'truth.json'
    assert make_ground_truth(['--from-records', str(work), '--out', str(out)]) == 0
    rows = json.loads(out.read_text())
    assert [r['arch'] for r in rows] == list(reversed(ARCHS[:6]))
    assert rows[-1] == {'arch': ARCHS[0], 'score': 30.25, 'mIoU_seed2': 30.0, 'mIoU_seed3': 30.5}
    meta = json.loads(out.with_suffix('.meta.json').read_text())
    assert meta['num_archs'] == 6 and meta['incomplete'] == {ARCHS[6]: ['2']}
    assert meta['seed_to_seed_kendall_tau'] == {'2-3': pytest.approx(13 / 15)}  # one swapped pair of 15
    assert 'noise_ceiling_kendall_tau_b' in meta and ARCHS[6] not in meta['provenance']
    # 6 architectures: below 20 no bootstrap interval is claimed, the seed pair's exact permutation p instead
    assert meta['noise_ceiling_kendall_tau_b']['ci'] == [None, None]
    assert meta['seed_pair_permutation_p']['2-3'] == pytest.approx(12 / 720)  # 0 or 1 pair out of order, either way: 2 x 6 of 720
    card = out.with_suffix('.md').read_text()  # the table as a reader checks it
    assert '6 architectures x seeds 2, 3' in card and 'schedule iters 100' in card
    assert 'permutation p-value (two-sided), 2-3: 0.0167' in card and f'| 1 | `{ARCHS[5]}` | 35.25 | 35.00 | 35.50 |' in card
    assert meta['minutes_per_run'] == {'mean': 2.0, 'min': 2.0, 'max': 2.0, 'runs': 13}  # the unfinished arch's run cost too
    assert '6 architectures with seeds [2, 3] (1 still missing a seed)' in capsys.readouterr().out


def test_a_metric_whose_name_has_an_underscore_keeps_its_seed_columns(tmp_path):
    """Detection's box_AP: the card lists every seed's value, and a study's transfer reference finds the columns."""
    from pinas.studies.ground_truth import seed_columns
    values = {a: (20.0 + i, 21.0 + i) for i, a in enumerate(ARCHS[:5])}
    records = [run_record(a, s, 'object_detection', {'box_AP': v[k]}, pretrain='standalone',
                          pretrained_sha256=f'{s}' * 64, dataset_fingerprint='f' * 16, train_wall_time_s=60.0)
               for a, v in values.items() for k, s in enumerate((2, 3))]
    out = tmp_path / 'coco.json'
    assert make_ground_truth(['--from-records', str(write_records(records, tmp_path / 'work')), '--out', str(out)]) == 0
    rows = json.loads(out.read_text())
    assert seed_columns(rows[0]) == ['box_AP_seed2', 'box_AP_seed3']
    assert f'| 1 | `{ARCHS[4]}` | 24.50 | 24.00 | 25.00 |' in out.with_suffix('.md').read_text()
