"""pinas's mmengine registries: children of mmengine's roots (the mmdet/mmseg pattern), so configs with
``default_scope='pinas'`` find pinas's own classes and, through the parents, everything mmengine provides (loops,
optimizers, schedulers...). A child exists for each kind pinas registers classes in, and for each kind mmengine's
Runner builds from a ``default_scope='pinas'`` config (without its child, every run logs a fallback warning); the
DDP and optimizer wrappers of ``pinas.engine`` register in mmengine's roots, so mmdet/mmseg configs find them."""
from mmengine import registry as root
from mmengine.registry import Registry


def _child(name: str, parent: Registry, locations=()) -> Registry:
    return Registry(name, parent=parent, scope='pinas', locations=list(locations))


MODELS = _child('model', root.MODELS, ['pinas.algorithms'])
DATASETS = _child('dataset', root.DATASETS, ['pinas.datasets'])
HOOKS = _child('hook', root.HOOKS, ['pinas.engine'])
# Built by the Runner from the search configs (loops, samplers, optimizers, schedulers, wrappers, log backends).
LOOPS = _child('loop', root.LOOPS)
DATA_SAMPLERS = _child('data sampler', root.DATA_SAMPLERS)
MODEL_WRAPPERS = _child('model_wrapper', root.MODEL_WRAPPERS)
OPTIMIZERS = _child('optimizer', root.OPTIMIZERS)
OPTIM_WRAPPERS = _child('optim_wrapper', root.OPTIM_WRAPPERS)
OPTIM_WRAPPER_CONSTRUCTORS = _child('optimizer wrapper constructor', root.OPTIM_WRAPPER_CONSTRUCTORS)
PARAM_SCHEDULERS = _child('parameter scheduler', root.PARAM_SCHEDULERS)
VISBACKENDS = _child('vis_backend', root.VISBACKENDS)
# Search-space types (classes); named presets live in pinas.spaces.base.
SPACES = Registry('search space', scope='pinas', locations=['pinas.spaces'])
# Search strategies (random, evolution, lanas, table): pinas.search.
STRATEGIES = Registry('search strategy', scope='pinas', locations=['pinas.search'])
# Proxy scores of a recalibrated path (top1, knn, linear_probe, ...): pinas.search.scoring.
PROXIES = Registry('proxy score', scope='pinas', locations=['pinas.search.scoring'])
# Zero-cost proxies of a randomly initialised stand-alone network (params, flops, snip, synflow, ...):
# pinas.studies.zero_cost. Entries are functions ``proxy(model, batch) -> score``.
ZERO_COST = Registry('zero-cost proxy', scope='pinas', locations=['pinas.studies.zero_cost'])
