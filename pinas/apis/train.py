"""Supernet training from a config, under a single process, torchrun (NCCL) or torchrun on CPU (gloo)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from mmengine.config import Config, DictAction  # noqa: F401  (DictAction re-exported for tools)
from mmengine.runner import Runner

import pinas.algorithms  # noqa: F401  (registers models)
import pinas.datasets  # noqa: F401  (registers datasets)
import pinas.engine  # noqa: F401  (registers wrappers and the atomic backend)


def load_config(path: str, options: Mapping[str, Any] | None = None, work_dir: str | None = None,
                resume: bool = False) -> Config:
    """Read a config, apply ``--cfg-options`` and command-line choices; errors name the bad file/key."""
    if not Path(path).is_file():
        raise FileNotFoundError(f'config file {path} does not exist')
    cfg = Config.fromfile(path)
    if options:
        cfg.merge_from_dict(dict(options))
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = str(Path('work_dirs') / Path(path).stem)
    if resume:
        cfg.resume = True
        cfg.load_from = None
    return cfg


def build_runner(cfg: Config, launcher: str = 'none') -> Runner:
    """A Runner whose process group is already initialised (so mmengine's CUDA-only init is skipped)."""
    from pinas.utils.checkpoint import allow_mmengine_checkpoints
    from pinas.utils.dist import init_dist

    allow_mmengine_checkpoints()
    cfg.launcher = launcher
    if launcher != 'none':
        init_dist(launcher)
        cfg.setdefault('model_wrapper_cfg', dict(type='DeviceAwareDDP'))
    return Runner.from_cfg(cfg)


def train_supernet(cfg: Config, launcher: str = 'none') -> Runner:
    runner = build_runner(cfg, launcher)
    runner.train()
    return runner
