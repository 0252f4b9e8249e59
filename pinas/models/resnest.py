"""Stand-alone Pi-NAS ResNeSt networks as a timm model family.

``import pinas`` registers:

* ``pinas_resnest50d``: any architecture of the paper's space (``arch='3013231203213032'``);
* ``pinas_resnest50d_cls``: Pi-NAS-cls, the architecture searched for ImageNet classification;
* ``pinas_resnest50d_trans``: Pi-NAS-trans, the architecture used for detection/segmentation transfer;
* ``pinas_resnest_tiny``: the CPU-sized space used by tests and the embedded default.

The network is timm's ``ResNet`` (deep stem, avg-down) with one ``ResNestBottleneck`` per position chosen by the
architecture, so ``features_only``, ``forward_intermediates``, ``reset_classifier`` and pretrained-cfg loading work
as for any timm model. ``arch='1111111111111111'`` is exactly timm's ``resnest50d``.
"""
from __future__ import annotations

from timm.data import IMAGENET_DEFAULT_MEAN, IMAGENET_DEFAULT_STD
from timm.models import build_model_with_cfg, generate_default_cfgs, register_model
from timm.models.resnet import ResNet

from ..arch import ArchLike, code_or_arch_file
from ..registry import MODELS
from ..spaces import PINAS_CLS, PINAS_TRANS, ResNeStSpace, SpaceLike, build_space, build_space_for
from ..utils.checkpoint import verify_checkpoint_file
from .blocks import ArchStage

__all__ = ['StandaloneResNeSt', 'PINAS_CLS', 'PINAS_TRANS', 'create_pinas_resnest']


@MODELS.register_module()
class StandaloneResNeSt(ResNet):
    """One architecture of a :class:`~pinas.spaces.ResNeStSpace`, as a timm ResNet (headless by default;
    timm's ``create_model`` gives the pretrained cfg's classifier). The OpenMMLab backbone built from it is
    ``downstream.PiNASResNeSt``."""

    def __init__(self, arch: ArchLike, space: SpaceLike = None, num_classes: int = 0, **kwargs):
        space = build_space_for(type(self), space, 'pinas_resnest50d')
        arch = space.parse(code_or_arch_file(arch))
        stages = tuple(
            ArchStage(cands, avd=space.avd, avd_first=space.avd_first, attn_divisor=space.attn_divisor)
            for cands in space.stage_candidates(arch))
        super().__init__(block=stages, layers=space.depths, channels=space.planes, stem_width=space.stem_width,
                         stem_type='deep', avg_down=True, num_classes=num_classes, **kwargs)
        self.arch = arch
        self.space = space


def _cfg(space: ResNeStSpace, **kwargs) -> dict:
    size = space.input_size
    cfg = dict(
        url='', num_classes=1000, input_size=(3, size, size), pool_size=(size // 32, size // 32),
        crop_pct=0.875, interpolation='bicubic', mean=IMAGENET_DEFAULT_MEAN, std=IMAGENET_DEFAULT_STD,
        first_conv='conv1.0', classifier='fc', license='apache-2.0', paper_ids='arXiv:2108.09671',
        paper_name='Pi-NAS: Improving Neural Architecture Search by Reducing Supernet Training Consistency Shift')
    cfg.update(kwargs)
    return cfg


default_cfgs = generate_default_cfgs({
    'pinas_resnest50d.untrained': _cfg(build_space('pinas_resnest50d')),
    'pinas_resnest50d_cls.untrained': _cfg(build_space('pinas_resnest50d'), notes=f'Pi-NAS-cls {PINAS_CLS}'),
    'pinas_resnest50d_trans.untrained': _cfg(build_space('pinas_resnest50d'), notes=f'Pi-NAS-trans {PINAS_TRANS}'),
    'pinas_resnest_tiny.untrained': _cfg(build_space('pinas_resnest_tiny'), num_classes=10),
})


def create_pinas_resnest(variant: str, arch: ArchLike, pretrained: bool = False, space=None,
                         **kwargs) -> StandaloneResNeSt:
    """Build through timm's builder so pretrained cfgs (``file=``) and ``features_only`` behave as in timm; a
    weights file is checked first (:func:`verify_checkpoint_file`), as timm would load damaged bytes silently."""
    weights = (kwargs.get('pretrained_cfg_overlay') or {}).get('file')
    if pretrained and weights:
        verify_checkpoint_file(weights)
    return build_model_with_cfg(StandaloneResNeSt, variant, pretrained, arch=arch, space=space,
                                **kwargs)


@register_model
def pinas_resnest50d(pretrained: bool = False, arch: ArchLike = PINAS_CLS, **kwargs) -> StandaloneResNeSt:
    """Any architecture of the Pi-NAS ResNeSt-50-D space; ``arch`` is its 16-digit code."""
    return create_pinas_resnest('pinas_resnest50d', arch, pretrained, space='pinas_resnest50d', **kwargs)


@register_model
def pinas_resnest50d_cls(pretrained: bool = False, **kwargs) -> StandaloneResNeSt:
    """Pi-NAS-cls (ImageNet 81.6% top-1 in the paper)."""
    return create_pinas_resnest('pinas_resnest50d_cls', PINAS_CLS, pretrained, space='pinas_resnest50d', **kwargs)


@register_model
def pinas_resnest50d_trans(pretrained: bool = False, **kwargs) -> StandaloneResNeSt:
    """Pi-NAS-trans (COCO Mask R-CNN 44.07 box AP in the paper)."""
    return create_pinas_resnest('pinas_resnest50d_trans', PINAS_TRANS, pretrained, space='pinas_resnest50d',
                                **kwargs)


@register_model
def pinas_resnest_tiny(pretrained: bool = False, arch: ArchLike = '311021', **kwargs) -> StandaloneResNeSt:
    """An architecture of the CPU-sized space (6 positions, 32x32 inputs); for tests and quick runs."""
    return create_pinas_resnest('pinas_resnest_tiny', arch, pretrained, space='pinas_resnest_tiny', **kwargs)
