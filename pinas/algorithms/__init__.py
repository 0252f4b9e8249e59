"""Supernet training algorithms as mmengine models (one method per module)."""
from .base import SupernetAlgorithm, build_supernet
from .cept import CEPT
from .pinas import MLPNeck, PiNAS
from .sampling import PathSampler
from .spos import SPOS

__all__ = ['SupernetAlgorithm', 'build_supernet', 'CEPT', 'PiNAS', 'SPOS', 'MLPNeck', 'PathSampler']
