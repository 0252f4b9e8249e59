"""The resolved config checked as a whole before anything is built: what mmengine, torch or a tool would reject
only later (after the dataset is generated, the model built, or hours of training) is refused here with one line.

* every count by its key, wherever it is (``train_dataloader.batch_size``, ``search.data.batch_size``,
  ``zero_cost.batch_size``, ``train_cfg.max_epochs``, ...): a whole number in its range, not text, a fraction
  or a bool;
* the keys of ``train_cfg`` / ``val_cfg`` / ``test_cfg``: those the loop they build takes
  (``train_cfg.epochs`` is not ``max_epochs``), the loop type a registered one;
* ``work_dir``: a directory this process can write (not a file, not read-only).

Whether an epoch has at least one step depends on the dataset's size, so that check stays with the runner
(``PinasRunner.train``), still before the first step.
"""
from __future__ import annotations

import difflib
import inspect
from typing import Any, Iterator, Mapping

from mmengine.config import Config

from ..utils.cli import UsageError, writable_dir

# key -> (what it counts, the least value): checked wherever the key appears in the config
COUNTS = {
    'batch_size': ('a batch size', 1),
    'max_epochs': ('the number of training epochs', 1),
    'max_iters': ('the number of training iterations', 1),
    'val_interval': ('the validation interval', 1),
    'num_workers': ('the number of data-loading workers', 0),
}
# top-level loop section -> the loop mmengine builds when it names no type (train_cfg: by by_epoch)
LOOP_SECTIONS = {'train_cfg': None, 'val_cfg': 'ValLoop', 'test_cfg': 'TestLoop'}
LOOP_OWN_KEYS = ('type', 'by_epoch', '_scope_')  # read by the Runner or the registry, not passed to the loop
LOOP_BUILT_ARGS = ('self', 'runner', 'dataloader', 'evaluator')  # filled by the Runner
CLOSE_KEY_CUTOFF = 0.6


def validate_config(cfg: Config) -> None:
    """Raise :class:`UsageError` naming the first setting of ``cfg`` that the run would fail on later."""
    for key, value in _items(cfg):
        name = key.rsplit('.', 1)[-1]
        if name in COUNTS:
            _check_count(key, value, *COUNTS[name])
    for section, default in LOOP_SECTIONS.items():
        if isinstance(cfg.get(section), Mapping):
            _check_loop(section, cfg[section], default)
    if cfg.get('work_dir'):
        writable_dir(cfg.work_dir, 'work_dir (--work-dir)')


def _items(node: Any, prefix: str = '') -> Iterator[tuple[str, Any]]:
    """Every (dotted key, value) under ``node``, lists indexed like ``--cfg-options`` keys."""
    if isinstance(node, (Mapping, Config)):  # a Config is no Mapping
        entries = node.items()
    else:
        entries = enumerate(node) if isinstance(node, (list, tuple)) else ()
    for key, value in entries:
        path = f'{prefix}{key}'
        yield path, value
        yield from _items(value, path + '.')


def _check_count(key: str, value: Any, what: str, least: int) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise UsageError(f'{key}={value!r}: {what} must be a whole number; pass e.g. {key}={least or 1}')
    if value < least:
        raise UsageError(f'{key}={value}: {what} must be at least {least}; set {key} to {least} or more')


def _check_loop(section: str, loop: Mapping, default: str | None) -> None:
    from mmengine.registry import LOOPS
    kind = loop.get('type') or default or ('EpochBasedTrainLoop' if loop.get('by_epoch', True) else
                                           'IterBasedTrainLoop')
    if not isinstance(kind, str):
        return  # a class given in the config
    cls = LOOPS.get(kind)
    if cls is None:
        raise UsageError(f'{section}.type={kind!r} is not a registered loop; use one of '
                         f'{", ".join(sorted(LOOPS.module_dict))} (or import the module that registers it)')
    parameters = inspect.signature(cls.__init__).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return
    takes = [name for name in parameters if name not in LOOP_BUILT_ARGS]
    for key in loop:
        if key not in takes and key not in LOOP_OWN_KEYS:
            close = difflib.get_close_matches(str(key), takes, n=1, cutoff=CLOSE_KEY_CUTOFF)
            hint = f'did you mean {section}.{close[0]}?' if close else 'remove it'
            raise UsageError(f'{section}.{key}: {cls.__name__} takes no {key!r} (it takes {", ".join(takes)}); '
                             f'{hint}')
