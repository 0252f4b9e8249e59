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
import difflib
import functools
import inspect
import os
import re
from pathlib import Path
from typing import Any, Mapping

import torch
from mmengine.config import Config, ConfigDict, DictAction
from mmengine.model import is_model_wrapper, revert_sync_batchnorm
from mmengine.registry import RUNNERS
from mmengine.runner import Runner
from torch import nn

from pinas.engine import RelativeLastCheckpointHook  # also registers DeviceAwareDDP and the atomic backend

from ..utils.checkpoint import allow_mmengine_checkpoints, latest_checkpoint, verify_checkpoint_file
from ..utils.cli import UsageError, one_line
from ..utils.dist import LAUNCHERS, get_dist_info, init_dist
from ..utils.files import remove_stale_temp_files
from .validate import validate_config

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


class CfgOptionsAction(DictAction):
    """mmengine's ``DictAction``, with a malformed ``KEY=VALUE`` reported as a usage error instead of a trace
    from inside its parser, and a number written with a leading zero (an architecture code, ``arch=031102``) kept
    as the text it is instead of an int that lost the zero."""

    def __call__(self, parser, namespace, values, option_string=None):
        for item in values or ():
            if '=' not in item:
                raise argparse.ArgumentError(self, f'{item!r} is not KEY=VALUE, e.g. train_cfg.max_epochs=3')
            try:
                self._parse_iterable(item.split('=', 1)[1])
            except (AssertionError, RecursionError, ValueError, IndexError):
                raise argparse.ArgumentError(
                    self, f'cannot read the value of {item!r}: brackets and quotes must pair, a list is [a,b] or '
                          'a,b, and a dict is set one key at a time (section.key=value)') from None
        super().__call__(parser, namespace, values, option_string)
        options = getattr(namespace, self.dest)
        for item in values or ():
            key, value = item.split('=', 1)
            if _LEADING_ZERO.match(value.strip()):
                options[key] = value.strip()


_LEADING_ZERO = re.compile(r'^0\d+$')


def add_runner_args(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the options shared by ``tools/search.py``, ``tools/train.py`` and ``tools/test.py``."""
    parser.add_argument('--work-dir', help='where logs and checkpoints go (default: the config\'s work_dir, '
                                           'else work_dirs/<config name>)')
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction, metavar='KEY=VALUE',
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
    cfg = read_config(path)
    if cfg_options:
        merge_cfg_options(cfg, cfg_options)
    cfg.launcher = launcher
    cfg.work_dir = work_dir or cfg.get('work_dir') or str(Path(DEFAULT_WORK_ROOT) / path.stem)
    if amp:
        enable_amp(cfg)
    if resume:
        cfg.resume = True
        cfg.load_from = None if resume in (True, RESUME_LATEST) else str(verify_checkpoint_file(resume))
    if auto_scale_lr:
        enable_auto_scale_lr(cfg)
    validate_config(cfg)  # before anything is built: a setting the run would fail on later is one line now
    return cfg


def read_config(path: Path) -> Config:
    """``Config.fromfile``, with whatever goes wrong while reading a config file as one :class:`UsageError`."""
    try:
        return Config.fromfile(str(path))
    except SyntaxError as err:
        raise UsageError(f'config {path} has a syntax error at line {err.lineno}: {err.msg}; fix the file') from None
    except Exception as err:  # a missing _base_, a NameError, ...: the config's own code failed
        raise UsageError(f'config {path} cannot be read: {type(err).__name__}: {one_line(err)}') from None


CLOSE_KEY_CUTOFF = 0.8  # difflib similarity above which a new --cfg-options key is taken for a typo of an old one


def merge_cfg_options(cfg: Config, options: Mapping[str, Any], strict: bool = False) -> None:
    """Merge ``--cfg-options`` into ``cfg``, each key checked against the config first, so that a typo fails with
    one line before anything is built, dumped or written into the work dir:

    * a key that is not in the config but close to one that is (``train_cfg.max_epochz`` beside ``max_epochs``) is
      refused, naming the close ones; a new key that resembles none (``model.backbone.pretrained``) is added;
    * text for a number (``train_cfg.max_epochs=two``), or a value for a whole section (``search.strategy=dict(...)``,
      which arrives as text) is refused;
    * a key under an entry that is None (``model.backbone.init_cfg.checkpoint=...`` where ``init_cfg=None``) makes
      the entry a dict instead of failing in mmengine's merge;
    * ``strict``: any key the config lacks is refused (a tool that reads only the config's own keys, where a new
      one would be silently ignored).
    """
    for key, value in options.items():
        _check_cfg_option(cfg, key, value, strict)
    cfg.merge_from_dict(dict(options))


@functools.lru_cache(maxsize=None)
def _runner_keys() -> frozenset:
    """Top-level config keys the Runner reads (its constructor's arguments)."""
    return frozenset(inspect.signature(Runner.__init__).parameters) - {'self'}


def _check_cfg_option(cfg: Config, key: str, value: Any, strict: bool = False) -> None:
    parts = key.split('.')
    node: Any = cfg
    for depth, part in enumerate(parts):
        where = '.'.join(parts[:depth]) or 'the config'
        if isinstance(node, (list, tuple)):
            if not (part.isdigit() and int(part) < len(node)):
                raise UsageError(f'--cfg-options {key}: {where} is a list of {len(node)} entries, so {part!r} must be '
                                 f'an index 0..{len(node) - 1}')
            node = node[int(part)]
            continue
        if not isinstance(node, Mapping) and not isinstance(node, Config):
            raise UsageError(f'--cfg-options {key}: {where} is {node!r}, not a dict, so it has no key {part!r}')
        if part not in node:
            if depth == 0 and part in _runner_keys() and not strict:
                return  # a section the Runner itself takes (val_dataloader, ...) is never a typo
            close = difflib.get_close_matches(part, [str(k) for k in node.keys()], n=3, cutoff=CLOSE_KEY_CUTOFF)
            if close:
                prefix = '' if depth == 0 else where + '.'
                raise UsageError(f'--cfg-options {key}: {where} has no key {part!r}; did you mean '
                                 f'{" or ".join(prefix + c for c in close)}?')
            if strict:
                known = ', '.join(sorted(str(k) for k in node.keys())[:12])
                raise UsageError(f'--cfg-options {key}: {where} has no key {part!r}, and this tool reads only the '
                                 f'config\'s own keys ({known})')
            return  # a new key: nothing below it to check
        if node[part] is None and depth < len(parts) - 1:
            node[part] = ConfigDict()
        node = node[part]
    if isinstance(node, (int, float)) and not isinstance(node, bool) and isinstance(value, str):
        raise UsageError(f'--cfg-options {key}={value}: {key} is a number ({node} in the config); pass a number')
    if isinstance(node, Mapping) and value is not None and not isinstance(value, Mapping):
        raise UsageError(f'--cfg-options {key}={value}: {key} is a section of the config, not a value; set its keys '
                         f'one at a time ({key}.{next(iter(node), "key")}=...), or {key}=None to drop it')


# The mixed-precision twin of each optimizer wrapper: a supernet keeps its no-step-for-unsampled-parameters rule.
AMP_WRAPPERS = {'OptimWrapper': 'AmpOptimWrapper', 'SupernetOptimWrapper': 'AmpSupernetOptimWrapper'}


def enable_amp(cfg: Config) -> None:
    """Mixed precision: the config's optimizer wrapper becomes its AMP twin (GPU only)."""
    if not torch.cuda.is_available():
        raise UsageError('--amp needs a GPU (mmengine AmpOptimWrapper); drop --amp on a CPU host')
    kind = cfg.optim_wrapper.get('type', 'OptimWrapper')
    if kind in AMP_WRAPPERS:
        cfg.optim_wrapper.type = AMP_WRAPPERS[kind]
        cfg.optim_wrapper.loss_scale = 'dynamic'


def enable_auto_scale_lr(cfg: Config) -> None:
    """Scale the learning rate by (total batch size / ``auto_scale_lr.base_batch_size``)."""
    if 'base_batch_size' not in cfg.get('auto_scale_lr', {}):
        raise UsageError(f'{cfg.filename} has no auto_scale_lr.base_batch_size, so --auto-scale-lr cannot work; '
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

    def train(self) -> nn.Module:
        """mmengine's, refusing first a run that would train nothing and still save and report (a batch larger
        than a drop_last dataset gives 0 iterations per epoch; ``max_iters=0``)."""
        loop = self.train_loop  # built here: the dataloader and the schedule's length
        if getattr(loop, 'dataloader', None) is not None and len(loop.dataloader) == 0:
            loader = self.cfg.get('train_dataloader', {})
            raise UsageError(f'the training data gives 0 iterations per epoch: {len(loop.dataloader.dataset)} samples '
                             f'in batches of {loader.get("batch_size")} with drop_last; lower '
                             'train_dataloader.batch_size or use more data')
        if getattr(loop, 'max_iters', 1) < 1:
            raise UsageError(f'the schedule trains 0 iterations ({type(loop).__name__}); set train_cfg.max_iters or '
                             'train_cfg.max_epochs to at least 1')
        return super().train()

    def load_or_resume(self) -> None:
        """mmengine's, with the checkpoint to resume from found by :func:`latest_checkpoint` (a moved or copied
        work dir resumes from its own files) and checked first (:func:`verify_checkpoint_file`): a damaged file
        is one clear error, not a trace from inside torch."""
        if self._has_loaded:
            return
        if self._resume and self._load_from is None:
            latest = latest_checkpoint(self.work_dir)
            if latest is not None:
                self._load_from = str(latest)  # mmengine resumes from an explicit checkpoint the same way
            else:
                self.logger.warning(f'--resume: {self.work_dir} holds no checkpoint yet; training from the start')
        elif not self._resume and self._load_from is None:
            earlier = latest_checkpoint(self.work_dir)
            if earlier is not None:
                self.logger.warning(f'{self.work_dir} holds a run ({earlier.name}) that this one does not continue: '
                                    'it trains from the start and overwrites its checkpoints; pass --resume to '
                                    'continue it')
        if self._load_from is not None and '://' not in str(self._load_from):
            verify_checkpoint_file(self._load_from)
        super().load_or_resume()


def build_runner(cfg: Config) -> Runner:
    """The config's ``runner_type`` if it names one, else :class:`PinasRunner`; the process group starts first,
    what a save killed half-way left in the work dir is removed (:func:`remove_stale_temp_files`), and the work
    dir's ``last_checkpoint`` names its checkpoint relative to it (:class:`RelativeLastCheckpointHook`)."""
    allow_mmengine_checkpoints()
    setup_distributed(cfg)
    if get_dist_info().is_main:
        for path in remove_stale_temp_files(cfg.work_dir):
            print(f'removed {path}, left by an interrupted save', flush=True)
    if isinstance(cfg.get('visualizer'), dict):
        # mmdet/mmseg's runtimes name theirs 'visualizer': a second run in one process (a benchmark, a test) would
        # get the first run's instance back and log its scalars into the first run's work dir. Unnamed, it takes
        # the run's unique experiment name, as mmengine's default visualizer does.
        cfg.visualizer.pop('name', None)
    runner = RUNNERS.build(cfg) if 'runner_type' in cfg else PinasRunner.from_cfg(cfg)
    runner.register_hook(RelativeLastCheckpointHook())
    return runner
