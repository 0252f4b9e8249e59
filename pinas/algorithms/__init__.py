"""Supernet training algorithms as mmengine models (one method per module)."""
from .base import SupernetAlgorithm
from .cept import STEP_DEFAULTS, CEPTSupernet
from .pinas import MLPNeck, PiNAS
from .sampling import PathSampler
from .spos import SPOS

__all__ = ['SupernetAlgorithm', 'CEPTSupernet', 'STEP_DEFAULTS', 'PiNAS', 'SPOS', 'MLPNeck', 'PathSampler']
