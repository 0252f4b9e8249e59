"""SPOS: supervised single-path one-shot training with uniform path sampling (Guo et al., 2020)."""
from __future__ import annotations

import torch.nn.functional as F

from ..registry import MODELS
from .base import FORWARD_BACKWARD, SupernetAlgorithm, class_labels


@MODELS.register_module()
class SPOS(SupernetAlgorithm):
    """One uniformly sampled path per step, cross-entropy on its logits."""

    def __init__(self, backbone, num_classes: int, label_smoothing: float = 0.0, **kwargs):
        super().__init__(backbone, num_classes=num_classes, **kwargs)
        self.label_smoothing = label_smoothing

    @property
    def passes_per_batch(self) -> int:
        """One path, forward and backward: 3."""
        return FORWARD_BACKWARD

    def loss(self, inputs, data_samples) -> dict:
        labels = class_labels(data_samples, len(inputs), inputs.device)
        logits = self.supernet(inputs, self.sample_arch())
        loss = F.cross_entropy(logits, labels, label_smoothing=self.label_smoothing)
        acc = (logits.argmax(1) == labels).float().mean()
        return dict(loss=loss, acc=acc.detach())
