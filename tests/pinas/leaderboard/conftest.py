"""Fixtures of the leaderboard tests. pytest's default import mode puts this directory on ``sys.path``, so the tests
import ``leaderboard_helpers`` (beside it) by name."""
import pytest

from tools import leaderboard as leaderboard_tool


@pytest.fixture(scope='module')
def tool():
    """``tools/leaderboard.py`` as a module: its ``main(argv)`` runs in the test's process."""
    return leaderboard_tool
