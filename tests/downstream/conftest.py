"""Fixtures of the downstream (transfer) tests: tiny datasets, made once per session.

pytest's default import mode puts the directory of each conftest.py on ``sys.path``, so the tests below this one
import ``transfer_paths`` (beside it) by name."""
import pytest


@pytest.fixture(scope='session')
def tiny_data(tmp_path_factory):
    """Tiny COCO / ADE20K / Cityscapes in the real layouts; the smoke configs find them via PINAS_TINY_DATA."""
    from downstream.datasets import make_tiny_datasets
    root = tmp_path_factory.mktemp('tiny_data')
    make_tiny_datasets(root)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv('PINAS_TINY_DATA', str(root))
        yield root
