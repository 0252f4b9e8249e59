"""Training-engine pieces on top of mmengine: optimizer wrappers, a CPU-capable DDP wrapper, atomic checkpoints,
the path sampler's state in checkpoints."""
from .atomic_backend import AtomicLocalBackend
from .ddp import DeviceAwareDDP, unwrap_model
from .hooks import PathSamplerStateHook
from .optim_wrapper import AmpSupernetOptimWrapper, SupernetOptimWrapper, drop_zero_grads

__all__ = ['SupernetOptimWrapper', 'AmpSupernetOptimWrapper', 'drop_zero_grads', 'DeviceAwareDDP', 'unwrap_model',
           'AtomicLocalBackend', 'PathSamplerStateHook']
