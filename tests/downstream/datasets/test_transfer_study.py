"""The CPU transfer study's data and configs: dataset size presets (tiny unchanged, small textured and learnable in
the real layouts), and the study configs build, inherit supernet weights and train on the small data."""
import hashlib
import json
import os

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import MODELS, init_default_scope
from PIL import Image
from transfer_paths import CONFIGS, ROOT, reconverted_cityscapes

from downstream.datasets import (SIZE_PRESETS, TinySpec, check_ade, check_cityscapes, check_coco, get_size_preset,
                                 make_tiny_datasets)

STUDY_CONFIGS = sorted((CONFIGS / 'transfer_study').glob('*.py'))
FEW = dict(num_train=6, num_val=2)  # the small preset's content at a test's size


def digest(root):
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob('*')) if p.is_file()}


@pytest.fixture(scope='module')
def small_data(tmp_path_factory):
    """A few images of the small preset; the study configs find them via PINAS_SMALL_DATA."""
    root = tmp_path_factory.mktemp('small_data')
    make_tiny_datasets(root, TinySpec.for_size('small', **FEW))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv('PINAS_SMALL_DATA', str(root))
        yield root


def test_presets_are_a_table_and_tiny_is_the_default():
    assert TinySpec() == TinySpec.for_size('tiny')
    assert (TinySpec.num_train, TinySpec.num_val, TinySpec.size) == (8, 4, 'tiny')
    small = get_size_preset('small')
    assert small.style == 'textured' and small.num_train >= 200 and small.num_val >= 50
    assert TinySpec.for_size('small').num_train == small.num_train
    with pytest.raises(KeyError, match='known sizes: tiny, small'):
        get_size_preset('huge')


def test_small_is_deterministic_and_recorded(small_data, tmp_path):
    make_tiny_datasets(tmp_path / 'again', TinySpec.for_size('small', **FEW))
    assert digest(tmp_path / 'again') == digest(small_data)
    spec = json.loads((small_data / 'dataset_spec.json').read_text())
    assert spec['spec']['size'] == 'small' and spec['preset']['style'] == 'textured'
    make_tiny_datasets(tmp_path / 'other', TinySpec.for_size('small', seed=1, **FEW))
    assert digest(tmp_path / 'other') != digest(small_data)


def test_small_datasets_are_in_the_real_layouts(small_data):
    train, val = FEW['num_train'], FEW['num_val']
    assert check_coco(small_data / 'coco').images == {'train2017': train, 'val2017': val}
    assert check_ade(small_data / 'ade/ADEChallengeData2016').images == {'training': train, 'validation': val}
    assert check_cityscapes(small_data / 'cityscapes').images == {'train': train, 'val': val}


def test_small_coco_has_varied_instances_whose_masks_fit_their_boxes(small_data):
    from pycocotools.coco import COCO
    coco = COCO(str(small_data / 'coco/annotations/instances_train2017.json'))
    anns = coco.loadAnns(coco.getAnnIds())
    classes = {a['category_id'] for a in anns}
    assert len(classes) >= 3 and len(anns) >= FEW['num_train']
    sides = [max(a['bbox'][2], a['bbox'][3]) for a in anns]
    assert max(sides) > 2 * min(sides)  # objects of different sizes
    for a in anns:
        mask = coco.annToMask(a).astype(bool)
        ys, xs = np.nonzero(mask)
        x, y, w, h = a['bbox']
        assert xs.min() >= x - 1 and xs.max() <= x + w and ys.min() >= y - 1 and ys.max() <= y + h


def test_small_segmentation_labels_come_from_the_polygons(small_data, tmp_path):
    """cityscapesscripts turns the polygons JSON into exactly the shipped labelTrainIds (bands, objects; the
    unlabelled distractors leave the labels alone), and ADE labels hold scene and object classes."""
    pytest.importorskip('cityscapesscripts', reason='pip install cityscapesscripts')
    written, shipped, differ = reconverted_cityscapes(small_data / 'cityscapes', tmp_path / 'cityscapes')
    assert written == shipped and not differ, differ
    values = set()
    for path in (small_data / 'ade/ADEChallengeData2016/annotations/training').iterdir():
        values |= set(np.unique(np.asarray(Image.open(path))).tolist())
    assert 0 in values and len(values - {0}) >= 5  # the ignored frame, two scene bands, objects


def test_small_ade_classes_fit_the_study_heads():
    """The study's segmentors predict only ADE's first classes (a CPU saving): every class the small preset
    draws must be among them."""
    from mmseg.datasets import ADE20KDataset
    names = [c.strip() for c in ADE20KDataset.METAINFO['classes']]
    content = get_size_preset('small').content['ade']
    used = set(content.objects) | {name for band in content.bands for name in band}
    for path in STUDY_CONFIGS:
        cfg = Config.fromfile(str(path))
        if 'decode_head' in cfg.model:
            heads = (cfg.model.decode_head.num_classes, cfg.model.auxiliary_head.num_classes)
            assert max(names.index(name) for name in used) < min(heads), path.name


def build(path):
    cfg = Config.fromfile(str(path))
    init_default_scope(cfg.default_scope)
    return cfg, MODELS.build(cfg.model)


@pytest.mark.parametrize('path', STUDY_CONFIGS, ids=lambda p: p.stem)
def test_study_configs_build_and_feed_their_heads(path, small_data):
    cfg, model = build(path)
    assert cfg.train_dataloader.dataset.data_root.startswith(str(small_data))
    assert cfg.model.backbone.init_cfg.type == 'Pretrained'
    assert cfg.train_cfg.type == 'IterBasedTrainLoop'
    with torch.no_grad():
        features = model.backbone.eval()(torch.zeros(1, 3, 96, 96))
    channels = [f.shape[1] for f in features]
    if 'neck' in cfg.model:
        assert channels == list(cfg.model.neck.in_channels)
    else:
        for head in (cfg.model.decode_head, cfg.model.auxiliary_head):
            assert channels[head.in_index] == head.in_channels


@pytest.mark.slow
@pytest.mark.parametrize('name', ['faster-rcnn_pinas-tiny_fpn_coco-small', 'deeplabv3_pinas-tiny-d8_ade-small-96x96'])
def test_resnest_study_config_trains_from_a_supernet(name, small_data, tmp_path):
    """Two iterations and the evaluation, with the backbone sliced out of a SuperResNeSt checkpoint."""
    from downstream import apis
    from pinas.models import SuperResNeSt
    checkpoint = tmp_path / 'supernet.pth'
    supernet = SuperResNeSt('pinas_resnest_tiny', num_classes=0)
    torch.save(dict(state_dict={f'supernet.{k}': v for k, v in supernet.state_dict().items()}), checkpoint)
    runner = apis.train_main([str(CONFIGS / 'transfer_study' / f'{name}.py'), '--work-dir', str(tmp_path / 'work'),
                              '--cfg-options', 'train_cfg.max_iters=2', 'train_cfg.val_interval=2',
                              'default_hooks.checkpoint.interval=2', 'train_dataloader.batch_size=2',
                              'param_scheduler.0.end=1', 'param_scheduler.1.begin=1',  # warm-up, then decay
                              f'model.backbone.init_cfg.checkpoint={checkpoint}', 'model.backbone.arch=021302'])
    assert runner.iter == 2
    metrics = json.loads(sorted((tmp_path / 'work').rglob('scalars.json'))[-1].read_text().splitlines()[-1])
    assert ('coco/bbox_mAP' if 'coco' in name else 'mIoU') in metrics


@pytest.mark.slow
def test_make_tiny_datasets_cli_writes_a_size_to_its_own_root(tmp_path):
    import subprocess
    import sys
    result = subprocess.run([sys.executable, str(ROOT / 'tools/make_tiny_datasets.py'), '--size', 'small',
                             '--num-train', '2', '--num-val', '1'], cwd=tmp_path, capture_output=True, text=True,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / 'data/small/coco/annotations/instances_val2017.json').is_file()
    assert json.loads((tmp_path / 'data/small/dataset_spec.json').read_text())['spec']['num_train'] == 2
    assert sorted(SIZE_PRESETS) == ['small', 'tiny']
