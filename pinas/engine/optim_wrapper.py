"""Optimizer wrappers for supernets: unsampled parameters take no optimizer step at all.

A parameter that no sampled path used has an all-zero (or no) gradient. Plain SGD would still apply weight decay
and momentum to it ("ghost" updates that drift unsampled candidates). Setting such gradients to ``None`` makes
torch's optimizers skip the parameter, exactly as the official Pi-NAS optimizer hook does.
"""
from __future__ import annotations

import torch
from mmengine.optim import AmpOptimWrapper, OptimWrapper
from mmengine.registry import OPTIM_WRAPPERS  # root: usable from any scope (pinas, mmdet, mmseg)


def drop_zero_grads(optimizer: torch.optim.Optimizer) -> int:
    """Set all-zero gradients to None; returns how many parameters will be skipped.

    The test runs on the gradients' device in one fused call (the largest magnitude of each gradient; NaN and inf
    count as non-zero) and comes back to the host once per step, not once per parameter tensor."""
    params = [p for group in optimizer.param_groups for p in group['params']]
    with_grad = [p for p in params if p.grad is not None]
    if with_grad:
        device = with_grad[0].grad.device
        peaks = torch._foreach_norm([p.grad for p in with_grad], float('inf'))
        nonzero = (torch.stack([peak.to(device, non_blocking=True) for peak in peaks]) != 0).tolist()
        for p, keep in zip(with_grad, nonzero):
            if not keep:
                p.grad = None
    return sum(p.grad is None for p in params)


@OPTIM_WRAPPERS.register_module()
class SupernetOptimWrapper(OptimWrapper):
    def step(self, **kwargs) -> None:
        drop_zero_grads(self.optimizer)
        super().step(**kwargs)


@OPTIM_WRAPPERS.register_module()
class AmpSupernetOptimWrapper(AmpOptimWrapper):
    def step(self, **kwargs) -> None:
        drop_zero_grads(self.optimizer)
        super().step(**kwargs)
