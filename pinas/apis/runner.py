"""The one way every entry point (supernet search, mmdet / mmseg transfer) turns a config into a running Runner.

* :func:`add_runner_args`: the command-line options all tools share (``--work-dir``, ``--cfg-options``,
  ``--launcher``, ``--local_rank``);
* :func:`load_config`: a config plus command-line choices, by OpenMMLab's rules (mmdet 3.x / mmseg 1.x
  ``tools/train.py``): work_dir from the command line, else the config, else ``work_dirs/<config name>``;
  ``resume='auto'`` resumes from the latest checkpoint of the work_dir; ``amp`` swaps in ``AmpOptimWrapper``;
* :func:`build_runner`: the process group started first by :func:`pinas.utils.dist.init_dist` (gloo on CPU hosts;
  mmengine's own start needs CUDA), so the Runner skips its own; mmengine checkpoints allow-listed for torch's
  weights-only loading (``--resume`` on torch >= 2.6); and a Runner that also runs multi-process on CPU hosts.
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any, Mapping

import torch
from mmengine.config import Config, DictAction
from mmengine.model import is_model_wrapper, revert_sync_batchnorm
from mmengine.registry import RUNNERS
from mmengine.runner import Runner
from torch import nn

import pinas.engine  # noqa: F401  (registers DeviceAwareDDP and the atomic checkpoint backend)

from ..utils.checkpoint import allow_mmengine_checkpoints
from ..utils.dist import LAUNCHERS, init_dist

DEFAULT_WORK_ROOT = 'work_dirs'
RESUME_LATEST = 'auto'
# mmengine's default wrapper hands it device_ids, which torch rejects for CPU modules; DeviceAwareDDP drops them.
CPU_WRAPPER_SWAP = (None, 'MMDistributedDataParallel')


class _LocalRankAction(argparse.Action):
    """torch.distributed.launch passes ``--local-rank`` (``--local_rank`` before torch 2.0); mmengine reads the
    rank from ``LOCAL_RANK`` in the environment."""

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, values)
        os.environ.setdefault('LOCAL_RANK', str(values))


def add_runner_args(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the options shared by ``tools/search.py``, ``tools/train.py`` and ``tools/test.py``."""
    parser.add_argument('--work-dir', help='where logs and checkpoints go (default: the config\'s work_dir, '
                                           'else work_dirs/<config name>)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, metavar='KEY=VALUE',
                        help='override config entries, e.g. train_cfg.max_epochs=3 '
                             'model.backbone.arch=3013231203213032')
    parser.add_argument('--launcher', choices=LAUNCHERS, default='none',
                        help='how the processes were started (tools/dist_*.sh and tools/slurm_*.sh pass it)')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0, action=_LocalRankAction,
                        help=argparse.SUPPRESS)
    return parser


def load_config(path: str | Path, *, cfg_options: Mapping[str, Any] | None = None, work_dir: str | None = None,
                launcher: str = 'none', resume: bool | str | None = None, amp: bool = False,
                auto_scale_lr: bool = False) -> Config:
    """Read the config at ``path`` and apply the standard OpenMMLab command-line overrides.

    Args:
        resume: ``None`` (start fresh), ``'auto'`` or ``True`` (latest checkpoint in work_dir), or a checkpoint.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f'config {path} does not exist; pass a config file under configs/ (supernets: '
                                'configs/search/, transfer: configs/mask_rcnn/, configs/deeplabv3/, configs/smoke/)')
    cfg = Config.fromfile(str(path))
    if cfg_options:
        cfg.merge_from_dict(dict(cfg_options))
    cfg.launcher = launcher
    cfg.work_dir = work_dir or cfg.get('work_dir') or str(Path(DEFAULT_WORK_ROOT) / path.stem)
    if amp:
        enable_amp(cfg)
    if resume:
        cfg.resume = True
        cfg.load_from = None if resume in (True, RESUME_LATEST) else str(resume)
    if auto_scale_lr:
        enable_auto_scale_lr(cfg)
    return cfg


# The mixed-precision twin of each optimizer wrapper: a supernet keeps its no-step-for-unsampled-parameters rule.
AMP_WRAPPERS = {'OptimWrapper': 'AmpOptimWrapper', 'SupernetOptimWrapper': 'AmpSupernetOptimWrapper'}


def enable_amp(cfg: Config) -> None:
    """Mixed precision: the config's optimizer wrapper becomes its AMP twin (GPU only)."""
    if not torch.cuda.is_available():
        raise RuntimeError('--amp needs a GPU (mmengine AmpOptimWrapper); drop --amp on a CPU host')
    kind = cfg.optim_wrapper.get('type', 'OptimWrapper')
    if kind in AMP_WRAPPERS:
        cfg.optim_wrapper.type = AMP_WRAPPERS[kind]
        cfg.optim_wrapper.loss_scale = 'dynamic'


def enable_auto_scale_lr(cfg: Config) -> None:
    """Scale the learning rate by (total batch size / ``auto_scale_lr.base_batch_size``)."""
    if 'base_batch_size' not in cfg.get('auto_scale_lr', {}):
        raise ValueError(f'{cfg.filename} has no auto_scale_lr.base_batch_size, so --auto-scale-lr cannot work; '
                         "add auto_scale_lr = dict(enable=False, base_batch_size=16) to the config")
    cfg.auto_scale_lr.enable = True


def setup_distributed(cfg: Config) -> None:
    """Start the process group for ``cfg.launcher`` with ``env_cfg.dist_cfg``; CPU hosts always get gloo."""
    dist_cfg = dict(cfg.get('env_cfg', {}).get('dist_cfg', {}))
    backend = dist_cfg.pop('backend', None)
    init_dist(cfg.get('launcher', 'none'), backend=backend if torch.cuda.is_available() else None, **dist_cfg)


class PinasRunner(Runner):
    """mmengine's Runner that also runs multi-process on CPU-only hosts (gloo).

    There a multi-process run reverts SyncBN to BN (torch's SyncBatchNorm needs a GPU) and mmengine's default
    DDP becomes DeviceAwareDDP; single-process runs already get SyncBN reverted by mmengine. Other wrappers
    (e.g. CEPT's DeviceAwareSeparateDDP) are left as the config names them.
    """

    def wrap_model(self, model_wrapper_cfg: dict | None, model: nn.Module) -> nn.Module:
        if self.distributed and not torch.cuda.is_available() and not is_model_wrapper(model):
            self.logger.warning('CPU host: SyncBN layers become BN; their statistics are per process')
            model = revert_sync_batchnorm(model)
            if model_wrapper_cfg is None:  # mmengine's own defaults for its default wrapper
                model_wrapper_cfg = dict(broadcast_buffers=False,
                                         find_unused_parameters=self.cfg.get('find_unused_parameters', False))
            if model_wrapper_cfg.get('type') in CPU_WRAPPER_SWAP:
                model_wrapper_cfg = {**model_wrapper_cfg, 'type': 'DeviceAwareDDP'}
        return super().wrap_model(model_wrapper_cfg, model)


def build_runner(cfg: Config) -> Runner:
    """The config's ``runner_type`` if it names one, else :class:`PinasRunner`; the process group starts first."""
    allow_mmengine_checkpoints()
    setup_distributed(cfg)
    if 'runner_type' in cfg:
        return RUNNERS.build(cfg)
    return PinasRunner.from_cfg(cfg)
