"""Fixtures of the search tests."""
import logging

import pytest


@pytest.fixture
def quiet_logger():
    logger = logging.getLogger('pinas.tests.search')
    logger.setLevel(logging.ERROR)
    return logger
