"""Proxies that read frozen features only, for unsupervised supernets (Pi-NAS): kNN top-1 against a labelled
memory bank, and a label-free contrastive score."""
from __future__ import annotations

from typing import Iterable, Mapping

import torch
import torch.nn.functional as F

from ...arch import Arch
from ...registry import PROXIES
from .base import ProxyScore, all_gather_cat, all_reduce_sum, inputs_labels, model_device, pooled


@torch.no_grad()
def pooled_features(supernet, arch: Arch, batches: Iterable) -> tuple[torch.Tensor, torch.Tensor]:
    """L2-normalised pooled features and labels of this rank's batches."""
    device = model_device(supernet)
    feats, labels = [], []
    for batch in batches:
        inputs, y = inputs_labels(batch, device)
        feats.append(F.normalize(pooled(supernet, inputs, arch), dim=1))
        labels.append(y)
    return torch.cat(feats), torch.cat(labels)


@PROXIES.register_module('knn')
class KNN(ProxyScore):
    """Weighted kNN top-1 (%) of ``val`` against the labelled ``memory`` features (InstDisc-style voting).

    Each rank embeds its share of the memory; the bank is gathered, so every rank votes against all of it.
    ``num_classes`` defaults to the largest label in the bank plus one."""

    needs = ('memory',)

    def __init__(self, k: int = 20, temperature: float = 0.07, num_classes: int | None = None):
        self.k, self.temperature, self.num_classes = k, temperature, num_classes

    @torch.no_grad()
    def __call__(self, supernet, arch: Arch, data: Mapping) -> torch.Tensor:
        bank, bank_labels = pooled_features(supernet, arch, data['memory']())
        bank, bank_labels = all_gather_cat(bank), all_gather_cat(bank_labels)
        feats, labels = pooled_features(supernet, arch, data['val']())
        num_classes = self.num_classes or int(bank_labels.max()) + 1  # votes go to the bank's labels only
        sims, idx = (feats @ bank.t()).topk(min(self.k, len(bank)), dim=1)
        votes = torch.zeros(len(feats), num_classes, device=feats.device).scatter_add_(
            1, bank_labels[idx], (sims / self.temperature).exp())
        counts = torch.stack([(votes.argmax(1) == labels).sum().double(),
                              torch.tensor(float(len(labels)), dtype=torch.float64, device=feats.device)])
        correct, total = all_reduce_sum(counts)
        return 100.0 * correct / total


@PROXIES.register_module('contrastive')
class Contrastive(ProxyScore):
    """Negative InfoNCE between each image and its horizontal flip, in-batch negatives; needs no labels."""

    def __init__(self, temperature: float = 0.2):
        self.temperature = temperature

    @torch.no_grad()
    def __call__(self, supernet, arch: Arch, data: Mapping) -> torch.Tensor:
        device = model_device(supernet)
        sums = torch.zeros(2, dtype=torch.float64, device=device)  # loss, count
        for batch in data['val']():
            inputs, _ = inputs_labels(batch, device)
            if inputs.dim() == 5:  # multi-view samples: use the first view
                inputs = inputs[:, 0]
            a = F.normalize(pooled(supernet, inputs, arch), dim=1)
            b = F.normalize(pooled(supernet, inputs.flip(-1), arch), dim=1)
            logits = a @ b.t() / self.temperature
            sums[0] += F.cross_entropy(logits, torch.arange(len(a), device=device), reduction='sum')
            sums[1] += len(a)
        loss, count = all_reduce_sum(sums)
        return -loss / count
