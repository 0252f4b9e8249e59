"""The resolved config checked as a whole before anything is built: what mmengine, torch or a tool would reject
only later (after the dataset is generated, the model built, or hours of training) is refused here with one line.

* every count by its key, wherever it is (``train_dataloader.batch_size``, ``search.data.batch_size``,
  ``zero_cost.batch_size``, ``train_cfg.max_epochs``, ...): a whole number in its range, not text, a fraction
  or a bool;
* the keys of ``train_cfg`` / ``val_cfg`` / ``test_cfg``: those the loop they build takes
  (``train_cfg.epochs`` is not ``max_epochs``), the loop type a registered one;
* every ``type`` the Runner builds from a registry: registered in the registry its section is built from
  (``model`` and its parts: models, task utils, weight initializers; a dataloader's dataset, sampler and
  pipeline; evaluators, optimizers, schedulers, hooks, visualizers), looked up in the scope the Runner builds it
  in (the nearest ``_scope_``, else ``default_scope``). Sections only a tool reads (``search``, ``zero_cost``)
  are the tool's to check;
* ``work_dir``: a directory this process can write (not a file, not read-only).

Whether an epoch has at least one step depends on the dataset's size, so that check stays with the runner
(``PinasRunner.train``), still before the first step.
"""
from __future__ import annotations

import difflib
import inspect
from typing import Any, Iterator, Mapping

from mmengine.config import Config

from ..datasets.transforms import transform_class
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
PINAS_SCOPE = 'pinas'
# parts whose 'type' names an mmcv.ops attribute, not a registered class (mmcv's batched_nms, mmdet's RoI extractors)
NOT_REGISTERED = {'nms', 'roi_layer'}


def validate_config(cfg: Config) -> None:
    """Raise :class:`UsageError` naming the first setting of ``cfg`` that the run would fail on later."""
    for key, value in _items(cfg):
        name = key.rsplit('.', 1)[-1]
        if name in COUNTS:
            _check_count(key, value, *COUNTS[name])
    for section, default in LOOP_SECTIONS.items():
        if isinstance(cfg.get(section), Mapping):
            _check_loop(section, cfg[section], default)
    check_types(cfg)
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


def check_types(cfg: Mapping) -> None:
    """Raise :class:`UsageError` naming the first ``type`` of ``cfg`` (a config, or one resolved to plain data) that
    no registry the Runner would build it from knows."""
    for key, node, scope in _typed(cfg, cfg.get('default_scope')):
        _check_type(key, node['type'], scope)


def _typed(node: Any, scope: str | None, prefix: str = '') -> Iterator[tuple[str, Mapping, str | None]]:
    """Every (dotted key, dict, build scope) of a dict that names a ``type`` by its registered name."""
    if isinstance(node, (Mapping, Config)):
        scope = node.get('_scope_') or scope
        if isinstance(node.get('type'), str):
            yield prefix.rstrip('.'), node, scope
        entries = node.items()
    else:
        entries = enumerate(node) if isinstance(node, (list, tuple)) else ()
    for key, value in entries:
        yield from _typed(value, scope, f'{prefix}{key}.')


def _registries(key: str) -> tuple[str, ...]:
    """Names of the mmengine root registries the Runner builds the ``type`` at ``key`` from (it is accepted when
    any of them knows it); none for what the Runner does not build from a registry."""
    parts = key.split('.')
    head = parts[0]
    if head in LOOP_SECTIONS or NOT_REGISTERED.intersection(parts):  # loops: _check_loop
        return ()
    if 'pipeline' in parts or 'transforms' in parts or head.endswith('_pipeline'):
        return ('TRANSFORMS',)
    if head in ('model', 'tta_model', 'data_preprocessor'):  # heads, losses, norm layers; assigners; init_cfg
        return ('MODELS', 'TASK_UTILS', 'WEIGHT_INITIALIZERS')
    if head.endswith('_dataloader') and len(parts) > 1:
        return {'dataset': ('DATASETS',), 'sampler': ('DATA_SAMPLERS',), 'batch_sampler': ('DATA_SAMPLERS',),
                'collate_fn': ('FUNCTIONS',)}.get(parts[1], ())
    if head.endswith('_evaluator'):
        return ('METRICS', 'EVALUATOR')
    if 'vis_backends' in parts:
        return ('VISBACKENDS',)
    return {'optim_wrapper': ('OPTIMIZERS',) if 'optimizer' in parts else ('OPTIM_WRAPPERS',),
            'param_scheduler': ('PARAM_SCHEDULERS',), 'default_hooks': ('HOOKS',), 'custom_hooks': ('HOOKS',),
            'visualizer': ('VISUALIZERS',), 'log_processor': ('LOG_PROCESSORS',),
            'model_wrapper_cfg': ('MODEL_WRAPPERS',)}.get(head, ())


def _check_type(key: str, name: str, scope: str | None) -> None:
    from mmengine import registry as roots
    registries = _registries(key)
    if not registries:
        return
    if registries == ('TRANSFORMS',) and scope == PINAS_SCOPE:  # pinas's image pipelines are torchvision's
        try:
            transform_class(name)
        except ValueError as err:
            raise UsageError(f'{key}.type: {err}') from None
        return
    known: set[str] = set()
    for root in (getattr(roots, registry_name) for registry_name in registries):
        with root.switch_scope_and_registry(scope) as registry:
            if registry.get(name) is not None:
                return
            while registry is not None:
                known.update(registry.module_dict)
                registry = registry.parent
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=CLOSE_KEY_CUTOFF)
    hint = f'did you mean {key}.type={close[0]!r}?' if close else \
        'check the spelling, or add the module that registers it to custom_imports'
    kinds = ' or '.join(r.lower().replace('_', ' ') for r in registries)
    raise UsageError(f'{key}.type={name!r} is not registered in {scope or "mmengine"}\'s {kinds}; {hint}')


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
