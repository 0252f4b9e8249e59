"""Shared plumbing of supernet algorithms: an mmengine ``BaseModel`` around a :class:`SuperResNeSt`.

``forward(inputs, data_samples, mode)`` follows mmengine: ``'loss'`` trains (the algorithm samples its paths),
``'predict'`` returns logits of one fixed path, ``'tensor'`` returns pooled features of one fixed path.
"""
from __future__ import annotations

from typing import Any, Mapping

import torch
from mmengine.model import BaseModel

from ..arch import Arch, ArchLike
from ..models import SuperResNeSt
from .sampling import PathSampler


class SupernetAlgorithm(BaseModel):
    """Base of SPOS / Pi-NAS: builds the supernet from ``backbone=dict(space=..., ...)``."""

    def __init__(self, backbone: Mapping[str, Any], num_classes: int = 0, seed: int = 0,
                 data_preprocessor: Mapping | None = None, init_cfg=None):
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.supernet = SuperResNeSt(num_classes=num_classes, **dict(backbone))
        self.space = self.supernet.space
        self.sampler = PathSampler(self.space.cardinalities, seed=seed)
        self.eval_arch: Arch | None = None  # the path used by 'predict'/'tensor' when none is passed

    def set_arch(self, arch: ArchLike) -> Arch:
        self.eval_arch = self.space.arch(arch)
        return self.eval_arch

    def _arch(self, arch: ArchLike | None) -> Arch:
        if arch is not None:
            return self.space.arch(arch)
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
