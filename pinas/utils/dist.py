"""Process-group set-up that also works on CPU-only hosts.

mmengine 0.10's ``init_dist`` calls ``torch.cuda.set_device`` unconditionally, so a ``torchrun`` or slurm launch
dies with "Found no NVIDIA driver" on a machine without a GPU. :func:`init_dist` hands GPU hosts to mmengine
unchanged and, on CPU hosts, reads the launcher's environment itself and starts a ``gloo`` group. Runners
(mmengine's included) skip their own initialisation when a group already exists, so entry points call this first,
and end through :func:`exit_after`, which ends the group before the interpreter does.
"""
from __future__ import annotations

import atexit
import datetime
import gc
import os
import subprocess
import sys
import traceback
import weakref
from typing import Callable, NamedTuple, NoReturn

import torch
import torch.distributed as torch_dist

from .cli import EXIT_FAILURE, UsageError

# How a job's processes were started (``--launcher``), the one list every entry point accepts: 'none' is one
# process and no process group; 'pytorch' is torchrun; 'slurm' is srun; 'mpi' is mpirun.
LAUNCHERS = ('none', 'pytorch', 'slurm', 'mpi')
DEFAULT_MASTER_PORT = '29500'  # torch.distributed's default
# Seconds a collective waits for a peer before it fails: a killed or hung process then ends the others with an error
# instead of a hang. Above the longest time rank 0 works alone while the others wait (a search strategy's proposal,
# exports); NCCL's own default, a third of gloo's. Configs set it with env_cfg.dist_cfg.timeout.
DEFAULT_TIMEOUT_S = 600


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
        **kwargs: passed to ``torch.distributed.init_process_group``; ``timeout`` is in seconds (default
            :data:`DEFAULT_TIMEOUT_S`) or a ``timedelta``.
    """
    if launcher not in LAUNCHERS:
        raise UsageError(f'unknown launcher {launcher!r}; use one of {LAUNCHERS}')
    if launcher == 'none' or (torch_dist.is_available() and torch_dist.is_initialized()):
        return
    backend = backend or default_backend()
    if backend == 'nccl' and not torch.cuda.is_available():
        raise UsageError('the nccl backend needs CUDA, which this host does not have; use backend="gloo" '
                         "(or env_cfg.dist_cfg.backend='gloo' in the config)")
    _check_launcher_env(launcher)
    if launcher == 'pytorch':
        die_with_parent()
    kwargs.setdefault('timeout', DEFAULT_TIMEOUT_S)
    if torch.cuda.is_available():
        from mmengine.dist import init_dist as mmengine_init_dist
        mmengine_init_dist(launcher, backend=backend, **kwargs)  # takes the timeout in seconds itself
        return
    if isinstance(kwargs.get('timeout'), (int, float)):
        kwargs['timeout'] = datetime.timedelta(seconds=kwargs['timeout'])
    os.environ.update(_launcher_env(launcher))
    torch_dist.init_process_group(backend=backend, rank=int(os.environ['RANK']),
                                  world_size=int(os.environ['WORLD_SIZE']), **kwargs)


def die_with_parent(sig: int = 15) -> bool:
    """Ask Linux to send this process ``sig`` (SIGTERM) when its parent dies: a torchrun worker whose agent (the
    launcher of ``tools/dist_*.sh``) is killed with SIGKILL, which no handler sees, ends instead of training on as
    an orphan. Returns whether the request was made (not on other systems); exits at once if the parent is already
    gone."""
    if not sys.platform.startswith('linux'):
        return False
    import ctypes
    pr_set_pdeathsig = 1
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(pr_set_pdeathsig, sig, 0, 0, 0) != 0:
            return False
    except (OSError, AttributeError):
        return False
    if os.getppid() != parent:  # the parent died before the request: no signal will come
        os._exit(EXIT_FAILURE)
    return True


def end_dist(status: int | str | None = 0) -> int | str | None:
    """Leave the process group before the interpreter shuts down; returns ``status`` (a ``sys.exit`` argument).

    Each gloo group runs collectives on worker threads, and a worker drops its last reference to a finished
    collective (and so to the Python objects of its tensors) a moment after the caller has its result. When the
    main thread reaches interpreter shutdown within that moment, as a rank with nothing left to do does under CPU
    load, CPython (< 3.14) ends the worker with ``pthread_exit`` inside a C++ destructor and the process aborts
    ("terminate called without an active exception", SIGABRT): a finished job reports a failure. So the group
    is destroyed and freed here, which joins its threads while the interpreter still runs, after a barrier on
    success (no rank leaves while another still works). Should something still hold the group, the process
    ends without the interpreter's shutdown (after the ``atexit`` handlers and a flush), so the race cannot happen.
    """
    if not (torch_dist.is_available() and torch_dist.is_initialized()):
        return status
    group = weakref.ref(torch_dist.group.WORLD)
    if status in (0, None):
        try:
            torch_dist.barrier()
        except Exception:  # a peer failed after this rank had finished: that rank's status reports it
            pass
    torch_dist.destroy_process_group()
    gc.collect()  # a finished runner (and its DDP model, which holds the group) is in reference cycles
    if group() is not None:
        code = 0 if status is None else status if isinstance(status, int) else EXIT_FAILURE
        if isinstance(status, str):
            print(status, file=sys.stderr)
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return status


def child_pythonpath(*packages: str) -> str:
    """A ``PYTHONPATH`` under which a child process imports ``packages`` from where this process does (a checkout
    or an install alike), then from the inherited ``PYTHONPATH``."""
    import importlib

    roots = [os.path.dirname(os.path.dirname(os.path.abspath(importlib.import_module(name).__file__)))
             for name in packages]
    return os.pathsep.join(dict.fromkeys([*roots, *filter(None, [os.environ.get('PYTHONPATH')])]))


def exit_after(main: Callable[[], int]) -> NoReturn:
    """Run a tool's ``main()`` and exit with its status, leaving the process group first (:func:`end_dist`):
    ``sys.exit(main())`` for an entry point that may run under a distributed launcher."""
    try:
        status = main()
    except SystemExit as exit_:
        status = exit_.code
    except Exception:  # a bug, not a usage error: cli_main turned those into a status already
        traceback.print_exc()
        status = EXIT_FAILURE
    sys.exit(end_dist(status))


def get_dist_info() -> DistInfo:
    """Rank, world size and local rank of this process; (0, 1, 0) while no process group exists."""
    local_rank = int(os.environ.get('LOCAL_RANK', 0))
    if torch_dist.is_available() and torch_dist.is_initialized():
        return DistInfo(torch_dist.get_rank(), torch_dist.get_world_size(), local_rank)
    return DistInfo(0, 1, 0)


# What each launcher puts in the environment, and how a job gets started by it.
_LAUNCHER_ENV = {
    'pytorch': (('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT'),
                'start the job with torchrun (e.g. tools/dist_train.sh CONFIG NUM_PROCS)'),
    'slurm': (('SLURM_PROCID', 'SLURM_NTASKS', 'SLURM_NODELIST'),
              'start the job with srun (e.g. tools/slurm_train.sh PARTITION JOB CONFIG WORK_DIR)'),
    'mpi': (('OMPI_COMM_WORLD_RANK', 'OMPI_COMM_WORLD_SIZE', 'MASTER_ADDR'),
            'start the job with mpirun and set MASTER_ADDR to the address of rank 0'),
}


def _check_launcher_env(launcher: str) -> None:
    names, how = _LAUNCHER_ENV[launcher]
    missing = [name for name in names if name not in os.environ]
    if missing:
        raise UsageError(f'--launcher {launcher} needs {", ".join(missing)} in the environment, which this process '
                         f'lacks; {how}, or drop --launcher for one process')


def _launcher_env(launcher: str) -> dict[str, str]:
    """RANK / WORLD_SIZE / LOCAL_RANK / MASTER_ADDR / MASTER_PORT as the launcher provides them."""
    env = os.environ
    if launcher == 'pytorch':
        return {'LOCAL_RANK': env.get('LOCAL_RANK', '0')}
    if launcher == 'slurm':
        master = env.get('MASTER_ADDR') or subprocess.getoutput(
            f"scontrol show hostname {env['SLURM_NODELIST']} | head -n1")  # the job's first node
        return {'RANK': env['SLURM_PROCID'], 'WORLD_SIZE': env['SLURM_NTASKS'],
                'LOCAL_RANK': env.get('SLURM_LOCALID', '0'), 'MASTER_ADDR': master,
                'MASTER_PORT': env.get('MASTER_PORT', DEFAULT_MASTER_PORT)}
    return {'RANK': env['OMPI_COMM_WORLD_RANK'], 'WORLD_SIZE': env['OMPI_COMM_WORLD_SIZE'],
            'LOCAL_RANK': env.get('OMPI_COMM_WORLD_LOCAL_RANK', '0'),
            'MASTER_PORT': env.get('MASTER_PORT', DEFAULT_MASTER_PORT)}
