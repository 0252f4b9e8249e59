"""Scoring one architecture of a trained supernet: BN recalibration, then a deterministic proxy score.

Shared BN statistics are meaningless for any single path, so every score starts with precise-BN recalibration of
that path, as the official code does: reset the statistics of the path's BN layers, run N batches, and set them to
the arithmetic mean of the per-batch statistics (torch's ``momentum=None``). Then a :class:`ProxyScore` registered
in ``pinas.registry.PROXIES`` scores the path; a new proxy is one class in one new module of this package.

Every step is deterministic: fixed data order, no augmentation, no random paths while scoring.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

from ...arch import Arch
from ...models import pad_channels
from ...registry import PROXIES


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


class ProxyScore:
    """How one recalibrated path is scored. Subclasses register in ``PROXIES`` under the name configs use
    (``search.scorer.type``); their keyword arguments are the rest of that config dict.

    ``needs`` names the data a proxy reads besides ``val`` (``'memory'``: a labelled feature bank).
    """

    needs: tuple[str, ...] = ()

    def __call__(self, supernet: nn.Module, arch: Arch, data: Mapping[str, Callable[[], Iterable]]) -> float:
        raise NotImplementedError


@dataclass
class Scorer:
    """``score(arch)``: recalibrate the path's BN on ``recalib`` batches, then apply the proxy ``kind`` to ``val``.

    ``kind`` is a registered proxy name (options in ``options``) or a :class:`ProxyScore`. ``recalib``, ``val`` and
    ``memory`` are callables returning fresh iterables (data loaders) so every architecture sees the same batches
    in the same order.
    """

    supernet: nn.Module
    kind: str | ProxyScore
    recalib: Callable[[], Iterable]
    val: Callable[[], Iterable]
    recalib_batches: int = 20
    memory: Callable[[], Iterable] | None = None
    options: Mapping[str, Any] | None = None

    def __post_init__(self):
        self.proxy = self.kind if isinstance(self.kind, ProxyScore) else build_proxy(self.kind, self.options)
        self.data = dict(val=self.val, memory=self.memory)
        missing = [name for name in self.proxy.needs if self.data.get(name) is None]
        if missing:
            raise ValueError(f'the {self.kind} scorer needs the {missing[0]} set (search.data.{missing[0]} in the '
                             'config)')

    def __call__(self, arch: Arch) -> float:
        recalibrate_bn(self.supernet, arch, self.recalib(), self.recalib_batches)
        return self.proxy(self.supernet, arch, self.data)


def build_proxy(kind: str, options: Mapping[str, Any] | None = None) -> ProxyScore:
    cls = PROXIES.get(kind)
    if cls is None:
        raise ValueError(f'unknown scorer {kind!r}; choose one of {sorted(PROXIES.module_dict)}')
    return cls(**dict(options or {}))
