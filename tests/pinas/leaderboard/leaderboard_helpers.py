"""Records for the leaderboard tests, written with the Record API: a small transfer study with known answers."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from pinas.leaderboard import Provenance, Record, save_record

REPO = Path(__file__).resolve().parents[3]
PAPER_DIR = REPO / 'results' / 'leaderboard' / 'paper'
MASK_RCNN = 'configs/mask_rcnn/mask-rcnn_pinas-resnest50d_fpn_syncbn-backbone+head_ms-1x_coco.py'
DEEPLAB = 'configs/deeplabv3/deeplabv3_pinas-resnest50d-d8_4xb4-160k_ade20k-512x512.py'
ARCHS = ('000000', '111111', '222222', '333333', '012301', '320103', '131313', '202020')
SEEDS = (0, 1)
SPOS_ARCHS = ARCHS[:4]
BOOTSTRAP = 200  # enough for an interval in tests, fast on 2 cores


def run_record(arch: str, seed: int, task='instance_segmentation', metrics=None, score=None, method='pinas',
               config=MASK_RCNN, **fields) -> Record:
    """A valid record of a run, every field a run must have filled in."""
    dataset, split = ('COCO', 'val2017') if task == 'instance_segmentation' else ('ADE20K', 'val')
    provenance = (Provenance('search', method=method, supernet_sha256='ab' * 32, score=score, score_name='knn',
                             rank=1 + ARCHS.index(arch), ranked_file='work_dirs/search/ranked.json')
                  if score is not None else Provenance('baseline'))
    values = dict(source='run', name=f'{method}-{arch}' if score is not None else 'uniform-1',
                  space='pinas_resnest_tiny', arch=arch, task=task, dataset=dataset, split=split,
                  metrics=metrics or {'box_AP': 30.0, 'mask_AP': 28.0}, provenance=provenance,
                  params_M=1.5 + 0.1 * ARCHS.index(arch), flops_G=0.05 + 0.01 * ARCHS.index(arch),
                  input_size=(64, 64), config=config,
                  config_sha256=(config.encode().hex() * 4)[:64], schedule={'iters': 100}, gpus=1,
                  batch_per_gpu=2, amp=False, seed=seed, git_commit='0' * 40, environment={'torch': '2.14.1'},
                  wall_time_s=60.0, peak_memory_MB=900.0, checkpoint=f'work_dirs/{arch}/iter_100.pth',
                  checkpoint_sha256='cd' * 32, pipeline='mmdet 3.3.0', pretrain='supernet-inherited')
    values.update(fields)
    return Record(**values).validate()


def study_records() -> list[Record]:
    """8 architectures x 2 seeds on Mask R-CNN (box + mask AP) and DeepLabV3 (mIoU), scored by a Pi-NAS search
    whose score predicts the metric up to noise; a SPOS search scored 4 of them (seed 0, ADE20K only); one
    baseline run without a score. Values rounded to 2 decimals like real logs."""
    rng = np.random.default_rng(0)
    records = []
    for i, arch in enumerate(ARCHS):
        score = round(20.0 + 0.5 * i + rng.normal(0, 0.6), 3)
        for seed in SEEDS:
            box = round(25.0 + i + rng.normal(0, 1.0), 2)
            records.append(run_record(arch, seed, metrics={'box_AP': box, 'mask_AP': round(box - 2.5, 2),
                                                           'box_AP50': round(box + 20, 2)}, score=score))
            miou = round(30.0 + 0.8 * i + rng.normal(0, 1.0), 2)
            records.append(run_record(arch, seed, 'semantic_segmentation', {'mIoU': miou, 'aAcc': miou + 40},
                                      score=score, config=DEEPLAB, pipeline='mmseg 1.2.2'))
    for i, arch in enumerate(SPOS_ARCHS):
        records.append(run_record(arch, 0, 'semantic_segmentation', {'mIoU': round(31.0 + i, 2)},
                                  score=round(60.0 - i, 3), method='spos', config=DEEPLAB, pipeline='mmseg 1.2.2'))
    records.append(run_record('111111', 0, metrics={'box_AP': 26.0, 'mask_AP': 24.0}))
    return records


def write_records(records, root: Path, nested: bool = True) -> Path:
    """Save each record under ``root`` (one directory per run, as tools/test.py writes them, or flat)."""
    for i, record in enumerate(records):
        name = f'{record.task}_{record.provenance.method}_{record.arch}_seed{record.seed}_{i}'
        save_record(record, root / name / 'record.json' if nested else root / f'{name}.record.json')
    return root


def study_dirs(tmp_path: Path) -> list[Path]:
    """The study's records and a copy of the real paper records, as two record directories."""
    runs = write_records(study_records(), tmp_path / 'runs')
    paper = tmp_path / 'paper'
    shutil.copytree(PAPER_DIR, paper)
    return [runs, paper]


def run_tool(tool, capsys, *argv) -> tuple[int, str, str]:
    """``tools/leaderboard.py`` with ``argv`` and the tests' bootstrap size: exit status, stdout, stderr."""
    status = tool.main([str(a) for a in argv] + ['--bootstrap', str(BOOTSTRAP)])
    out = capsys.readouterr()
    return status, out.out, out.err
