"""``PiNASResNeSt`` as an OpenMMLab backbone in mmdet and mmseg."""
import pytest
import torch

import downstream  # noqa: F401  (registers the backbone)
from pinas.models import StandaloneResNeSt
from pinas.models import SuperResNeSt

TINY = dict(type='PiNASResNeSt', arch='302113', space='pinas_resnest_tiny')


def _build(**kwargs):
    from mmdet.registry import MODELS
    return MODELS.build({**TINY, **kwargs})


def test_both_registries_build_it():
    from mmdet.registry import MODELS as DET_MODELS
    from mmseg.registry import MODELS as SEG_MODELS
    for registry in (DET_MODELS, SEG_MODELS):
        backbone = registry.build(dict(TINY))
        assert backbone.out_channels == [64, 128, 256, 512]


@pytest.mark.parametrize('strides, dilations, reduction', [
    ((1, 2, 2, 2), (1, 1, 1, 1), 32), ((1, 2, 2, 1), (1, 1, 1, 2), 16), ((1, 2, 1, 1), (1, 1, 2, 4), 8)])
def test_output_strides(strides, dilations, reduction):
    backbone = _build(strides=strides, dilations=dilations).eval()
    outs = backbone(torch.randn(1, 3, 64, 64))
    assert [o.shape[1] for o in outs] == [64, 128, 256, 512]
    assert outs[-1].shape[-1] == 64 // reduction


def test_bad_stride_layout_is_named():
    with pytest.raises(ValueError, match='output stride 8: strides=\\(1, 2, 1, 1\\)'):
        _build(strides=(1, 2, 1, 2), dilations=(1, 1, 2, 1))


def test_an_int_arch_is_read_digit_for_digit_never_padded():
    """A config's ``arch=312113`` is its digits; ``31102`` is a 5-position code, refused, not trained as ``031102``
    (``--cfg-options`` keeps a code with a leading zero as text)."""
    from pinas.arch import ArchError
    assert str(_build(arch=312113).arch) == '312113'
    with pytest.raises(ArchError, match='the number 31102 \\(5 digits, the space has 6 positions\\)'):
        _build(arch=31102)


def test_frozen_stages_and_norm_eval():
    backbone = _build(frozen_stages=2, norm_eval=True, out_indices=(1, 3))
    backbone.train()
    assert not any(p.requires_grad for p in backbone.conv1.parameters())
    assert not any(p.requires_grad for p in backbone.layer2.parameters())
    assert all(p.requires_grad for p in backbone.layer3.parameters())
    assert not backbone.layer3[0].bn1.training  # norm_eval keeps statistics frozen
    assert len(backbone(torch.randn(1, 3, 32, 32))) == 2


def test_syncbn_norm_cfg():
    backbone = _build(norm_cfg=dict(type='SyncBN', requires_grad=True))
    assert isinstance(backbone.layer1[0].bn1, torch.nn.SyncBatchNorm)


def test_loads_exported_and_supernet_checkpoints(tmp_path):
    exported = StandaloneResNeSt('302113', 'pinas_resnest_tiny', num_classes=10)
    torch.save({'state_dict': exported.state_dict()}, tmp_path / 'exported.pth')
    backbone = _build(init_cfg=dict(type='Pretrained', checkpoint=str(tmp_path / 'exported.pth')))
    backbone.init_weights()
    torch.testing.assert_close(backbone.layer2[1].conv1.weight, exported.layer2[1].conv1.weight)

    supernet = SuperResNeSt('pinas_resnest_tiny')
    torch.save({'state_dict': {f'backbone.{k}': v for k, v in supernet.state_dict().items()}},
               tmp_path / 'supernet.pth')
    backbone = _build(init_cfg=dict(type='Pretrained', checkpoint=str(tmp_path / 'supernet.pth'),
                                    prefix='backbone.'))
    backbone.init_weights()
    torch.testing.assert_close(backbone.layer2[1].conv1.weight, supernet.layer2[1][2].conv1.weight)  # position 2 = 2


def test_mismatched_checkpoint_is_an_error_not_a_silent_partial_load(tmp_path):
    other = StandaloneResNeSt('000000', 'pinas_resnest_tiny')
    torch.save(other.state_dict(), tmp_path / 'other.pth')
    backbone = _build(init_cfg=dict(type='Pretrained', checkpoint=str(tmp_path / 'other.pth')))
    with pytest.raises(RuntimeError, match='shape mismatches'):
        backbone.init_weights()


@pytest.mark.slow
def test_mask_rcnn_forward_and_loss_on_cpu():
    from mmdet.registry import MODELS
    from mmdet.structures import DetDataSample
    from mmengine.hub import get_config
    from mmengine.structures import InstanceData
    from mmdet.utils import register_all_modules
    from mmdet.structures.mask import BitmapMasks
    register_all_modules()
    cfg = get_config('mmdet::mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py').model
    cfg.backbone = dict(TINY, out_indices=(0, 1, 2, 3))
    cfg.neck.in_channels = [64, 128, 256, 512]
    cfg.roi_head.bbox_head.num_classes = 2
    cfg.roi_head.mask_head.num_classes = 2
    model = MODELS.build(cfg)
    sample = DetDataSample(metainfo=dict(img_shape=(64, 64), ori_shape=(64, 64), pad_shape=(64, 64),
                                         scale_factor=(1.0, 1.0), batch_input_shape=(64, 64)))
    masks = torch.zeros(1, 64, 64, dtype=torch.uint8)
    masks[0, 8:40, 10:50] = 1
    sample.gt_instances = InstanceData(bboxes=torch.tensor([[10., 8., 50., 40.]]), labels=torch.tensor([1]),
                                       masks=BitmapMasks(masks.numpy(), 64, 64))
    losses = model.loss(torch.randn(2, 3, 64, 64), [sample, sample])  # batch 2: split-attention BN needs >1
    assert {'loss_rpn_cls', 'loss_cls', 'loss_bbox', 'loss_mask'} <= set(losses)
    total = sum(v.sum() if isinstance(v, torch.Tensor) else sum(v) for k, v in losses.items() if 'loss' in k)
    total.backward()
    assert model.backbone.layer1[0].conv1.weight.grad is not None
    model.eval()
    with torch.no_grad():
        results = model.predict(torch.randn(1, 3, 64, 64), [sample])
    assert hasattr(results[0], 'pred_instances')


def test_deeplabv3_output_stride_8_on_cpu():
    from mmengine.hub import get_config
    from mmseg.registry import MODELS
    from mmseg.utils import register_all_modules
    register_all_modules()
    cfg = get_config('mmseg::deeplabv3/deeplabv3_r50-d8_4xb4-80k_ade20k-512x512.py').model
    cfg.data_preprocessor = None
    cfg.pretrained = None
    cfg.backbone = dict(TINY, strides=(1, 2, 1, 1), dilations=(1, 1, 2, 4))
    cfg.decode_head.update(in_channels=512, channels=32, num_classes=5, norm_cfg=dict(type='BN'))
    cfg.auxiliary_head.update(in_channels=256, channels=16, num_classes=5, norm_cfg=dict(type='BN'))
    model = MODELS.build(cfg).eval()
    feats = model.extract_feat(torch.randn(1, 3, 64, 64))
    assert feats[-1].shape[-2:] == (8, 8)  # output stride 8
    with torch.no_grad():
        logits = model._forward(torch.randn(1, 3, 64, 64))
    assert logits.shape == (1, 5, 8, 8)
