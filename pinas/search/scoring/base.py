"""Scoring one architecture of a trained supernet: BN recalibration, then a deterministic proxy score.

Shared BN statistics are meaningless for any single path, so every score starts with a recalibration of that path's
BN layers (the ``protocol``): ``precise`` resets them and sets them to the arithmetic mean of the per-batch
statistics (torch's ``momentum=None``), as the official Pi-NAS code does; ``momentum`` keeps them and runs the
batches through an exponential average (momentum 0.1, no reset), as the Track-1 winner did. Then a
:class:`ProxyScore` registered in ``pinas.registry.PROXIES`` scores the path; a new proxy is one class in one new
module of this package.

Every step is deterministic (fixed data order, no augmentation, no random paths while scoring) and
device-agnostic: batches go to the supernet's device and every temporary is made there. Under torch.distributed
the loaders are sharded by batch (:class:`ShardedBatchSampler`: rank ``r`` reads batches ``r, r + N, ...``), the
statistics and counts are summed over ranks, and every rank gets the score a single process would.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Mapping

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm
from torch.utils.data import Sampler

from ...arch import Arch
from ...models import pad_channels
from ...registry import PROXIES
from ...utils.dist import get_dist_info

RECALIBRATION_PROTOCOLS = ('precise', 'momentum')


# --- devices and ranks -------------------------------------------------------------------------------------------
def model_device(module: nn.Module) -> torch.device:
    """The device of a module's parameters: where its inputs and every temporary must go."""
    return next(itertools.chain(module.parameters(), module.buffers())).device


def inputs_labels(batch: Mapping, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """A collated ``dict(inputs, data_samples)`` batch on ``device``."""
    inputs = batch['inputs'].to(device, non_blocking=True).float()
    labels = torch.as_tensor(batch['data_samples']).to(device, non_blocking=True)
    return inputs, labels


def all_reduce_sum(tensor: torch.Tensor) -> torch.Tensor:
    """``tensor`` summed over ranks, in place (identity in one process)."""
    if get_dist_info().world_size > 1:
        dist.all_reduce(tensor)
    return tensor


def all_gather_cat(tensor: torch.Tensor) -> torch.Tensor:
    """Rows of every rank's ``tensor`` (row counts may differ between ranks), concatenated in rank order."""
    world = get_dist_info().world_size
    if world == 1:
        return tensor
    count = torch.tensor([tensor.shape[0]], device=tensor.device)
    counts = [torch.zeros_like(count) for _ in range(world)]
    dist.all_gather(counts, count)
    longest = int(max(c.item() for c in counts))
    padded = tensor.new_zeros((longest, *tensor.shape[1:]))
    padded[:tensor.shape[0]] = tensor
    gathered = [torch.zeros_like(padded) for _ in range(world)]
    dist.all_gather(gathered, padded)
    return torch.cat([g[:int(c.item())] for g, c in zip(gathered, counts)])


class ShardedBatchSampler(Sampler[list[int]]):
    """Consecutive batches of a fixed order, every ``world``-th one from ``rank``: the ranks together read the
    batches one process would, so sums over ranks equal the one-process sums."""

    def __init__(self, num_samples: int, batch_size: int, rank: int | None = None, world: int | None = None):
        default_rank, default_world = get_dist_info()[:2]
        self.num_samples, self.batch_size = num_samples, batch_size
        self.rank = default_rank if rank is None else rank
        self.world = default_world if world is None else world

    def __iter__(self) -> Iterator[list[int]]:
        starts = range(self.rank * self.batch_size, self.num_samples, self.world * self.batch_size)
        return (list(range(s, min(s + self.batch_size, self.num_samples))) for s in starts)

    def __len__(self) -> int:
        num_batches = -(-self.num_samples // self.batch_size)
        return len(range(self.rank, num_batches, self.world))


# --- recalibration -----------------------------------------------------------------------------------------------
def pooled(supernet, inputs: torch.Tensor, arch: Arch) -> torch.Tensor:
    """Pooled features of ``arch`` at the supernet's full width: a narrower path of a channel space (Track-1) is
    zero-padded, so one probe head serves every path, as the supernet's own sliced layers do."""
    return pad_channels(supernet.forward_head(supernet.forward_features(inputs, arch), pre_logits=True),
                        supernet.num_features)


def path_batchnorms(supernet, arch: Arch) -> list[_BatchNorm]:
    return [m for module in supernet.path_modules(arch) for m in module.modules() if isinstance(m, _BatchNorm)]


@torch.no_grad()
def recalibrate_bn(supernet, arch: Arch, batches: Iterable, num_batches: int | None, protocol: str = 'precise',
                   momentum: float = 0.1) -> int:
    """Recalibrate the BN statistics of ``arch``'s path on the first ``num_batches`` batches (all ranks together;
    ``None``: every batch).

    ``precise``: reset, then the mean of the per-batch statistics; ``momentum``: no reset, an exponential average
    with ``momentum``. BN layers off the path are untouched. Under torch.distributed each rank reads its share of
    the batches (the loader is sharded) and the statistics are averaged over ranks, weighted by batches, so all
    ranks score with identical weights. Returns the number of batches this rank used.
    """
    if protocol not in RECALIBRATION_PROTOCOLS:
        raise ValueError(f'unknown recalibration protocol {protocol!r}; choose one of {RECALIBRATION_PROTOCOLS}')
    rank, world = get_dist_info()[:2]
    local_batches = None if num_batches is None else len(range(rank, num_batches, world))
    device = model_device(supernet)
    bns = path_batchnorms(supernet, arch)
    momenta = [bn.momentum for bn in bns]
    supernet.eval()
    for bn in bns:
        if protocol == 'precise':
            bn.reset_running_stats()
        bn.momentum = None if protocol == 'precise' else momentum
        bn.train()
    used = 0
    for batch in itertools.islice(batches, local_batches):
        supernet.forward_features(inputs_labels(batch, device)[0], arch)
        used += 1
    if world == 1 and used == 0:
        raise ValueError('BN recalibration got no batch: the recalibration dataset is empty')
    for bn, old_momentum in zip(bns, momenta):
        bn.momentum = old_momentum
    if world > 1:  # the mean over ranks, weighted by the batches each used
        total = all_reduce_sum(torch.tensor([float(used)], device=device)).clamp(min=1)
        for bn in bns:
            for stat in (bn.running_mean, bn.running_var):
                all_reduce_sum(stat.mul_(used)).div_(total)
    supernet.eval()
    return used


# --- proxies -----------------------------------------------------------------------------------------------------
class ProxyScore:
    """How one recalibrated path is scored. Subclasses register in ``PROXIES`` under the name configs use
    (``search.scorer.type``); their keyword arguments are the rest of that config dict.

    ``__call__`` returns a 0-d tensor on the supernet's device, summed over ranks where the data is sharded (the
    :class:`Scorer` reads it once, so scoring makes one host sync per candidate). ``needs`` names the data a proxy
    reads besides ``val`` (``'memory'``: a labelled feature bank).
    """

    needs: tuple[str, ...] = ()

    def __call__(self, supernet: nn.Module, arch: Arch, data: Mapping[str, Callable[[], Iterable]]) -> torch.Tensor:
        raise NotImplementedError


@dataclass
class Scorer:
    """``score(arch)``: recalibrate the path's BN on ``recalib`` batches, then apply the proxy ``kind`` to ``val``.

    ``kind`` is a registered proxy name (options in ``options``) or a :class:`ProxyScore`. ``recalib``, ``val`` and
    ``memory`` are callables returning fresh iterables (data loaders, sharded by :class:`ShardedBatchSampler` under
    torch.distributed) so every architecture sees the same batches in the same order. ``recalibration`` holds
    ``protocol`` and ``momentum`` (see :func:`recalibrate_bn`).
    """

    supernet: nn.Module
    kind: str | ProxyScore
    recalib: Callable[[], Iterable]
    val: Callable[[], Iterable]
    recalib_batches: int | None  # no default: a search config's search.scorer.recalib_batches is required
    memory: Callable[[], Iterable] | None = None
    options: Mapping[str, Any] | None = None
    recalibration: Mapping[str, Any] | None = None

    def __post_init__(self):
        self.proxy = self.kind if isinstance(self.kind, ProxyScore) else build_proxy(self.kind, self.options)
        self.data = dict(val=self.val, memory=self.memory)
        missing = [name for name in self.proxy.needs if self.data.get(name) is None]
        if missing:
            raise ValueError(f'the {self.kind} scorer needs the {missing[0]} set (search.data.{missing[0]} in the '
                             'config)')
        recalibration = dict(self.recalibration or {})
        unknown = sorted(set(recalibration) - {'protocol', 'momentum'})
        if unknown or recalibration.get('protocol', 'precise') not in RECALIBRATION_PROTOCOLS:
            raise ValueError(f'search.scorer.recalibration takes protocol ({" or ".join(RECALIBRATION_PROTOCOLS)}) '
                             f'and momentum, got {dict(self.recalibration)}')
        self.recalibration = recalibration

    def __call__(self, arch: Arch) -> float:
        recalibrate_bn(self.supernet, arch, self.recalib(), self.recalib_batches, **self.recalibration)
        return float(self.proxy(self.supernet, arch, self.data))


def build_proxy(kind: str, options: Mapping[str, Any] | None = None) -> ProxyScore:
    cls = PROXIES.get(kind)
    if cls is None:
        raise ValueError(f'unknown scorer {kind!r}; choose one of {sorted(PROXIES.module_dict)}')
    return cls(**dict(options or {}))
