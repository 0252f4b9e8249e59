"""A config shrunk to a few timed iterations: the ``--cfg-options`` that keep a config's model, pipeline, optimizer
wrapper and hooks but replace its schedule, scale its image sizes, chain the CEPT steps, and a hook that times
every iteration. The library behind ``tools/analysis_tools/gpu_check.py`` (:mod:`downstream.gpu_check`)."""
from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any, Sequence

MIN_SIDE = 32  # a scale factor never shrinks an image side below this (CIFAR stays at 32)
# Pipeline steps whose keys are output sizes (torchvision's RandomResizedCrop ``scale`` is an area fraction).
SIZE_KEYS = {'RandomResizedCrop': ('size',), 'CenterCrop': ('size',), 'RandomCrop': ('size', 'crop_size'),
             'Resize': ('size', 'scale'), 'RandomResize': ('scale',), 'RandomChoiceResize': ('scales',)}


def scale_sides(value, factor: float):
    """Image sides times ``factor``, never below :data:`MIN_SIDE` (nor grown to it)."""
    if isinstance(value, (list, tuple)):
        return type(value)(scale_sides(v, factor) for v in value)
    if isinstance(value, int) and factor != 1:
        return max(min(value, MIN_SIDE), round(value * factor))
    return value


def scaled(step: dict, factor: float) -> dict:
    """A pipeline step with its output sizes scaled (nested ``transforms`` too)."""
    step = dict(step)
    for key in SIZE_KEYS.get(step.get('type'), ()):
        if key in step and step[key] is not None:
            step[key] = scale_sides(step[key], factor)
    if isinstance(step.get('transforms'), (list, tuple)):
        step['transforms'] = [scaled(t, factor) if isinstance(t, dict) else t for t in step['transforms']]
    return step


def describe_input(pipeline: Sequence[dict]) -> str:
    """The network's input size (height x width) after the training pipeline."""
    size = None
    for step in pipeline:
        kind = step.get('type')
        if kind in ('RandomResizedCrop', 'CenterCrop', 'RandomCrop') and step.get('size') is not None:
            side = step['size']
            size = f'{side}x{side}' if isinstance(side, int) else f'{side[0]}x{side[1]}'
        elif kind == 'RandomCrop' and step.get('crop_size') is not None:  # mmseg: (h, w)
            h, w = step['crop_size'] if not isinstance(step['crop_size'], int) else (step['crop_size'],) * 2
            size = f'{h}x{w}'
        elif kind == 'RandomChoiceResize':  # mmdet: (long, short) scales, keep_ratio
            shorts = sorted(min(s) for s in step['scales'])
            longs = max(max(s) for s in step['scales'])
            size = f'short {shorts[0]}-{shorts[-1]}, long <={longs}'
        elif kind in ('Resize', 'RandomResize') and step.get('scale') is not None and size is None:
            scale = step['scale']
            size = f'short {min(scale)}, long <={max(scale)}' if not isinstance(scale, int) else f'{scale}'
    return size or 'as generated'


def schedule_options(cfg, iters: int, batch: int, workers: int | None, save_checkpoint: bool) -> dict[str, Any]:
    """``iters`` training iterations at ``batch`` per GPU: an ``IterBasedTrainLoop``, no validation, test or lr
    schedule (the schedules count epochs of the real dataset), no resume; a last checkpoint only when
    ``save_checkpoint`` (a chained CEPT step's successor starts from it)."""
    options: dict[str, Any] = {
        'train_cfg': dict(_delete_=True, type='IterBasedTrainLoop', max_iters=iters, val_interval=iters + 1),
        'param_scheduler': None,
        'val_cfg': None, 'val_dataloader': None, 'val_evaluator': None,
        'test_cfg': None, 'test_dataloader': None, 'test_evaluator': None,
        'log_processor.by_epoch': False,
        'default_hooks.logger.interval': 1,
        'resume': False, 'load_from': None,
        'train_dataloader.batch_size': batch,
    }
    checkpoint = cfg.get('default_hooks', {}).get('checkpoint')
    if save_checkpoint and checkpoint:
        options['default_hooks.checkpoint'] = dict(
            _delete_=True, type=checkpoint.get('type', 'CheckpointHook'), by_epoch=False, interval=iters + 1,
            save_last=True, max_keep_ckpts=1, backend_args=checkpoint.get('backend_args'))
    elif checkpoint is not None:
        options['default_hooks.checkpoint'] = None
    if workers is not None:
        options['train_dataloader.num_workers'] = workers
        options['train_dataloader.persistent_workers'] = workers > 0
    return options


def precision_options(cfg, cuda: bool, amp: bool, notes: list[str]) -> dict[str, Any]:
    """AMP configs keep AMP on a GPU and fall back to the plain wrapper on CPU; ``amp`` switches a plain wrapper to
    its AMP twin (:data:`~pinas.apis.runner.AMP_WRAPPERS`, as ``tools/train.py --amp``) on a GPU. ``notes`` gets
    what was done."""
    from .runner import AMP_WRAPPERS

    wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
    if 'Amp' in wrapper:
        if cuda:
            notes.append('AMP')
            return {}
        plain = {k: v for k, v in cfg.optim_wrapper.items() if k not in ('loss_scale', 'dtype', 'use_fsdp')}
        notes.append(f'AMP off (CPU): {wrapper.replace("Amp", "", 1)}')
        return {'optim_wrapper': {**plain, 'type': wrapper.replace('Amp', '', 1), '_delete_': True}}
    if amp and not cuda:
        notes.append('--amp ignored (CPU)')
    elif amp and wrapper in AMP_WRAPPERS:
        notes.append(f'AMP (--amp): {AMP_WRAPPERS[wrapper]}')
        return {'optim_wrapper.type': AMP_WRAPPERS[wrapper], 'optim_wrapper.loss_scale': 'dynamic'}
    elif amp:
        notes.append(f'--amp not applied ({wrapper} has no AMP version)')
    return {}


def missing_pretrained_options(cfg, notes: list[str]) -> dict[str, Any]:
    """A backbone whose ``Pretrained`` checkpoint is not on this machine starts from random weights."""
    init_cfg = cfg.model.get('backbone', {}).get('init_cfg')
    if isinstance(init_cfg, dict) and init_cfg.get('type') == 'Pretrained' and \
            not Path(str(init_cfg.get('checkpoint'))).is_file() and '://' not in str(init_cfg.get('checkpoint')):
        notes.append('backbone random init')
        return {'model.backbone.init_cfg': None}
    return {}


# --- CEPT steps, chained --------------------------------------------------------------------------------------------
def cept_step(config: Path) -> int | None:
    """The step number of a CEPT step config (``cept_step<N>_...``), else None."""
    match = re.search(r'cept_step(\d)', Path(config).name)
    return int(match.group(1)) if match else None


def step_name(config: Path) -> str:
    step = cept_step(config)
    return f'step {step}' if step else Path(config).stem


def previous_step(cfg, config: Path, work_dir: Path, init_from: str | None) -> tuple[str, str]:
    """``model.init_from`` of a chained CEPT step and how it was chosen: ``init_from`` (the previous step's work dir
    from the same run) when given, else a checkpoint in ``work_dir`` of freshly built weights of the previous step
    (the config's ``init_from`` names the previous config: its work dir)."""
    if init_from:
        return init_from, f'init from this run\'s {step_name(Path(init_from))}'
    config = Path(config)
    previous = config.parent / (Path(str(cfg.model.init_from)).name + '.py')
    if not previous.is_file():
        step = cept_step(config)
        candidates = sorted(config.parent.glob(f'cept_step{step - 1}_*{config.stem.rsplit("_", 1)[-1]}.py')) \
            if step else []
        if not candidates:
            raise ValueError(f'model.init_from={cfg.model.init_from!r} names no config next to {config.name}; '
                             'run the previous step in the same check')
        previous = candidates[0]
    import torch
    from mmengine.config import Config
    from mmengine.registry import DefaultScope

    import pinas.algorithms  # noqa: F401  (registers the models)
    from pinas.registry import MODELS
    model_cfg = Config.fromfile(str(previous)).model
    model_cfg.pop('init_from', None)
    with DefaultScope.overwrite_default_scope('pinas'):
        model = MODELS.build(model_cfg)
    path = Path(work_dir) / f'{previous.stem}_fresh.pth'
    torch.save(dict(state_dict=model.state_dict()), path)
    return str(path), f'init from freshly built {step_name(previous)} weights'


# --- timing ---------------------------------------------------------------------------------------------------------
def iteration_timer(cuda: bool):
    """A hook timing every training iteration, from one ``after_train_iter`` to the next (data loading, the
    training step and the other hooks included), and the part of it spent waiting for data (up to
    ``before_train_iter``). CUDA is synchronised before the clock is read, so queued kernels count in their
    iteration. Register it with priority 'HIGHEST'."""
    from mmengine.hooks import Hook

    class IterationTimer(Hook):
        def __init__(self):
            self.iter_times: list[float] = []
            self.data_times: list[float] = []
            self._last = self._ready = 0.0

        def _now(self) -> float:
            if cuda:
                import torch
                torch.cuda.synchronize()
            return time.perf_counter()

        def before_train(self, runner) -> None:
            self._last = self._now()

        def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
            self._ready = self._now()

        def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
            now = self._now()
            self.iter_times.append(now - self._last)
            self.data_times.append(self._ready - self._last)
            self._last = now

    return IterationTimer()
