"""Training-engine pieces on top of mmengine: optimizer wrappers, CPU-capable DDP wrappers, atomic checkpoints and
a checkpoint record relative to the work dir, the path sampler's state in checkpoints."""
from .atomic_backend import AtomicLocalBackend
from .ddp import DeviceAwareDDP, DeviceAwareSeparateDDP, unwrap_model
from .hooks import EpochSeedHook, PathSamplerStateHook, RelativeLastCheckpointHook
from .optim_wrapper import AmpSupernetOptimWrapper, SupernetOptimWrapper, drop_zero_grads

__all__ = ['SupernetOptimWrapper', 'AmpSupernetOptimWrapper', 'drop_zero_grads', 'DeviceAwareDDP',
           'DeviceAwareSeparateDDP', 'unwrap_model', 'AtomicLocalBackend', 'PathSamplerStateHook',
           'RelativeLastCheckpointHook', 'EpochSeedHook']
