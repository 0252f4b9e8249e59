"""Scoring one architecture of a trained supernet: BN recalibration, then a deterministic proxy score.

Shared BN statistics are meaningless for any single path, so every score starts with precise-BN recalibration of
that path, as the official code does: reset the statistics of the path's BN layers, run N batches, and set them to
the arithmetic mean of the per-batch statistics (torch's ``momentum=None``). Then one of:

* ``top1`` / ``neg_loss``: classification accuracy / negative cross-entropy (supervised supernets);
* ``knn``: weighted kNN top-1 on frozen, L2-normalised features (few labels needed);
* ``contrastive``: negative InfoNCE between an image and its flip with in-batch negatives (no labels);
* ``linear_probe``: top-1 of one shared linear head trained over random paths of the frozen supernet (the
  official Pi-NAS proxy; train it once with :func:`train_linear_head`).

Every step is deterministic: fixed data order, no augmentation, no random paths while scoring.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Mapping

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

from ..arch import Arch
from ..models.track1_supernet import pad_channels

SCORERS = ('top1', 'neg_loss', 'knn', 'contrastive', 'linear_probe')


def _inputs_labels(batch) -> tuple[torch.Tensor, torch.Tensor]:
    inputs, labels = batch['inputs'], batch['data_samples']
    return inputs.float(), torch.as_tensor(labels)


def pooled(supernet, inputs: torch.Tensor, arch: Arch) -> torch.Tensor:
    """Pooled features of ``arch`` at the supernet's full width: a narrower path of a channel space (Track-1) is
    zero-padded, so one probe head serves every path, as the supernet's own sliced layers do."""
    x = supernet.forward_head(supernet.forward_features(inputs, arch), pre_logits=True)
    return pad_channels(x, getattr(supernet, 'num_features', x.shape[1]))


def path_batchnorms(supernet, arch: Arch) -> list[_BatchNorm]:
    return [m for module in supernet.path_modules(arch) for m in module.modules() if isinstance(m, _BatchNorm)]


@torch.no_grad()
def recalibrate_bn(supernet, arch: Arch, batches: Iterable, num_batches: int) -> int:
    """Precise-BN for ``arch``: the path's BN statistics become the mean of ``num_batches`` batch statistics.

    BN layers off the path are untouched. Under torch.distributed the statistics are averaged over ranks, so all
    ranks score with identical weights. Returns the number of batches used.
    """
    bns = path_batchnorms(supernet, arch)
    momenta = [bn.momentum for bn in bns]
    supernet.eval()
    for bn in bns:
        bn.reset_running_stats()
        bn.momentum = None  # cumulative average = arithmetic mean of the per-batch statistics
        bn.train()
    used = 0
    for batch in batches:
        if used == num_batches:
            break
        inputs, _ = _inputs_labels(batch)
        supernet.forward_features(inputs, arch)
        used += 1
    if used == 0:
        raise ValueError('BN recalibration got no batch: the recalibration dataset is empty')
    for bn, momentum in zip(bns, momenta):
        bn.momentum = momentum
        if dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1:
            for stat in (bn.running_mean, bn.running_var):
                dist.all_reduce(stat)
                stat /= dist.get_world_size()
    supernet.eval()
    return used


@torch.no_grad()
def classification_score(supernet, arch: Arch, batches: Iterable, head: nn.Module | None = None,
                         metric: str = 'top1') -> float:
    """Top-1 (%) or negative mean cross-entropy of ``arch`` (with ``head`` on pooled features, if given)."""
    correct = total = 0
    loss = 0.0
    for batch in batches:
        inputs, labels = _inputs_labels(batch)
        logits = head(pooled(supernet, inputs, arch)) if head is not None else \
            supernet.forward_head(supernet.forward_features(inputs, arch))
        correct += (logits.argmax(1) == labels).sum().item()
        loss += F.cross_entropy(logits, labels, reduction='sum').item()
        total += len(labels)
    return 100.0 * correct / total if metric == 'top1' else -loss / total


@torch.no_grad()
def pooled_features(supernet, arch: Arch, batches: Iterable) -> tuple[torch.Tensor, torch.Tensor]:
    feats, labels = [], []
    for batch in batches:
        inputs, y = _inputs_labels(batch)
        feats.append(F.normalize(pooled(supernet, inputs, arch), dim=1))
        labels.append(y)
    return torch.cat(feats), torch.cat(labels)


@torch.no_grad()
def knn_score(supernet, arch: Arch, memory: Iterable, queries: Iterable, k: int = 20,
              temperature: float = 0.07) -> float:
    """Weighted kNN top-1 (%) of ``queries`` against labelled ``memory`` features (InstDisc-style voting)."""
    bank, bank_labels = pooled_features(supernet, arch, memory)
    feats, labels = pooled_features(supernet, arch, queries)
    num_classes = int(max(bank_labels.max(), labels.max())) + 1
    sims, idx = (feats @ bank.t()).topk(min(k, len(bank)), dim=1)
    votes = torch.zeros(len(feats), num_classes).scatter_add_(1, bank_labels[idx], (sims / temperature).exp())
    return 100.0 * (votes.argmax(1) == labels).float().mean().item()


@torch.no_grad()
def contrastive_score(supernet, arch: Arch, batches: Iterable, temperature: float = 0.2) -> float:
    """Negative InfoNCE between each image and its horizontal flip, in-batch negatives; needs no labels."""
    total, count = 0.0, 0
    for batch in batches:
        inputs, _ = _inputs_labels(batch)
        if inputs.dim() == 5:  # multi-view samples: use the first view
            inputs = inputs[:, 0]
        a = F.normalize(pooled(supernet, inputs, arch), dim=1)
        b = F.normalize(pooled(supernet, inputs.flip(-1), arch), dim=1)
        logits = a @ b.t() / temperature
        total += F.cross_entropy(logits, torch.arange(len(a)), reduction='sum').item()
        count += len(a)
    return -total / count


def train_linear_head(supernet, batches_fn: Callable[[], Iterable], num_classes: int, epochs: int, lr: float,
                      sample_path: Callable[[], Arch], momentum: float = 0.9) -> nn.Linear:
    """The official proxy head: one linear classifier over the frozen supernet, a new uniform path per iteration,
    BN in train mode (pinas-official.md 3.1)."""
    head = nn.Linear(supernet.num_features, num_classes)
    nn.init.normal_(head.weight, std=0.01)
    nn.init.zeros_(head.bias)
    optimizer = torch.optim.SGD(head.parameters(), lr=lr, momentum=momentum, weight_decay=0.0)
    supernet.train()
    for _ in range(epochs):
        for batch in batches_fn():
            inputs, labels = _inputs_labels(batch)
            with torch.no_grad():
                features = pooled(supernet, inputs, sample_path())
            loss = F.cross_entropy(head(features), labels)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
    supernet.eval()
    return head


@dataclass
class Scorer:
    """``score(arch)``: recalibrate the path's BN on ``recalib`` batches, then compute ``kind`` on ``val``.

    ``recalib``, ``val`` and ``memory`` are callables returning fresh iterables (data loaders) so every
    architecture sees the same batches in the same order.
    """

    supernet: nn.Module
    kind: str
    recalib: Callable[[], Iterable]
    val: Callable[[], Iterable]
    recalib_batches: int = 20
    memory: Callable[[], Iterable] | None = None
    head: nn.Module | None = None
    options: Mapping | None = None

    def __post_init__(self):
        if self.kind not in SCORERS:
            raise ValueError(f'unknown scorer {self.kind!r}; choose one of {SCORERS}')
        if self.kind == 'knn' and self.memory is None:
            raise ValueError('the knn scorer needs a labelled memory set (search.data.memory in the config)')
        if self.kind == 'linear_probe' and self.head is None:
            raise ValueError('the linear_probe scorer needs a trained head: train_linear_head(...) first')

    def __call__(self, arch: Arch) -> float:
        options = dict(self.options or {})
        recalibrate_bn(self.supernet, arch, self.recalib(), self.recalib_batches)
        if self.kind in ('top1', 'neg_loss'):
            return classification_score(self.supernet, arch, self.val(), metric=self.kind)
        if self.kind == 'linear_probe':
            return classification_score(self.supernet, arch, self.val(), head=self.head)
        if self.kind == 'knn':
            return knn_score(self.supernet, arch, self.memory(), self.val(), **options)
        return contrastive_score(self.supernet, arch, self.val(), **options)
