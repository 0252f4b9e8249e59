"""Process-group set-up that also works on CPU-only hosts.

mmengine 0.10's ``init_dist`` calls ``torch.cuda.set_device`` unconditionally, so a ``torchrun`` or slurm launch
dies with "Found no NVIDIA driver" on a machine without a GPU. :func:`init_dist` hands GPU hosts to mmengine
unchanged and, on CPU hosts, reads the launcher's environment itself and starts a ``gloo`` group. Runners
(mmengine's included) skip their own initialisation when a group already exists, so entry points call this first.
"""
from __future__ import annotations

import datetime
import os
import subprocess
from typing import NamedTuple

import torch
import torch.distributed as torch_dist

LAUNCHERS = ('none', 'pytorch', 'slurm', 'mpi')  # 'none': one process, no process group
DEFAULT_MASTER_PORT = '29500'  # torch.distributed's default


class DistInfo(NamedTuple):
    """Where this process sits in the job; ``(0, 1, 0)`` when not distributed."""

    rank: int
    world_size: int
    local_rank: int

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def default_backend() -> str:
    """``nccl`` when CUDA is usable, otherwise ``gloo``."""
    return 'nccl' if torch.cuda.is_available() else 'gloo'


def init_dist(launcher: str, backend: str | None = None, **kwargs) -> None:
    """Initialise the default process group for ``launcher`` ('pytorch' = torchrun, 'slurm' or 'mpi').

    Args:
        launcher: how the processes were started; ``'none'`` (a single process) starts nothing.
        backend: ``None`` picks :func:`default_backend`; ``nccl`` without CUDA is refused with an error.
        **kwargs: passed to ``torch.distributed.init_process_group``; ``timeout`` may be given in seconds.
    """
    if launcher not in LAUNCHERS:
        raise ValueError(f'unknown launcher {launcher!r}; use one of {LAUNCHERS}')
    if launcher == 'none' or (torch_dist.is_available() and torch_dist.is_initialized()):
        return
    backend = backend or default_backend()
    if backend == 'nccl' and not torch.cuda.is_available():
        raise RuntimeError('the nccl backend needs CUDA, which this host does not have; use backend="gloo" '
                           "(or env_cfg.dist_cfg.backend='gloo' in the config)")
    if torch.cuda.is_available():
        from mmengine.dist import init_dist as mmengine_init_dist
        mmengine_init_dist(launcher, backend=backend, **kwargs)  # takes the timeout in seconds itself
        return
    if isinstance(kwargs.get('timeout'), (int, float)):
        kwargs['timeout'] = datetime.timedelta(seconds=kwargs['timeout'])
    os.environ.update(_launcher_env(launcher))
    torch_dist.init_process_group(backend=backend, rank=int(os.environ['RANK']),
                                  world_size=int(os.environ['WORLD_SIZE']), **kwargs)


def get_dist_info() -> DistInfo:
    """Rank, world size and local rank of this process; (0, 1, 0) while no process group exists."""
    local_rank = int(os.environ.get('LOCAL_RANK', 0))
    if torch_dist.is_available() and torch_dist.is_initialized():
        return DistInfo(torch_dist.get_rank(), torch_dist.get_world_size(), local_rank)
    return DistInfo(0, 1, 0)


def _launcher_env(launcher: str) -> dict[str, str]:
    """RANK / WORLD_SIZE / LOCAL_RANK / MASTER_ADDR / MASTER_PORT as the launcher provides them."""
    env = os.environ
    if launcher == 'pytorch':
        missing = [k for k in ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT') if k not in env]
        if missing:
            raise RuntimeError(f'--launcher pytorch expects torchrun to set {missing}; start the job with '
                               'torchrun (e.g. tools/dist_train.sh CONFIG NUM_PROCS) or drop --launcher')
        return {'LOCAL_RANK': env.get('LOCAL_RANK', '0')}
    if launcher == 'slurm':
        master = env.get('MASTER_ADDR') or subprocess.getoutput(
            f"scontrol show hostname {env['SLURM_NODELIST']} | head -n1")  # the job's first node
        return {'RANK': env['SLURM_PROCID'], 'WORLD_SIZE': env['SLURM_NTASKS'],
                'LOCAL_RANK': env.get('SLURM_LOCALID', '0'), 'MASTER_ADDR': master,
                'MASTER_PORT': env.get('MASTER_PORT', DEFAULT_MASTER_PORT)}
    if 'MASTER_ADDR' not in env:
        raise RuntimeError('--launcher mpi needs MASTER_ADDR in the environment (the address of rank 0)')
    return {'RANK': env['OMPI_COMM_WORLD_RANK'], 'WORLD_SIZE': env['OMPI_COMM_WORLD_SIZE'],
            'LOCAL_RANK': env.get('OMPI_COMM_WORLD_LOCAL_RANK', '0'),
            'MASTER_PORT': env.get('MASTER_PORT', DEFAULT_MASTER_PORT)}
