"""Every shipped transfer config builds with the real backbone settings and holds the settings the docs promise."""
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import MODELS, init_default_scope

from transfer_paths import CONFIGS, SHIPPED_CONFIGS, SMOKE_CONFIGS

PAPER_CONFIGS = [p for p in SHIPPED_CONFIGS if p not in SMOKE_CONFIGS]
MASK_RCNN = CONFIGS / 'mask_rcnn/mask-rcnn_pinas-resnest50d_fpn_syncbn-backbone+head_ms-1x_coco.py'
ADE_DEEPLAB = CONFIGS / 'deeplabv3/deeplabv3_pinas-resnest50d-d8_4xb4-160k_ade20k-512x512.py'
CITYSCAPES_769 = CONFIGS / 'deeplabv3/deeplabv3_pinas-resnest50d-d8_4xb2-80k_cityscapes-769x769.py'
PI_NAS_TRANS = '3333113330011021'


def build_model(cfg: Config) -> torch.nn.Module:
    init_default_scope(cfg.default_scope)
    return MODELS.build(cfg.model)


def head_inputs(cfg: Config) -> list[tuple[int, int]]:
    """(backbone output index, channels) pairs the config's neck or heads read."""
    if 'neck' in cfg.model:
        return list(enumerate(cfg.model.neck.in_channels))
    pairs = []
    for head in (cfg.model.decode_head, cfg.model.auxiliary_head):
        if isinstance(head.in_index, (list, tuple)):
            pairs += list(zip(head.in_index, head.in_channels))
        else:
            pairs.append((head.in_index, head.in_channels))
    return pairs


def test_the_config_families_are_shipped():
    names = {p.parent.name for p in PAPER_CONFIGS}
    assert names == {'mask_rcnn', 'faster_rcnn', 'retinanet', 'deeplabv3', 'upernet'}
    assert len(SMOKE_CONFIGS) == 6


@pytest.mark.parametrize('path', SHIPPED_CONFIGS, ids=lambda p: p.stem)
def test_config_builds_and_backbone_feeds_the_heads(path):
    cfg = Config.fromfile(str(path))
    assert cfg.custom_imports.imports == ['downstream', 'pinas.engine']  # the backbone; atomic checkpoints
    assert cfg.default_hooks.checkpoint.backend_args == dict(backend='atomic_local')  # a killed save tears nothing
    model = build_model(cfg)
    backbone = model.backbone
    assert type(backbone).__name__ == 'PiNASResNeSt'
    expected_space = 'pinas_resnest_tiny' if path in SMOKE_CONFIGS else 'pinas_resnest50d'
    assert cfg.model.backbone.space == expected_space
    if path not in SMOKE_CONFIGS:
        assert str(backbone.arch) == PI_NAS_TRANS
        assert cfg.model.backbone.init_cfg.type == 'Pretrained'
    with torch.no_grad():
        features = backbone.eval()(torch.zeros(1, 3, 64, 64))
    channels = [f.shape[1] for f in features]
    for index, wanted in head_inputs(cfg):
        assert channels[index] == wanted


def test_mask_rcnn_is_the_paper_setting():
    cfg = Config.fromfile(str(MASK_RCNN))
    assert cfg.train_dataloader.batch_size * 8 == cfg.auto_scale_lr.base_batch_size == 16
    assert cfg.optim_wrapper.optimizer.lr == 0.02
    assert cfg.train_cfg.max_epochs == 12
    resize = next(t for t in cfg.train_dataloader.dataset.pipeline if t.type == 'RandomChoiceResize')
    assert [short for _, short in resize.scales] == list(range(640, 801, 32))
    backbone = cfg.model.backbone
    assert (backbone.frozen_stages, backbone.norm_eval) == (-1, False)  # MoCo-style: everything trains
    for part in (backbone, cfg.model.neck, cfg.model.roi_head.bbox_head, cfg.model.roi_head.mask_head):
        assert part.norm_cfg.type == 'SyncBN'
    assert cfg.model.roi_head.bbox_head.type == 'Shared4Conv1FCBBoxHead'
    assert cfg.val_evaluator.metric == ['bbox', 'segm']


@pytest.mark.parametrize('path, iters, crop, classes', [
    (ADE_DEEPLAB, 160_000, (512, 512), 150),
    (CITYSCAPES_769, 80_000, (769, 769), 19),
], ids=['ade20k', 'cityscapes'])
def test_deeplabv3_is_output_stride_8(path, iters, crop, classes):
    cfg = Config.fromfile(str(path))
    assert cfg.train_cfg.max_iters == iters
    assert tuple(cfg.model.data_preprocessor.size) == crop
    assert cfg.model.decode_head.num_classes == classes
    model = build_model(cfg)
    with torch.no_grad():
        last = model.backbone.eval()(torch.zeros(1, 3, 64, 64))[-1]
    assert last.shape[-2:] == (8, 8)


def test_arch_and_checkpoint_are_one_line_overrides(tmp_path):
    from pinas import build_space, write_arch_file
    arch_file = tmp_path / 'best_arch.json'
    write_arch_file(arch_file, build_space('pinas_resnest50d'), '3013231203213032')
    cfg = Config.fromfile(str(MASK_RCNN))
    cfg.merge_from_dict({'model.backbone.arch': str(arch_file),
                         'model.backbone.init_cfg.checkpoint': 'weights/searched.pth'})
    backbone = build_model(cfg).backbone
    assert str(backbone.arch) == '3013231203213032'
    assert backbone.init_cfg['checkpoint'] == 'weights/searched.pth'


def test_command_line_arch_code_keeps_its_leading_zeros():
    """mmengine's --cfg-options would read an all-digit code as a number and drop its leading zeros; pinas keeps a
    value with a leading zero as the text it is."""
    from downstream.apis import train_parser
    from pinas.apis import load_config
    args = train_parser().parse_args([str(MASK_RCNN), '--cfg-options', 'model.backbone.arch=0013231203213032',
                                      'train_cfg.max_epochs=1'])
    assert args.cfg_options == {'model.backbone.arch': '0013231203213032', 'train_cfg.max_epochs': 1}
    cfg = load_config(args.config, cfg_options=args.cfg_options)
    assert str(build_model(cfg).backbone.arch) == '0013231203213032'


def test_pretrained_weights_load_into_the_built_detector(tmp_path, tiny_data):
    from pinas.models import StandaloneResNeSt
    from pinas.spaces import build_space
    space = build_space('pinas_resnest_tiny')
    source = StandaloneResNeSt(space.parse('311021'), space, num_classes=0)
    checkpoint = tmp_path / 'tiny.pth'
    torch.save({'state_dict': source.state_dict()}, checkpoint)
    cfg = Config.fromfile(str(CONFIGS / 'smoke/mask-rcnn_pinas-tiny_fpn_1x_coco-tiny.py'))
    cfg.model.backbone.init_cfg = dict(type='Pretrained', checkpoint=str(checkpoint))
    model = build_model(cfg)
    model.init_weights()
    loaded = model.backbone.state_dict()
    for key, value in source.state_dict().items():
        if not key.startswith('fc.'):
            assert torch.equal(loaded[key], value), key


def test_missing_pretrained_checkpoint_is_named():
    from downstream.apis import check_pretrained
    cfg = Config.fromfile(str(MASK_RCNN))
    with pytest.raises(FileNotFoundError, match='model.backbone.init_cfg.checkpoint=PATH'):
        check_pretrained(cfg)


@pytest.mark.parametrize('full, small', [
    ('deeplabv3_track1-standalone-d8_4xb4-160k_ade20k-512x512.py',
     'deeplabv3_track1-standalone-d8_ade-small-96x96.py'),
    ('faster-rcnn_track1-standalone_fpn_syncbn-backbone+head_ms-1x_coco.py',
     'faster-rcnn_track1-standalone_fpn_coco-small.py')])
def test_the_full_size_transfer_ground_truth_fine_tunes_the_small_one_s_backbone_on_the_real_task(full, small):
    """A cluster reruns the CPU study at full size by changing configs: the same stand-alone Track-1 backbone (space,
    shortcut layout, strides, trained BN) on the real dataset and schedule, its heads fed by the backbone's widths."""
    big, little = (Config.fromfile(str(CONFIGS / 'transfer_gt' / name)) for name in (full, small))
    keys = ('type', 'space', 'shortcut', 'stem_stride', 'stem_pool', 'norm_cfg', 'norm_eval', 'frozen_stages')
    assert {k: big.model.backbone.get(k) for k in keys} == {k: little.model.backbone.get(k) for k in keys}
    assert big.model.backbone.space == 'track1_resnet20' and big.model.backbone.shortcut == 'official'
    if 'deeplabv3' in full:
        assert (big.crop_size, big.train_cfg.max_iters, big.model.decode_head.num_classes) == ((512, 512), 160000, 150)
        dataset = big.train_dataloader.dataset
        assert dataset.type == 'ADE20KDataset' and 'small' not in dataset.data_root
    else:
        assert big.train_cfg.max_epochs == 12 and big.train_dataloader.dataset.data_root == 'data/coco/'
    model = build_model(big)
    with torch.no_grad():
        features = model.backbone.eval()(torch.zeros(1, 3, 64, 64))
    for index, wanted in head_inputs(big):
        assert features[index].shape[1] == wanted
    if 'deeplabv3' in full:
        assert features[-1].shape[-1] == 64 // 8  # output stride 8
