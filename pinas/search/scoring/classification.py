"""Proxies that read class predictions: the path's own classifier (supervised supernets) or the official Pi-NAS
linear probe, one linear head trained over random paths of the frozen supernet."""
from __future__ import annotations

from typing import Callable, Iterable, Mapping

import torch
import torch.nn.functional as F
from torch import nn

from ...arch import Arch
from ...registry import PROXIES
from .base import ProxyScore, _inputs_labels, pooled


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


@PROXIES.register_module('top1')
class Top1(ProxyScore):
    """Classification top-1 (%) of the path on ``val``."""

    def __call__(self, supernet, arch: Arch, data: Mapping) -> float:
        return classification_score(supernet, arch, data['val'](), metric='top1')


@PROXIES.register_module('neg_loss')
class NegLoss(ProxyScore):
    """Negative mean cross-entropy of the path on ``val``."""

    def __call__(self, supernet, arch: Arch, data: Mapping) -> float:
        return classification_score(supernet, arch, data['val'](), metric='neg_loss')


@PROXIES.register_module('linear_probe')
class LinearProbe(ProxyScore):
    """Top-1 (%) of a shared linear head on the path's pooled features; train it with :func:`train_linear_head`."""

    def __init__(self, head: nn.Module | None = None):
        if head is None:
            raise ValueError('the linear_probe scorer needs a trained head: train_linear_head(...) first')
        self.head = head

    def __call__(self, supernet, arch: Arch, data: Mapping) -> float:
        return classification_score(supernet, arch, data['val'](), head=self.head)


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
