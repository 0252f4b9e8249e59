"""Small helpers shared by every entry point (supernet training, search, transfer)."""
from .checkpoint import allow_mmengine_checkpoints, mmengine_checkpoint_globals
from .dist import DistInfo, default_backend, get_dist_info, init_dist
from .files import atomic_write_json

__all__ = ['atomic_write_json', 'allow_mmengine_checkpoints', 'mmengine_checkpoint_globals', 'DistInfo',
           'default_backend', 'get_dist_info', 'init_dist']
