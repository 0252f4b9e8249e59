"""Search spaces as data: every space implements :class:`SearchSpace` and is built by :func:`build_space`."""
from .base import SearchSpace, SpaceLike, build_space, build_space_for, get_space, list_spaces, register_space
from .resnest import (NAMED_ARCHS, PINAS_CANDIDATES, PINAS_CLS, PINAS_TRANS, RESNEST50D, Candidate, NamedArch,
                      ResNeStSpace, named_arch)
from .nasbench_macro import NASBenchMacroSpace
from .track1 import Track1Space

__all__ = ['SearchSpace', 'SpaceLike', 'build_space', 'build_space_for', 'get_space', 'list_spaces', 'register_space', 'Candidate',
           'ResNeStSpace', 'PINAS_CANDIDATES', 'Track1Space', 'NamedArch', 'NAMED_ARCHS', 'named_arch', 'PINAS_CLS',
           'PINAS_TRANS', 'RESNEST50D',
           'NASBenchMacroSpace']
