"""tools/demo.py: its stages run what the demo config says, and its last screen is generated from the run's ranked
table and result records: the transfer numbers with their seed spread beside a chance level read from the data,
and only the conclusions the statistics allow (running the whole demo is tools/analysis_tools/e2e.py's job)."""
import json
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pinas.leaderboard import Provenance, Record, save_record
from pinas.ranking.tables import write_ranked_table
from pinas.search.work_dir import SearchWorkDir
from tools import demo

BEST, WORST = '023012', '100000'


def run_record(arch: str, rank: int, seed: int, miou: float, config: Path) -> Record:
    """A valid record of a demo transfer run (what tools/test.py writes), every field a run must have."""
    return Record(source='run', name=f'pinas-r{rank}-{arch}', space='pinas_resnest_tiny', arch=arch,
                  task='semantic_segmentation', dataset='ADE20K-small', split='validation',
                  metrics={'mIoU': miou, 'aAcc': miou + 30}, provenance=Provenance(
                      'search', method='pinas', supernet_sha256='ab' * 32, score=30.0 - rank / 10,
                      score_name='knn', rank=rank, ranked_file='pinas/search/ranked.json'),
                  params_M=1.0, flops_G=0.1, input_size=(96, 96), config=str(config), config_sha256='cd' * 32,
                  schedule={'iters': 300}, gpus=1, batch_per_gpu=8, amp=False, seed=seed, git_commit='0' * 40,
                  checkpoint_sha256='ef' * 32, pipeline='mmseg 1.2.2', pretrain='supernet-inherited',
                  dataset_fingerprint='f' * 16)


def a_demo_run(tmp_path: Path, best: tuple, worst: tuple) -> demo.Paths:
    """A finished demo's work dir: a ranked table of 30 candidates and two architectures x two seeds of records,
    whose config's test annotations are two 4x4 maps (ADE labels, 0 = ignored): 24 pixels of label 1, 6 of labels
    2-5, 2 ignored."""
    paths = demo.Paths(work=tmp_path / 'work')
    ranked = [dict(arch=BEST, rank=1, score=29.9)] + [dict(arch=f'2{i:05d}', rank=i, score=28.0) for i in range(2, 30)]
    ranked.append(dict(arch=WORST, rank=30, score=27.0))
    table = SearchWorkDir(paths.search).table_json
    table.parent.mkdir(parents=True)
    write_ranked_table(ranked, table, pretty=True)
    annotations = tmp_path / 'ade' / 'annotations'
    annotations.mkdir(parents=True)
    maps = np.ones((2, 4, 4), dtype=np.uint8)
    maps[1] = [[2, 3, 4, 5], [2, 3, 1, 1], [1, 1, 1, 1], [0, 0, 1, 1]]
    for i, labels in enumerate(maps):
        Image.fromarray(labels).save(annotations / f'{i}.png')
    config = tmp_path / 'task.py'
    config.write_text(f'test_dataloader = dict(dataset=dict(data_root={str(tmp_path / "ade")!r}, '
                      "data_prefix=dict(seg_map_path='annotations'), "
                      "pipeline=[dict(type='LoadAnnotations', reduce_zero_label=True)]))\n")
    for arch, rank, values in ((BEST, 1, best), (WORST, 30, worst)):
        for seed, miou in enumerate(values):
            save_record(run_record(arch, rank, seed, miou, config),
                        paths.transfer / 'deeplabv3' / arch / f'seed{seed}' / 'record.json')
    return paths


def last_screen(paths: demo.Paths) -> str:
    """The demo's last screen with its line breaks and column padding folded to single spaces."""
    return ' '.join(demo.findings(paths).split())


def test_the_last_screen_reports_seed_spread_chance_and_a_separated_best(tmp_path):
    screen = last_screen(a_demo_run(tmp_path, best=(52.0, 54.0), worst=(40.0, 41.0)))
    assert 'searched: 30 architectures of the supernet of configs/search/pinas_embedded.py (3 epochs), knn 27.0 to ' \
           f'29.9; best {BEST} (knn 29.9)' in screen
    assert 'ADE20K-small validation, 300 iters, seeds 0, 1' in screen
    assert f'rank 1 of 30 {BEST} knn 29.9 53.0 ± 1.4 (52.0, 54.0)' in screen
    assert f'rank 30 of 30 {WORST} knn 27.0 40.5 ± 0.7 (40.0, 41.0)' in screen
    # chance: label 1 (24 of 30 valid pixels) everywhere, IoU 0.8 for it and 0 for the 4 others, averaged over 5
    assert 'the most frequent class everywhere scores 16.0 mIoU' in screen
    assert 'Every architecture scores 40.5 mIoU or more, 2.5 times chance (16.0)' in screen
    assert f"the search's best ({BEST}) beats its worst ({WORST}) by 12.5 mIoU; their seeds do not overlap, but " \
           '2 + 2 seeds cannot show that the gap is real (exact permutation test: p = 0.33, above 0.05)' in screen
    assert '2 architectures are too few for a rank correlation' in screen and 'tau' not in screen


def test_the_last_screen_says_when_a_run_learned_nothing_and_its_seeds_overlap(tmp_path):
    screen = last_screen(a_demo_run(tmp_path, best=(14.0, 18.0), worst=(15.0, 20.0)))
    assert 'An architecture scores 16.0 mIoU, no better than chance (16.0)' in screen
    assert f"the search's best ({BEST}) trails its worst ({WORST}) by 1.5 mIoU, but their seeds overlap (exact " \
           'permutation test: p = 0.67): this run cannot tell them apart' in screen


def test_the_last_screen_calls_a_gap_real_only_when_the_seeds_allow(tmp_path):
    screen = last_screen(a_demo_run(tmp_path, best=(52.0, 54.0, 53.0, 55.0), worst=(40.0, 41.0, 42.0, 43.0)))
    assert 'rank 1 of 30 023012 knn 29.9 53.5 ± 1.3 (52.0, 54.0, 53.0, 55.0)' in screen
    # 2 of the 70 splits of 8 values into 4 + 4 are as far apart as the observed one
    assert f"the search's best ({BEST}) beats its worst ({WORST}) by 12.0 mIoU (exact permutation test over the " \
           '4 + 4 seeds: p = 0.029)' in screen


def test_the_last_screen_of_a_run_without_records_concludes_nothing(tmp_path):
    assert 'no transfer records' in last_screen(demo.Paths(work=tmp_path))


def test_the_stages_run_what_the_demo_config_says(tmp_path):
    paths = demo.Paths(work=tmp_path, epochs=2)
    plan = paths.plan
    commands = {stage.name: stage.commands(paths) for stage in demo.STAGES}
    assert [stage.name for stage in demo.STAGES] == [row['stage'] for row in json.loads(
        demo.REFERENCE_TIMINGS.read_text())['stages']], 'the reference timings give every stage its ETA'
    assert plan.search_config in commands['train'][0] and 'train_cfg.max_epochs=2' in commands['train'][0]
    assert commands['datasets'][0][-2:] == ['--size', plan.data_size]
    workers = commands['transfer']
    assert len(workers) == plan.transfer_workers == 2
    assert [w[-2:] for w in workers] == [['--shard', '0/2'], ['--shard', '1/2']]
    assert all(plan.benchmark in w for w in workers)
    assert demo.Paths(work=tmp_path).supernet_epochs == plan.supernet_epochs


def test_a_missing_demo_config_is_one_line_and_exit_2(capsys):
    with pytest.raises(SystemExit) as stop:
        demo.main(['--config', 'configs/demo/no_such_demo.py'])
    assert stop.value.code == 2
    assert capsys.readouterr().err == ('error: demo config configs/demo/no_such_demo.py does not exist; pass one like '
                                       'configs/demo/demo.py\n')


def test_a_stage_of_several_commands_runs_them_side_by_side_with_their_logs(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv('OMP_NUM_THREADS', '7')  # each worker gets the demo config's threads_per_worker (1) instead

    def worker(code: int) -> list[str]:
        return [sys.executable, '-c', f"import os; print('[benchmark] threads', os.environ['OMP_NUM_THREADS']); "
                                      f"print('mmengine', 'noise'); raise SystemExit({code})"]

    paths = demo.Paths(work=tmp_path)
    timings = demo.run_stages(paths, [demo.Stage('both', 'two workers', lambda p: [worker(0), worker(0)])])
    assert [row['stage'] for row in timings] == ['both'] and 'cpu_seconds' in timings[0]
    out = capsys.readouterr().out
    assert '[worker 0] [benchmark] threads 1' in out and '[worker 1] [benchmark] threads 1' in out
    assert 'mmengine noise' not in out
    assert (tmp_path / 'both_worker1.log').read_text() == '[benchmark] threads 1\nmmengine noise\n'
    with pytest.raises(SystemExit, match=r'stage 1/1 \(both\) failed with exit code 3'):
        demo.run_stages(paths, [demo.Stage('both', 'one fails', lambda p: [worker(0), worker(3)])])
