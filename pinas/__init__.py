"""pinas: weight-sharing NAS search spaces, supernet training, search and export.

Importing the package registers the Pi-NAS timm models (``pinas_resnest50d`` and friends).
"""
from .arch import Arch, ArchError, read_arch_file, write_arch_file
from .spaces import SearchSpace, build_space
from . import models  # noqa: F401  (registers timm models)

__version__ = '0.1.0'
__all__ = ["Arch", "ArchError", "read_arch_file", "write_arch_file", 'SearchSpace', 'build_space', 'models']
