"""Search spaces as data: the macro-architecture and the candidate table, built from config dicts."""
from .track1 import (Track1Space, build_track1_space, get_track1_space, list_track1_spaces,
                     register_track1_space)
from .resnest import (PINAS_CANDIDATES, Candidate, ResNeStSpace, build_space, get_space, list_spaces,
                      register_space)

__all__ = ['Track1Space', 'build_track1_space', 'get_track1_space', 'list_track1_spaces',
           'register_track1_space', 'Candidate', 'ResNeStSpace', 'PINAS_CANDIDATES', 'build_space', 'get_space',
           'list_spaces', 'register_space']
