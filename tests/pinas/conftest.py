"""Fixtures of the Track-1 tests, which sit beside the other tests of the module they test (spaces, models,
algorithms): the public ground-truth codes (read in place, never copied)."""
import json
import os
from pathlib import Path

import pytest

GT_FILE = Path(os.environ.get('PINAS_TRACK1_GT', '/work/shared/data/track1_gt_first_1000.json'))


@pytest.fixture(scope='session')
def gt_table() -> dict:
    """``{"archN": {"acc": ..., "arch": "16-4-..."}}`` of the 1,000 ground-truth architectures."""
    if not GT_FILE.is_file():
        pytest.skip(f'Track-1 ground truth {GT_FILE} is absent (set PINAS_TRACK1_GT to its path)')
    return json.loads(GT_FILE.read_text())


@pytest.fixture(scope='session')
def gt_codes(gt_table) -> list[str]:
    return [entry['arch'] for entry in gt_table.values()]

