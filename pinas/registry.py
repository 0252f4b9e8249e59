"""pinas's mmengine registries: children of mmengine's roots (the mmdet/mmseg pattern), so configs with
``default_scope='pinas'`` find pinas's own classes and everything mmengine provides (loops, hooks, optimizers...)."""
from mmengine import registry as root
from mmengine.registry import Registry


def _child(name: str, parent: Registry, locations=()) -> Registry:
    return Registry(name, parent=parent, scope='pinas', locations=list(locations))


MODELS = _child('model', root.MODELS, ['pinas.algorithms'])
MODEL_WRAPPERS = _child('model_wrapper', root.MODEL_WRAPPERS, ['pinas.engine'])
DATASETS = _child('dataset', root.DATASETS, ['pinas.datasets'])
DATA_SAMPLERS = _child('data sampler', root.DATA_SAMPLERS)
TRANSFORMS = _child('transform', root.TRANSFORMS, ['pinas.datasets'])
HOOKS = _child('hook', root.HOOKS, ['pinas.engine'])
RUNNERS = _child('runner', root.RUNNERS)
RUNNER_CONSTRUCTORS = _child('runner constructor', root.RUNNER_CONSTRUCTORS)
LOOPS = _child('loop', root.LOOPS, ['pinas.engine'])
OPTIMIZERS = _child('optimizer', root.OPTIMIZERS)
OPTIM_WRAPPERS = _child('optim_wrapper', root.OPTIM_WRAPPERS, ['pinas.engine'])
OPTIM_WRAPPER_CONSTRUCTORS = _child('optimizer wrapper constructor', root.OPTIM_WRAPPER_CONSTRUCTORS)
PARAM_SCHEDULERS = _child('parameter scheduler', root.PARAM_SCHEDULERS)
METRICS = _child('metric', root.METRICS, ['pinas.engine'])
EVALUATOR = _child('evaluator', root.EVALUATOR)
WEIGHT_INITIALIZERS = _child('weight initializer', root.WEIGHT_INITIALIZERS)
FUNCTIONS = _child('function', root.FUNCTIONS)
VISUALIZERS = _child('visualizer', root.VISUALIZERS)
VISBACKENDS = _child('vis_backend', root.VISBACKENDS)
LOG_PROCESSORS = _child('log_processor', root.LOG_PROCESSORS)
INFERENCERS = _child('inferencer', root.INFERENCERS)
TASK_UTILS = _child('task util', root.TASK_UTILS)
