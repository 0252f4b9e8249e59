"""Shared plumbing of supernet algorithms: an mmengine ``BaseModel`` around a weight-sharing supernet.

The supernet comes from ``backbone=dict(space=..., **kwargs)``: the space names its supernet class
(``space.supernet_type``; ``type`` may name it explicitly), so one training method runs over any space whose
supernet offers ``space``, ``forward_features(x, arch)``, ``forward_head(x, pre_logits)``, ``path_modules(arch)``
and ``num_features``.

``forward(inputs, data_samples, mode)`` follows mmengine: ``'loss'`` trains (the algorithm samples its paths),
``'predict'`` returns logits of one fixed path, ``'tensor'`` returns pooled features of one fixed path.
"""
from __future__ import annotations

from typing import Any, Mapping

import torch
from mmengine.model import BaseModel

from ..arch import Arch, ArchLike
from .. import models as _models  # noqa: F401  (registers the supernet types)
from ..registry import MODELS
from ..spaces import build_space
from .sampling import PathSampler


def build_supernet(cfg: Mapping[str, Any], num_classes: int):
    """The supernet of ``cfg``: ``type`` if given, else the supernet class of ``cfg['space']``.

    Looked up in pinas's own registry directly, whatever mmengine's current default scope is."""
    cfg = dict(cfg)
    kind = cfg.pop('type', None) or build_space(cfg.get('space')).supernet_type
    cls = MODELS.get(kind) if isinstance(kind, str) else kind
    if cls is None:
        raise KeyError(f'unknown supernet type {kind!r} in model.backbone; leave it out to use the space\'s own')
    return cls(num_classes=num_classes, **cfg)


class SupernetAlgorithm(BaseModel):
    """Base of the supernet algorithms: builds the supernet from ``backbone=dict(space=..., ...)``."""

    def __init__(self, backbone: Mapping[str, Any], num_classes: int = 0, seed: int = 0,
                 data_preprocessor: Mapping | None = None, init_cfg=None):
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.supernet = build_supernet(backbone, num_classes)
        self.space = self.supernet.space
        self.sampler = PathSampler(self.space.cardinalities, seed=seed)
        self.eval_arch: Arch | None = None  # the path used by 'predict'/'tensor' when none is passed

    def set_arch(self, arch: ArchLike) -> Arch:
        self.eval_arch = self.space.parse(arch)
        return self.eval_arch

    def _arch(self, arch: ArchLike | None) -> Arch:
        if arch is not None:
            return self.space.parse(arch)
        if self.eval_arch is None:
            raise RuntimeError('no architecture to evaluate: call set_arch(arch) or pass arch=...')
        return self.eval_arch

    def extract(self, inputs: torch.Tensor, arch: ArchLike | None = None) -> torch.Tensor:
        """Globally pooled backbone features of one path."""
        return self.supernet.forward_head(self.supernet.forward_features(inputs, self._arch(arch)), pre_logits=True)

    def forward(self, inputs: torch.Tensor, data_samples=None, mode: str = 'tensor', arch: ArchLike | None = None):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples, arch)
        if mode == 'tensor':
            return self.extract(inputs, arch)
        raise ValueError(f"mode must be 'loss', 'predict' or 'tensor', got {mode!r}")

    def loss(self, inputs, data_samples) -> dict:
        raise NotImplementedError

    def predict(self, inputs, data_samples=None, arch: ArchLike | None = None):
        """Logits of one path; only supervised supernets have a classifier."""
        if self.supernet.num_classes == 0:
            raise RuntimeError(f'{type(self).__name__} has no classifier: score it with a linear probe or kNN')
        return self.supernet(inputs, self._arch(arch))
