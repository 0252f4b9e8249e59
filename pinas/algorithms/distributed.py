"""Collectives used by contrastive supernet training (MoCo's gather and ShuffleBN)."""
from __future__ import annotations

import torch
import torch.distributed as dist


def world_size() -> int:
    return dist.get_world_size() if dist.is_available() and dist.is_initialized() else 1


@torch.no_grad()
def mean_over_ranks(value: torch.Tensor) -> torch.Tensor:
    """``value`` averaged over ranks (a copy; identity in one process): what a decision every rank must make
    alike reads, e.g. CEPT's max-recover comparing a loss before and after a step."""
    value = value.detach().clone()
    if world_size() > 1:
        dist.all_reduce(value)
        value /= world_size()
    return value


@torch.no_grad()
def concat_all_gather(tensor: torch.Tensor) -> torch.Tensor:
    """Concatenate equal-sized tensors from all ranks along dim 0 (no gradient)."""
    if world_size() == 1:
        return tensor
    gathered = [torch.empty_like(tensor) for _ in range(world_size())]
    dist.all_gather(gathered, tensor.contiguous())
    return torch.cat(gathered)


@torch.no_grad()
def shuffle_across_ranks(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
    """ShuffleBN: give each rank a random slice of the global batch, so key BN statistics mix samples of all ranks.

    Returns this rank's shuffled slice and the permutation needed by :func:`unshuffle_across_ranks`.
    """
    if world_size() == 1:
        return x, None
    gathered = concat_all_gather(x)
    perm = torch.randperm(gathered.shape[0], device=gathered.device)
    dist.broadcast(perm, src=0)
    rank, size = dist.get_rank(), x.shape[0]
    return gathered[perm[rank * size:(rank + 1) * size]], perm


@torch.no_grad()
def unshuffle_across_ranks(y: torch.Tensor, perm: torch.Tensor | None) -> torch.Tensor:
    if perm is None:
        return y
    gathered = concat_all_gather(y)
    restored = torch.empty_like(gathered)
    restored[perm] = gathered
    rank, size = dist.get_rank(), y.shape[0]
    return restored[rank * size:(rank + 1) * size]
