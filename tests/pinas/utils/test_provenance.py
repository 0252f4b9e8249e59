"""Provenance that proves comparability (issue 21, item 4): every result record and ground-truth run says which data
(a fingerprint) and which code (commit, dirty flag) produced it, and the leaderboard averages only seeds that can be
shown to have seen the same data and config."""
import json
import shutil
from pathlib import Path

import pytest
import torch

from pinas.datasets import SyntheticSpec
from pinas.leaderboard import Provenance, Record, save_record
from pinas.leaderboard.record import RECORD_FILE, load_record
from pinas.leaderboard.render import UNVERIFIED, provenance_text
from pinas.leaderboard.table import LeaderboardError, build_boards
from pinas.models import StandaloneResNeSt
from pinas.studies.ground_truth import (CODE, DATASET_FINGERPRINT, RUNS, SyntheticData, TrainSettings,
                                        collect_runs, run_ground_truth, runs_meta, sample_archs,
                                        synthetic_fingerprint)
from pinas.spaces import build_space
from pinas.utils.provenance import code_state, git_dirty

ROOT = Path(__file__).resolve().parents[3]
ADE_SMOKE = ROOT / 'configs/smoke/deeplabv3_pinas-tiny-d8_ade-tiny-64x64.py'
SEG_ITERS = 2  # the smallest schedule with a checkpoint and a validation at its end
ONE_IMAGE = 'test_dataloader.dataset.indices=1'
TINY = build_space('pinas_resnest_tiny')


# --- result records -------------------------------------------------------------------------------------------
@pytest.fixture(scope='module')
def tiny_data(tmp_path_factory):
    """Tiny ADE20K (the one the test trains on); the smoke configs find it via PINAS_TINY_DATA."""
    from downstream.datasets.tiny import make_tiny_ade
    root = tmp_path_factory.mktemp('tiny_data')
    make_tiny_ade(root / 'ade' / 'ADEChallengeData2016')
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv('PINAS_TINY_DATA', str(root))
        yield root


@pytest.fixture(scope='module')
def trained(tiny_data, tmp_path_factory):
    """The ADE smoke config trained for SEG_ITERS iterations and tested on one image: (train record, checkpoint,
    test record)."""
    from downstream import apis
    previous = torch.get_num_threads()
    torch.set_num_threads(1)  # the tiny model gains nothing from a second thread on shared cores
    try:
        work, test_dir = tmp_path_factory.mktemp('train'), tmp_path_factory.mktemp('test')
        apis.train_main([str(ADE_SMOKE), '--work-dir', str(work), '--cfg-options',
                         f'train_cfg.max_iters={SEG_ITERS}'])
        checkpoint = work / f'iter_{SEG_ITERS}.pth'
        apis.test_main([str(ADE_SMOKE), str(checkpoint), '--work-dir', str(test_dir), '--cfg-options',
                        f'train_cfg.max_iters={SEG_ITERS}', ONE_IMAGE])
    finally:
        torch.set_num_threads(previous)
    return load_record(work / RECORD_FILE), checkpoint, load_record(test_dir / RECORD_FILE)


@pytest.mark.slow
def test_a_record_carries_the_data_fingerprint_the_code_state_and_the_training_time(trained):
    train_record, checkpoint, record = trained
    setup = torch.load(checkpoint, weights_only=True)['meta']['pinas_train_setup']
    assert isinstance(record.dataset_fingerprint, str) and record.dataset_fingerprint
    assert record.dataset_fingerprint == train_record.dataset_fingerprint  # validation and test: the same data
    assert record.git_dirty is git_dirty() and isinstance(record.git_dirty, bool)  # beside git_commit
    assert record.train_wall_time_s is not None and record.train_wall_time_s > 0
    assert record.train_wall_time_s == setup['train_wall_time_s'] == train_record.train_wall_time_s  # not the test's


def test_the_data_fingerprint_follows_the_annotations_not_where_they_sit(tiny_data, tmp_path):
    from mmengine.config import Config
    from downstream.apis.records import data_fingerprint

    def fingerprint_of(root):
        dataset = dict(type='ADE20KDataset', data_root=str(root / 'ade' / 'ADEChallengeData2016'),
                       data_prefix=dict(img_path='images/validation', seg_map_path='annotations/validation'))
        return data_fingerprint(Config(dict(test_dataloader=dict(dataset=dataset))), 'test_dataloader')

    copy = tmp_path / 'copy'
    shutil.copytree(tiny_data, copy)
    assert fingerprint_of(copy) == fingerprint_of(tiny_data)
    annotation = next((copy / 'ade' / 'ADEChallengeData2016' / 'annotations' / 'validation').glob('*.png'))
    annotation.write_bytes(annotation.read_bytes() + b'\0')
    assert fingerprint_of(copy) != fingerprint_of(tiny_data)


# --- the leaderboard ------------------------------------------------------------------------------------------
def run_record(seed: int, **fields) -> Record:
    """A valid record of one seed of one experiment."""
    values = dict(source='run', name='pinas-r1', space='pinas_resnest_tiny', arch='223013',
                  task='semantic_segmentation', dataset='ADE20K-tiny', split='validation',
                  metrics={'mIoU': 30.0 + seed}, provenance=Provenance('arch'), params_M=0.6, flops_G=0.05, input_size=(64, 64),
                  config=str(ADE_SMOKE), config_sha256='ab' * 32, schedule={'iters': SEG_ITERS}, gpus=1,
                  batch_per_gpu=2, amp=False, seed=seed, checkpoint_sha256='cd' * 32, pipeline='mmseg 1.2.2')
    values.update(fields)
    return Record(**values).validate()


def leaderboard_tool():
    from tools import leaderboard
    return leaderboard.main


def test_the_leaderboard_refuses_seeds_of_other_data_in_one_line_naming_both_records(tmp_path, capsys):
    first = save_record(run_record(0, dataset_fingerprint='1111'), tmp_path / 'seed0' / RECORD_FILE)
    second = save_record(run_record(1, dataset_fingerprint='2222'), tmp_path / 'seed1' / RECORD_FILE)
    assert leaderboard_tool()([str(tmp_path), '--out', str(tmp_path / 'out')]) == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and error[0].startswith('error: ') and '; ' in error[0]
    assert f'{first} (seed 0)' in error[0] and f'{second} (seed 1)' in error[0]
    assert '1111' in error[0] and '2222' in error[0]


@pytest.mark.parametrize('other', [dict(dataset_fingerprint=None), dict(config_sha256='ef' * 32)],
                         ids=['one-without-fingerprint', 'other-config'])
def test_seeds_that_cannot_be_shown_alike_are_never_averaged(other):
    records = [run_record(0, dataset_fingerprint='1111'), run_record(1, **{'dataset_fingerprint': '1111', **other})]
    if 'config_sha256' in other:  # other configs are other settings: the row is made of them only when merged
        from pinas.leaderboard.table import TASKS, make_row
        with pytest.raises(LeaderboardError, match=r'different configs .*pinas-r1 \(seed 0\).*pinas-r1 \(seed 1\)'):
            make_row(TASKS['semantic_segmentation'], records)
    else:
        with pytest.raises(LeaderboardError, match=r'same data .*1111: pinas-r1 \(seed 0\); none: pinas-r1 \(seed 1\)'):
            build_boards(records)


def test_a_row_of_old_records_without_fingerprints_builds_but_is_marked_unverified():
    (board,) = build_boards([run_record(0), run_record(1)])
    (row,) = board.rows
    assert row.primary.n == 2 and row.unverified and provenance_text(row) == f'arch; {UNVERIFIED}'
    (board,) = build_boards([run_record(0, dataset_fingerprint='1111'), run_record(1, dataset_fingerprint='1111')])
    assert not board.rows[0].unverified and provenance_text(board.rows[0]) == 'arch'
    (board,) = build_boards([run_record(0)])  # one record averages nothing: nothing to prove
    assert not board.rows[0].unverified


# --- ground truth ---------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_a_ground_truth_run_carries_the_dataset_fingerprint_and_its_code_state(tmp_path):
    spec = SyntheticSpec(num_classes=2, train_per_class=2, val_per_class=1)
    settings = TrainSettings.from_config(ROOT / 'configs/ranking/ground_truth.py', epochs=1,
                                       batch_size=spec.num_classes * spec.train_per_class)  # one step
    (arch,) = sample_archs(TINY, 1, seed=0)
    out = tmp_path / 'gt.runs.json'
    run_ground_truth(TINY, lambda a: StandaloneResNeSt(a, TINY, num_classes=spec.num_classes), [arch], [0], out,
                     SyntheticData(tmp_path / 'data', spec), settings, log=lambda _: None)
    table = json.loads(out.read_text())
    assert table['meta'][DATASET_FINGERPRINT] == synthetic_fingerprint(spec)
    assert synthetic_fingerprint(spec) != synthetic_fingerprint(SyntheticSpec(num_classes=2, train_per_class=2,
                                                                              val_per_class=1, seed=1))
    assert table[CODE][TINY.format(arch)]['0'] == code_state()


def test_committed_ground_truth_runs_without_fingerprints_still_read():
    path = ROOT / 'results' / 'ground_truth' / 'pinas_resnest_tiny.runs.json'
    saved = json.loads(path.read_text())
    assert DATASET_FINGERPRINT not in saved['meta']
    data = SyntheticData(ROOT / 'data', SyntheticSpec(**saved['meta']['dataset']))
    meta = runs_meta(TINY, data, TrainSettings(**saved['meta']['train']))
    assert collect_runs(path, meta) == saved[RUNS] and collect_runs(path, meta, CODE) == {}
