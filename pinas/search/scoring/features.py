"""Proxies that read frozen features only, for unsupervised supernets (Pi-NAS): kNN top-1 against a labelled
memory bank, and a label-free contrastive score."""
from __future__ import annotations

from typing import Iterable, Mapping

import torch
import torch.nn.functional as F

from ...arch import Arch
from ...registry import PROXIES
from .base import ProxyScore, _inputs_labels, pooled


@torch.no_grad()
def pooled_features(supernet, arch: Arch, batches: Iterable) -> tuple[torch.Tensor, torch.Tensor]:
    feats, labels = [], []
    for batch in batches:
        inputs, y = _inputs_labels(batch)
        feats.append(F.normalize(pooled(supernet, inputs, arch), dim=1))
        labels.append(y)
    return torch.cat(feats), torch.cat(labels)


@PROXIES.register_module('knn')
class KNN(ProxyScore):
    """Weighted kNN top-1 (%) of ``val`` against the labelled ``memory`` features (InstDisc-style voting)."""

    needs = ('memory',)

    def __init__(self, k: int = 20, temperature: float = 0.07):
        self.k, self.temperature = k, temperature

    @torch.no_grad()
    def __call__(self, supernet, arch: Arch, data: Mapping) -> float:
        bank, bank_labels = pooled_features(supernet, arch, data['memory']())
        feats, labels = pooled_features(supernet, arch, data['val']())
        num_classes = int(max(bank_labels.max(), labels.max())) + 1
        sims, idx = (feats @ bank.t()).topk(min(self.k, len(bank)), dim=1)
        votes = torch.zeros(len(feats), num_classes).scatter_add_(1, bank_labels[idx],
                                                                   (sims / self.temperature).exp())
        return 100.0 * (votes.argmax(1) == labels).float().mean().item()


@PROXIES.register_module('contrastive')
class Contrastive(ProxyScore):
    """Negative InfoNCE between each image and its horizontal flip, in-batch negatives; needs no labels."""

    def __init__(self, temperature: float = 0.2):
        self.temperature = temperature

    @torch.no_grad()
    def __call__(self, supernet, arch: Arch, data: Mapping) -> float:
        total, count = 0.0, 0
        for batch in data['val']():
            inputs, _ = _inputs_labels(batch)
            if inputs.dim() == 5:  # multi-view samples: use the first view
                inputs = inputs[:, 0]
            a = F.normalize(pooled(supernet, inputs, arch), dim=1)
            b = F.normalize(pooled(supernet, inputs.flip(-1), arch), dim=1)
            logits = a @ b.t() / self.temperature
            total += F.cross_entropy(logits, torch.arange(len(a)), reduction='sum').item()
            count += len(a)
        return -total / count
