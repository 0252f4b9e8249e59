"""Image pipelines from config: a list of dicts naming torchvision transforms.

    pipeline = [dict(type='RandomResizedCrop', size=224, scale=(0.2, 1.0)),
                dict(type='RandomApply', transforms=[dict(type='ColorJitter', brightness=0.4)], p=0.8),
                dict(type='ToTensor'), dict(type='Normalize', mean=IMAGENET_MEAN, std=IMAGENET_STD)]

``type`` is a ``torchvision.transforms`` class name (or one of the few defined here); nested ``transforms`` lists
are built recursively, so ``RandomApply``/``Compose`` work as in torchvision.
"""
from __future__ import annotations

import random
from typing import Any, Mapping, Sequence

from PIL import ImageFilter
from torchvision import transforms as T

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class PILGaussianBlur:
    """MoCo-v2's blur: PIL Gaussian blur with sigma drawn uniformly from ``sigma`` (python ``random``)."""

    def __init__(self, sigma: Sequence[float] = (0.1, 2.0)):
        self.sigma = tuple(sigma)

    def __call__(self, img):
        return img.filter(ImageFilter.GaussianBlur(radius=random.uniform(*self.sigma)))

    def __repr__(self):
        return f'{type(self).__name__}(sigma={self.sigma})'


_LOCAL = {'PILGaussianBlur': PILGaussianBlur}


def transform_class(name: str) -> type:
    """The class a pipeline step's ``type`` names."""
    cls = _LOCAL.get(name) or getattr(T, name, None)
    if not isinstance(cls, type):
        raise ValueError(f'unknown pipeline step type {name!r}: use a torchvision.transforms class or one of '
                         f'{sorted(_LOCAL)}')
    return cls


def build_transform(cfg: Mapping[str, Any]):
    cfg = dict(cfg)
    name = cfg.pop('type', None)
    if name is None:
        raise ValueError(f'pipeline step {cfg} has no "type"')
    cls = transform_class(name)
    if 'transforms' in cfg:
        cfg['transforms'] = [build_transform(t) for t in cfg['transforms']]
    if 'interpolation' in cfg and isinstance(cfg['interpolation'], str):
        cfg['interpolation'] = T.InterpolationMode(cfg['interpolation'])
    for key in ('size', 'scale', 'ratio', 'mean', 'std', 'sigma', 'kernel_size'):
        if isinstance(cfg.get(key), list):
            cfg[key] = tuple(cfg[key])
    return cls(**cfg)


def build_pipeline(steps: Sequence[Mapping[str, Any]]) -> T.Compose:
    return T.Compose([build_transform(s) for s in steps])
