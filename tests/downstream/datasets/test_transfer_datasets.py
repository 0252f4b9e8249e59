"""The tiny datasets are in the real layouts (the real dataset classes and evaluators read them), deterministic and
learnable; tools/prepare_dataset.py checks roots and names what is missing."""
import hashlib
import json
import shutil
import subprocess
import sys

import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope
from transfer_paths import ROOT, reconverted_cityscapes

from downstream.datasets import (DatasetLayoutError, TinySpec, check_ade, check_cityscapes, check_coco,
                                 make_tiny_datasets)
from downstream.datasets.tiny import NOISE_STD

# A label's pixels must average to its class's palette colour within a few noise standard deviations (JPEG adds
# a little more error than the noise alone).
COLOUR_TOLERANCE = 4 * NOISE_STD


def digest(root):
    files = sorted(p for p in root.rglob('*') if p.is_file())
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path, tiny_data):
    make_tiny_datasets(tmp_path / 'again')
    make_tiny_datasets(tmp_path / 'other', TinySpec(seed=1))
    assert digest(tmp_path / 'again') == digest(tiny_data)
    assert digest(tmp_path / 'other') != digest(tiny_data)


def test_a_set_is_replaced_whole_never_merged_and_the_same_spec_is_kept(tmp_path, monkeypatch, capsys):
    """Regenerating a smaller set into a root leaves none of the larger set's images (they would be trained on); the
    same spec keeps the set as it is; a generation killed half-way leaves the old complete set."""
    from downstream.datasets import tiny
    from tools import make_tiny_datasets as tool
    out = tmp_path / 'data'
    make_tiny_datasets(out, TinySpec(num_train=4, num_val=2))
    tool.main([str(out), '--num-train', '2', '--num-val', '1'])
    assert 'written (spec.num_train changed (was 4, now 2); spec.num_val changed (was 2, now 1))' in \
        capsys.readouterr().out
    fresh = tmp_path / 'fresh'
    make_tiny_datasets(fresh, TinySpec(num_train=2, num_val=1))
    assert digest(out) == digest(fresh)  # exactly the smaller set: no leftover image or annotation
    assert sorted(p.name for p in tmp_path.iterdir()) == ['data', 'fresh']  # nothing left beside the roots

    stamp = json.loads((out / 'dataset_spec.json').read_text())
    (out / 'dataset_spec.json').write_text(json.dumps({k: stamp[k] for k in ('spec', 'preset')}))  # an older stamp
    before = {p: p.stat().st_mtime_ns for p in out.rglob('*') if p.is_file()}
    tool.main([str(out), '--num-train', '2', '--num-val', '1'])
    assert 'kept (same spec)' in capsys.readouterr().out
    assert {p: p.stat().st_mtime_ns for p in out.rglob('*') if p.is_file()} == before

    def killed(*args):
        raise KeyboardInterrupt
    monkeypatch.setattr(tiny, 'make_tiny_cityscapes', killed)  # coco and ade of the new set written, then a kill
    with pytest.raises(KeyboardInterrupt):
        make_tiny_datasets(out, TinySpec(num_train=3, num_val=1))
    assert {k: v for k, v in digest(out).items() if k != 'dataset_spec.json'} == \
        {k: v for k, v in digest(fresh).items() if k != 'dataset_spec.json'}
    assert sorted(p.name for p in tmp_path.iterdir()) == ['data', 'fresh']


def test_a_root_of_other_data_is_refused_not_replaced(tmp_path, capsys):
    (tmp_path / 'data' / 'imagenet').mkdir(parents=True)
    result = subprocess.run([sys.executable, str(ROOT / 'tools/make_tiny_datasets.py'), str(tmp_path / 'data')],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2 and result.stderr.startswith('error: ') and 'Traceback' not in result.stderr
    assert "holds 'imagenet', which is not part of the generated" in result.stderr
    assert (tmp_path / 'data' / 'imagenet').is_dir()


def test_coco_dataset_class_reads_polygon_instances(tiny_data):
    from mmdet.datasets import CocoDataset
    init_default_scope('mmdet')
    dataset = CocoDataset(data_root=str(tiny_data / 'coco'), ann_file='annotations/instances_train2017.json',
                          data_prefix=dict(img='train2017/'),
                          pipeline=[dict(type='LoadImageFromFile'),
                                    dict(type='LoadAnnotations', with_bbox=True, with_mask=True)])
    assert len(dataset) == TinySpec.num_train
    sample = dataset[0]
    assert sample['img'].shape == (96, 128, 3)
    assert len(sample['gt_bboxes']) == len(sample['gt_masks']) >= 1
    # each instance's mask has the colour of its class
    palette = CocoDataset.METAINFO['palette']
    image = sample['img'][..., ::-1].astype(float)  # loaded as BGR
    for label, mask in zip(sample['gt_bboxes_labels'], sample['gt_masks'].masks):
        colour = image[mask.astype(bool)].mean(axis=0)
        assert np.abs(colour - palette[label]).max() < COLOUR_TOLERANCE


def test_coco_metric_gives_full_marks_to_the_ground_truth(tiny_data):
    """pycocotools evaluation through mmdet's CocoMetric, fed the annotations as predictions."""
    from mmdet.datasets import CocoDataset
    from mmdet.evaluation import CocoMetric
    from pycocotools.coco import COCO
    ann_file = str(tiny_data / 'coco/annotations/instances_val2017.json')
    coco = COCO(ann_file)
    metric = CocoMetric(ann_file=ann_file, metric=['bbox', 'segm'])
    metric.dataset_meta = CocoDataset.METAINFO
    label_of = {cat_id: i for i, cat_id in enumerate(sorted(coco.getCatIds()))}
    for image_id in coco.getImgIds():
        anns = coco.loadAnns(coco.getAnnIds(imgIds=image_id))
        info = coco.loadImgs(image_id)[0]
        boxes = np.array([[x, y, x + w, y + h] for x, y, w, h in (a['bbox'] for a in anns)], dtype=np.float32)
        masks = np.stack([coco.annToMask(a) for a in anns]).astype(bool)
        pred = dict(img_id=image_id, ori_shape=(info['height'], info['width']),
                    pred_instances=dict(bboxes=torch.from_numpy(boxes), scores=torch.ones(len(anns)),
                                        labels=torch.tensor([label_of[a['category_id']] for a in anns]),
                                        masks=torch.from_numpy(masks)))
        metric.process({}, [pred])
    results = metric.evaluate(size=len(coco.getImgIds()))
    assert results['coco/bbox_mAP'] == pytest.approx(1.0)
    assert results['coco/segm_mAP'] == pytest.approx(1.0)


@pytest.mark.parametrize('name', ['ade', 'cityscapes'])
def test_seg_dataset_classes_read_labels_that_match_the_colours(tiny_data, name):
    from mmseg.datasets import ADE20KDataset, CityscapesDataset
    init_default_scope('mmseg')
    pipeline = [dict(type='LoadImageFromFile'), dict(type='LoadAnnotations')]
    if name == 'ade':
        cls, root, prefix = ADE20KDataset, tiny_data / 'ade/ADEChallengeData2016', dict(
            img_path='images/training', seg_map_path='annotations/training')
    else:
        cls, root, prefix = CityscapesDataset, tiny_data / 'cityscapes', dict(
            img_path='leftImg8bit/train', seg_map_path='gtFine/train')
    dataset = cls(data_root=str(root), data_prefix=prefix, pipeline=pipeline)
    assert len(dataset) == TinySpec.num_train
    palette = np.array(cls.METAINFO['palette'], dtype=float)
    seen = set()
    for i in range(len(dataset)):
        sample = dataset[i]
        labels, image = sample['gt_seg_map'], sample['img'][..., ::-1].astype(float)
        classes = set(np.unique(labels).tolist())
        assert 255 in classes  # the unlabelled frame is ignored (ADE: reduce_zero_label maps 0 to 255)
        for label in classes - {255}:
            colour = image[labels == label].mean(axis=0)
            assert np.abs(colour - palette[label]).max() < COLOUR_TOLERANCE, (i, label)
        seen |= classes
    assert len(seen - {255}) >= 4  # two scene regions and at least two object classes


def test_iou_metric_gives_full_marks_to_the_ground_truth(tiny_data):
    from mmengine.structures import PixelData
    from mmseg.datasets import ADE20KDataset
    from mmseg.evaluation import IoUMetric
    from mmseg.structures import SegDataSample
    init_default_scope('mmseg')
    dataset = ADE20KDataset(data_root=str(tiny_data / 'ade/ADEChallengeData2016'),
                            data_prefix=dict(img_path='images/validation', seg_map_path='annotations/validation'),
                            pipeline=[dict(type='LoadAnnotations')])
    metric = IoUMetric(iou_metrics=['mIoU'])
    metric.dataset_meta = dataset.metainfo
    for i in range(len(dataset)):
        gt = torch.from_numpy(dataset[i]['gt_seg_map'].astype(np.int64))[None]
        sample = SegDataSample(pred_sem_seg=PixelData(data=gt), gt_sem_seg=PixelData(data=gt))
        metric.process({}, [sample.to_dict()])
    assert metric.evaluate(len(dataset))['mIoU'] == pytest.approx(100.0)


def test_cityscapes_metric_gives_full_marks_to_the_ground_truth(tiny_data, tmp_path):
    """mmseg's CityscapesMetric (the official cityscapesscripts evaluation) runs on this stack."""
    pytest.importorskip('cityscapesscripts', reason='pip install cityscapesscripts')
    from mmengine.structures import PixelData
    from mmseg.datasets import CityscapesDataset
    from mmseg.evaluation import CityscapesMetric
    from mmseg.structures import SegDataSample
    init_default_scope('mmseg')
    dataset = CityscapesDataset(data_root=str(tiny_data / 'cityscapes'), pipeline=[dict(type='LoadAnnotations')],
                                data_prefix=dict(img_path='leftImg8bit/val', seg_map_path='gtFine/val'))
    metric = CityscapesMetric(output_dir=str(tmp_path / 'preds'), keep_results=True)
    for i in range(len(dataset)):
        sample = dataset[i]
        gt = torch.from_numpy(sample['gt_seg_map'].astype(np.int64))[None]
        prediction = SegDataSample(pred_sem_seg=PixelData(data=gt), metainfo=dict(
            img_path=sample['img_path'], seg_map_path=sample['seg_map_path']))
        metric.process({}, [prediction.to_dict()])
    results = metric.evaluate(len(dataset))
    assert results['averageScoreCategories'] == pytest.approx(1.0)  # mIoU over classes, official evaluation
    assert results['averageScoreInstCategories'] == pytest.approx(1.0)


def test_layout_checks_pass_on_the_tiny_datasets(tiny_data):
    assert check_coco(tiny_data / 'coco').images == {'train2017': 8, 'val2017': 4}
    assert check_ade(tiny_data / 'ade/ADEChallengeData2016').images == {'training': 8, 'validation': 4}
    assert check_cityscapes(tiny_data / 'cityscapes').images == {'train': 8, 'val': 4}


def test_layout_errors_name_what_is_missing(tmp_path, tiny_data):
    with pytest.raises(DatasetLayoutError, match='does not exist'):
        check_coco(tmp_path / 'nowhere')
    coco = tmp_path / 'coco'
    shutil.copytree(tiny_data / 'coco', coco)
    victim = sorted((coco / 'val2017').iterdir())[0]
    victim.unlink()
    with pytest.raises(DatasetLayoutError, match=victim.name):
        check_coco(coco)
    cityscapes = tmp_path / 'cityscapes'
    shutil.copytree(tiny_data / 'cityscapes', cityscapes)
    for label in cityscapes.rglob('*_gtFine_labelTrainIds.png'):
        label.unlink()
    with pytest.raises(DatasetLayoutError, match='convert-cityscapes'):
        check_cityscapes(cityscapes)


@pytest.mark.slow
def test_prepare_dataset_cli_reports_and_fails_cleanly(tmp_path, tiny_data):
    tool = [sys.executable, str(ROOT / 'tools/prepare_dataset.py')]
    ok = subprocess.run(tool + ['check', 'ade', str(tiny_data / 'ade/ADEChallengeData2016')],
                        capture_output=True, text=True, check=True)
    assert 'OK' in ok.stdout
    bad = subprocess.run(tool + ['check', 'cityscapes', str(tmp_path / 'missing')], capture_output=True, text=True)
    assert bad.returncode == 2  # a usage error (pinas.utils.cli)
    assert 'missing' in bad.stderr and 'Traceback' not in bad.stderr


def test_cityscapes_conversion_reproduces_the_train_ids(tmp_path, tiny_data):
    """cityscapesscripts turns the polygons into exactly the labelTrainIds PNGs the tiny dataset ships."""
    pytest.importorskip('cityscapesscripts', reason='pip install cityscapesscripts')
    root = tmp_path / 'cityscapes'
    written, shipped, differ = reconverted_cityscapes(tiny_data / 'cityscapes', root)
    assert written == shipped == 12 and not differ, differ
    assert json.loads(next(root.rglob('*_polygons.json')).read_text())['imgWidth'] == 128
