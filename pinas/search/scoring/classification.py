"""Proxies that read class predictions: the path's own classifier (supervised supernets) or the official Pi-NAS
linear probe, one linear head trained over random paths of the frozen supernet."""
from __future__ import annotations

from typing import Callable, Iterable, Mapping, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from ...arch import Arch
from ...registry import PROXIES
from ...utils.dist import get_dist_info
from .base import ProxyScore, all_reduce_sum, inputs_labels, model_device, pooled


@torch.no_grad()
def classification_score(supernet, arch: Arch, batches: Iterable, head: nn.Module | None = None,
                         metric: str = 'top1') -> torch.Tensor:
    """Top-1 (%) or negative mean cross-entropy of ``arch`` (with ``head`` on pooled features, if given), over
    every rank's batches; a 0-d tensor on the supernet's device."""
    device = model_device(supernet)
    sums = torch.zeros(3, dtype=torch.float64, device=device)  # correct, loss, count (exact sums)
    for batch in batches:
        inputs, labels = inputs_labels(batch, device)
        logits = head(pooled(supernet, inputs, arch)) if head is not None else \
            supernet.forward_head(supernet.forward_features(inputs, arch))
        sums[0] += (logits.argmax(1) == labels).sum()
        sums[1] += F.cross_entropy(logits.float(), labels, reduction='sum')
        sums[2] += len(labels)
    correct, loss, count = all_reduce_sum(sums)
    return 100.0 * correct / count if metric == 'top1' else -loss / count


@PROXIES.register_module('top1')
class Top1(ProxyScore):
    """Classification top-1 (%) of the path on ``val``."""

    def __call__(self, supernet, arch: Arch, data: Mapping) -> torch.Tensor:
        return classification_score(supernet, arch, data['val'](), metric='top1')


@PROXIES.register_module('neg_loss')
class NegLoss(ProxyScore):
    """Negative mean cross-entropy of the path on ``val``."""

    def __call__(self, supernet, arch: Arch, data: Mapping) -> torch.Tensor:
        return classification_score(supernet, arch, data['val'](), metric='neg_loss')


@PROXIES.register_module('linear_probe')
class LinearProbe(ProxyScore):
    """Top-1 (%) of a shared linear head on the path's pooled features; train it with :func:`train_linear_head`."""

    def __init__(self, head: nn.Module | None = None):
        if head is None:
            raise ValueError('the linear_probe scorer needs a trained head: train_linear_head(...) first')
        self.head = head

    def __call__(self, supernet, arch: Arch, data: Mapping) -> torch.Tensor:
        return classification_score(supernet, arch, data['val'](), head=self.head)


def train_linear_head(supernet, batches_fn: Callable[[], Iterable], num_classes: int, epochs: int, lr: float,
                      sample_path: Callable[[], Arch], momentum: float = 0.9,
                      milestones: Sequence[int] = ()) -> nn.Linear:
    """The official proxy head: one linear classifier over the frozen supernet, a new uniform path per iteration,
    BN in train mode, SGD whose lr drops 10x at each epoch of ``milestones`` (Ernie1/Pi-NAS: 100 epochs,
    60 and 80). Under torch.distributed each rank reads its share of the batches and the gradients are averaged,
    so the ranks keep one head (``sample_path`` must draw the same path on every rank)."""
    head = nn.Linear(supernet.num_features, num_classes, device=model_device(supernet))
    nn.init.normal_(head.weight, std=0.01)
    nn.init.zeros_(head.bias)
    optimizer = torch.optim.SGD(head.parameters(), lr=lr, momentum=momentum, weight_decay=0.0)
    schedule = torch.optim.lr_scheduler.MultiStepLR(optimizer, list(milestones), gamma=0.1)
    world = get_dist_info().world_size
    device = model_device(supernet)
    supernet.train()
    for _ in range(epochs):
        for batch in batches_fn():
            inputs, labels = inputs_labels(batch, device)
            with torch.no_grad():
                features = pooled(supernet, inputs, sample_path())
            loss = F.cross_entropy(head(features), labels)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if world > 1:
                for p in head.parameters():
                    all_reduce_sum(p.grad).div_(world)
            optimizer.step()
        schedule.step()
    supernet.eval()
    return head
