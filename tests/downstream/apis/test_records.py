"""Result records of transfer runs: tools/test.py (and the end of tools/train.py) write one valid record beside the
metrics, with what was measured and where the architecture came from; a checkpoint of another model is refused
(exit status 2, no record)."""
import copy
import importlib
import json

import pytest
import mmseg
import torch
from transfer_paths import ROOT

from downstream import apis
from downstream.apis import records
from pinas.apis import load_config
from pinas.leaderboard.record import RECORD_FILE, load_record
from pinas.models import SuperResNeSt
from pinas.utils.paths import resolve_stored

ADE_SMOKE = ROOT / 'configs/smoke/deeplabv3_pinas-tiny-d8_ade-tiny-64x64.py'
MASK_RCNN_SMOKE = ROOT / 'configs/smoke/mask-rcnn_pinas-tiny_fpn_1x_coco-tiny.py'
MASK_RCNN = ROOT / 'configs/mask_rcnn/mask-rcnn_pinas-resnest50d_fpn_syncbn-backbone+head_ms-1x_coco.py'
FASTER_RCNN = ROOT / 'configs/faster_rcnn/faster-rcnn_pinas-resnest50d_fpn_syncbn-backbone+head_ms-1x_coco.py'
ADE = ROOT / 'configs/deeplabv3/deeplabv3_pinas-resnest50d-d8_4xb4-160k_ade20k-512x512.py'
CITYSCAPES = ROOT / 'configs/deeplabv3/deeplabv3_pinas-resnest50d-d8_4xb2-80k_cityscapes-769x769.py'
SEG_ITERS = 2  # the smallest schedule with a checkpoint and a validation at its end
SCHEDULE = f'train_cfg.max_iters={SEG_ITERS}'
ONE_IMAGE = 'test_dataloader.dataset.indices=1'


def tool_main(name: str):
    """``main`` of a tools/ script, run in this process (its return value is the exit status)."""
    return importlib.import_module(f'tools.{name}').main


def test_metrics_get_canonical_names_in_percent():
    coco = {'coco/bbox_mAP': 0.441, 'coco/bbox_mAP_50': 0.6, 'coco/bbox_mAP_s': -1.0, 'coco/segm_mAP': 0.395,
            'coco/bbox_mAP_copypaste': '0.441 0.6 ...'}
    assert records.canonical_metrics(coco) == {'box_AP': 44.1, 'box_AP50': 60.0, 'mask_AP': 39.5}
    assert records.canonical_metrics({'mIoU': 45.47, 'aAcc': 81.27, 'mAcc': 55.0}) == \
        {'mIoU': 45.47, 'aAcc': 81.27, 'mAcc': 55.0}
    assert records.canonical_metrics({'mIoU': 46.1, 'aAcc': 82.0}, tta=True) == {'mIoU_ms_flip': 46.1}


@pytest.mark.parametrize('config, task, dataset, split, size', [
    (MASK_RCNN, 'instance_segmentation', 'COCO', 'val2017', (800, 1333)),
    (FASTER_RCNN, 'object_detection', 'COCO', 'val2017', (800, 1333)),
    (ADE, 'semantic_segmentation', 'ADE20K', 'validation', (512, 512)),
    (CITYSCAPES, 'semantic_segmentation', 'Cityscapes', 'val', (769, 769)),
], ids=lambda v: getattr(v, 'stem', None))
def test_task_dataset_split_and_input_size_come_from_the_shipped_configs(config, task, dataset, split, size):
    cfg = load_config(config)
    assert records.task_of(cfg) == task
    assert records.dataset_and_split(cfg, 'test_dataloader') == (dataset, split)
    assert records.input_size_of(cfg) == size


def test_config_hash_is_one_per_experiment():
    cfg = load_config(ADE_SMOKE, work_dir='w')
    other_run = copy.deepcopy(cfg)
    other_run.merge_from_dict({'work_dir': 'elsewhere', 'launcher': 'pytorch', 'randomness.seed': 3,
                               'record.name': 'x', 'load_from': 'w/iter_2.pth'})
    other_experiment = copy.deepcopy(cfg)
    other_experiment.merge_from_dict({'train_cfg.max_iters': 7})
    assert records.config_hash(other_run) == records.config_hash(cfg) != records.config_hash(other_experiment)


@pytest.fixture(scope='module')
def seg_run(tiny_data, tmp_path_factory):
    """The ADE smoke config trained for SEG_ITERS iterations; (work dir, the record training left, checkpoint)."""
    work = tmp_path_factory.mktemp('seg_run')
    apis.train_main([str(ADE_SMOKE), '--work-dir', str(work), '--cfg-options', SCHEDULE])
    checkpoint = work / f'iter_{SEG_ITERS}.pth'
    return work, load_record(work / RECORD_FILE), checkpoint


@pytest.mark.slow
def test_training_records_the_validation_of_its_final_checkpoint(seg_run):
    work, record, checkpoint = seg_run
    assert record.source == 'run' and record.task == 'semantic_segmentation' and record.split == 'validation'
    assert record.checkpoint == checkpoint.name and record.schedule == {'iters': SEG_ITERS}
    assert record.dataset.startswith('ADE20K')  # ADE20K-tiny when the generated data carry their spec
    assert {'mIoU', 'aAcc', 'mAcc'} <= set(record.metrics)


@pytest.mark.slow
def test_test_writes_a_valid_record_beside_its_metrics(seg_run, tmp_path):
    work, trained, checkpoint = seg_run
    metrics = apis.test_main([str(ADE_SMOKE), str(work), '--work-dir', str(tmp_path),  # a work dir: its latest
                              '--cfg-options', SCHEDULE])
    record = load_record(tmp_path / RECORD_FILE)
    saved = json.loads((tmp_path / apis.transfer_runner.METRICS_FILE).read_text())
    assert resolve_stored(saved['checkpoint'], tmp_path / apis.transfer_runner.METRICS_FILE) == checkpoint
    assert resolve_stored(record.checkpoint, tmp_path / RECORD_FILE) == checkpoint  # named relative to the record
    assert record.metrics == {k: round(metrics[k], 2) for k in ('mIoU', 'aAcc', 'mAcc')}
    assert (record.space, record.arch, record.name) == ('pinas_resnest_tiny', '311021', '311021')
    assert record.provenance.kind == 'arch' and record.pretrain == 'scratch'
    assert record.input_size == (64, 64) and record.params_M > 0 and record.flops_G > 0
    assert (record.gpus, record.batch_per_gpu, record.amp, record.seed) == (1, 2, False, 0)  # training's setup
    assert record.schedule == {'iters': SEG_ITERS}
    assert record.config_sha256 == trained.config_sha256  # the experiment, not the run
    assert record.checkpoint_sha256 == records.sha256_file(checkpoint)
    assert record.pipeline.startswith('mmseg ') and record.git_commit == records.git_commit()
    assert record.environment['torch'] == torch.__version__ and record.environment['mmseg'] == mmseg.__version__
    assert record.wall_time_s > 0 and record.peak_memory_MB > 0

    apis.test_main([str(ADE_SMOKE), str(checkpoint), '--work-dir', str(tmp_path), '--tta',
                    '--cfg-options', ONE_IMAGE])
    with_tta = load_record(tmp_path / RECORD_FILE)
    assert with_tta.metrics == {**record.metrics, 'mIoU_ms_flip': with_tta.metrics['mIoU_ms_flip']}


@pytest.mark.slow
def test_another_models_checkpoint_is_refused_with_exit_status_2(seg_run, tmp_path, capsys):
    """The probe of issue 14: a supernet checkpoint given to tools/test.py matched no key and scored zeros."""
    supernet = SuperResNeSt('pinas_resnest_tiny', num_classes=10)
    torch.save(dict(state_dict={f'supernet.{k}': v for k, v in supernet.state_dict().items()}, meta=dict(epoch=2)),
               tmp_path / 'epoch_2.pth')
    status = tool_main('test')([str(ADE_SMOKE), str(tmp_path / 'epoch_2.pth'), '--work-dir', str(tmp_path / 'out')])
    error = capsys.readouterr().err.strip().splitlines()
    assert status == 2 and len(error) == 1
    assert error[0].startswith(f'error: {tmp_path / "epoch_2.pth"} is not a checkpoint of this config')
    assert 'missing' in error[0] and 'supernet.' in error[0] and 'tools/train.py' in error[0]
    assert not (tmp_path / 'out' / RECORD_FILE).exists()
    assert not (tmp_path / 'out' / apis.transfer_runner.METRICS_FILE).exists()


@pytest.mark.slow
def test_no_record_for_a_checkpoint_without_its_training_setup(seg_run, tmp_path):
    """A checkpoint not saved by tools/train.py (no GPUs / batch / AMP in its meta) gets metrics but no record."""
    _, _, checkpoint = seg_run
    meta = torch.load(checkpoint, weights_only=True)['meta']
    meta.pop(records.TRAIN_SETUP_META)
    cfg = load_config(ADE_SMOKE, work_dir=str(tmp_path))
    assert records.write_record(cfg, None, checkpoint, meta, {'mIoU': 1.0}, loader='test_dataloader', tta=False,
                                meter=records.RunMeter()) is None
    assert not (tmp_path / RECORD_FILE).exists()


@pytest.mark.slow
def test_detection_record_of_an_instance_segmentation_run(tiny_data, tmp_path):
    """Mask R-CNN: box and mask AP in percent, an epoch schedule, the test resize as input size."""
    apis.train_main([str(MASK_RCNN_SMOKE), '--work-dir', str(tmp_path), '--cfg-options',
                     'train_dataloader.dataset.indices=2', 'val_dataloader.dataset.indices=1'])  # one iteration
    record = load_record(tmp_path / RECORD_FILE)
    assert record.task == 'instance_segmentation' and record.split == 'val2017'
    assert record.dataset.startswith('COCO') and record.schedule == {'epochs': 1}
    assert {'box_AP', 'mask_AP'} <= set(record.metrics)
    assert all(0 <= v <= 100 for v in record.metrics.values())
    assert record.input_size == (48, 64) and record.pipeline.startswith('mmdet ')


@pytest.mark.slow
def test_two_runs_in_one_process_log_into_their_own_work_dirs(seg_run, tmp_path):
    """A benchmark runs its jobs in one process: the second run's scalars must not land in the first run's dir."""
    work = tmp_path / 'second'
    apis.train_main([str(ADE_SMOKE), '--work-dir', str(work), '--cfg-options', SCHEDULE])
    scalars = list(work.rglob('scalars.json'))
    assert len(scalars) == 1 and 'mIoU' in scalars[0].read_text()
    assert len(list(seg_run[0].rglob('scalars.json'))) == 1
