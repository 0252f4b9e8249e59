"""Shared plumbing of supernet algorithms: an mmengine ``BaseModel`` around a weight-sharing supernet.

The supernet comes from ``backbone=dict(space=..., **kwargs)``: the space names its supernet class
(``space.supernet_type``; ``type`` may name it explicitly), so one training method runs over any space whose
supernet offers ``space``, ``forward_features(x, arch)``, ``forward_head(x, pre_logits)``, ``path_modules(arch)``,
``num_features`` and ``num_classes``.

``forward(inputs, data_samples, mode)`` follows mmengine: ``'loss'`` trains (the algorithm samples its paths),
``'predict'`` returns one result per sample (``logits``, ``pred_label``, ``gt_label``) of one fixed path,
``'tensor'`` returns pooled features of one fixed path. The fixed path is ``arch`` if passed, else ``eval_arch``
(the max path unless set with :meth:`SupernetAlgorithm.set_arch`, e.g. after recalibrating its BN).

Each algorithm counts the network passes one training step runs over its batch, from its own settings
(:attr:`SupernetAlgorithm.passes_per_batch`): a forward of one path over the batch is 1 (``FORWARD``), a forward
with its backward 3 (``FORWARD_BACKWARD``: the backward costs about two forwards). Times the epochs, that is the
network passes per training image, the unit in which the ranking benchmark gives every method the same compute.
"""
from __future__ import annotations

from typing import Any, Mapping

import torch
from mmengine.model import BaseModel

from ..arch import Arch, ArchLike
from .. import models as _models  # noqa: F401  (registers the supernet types)
from ..engine.ddp import unwrap_model
from ..registry import MODELS
from ..spaces import build_space
from ..utils.cli import UnknownNameError
from .sampling import PathSampler

FORWARD = 1  # network passes of one path's forward over a batch (no graph kept)
FORWARD_BACKWARD = 3  # a forward and its backward (about two forwards)


def build_supernet(cfg: Mapping[str, Any], num_classes: int | None):
    """The supernet of ``cfg``: ``type`` if given, else the supernet class of ``cfg['space']``.

    Looked up in pinas's own registry directly, whatever mmengine's current default scope is."""
    cfg = dict(cfg)
    kind = cfg.pop('type', None) or build_space(cfg.get('space')).supernet_type
    cls = MODELS.get(kind) if isinstance(kind, str) else kind
    if cls is None:
        raise UnknownNameError(f'unknown supernet type {kind!r} in model.backbone; leave it out to use the '
                               'space\'s own')
    return cls(num_classes=num_classes, **cfg)


class SupernetAlgorithm(BaseModel):
    """Base of the supernet algorithms: builds the supernet from ``backbone=dict(space=..., ...)``.

    Args:
        backbone: the supernet config (see the module doc).
        num_classes: classifier outputs passed to the supernet (0: headless).
        seed: seed of the path sampler; paths are drawn on rank 0 and broadcast, so every rank trains the same.
        eval_arch: the path ``predict``/``tensor`` (``val_step``/``test_step``) run (default: the max path).
    """

    def __init__(self, backbone: Mapping[str, Any], num_classes: int | None = 0, seed: int = 0,
                 eval_arch: ArchLike | None = None, data_preprocessor: Mapping | None = None, init_cfg=None):
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.supernet = build_supernet(backbone, num_classes)
        self.space = self.supernet.space
        self.sampler = PathSampler(self.space.cardinalities, seed=seed)
        self.eval_arch: Arch = self.space.max_arch() if eval_arch is None else self.space.parse(eval_arch)

    @property
    def bare_supernet(self):
        """The supernet itself, also while a per-submodule DDP wrapper (``DeviceAwareSeparateDDP``, which CEPT's
        several optimizer steps per batch need) holds ``self.supernet``: read its attributes and methods here, and
        call ``self.supernet(...)`` for training forwards, which must pass through the wrapper."""
        return unwrap_model(self.supernet)

    @property
    def passes_per_batch(self) -> int:
        """Network passes a training step runs over its batch, at least (forward 1, forward + backward 3), counted
        from the algorithm's settings; the ranking benchmark's unit of compute, times the epochs."""
        raise NotImplementedError(f'{type(self).__name__} does not count its training passes: define '
                                  'passes_per_batch (forward 1, forward + backward 3)')

    @property
    def max_passes_per_batch(self) -> int:
        """The most passes a training step can run; above :attr:`passes_per_batch` only where the work of a step
        depends on the data (CEPT's max-recover)."""
        return self.passes_per_batch

    def set_arch(self, arch: ArchLike) -> Arch:
        """Choose the path ``predict``/``tensor`` run when none is passed."""
        self.eval_arch = self.space.parse(arch)
        return self.eval_arch

    def sample_arch(self) -> Arch:
        """A uniformly sampled path, the same on every rank."""
        path, = self.sampler.uniform(1)
        return path

    def _arch(self, arch: ArchLike | None) -> Arch:
        return self.eval_arch if arch is None else self.space.parse(arch)

    def extract(self, inputs: torch.Tensor, arch: ArchLike | None = None) -> torch.Tensor:
        """Globally pooled backbone features of one path."""
        supernet = self.bare_supernet
        return supernet.forward_head(supernet.forward_features(inputs, self._arch(arch)), pre_logits=True)

    def forward(self, inputs: torch.Tensor, data_samples=None, mode: str = 'tensor', arch: ArchLike | None = None):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(stack_images(inputs), data_samples, arch)
        if mode == 'tensor':
            return self.extract(stack_images(inputs), arch)
        raise ValueError(f"mode must be 'loss', 'predict' or 'tensor', got {mode!r}")

    def loss(self, inputs, data_samples) -> dict:
        raise NotImplementedError

    def predict(self, inputs: torch.Tensor, data_samples=None, arch: ArchLike | None = None) -> list[dict]:
        """One dict per sample with the ``logits`` of one path, ``pred_label`` and ``gt_label`` (None without
        ``data_samples``); only supervised supernets have a classifier."""
        if self.bare_supernet.num_classes == 0:
            raise RuntimeError(f'{type(self).__name__} has no classifier: score it with a linear probe or kNN')
        logits = self.bare_supernet(inputs, self._arch(arch)).detach().float().cpu()
        labels = None if data_samples is None else class_labels(data_samples, len(inputs), torch.device('cpu'))
        preds = logits.argmax(1)
        return [dict(logits=logits[i], pred_label=int(preds[i]), gt_label=None if labels is None else int(labels[i]))
                for i in range(len(logits))]


def stack_images(inputs) -> torch.Tensor:
    """An image batch ``[B, C, H, W]`` from a tensor or a list of ``[C, H, W]`` tensors."""
    if isinstance(inputs, torch.Tensor):
        if inputs.dim() != 4:
            raise ValueError(f'inputs must be a [B, C, H, W] image batch, got shape {tuple(inputs.shape)}')
        return inputs
    if isinstance(inputs, (list, tuple)) and inputs and all(isinstance(x, torch.Tensor) for x in inputs):
        return torch.stack(list(inputs))
    raise TypeError(f'inputs must be an image tensor [B, C, H, W] or a list of [C, H, W] tensors, got '
                    f'{type(inputs).__name__}')


def class_labels(data_samples, batch_size: int, device: torch.device) -> torch.Tensor:
    """Class indices on ``device`` from ``data_samples``: a LongTensor [B] or a list of ints / 0-d tensors."""
    if data_samples is None:
        raise ValueError('training needs labels: pass data=dict(inputs=..., data_samples=LongTensor[B])')
    labels = data_samples if isinstance(data_samples, torch.Tensor) else torch.as_tensor(
        [int(x) for x in data_samples])
    labels = labels.reshape(-1)
    if labels.numel() != batch_size or labels.is_floating_point():
        raise ValueError(f'data_samples must hold {batch_size} integer class labels, got {labels.dtype} '
                         f'with {labels.numel()} entries')
    return labels.to(device=device, dtype=torch.long)
