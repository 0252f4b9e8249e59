"""pinas's mmengine registries: children of mmengine's roots (the mmdet/mmseg pattern), so configs with
``default_scope='pinas'`` find pinas's own classes and, through the parents, everything mmengine provides (loops,
optimizers, schedulers...). Only the kinds pinas registers something in have a child here. The DDP wrapper and
the optimizer wrappers of ``pinas.engine`` register in mmengine's roots instead, so mmdet/mmseg configs find them."""
from mmengine import registry as root
from mmengine.registry import Registry


def _child(name: str, parent: Registry, locations=()) -> Registry:
    return Registry(name, parent=parent, scope='pinas', locations=list(locations))


MODELS = _child('model', root.MODELS, ['pinas.algorithms'])
DATASETS = _child('dataset', root.DATASETS, ['pinas.datasets'])
HOOKS = _child('hook', root.HOOKS, ['pinas.engine'])
# Search-space types (classes); named presets live in pinas.spaces.base.
SPACES = Registry('search space', scope='pinas', locations=['pinas.spaces'])
# Proxy scores of a recalibrated path (top1, knn, linear_probe, ...): pinas.search.scoring.
PROXIES = Registry('proxy score', scope='pinas', locations=['pinas.search.scoring'])
