"""A search state belongs to the supernet and the settings it scored: another checkpoint or new constraints start
the search over (saying why) instead of reusing stale scores; impossible constraints are refused up front."""
import json
import logging

import pytest
from torch import nn

from pinas.apis.search import check_constraints, search_context
from pinas.search import RandomSearch, SearchError, Searcher, write_search_outputs
from search_helpers import GridSpace, SeparableScore

SPACE = GridSpace((3,) * 4)
EVALS = 5


class Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


@pytest.fixture
def logger():
    logger = logging.getLogger('search_context_test')
    logger.handlers[:] = [Lines()]
    logger.propagate = False
    return logger


def search(state, logger, context, derived=()):
    score = SeparableScore(SPACE.cardinalities)
    result = Searcher(SPACE, RandomSearch(SPACE), score, max_evals=EVALS, state_file=state, seed=1, logger=logger,
                      context=context, derived=derived).run()
    return result, score


def test_the_same_supernet_resumes_and_another_starts_over(tmp_path, logger):
    state, outputs = tmp_path / 'state.json', tmp_path / 'ranked.json'
    checkpoint = tmp_path / 'epoch_1.pth'
    checkpoint.write_bytes(b'supernet weights')
    settings = dict(scorer=dict(type='top1'))
    first, _ = search(state, logger, search_context(settings, checkpoint), [outputs])
    write_search_outputs(first.history, SPACE, tmp_path, top_n=1)
    assert json.loads(state.read_text())['context']['checkpoint']['name'] == 'epoch_1.pth'

    again, score = search(state, logger, search_context(settings, checkpoint), [outputs])
    assert score.calls == [] and outputs.is_file()  # the same checkpoint: every score reused

    checkpoint.write_bytes(b'retrained supernet weights')  # --retrain, or --resume with more epochs
    logger.handlers[0].lines.clear()
    fresh, score = search(state, logger, search_context(settings, checkpoint), [outputs])
    assert len(score.calls) == EVALS and not outputs.exists()  # everything scored again; stale table removed
    warnings = [line for line in logger.handlers[0].lines if 'starting the search over' in line]
    assert len(warnings) == 1 and 'another checkpoint (epoch_1.pth sha256' in warnings[0]


def test_new_scoring_or_constraint_settings_start_over(tmp_path, logger):
    state, checkpoint = tmp_path / 'state.json', tmp_path / 'epoch_1.pth'
    checkpoint.write_bytes(b'weights')
    search(state, logger, search_context(dict(scorer=dict(type='top1')), checkpoint))
    for changed in (dict(scorer=dict(type='knn')), dict(scorer=dict(type='top1'), constraints=dict(max_params_M=1))):
        logger.handlers[0].lines.clear()
        _, score = search(state, logger, search_context(changed, checkpoint))
        assert len(score.calls) == EVALS
        assert any('other settings' in line and 'starting the search over' in line
                   for line in logger.handlers[0].lines)
    # the strategy, budget and seed are not part of what a score depends on
    _, score = search(state, logger, search_context(dict(changed, max_evals=9, top_n=2, seed=3), checkpoint))
    assert score.calls == []


def test_a_state_without_context_is_not_trusted_for_a_recorded_search(tmp_path, logger):
    state, checkpoint = tmp_path / 'state.json', tmp_path / 'epoch_1.pth'
    checkpoint.write_bytes(b'weights')
    search(state, logger, None)  # e.g. written before states recorded their supernet
    _, score = search(state, logger, search_context({}, checkpoint))
    assert len(score.calls) == EVALS


def width_net(arch):
    return nn.Linear(4, 1 + sum(arch))


def test_impossible_constraints_are_refused_before_anything_runs():
    space = GridSpace((3,) * 2)
    with pytest.raises(SearchError, match=r'no architecture of grid meets the constraint max_params_M=1e-06: the '
                                          r'smallest, 00, has params_M 5e-06; raise search\.constraints\.max_params_M'):
        check_constraints(dict(constraints=dict(max_params_M=1e-6)), space, width_net)
    check_constraints(dict(constraints=dict(max_params_M=5e-6)), space, width_net)  # the smallest one fits
