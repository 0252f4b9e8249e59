import functools
import os

import mmengine.config.config as mmengine_config
import pytest
import torch

# One intra-op thread unless OMP_NUM_THREADS asks for more (subprocesses inherit the variable): the tests' networks
# are tiny, and a second OpenMP thread costs more in synchronisation than it gains, by orders of magnitude when other
# processes share the cores (tests/pinas/search/test_scoring.py's determinism tests: 16 s of CPU with 2 threads,
# 0.35 s with 1, on 2 busy cores).
os.environ.setdefault('OMP_NUM_THREADS', '1')
try:
    torch.set_num_threads(max(1, int(os.environ['OMP_NUM_THREADS'])))
except ValueError:  # e.g. a per-level list, '4,2'
    torch.set_num_threads(1)


@functools.lru_cache(maxsize=256)
def _format_code(text, style):
    return _yapf_format_code(text, style_config=dict(style))


_yapf_format_code = mmengine_config.FormatCode


def _memoized_format_code(text, style_config=None, **kwargs):
    """mmengine formats the whole config with yapf each time it prints, dumps or checkpoints it (3 to 5 times per
    runner, up to a second each on a busy core); formatting is a pure function of the text, so the tests' runners
    share one result per text. Calls with other arguments go to yapf unchanged."""
    if kwargs or not isinstance(style_config, dict):
        return _yapf_format_code(text, style_config=style_config, **kwargs)
    return _format_code(text, tuple(sorted(style_config.items())))


mmengine_config.FormatCode = _memoized_format_code


@pytest.fixture(scope='module')
def one_thread():
    """One intra-op thread for a module's tiny networks even where OMP_NUM_THREADS asks for more (they build and
    run fastest on one, and far faster on a loaded machine); the count is restored after the module."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)
