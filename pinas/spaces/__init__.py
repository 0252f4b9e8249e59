"""Search spaces as data: the macro-architecture and the candidate table, built from config dicts."""
from .resnest import (PINAS_CANDIDATES, Candidate, ResNeStSpace, build_space, get_space, list_spaces,
                      register_space)

__all__ = ['Candidate', 'ResNeStSpace', 'PINAS_CANDIDATES', 'build_space', 'get_space', 'list_spaces',
           'register_space']
