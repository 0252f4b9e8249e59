"""Path sampling that is identical on every rank.

DDP averages gradients, the optimizer skips unsampled parameters and the teacher is updated per path: all three
are only correct when every rank trains the same paths. Paths are therefore drawn on rank 0 from a seeded generator
and broadcast, instead of trusting every rank's RNG to stay in lock-step.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.distributed as dist

from ..arch import Arch


class PathSampler:
    """Uniform path sampler over a space with ``cardinalities``; draws on rank 0 and broadcasts."""

    def __init__(self, cardinalities, seed: int = 0):
        self.cardinalities = tuple(cardinalities)
        self.rng = np.random.default_rng(seed)

    def uniform(self, num_paths: int = 1) -> list[Arch]:
        """Independent uniform paths (repeats allowed)."""
        draw = np.stack([self.rng.integers(0, c, size=num_paths) for c in self.cardinalities], axis=1)
        return self._share(draw)

    def disjoint(self, num_paths: int = 2, shared: tuple[int, ...] = ()) -> list[Arch]:
        """Paths that differ at every position but the ``shared`` ones: distinct candidates per position, drawn
        without replacement; at a shared position one uniform draw that every path takes."""
        if num_paths > min(self.cardinalities):
            raise ValueError(f'cannot draw {num_paths} disjoint paths when a position has only '
                             f'{min(self.cardinalities)} candidates')
        draw = np.stack([np.repeat(self.rng.integers(0, c), num_paths) if i in shared else
                         self.rng.choice(c, size=num_paths, replace=False)
                         for i, c in enumerate(self.cardinalities)], axis=1)
        return self._share(draw)

    def _share(self, draw: np.ndarray) -> list[Arch]:
        paths = torch.as_tensor(draw, dtype=torch.long)
        if dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1:
            device = 'cuda' if dist.get_backend() == 'nccl' else 'cpu'
            paths = paths.to(device)
            dist.broadcast(paths, src=0)
        return [Arch(tuple(int(c) for c in row)) for row in paths.cpu().tolist()]

    def state_dict(self) -> dict:
        return dict(bit_generator=self.rng.bit_generator.state)

    def load_state_dict(self, state: dict) -> None:
        self.rng.bit_generator.state = state['bit_generator']
