"""pinas's mmengine registries: children of mmengine's roots, so configs with ``default_scope='pinas'`` find both
pinas's own classes and mmengine's (Runner, hooks, optimizers, schedulers)."""
from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS
from mmengine.registry import Registry

MODELS = Registry('model', parent=MMENGINE_MODELS, scope='pinas', locations=['pinas.algorithms'])
DATASETS = Registry('dataset', parent=MMENGINE_DATASETS, scope='pinas', locations=['pinas.datasets'])
TRANSFORMS = Registry('transform', parent=MMENGINE_TRANSFORMS, scope='pinas', locations=['pinas.datasets'])
HOOKS = Registry('hook', parent=MMENGINE_HOOKS, scope='pinas', locations=['pinas.engine'])
