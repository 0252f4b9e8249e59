"""Search spaces as data: every space implements :class:`SearchSpace` and is built by :func:`build_space`."""
from .base import SearchSpace, SpaceLike, build_space, build_space_for, get_space, list_spaces, register_space
from .resnest import PINAS_CANDIDATES, Candidate, ResNeStSpace
from .nasbench_macro import NASBenchMacroSpace
from .track1 import Track1Space

__all__ = ['SearchSpace', 'SpaceLike', 'build_space', 'build_space_for', 'get_space', 'list_spaces', 'register_space', 'Candidate',
           'ResNeStSpace', 'PINAS_CANDIDATES', 'Track1Space',
           'NASBenchMacroSpace']
