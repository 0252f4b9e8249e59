"""The whole chain behind ``tools/search.py``: train the supernet unless a finished run exists, then search."""
from __future__ import annotations

from pathlib import Path

from mmengine.config import Config
from mmengine.dist import barrier
from mmengine.logging import MMLogger

from ..utils.checkpoint import load_checkpoint_file, resolve_checkpoint
from ..engine import unwrap_model
from .search import check_constraints, check_scorer, check_top_n, run_search
from .train import build_supernet_runner


def finished_checkpoint(work_dir: str | Path, max_epochs: int) -> Path | None:
    """The last checkpoint of ``work_dir`` if it reached ``max_epochs``; else None."""
    try:
        path = resolve_checkpoint(work_dir)
    except FileNotFoundError:
        return None
    meta = load_checkpoint_file(path).get('meta', {})
    return path if meta.get('epoch', 0) >= max_epochs else None


def train_and_search(cfg: Config, *, retrain: bool = False, train_only: bool = False):
    """Train (or load the finished run of) ``cfg``'s supernet, then search it unless ``train_only``."""
    runner = build_supernet_runner(cfg)
    if not train_only and 'search' in cfg:  # before hours of training
        check_top_n(cfg.search)  # refused before training, not after it
        check_scorer(cfg.search)
        check_constraints(cfg.search, unwrap_model(runner.model).space)
    logger = MMLogger.get_current_instance()
    checkpoint = None if (retrain or cfg.get('resume')) else \
        finished_checkpoint(cfg.work_dir, cfg.train_cfg.get('max_epochs', 0))
    if checkpoint is not None:
        logger.info(f'supernet already trained ({checkpoint}); skipping training (pass --retrain to train again)')
        runner.load_checkpoint(str(checkpoint))
    else:
        runner.train()
        barrier()  # rank 0 writes the checkpoint; the others must not look for it before
        checkpoint = resolve_checkpoint(cfg.work_dir)
    if train_only or 'search' not in cfg:
        return runner, None
    return runner, run_search(cfg, runner.model, checkpoint)
