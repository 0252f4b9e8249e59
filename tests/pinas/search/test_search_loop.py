"""The search loop: interrupted searches resume without re-scoring and end as uninterrupted ones; state files,
errors, logging and outputs."""
import json
import logging

import pytest
from torch import nn

from pinas.arch import read_arch_file
from pinas.ranking import read_table
from pinas.search import (EvolutionSearch, LearnedPartitionSearch, RandomSearch, ResourceConstraint, SearchError,
                          Searcher, write_search_outputs)
from search_helpers import GridSpace, SeparableScore

SPACE = GridSpace((4,) * 5)
FAST_CLASSIFIER = dict(lgb_params=dict(min_data_in_leaf=3), num_threads=1, hyperopt_evals=2, boost_rounds=20,
                       early_stopping_rounds=20, max_retrain=1)


def width_net(arch):
    return nn.Sequential(nn.Flatten(), nn.Linear(3 * 4 * 4, 2 + sum(arch)))


def make_strategy(kind):
    if kind == 'random':
        return RandomSearch(SPACE, max_evals=30)
    if kind == 'evolution':
        constraint = ResourceConstraint(width_net, max_params_M=(2 + 9) * 49 / 1e6, input_size=4)
        return EvolutionSearch(SPACE, constraint, population_size=8, max_generations=4, top_k=3, num_mutation=3,
                               num_crossover=3, mutate_prob=0.3)
    return LearnedPartitionSearch(SPACE, initial_sample=12, selects=6, max_samples=36, height_levels=(20, 30),
                                  classifier=FAST_CLASSIFIER)


class Interrupt(Exception):
    pass


class CrashingScore(SeparableScore):
    """Raises on call ``crash_at`` (1-based), like a job killed in the middle of scoring."""

    def __init__(self, cardinalities, crash_at):
        super().__init__(cardinalities)
        self.crash_at = crash_at

    def __call__(self, arch):
        if len(self.calls) + 1 == self.crash_at:
            raise Interrupt(f'killed while scoring {arch}')
        return super().__call__(arch)


@pytest.mark.parametrize('kind', ['random', 'evolution', 'lanas'])
def test_interrupted_search_resumes_to_the_same_result(tmp_path, quiet_logger, kind):
    reference = SeparableScore(SPACE.cardinalities)
    expected = Searcher(SPACE, make_strategy(kind), reference, seed=3, logger=quiet_logger).run()

    state = tmp_path / 'search_state.json'
    crashing = CrashingScore(SPACE.cardinalities, crash_at=17)  # mid generation / mid refit batch
    with pytest.raises(Interrupt):
        Searcher(SPACE, make_strategy(kind), crashing, seed=3, state_file=state, logger=quiet_logger).run()
    saved = json.loads(state.read_text())
    assert len(saved['history']) == 16 and saved['strategy'] == kind
    assert [p.name for p in tmp_path.iterdir()] == ['search_state.json']  # no temporary file left behind

    resumed_score = SeparableScore(SPACE.cardinalities)
    result = Searcher(SPACE, make_strategy(kind), resumed_score, seed=3, state_file=state,
                        logger=quiet_logger).run()
    assert not set(resumed_score.calls) & set(crashing.calls)  # nothing scored twice
    assert crashing.calls + resumed_score.calls == [e.arch for e in result.history]
    assert [(e.arch, e.score, e.info) for e in result.history] == \
        [(e.arch, e.score, e.info) for e in expected.history]

    again = SeparableScore(SPACE.cardinalities)  # a finished search resumes to nothing left to do
    assert Searcher(SPACE, make_strategy(kind), again, seed=3, state_file=state,
                      logger=quiet_logger).run().history == result.history
    assert again.calls == []


def test_state_from_another_search_is_refused(tmp_path, quiet_logger):
    state = tmp_path / 'state.json'
    Searcher(SPACE, make_strategy('random'), SeparableScore(SPACE.cardinalities), seed=0, state_file=state,
               logger=quiet_logger).run()
    with pytest.raises(SearchError, match="strategy='random'.*delete it"):
        Searcher(SPACE, make_strategy('evolution'), SeparableScore(SPACE.cardinalities), state_file=state,
                   logger=quiet_logger).run()
    with pytest.raises(SearchError, match='seed=0.*seed=1'):
        Searcher(SPACE, make_strategy('random'), SeparableScore(SPACE.cardinalities), seed=1, state_file=state,
                   logger=quiet_logger).run()
    state.write_text('{"format": ')
    with pytest.raises(SearchError, match='not valid JSON'):
        Searcher(SPACE, make_strategy('random'), SeparableScore(SPACE.cardinalities), state_file=state,
                   logger=quiet_logger).run()


@pytest.mark.parametrize('value, message', [(float('nan'), 'finite'), ('good', 'must return a number')])
def test_bad_scores_stop_the_search_clearly(quiet_logger, value, message):
    with pytest.raises(SearchError, match=message):
        Searcher(SPACE, make_strategy('random'), lambda arch: value, logger=quiet_logger).run()


def test_each_evaluation_is_logged_with_the_running_best():
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger('pinas.tests.search.progress')
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    score = SeparableScore(SPACE.cardinalities)
    result = Searcher(SPACE, RandomSearch(SPACE), score, max_evals=5, logger=logger).run()
    lines = [r.getMessage() for r in records if r.getMessage().startswith('search [')]
    assert len(lines) == 5 and lines[0].startswith('search [1/5]')
    best = result.best
    assert lines[-1].endswith(f'| best {best.score:.4f} ({best.arch})')


def test_outputs_ranked_tables_and_top_arch_files(tmp_path, quiet_logger):
    score = SeparableScore(SPACE.cardinalities)
    result = Searcher(SPACE, make_strategy('evolution'), score, logger=quiet_logger).run()
    written = write_search_outputs(result.history, SPACE, tmp_path / 'out', top_n=3)
    table = read_table(written['table_csv'])
    assert table.values == {str(e.arch): e.score for e in result.history}
    rows = json.loads(written['table_json'].read_text())
    assert [r['rank'] for r in rows] == list(range(1, len(rows) + 1))
    assert rows[0]['arch'] == str(result.best.arch) and 'params_M' in rows[0]
    assert [r['score'] for r in rows] == sorted((e.score for e in result.history), reverse=True)
    assert len(written['best_archs']) == 3
    assert [read_arch_file(p) for p in written['best_archs']] == [str(e.arch) for e in result.top(3)]
    meta = json.loads(written['best_archs'][0].read_text())
    assert meta['rank'] == 1 and meta['space'] == 'grid' and meta['score'] == result.best.score


def test_a_track1_search_writes_width_codes_and_resumes(tmp_path, quiet_logger):
    """Track-1 architectures hold choice indices but users, arch files and ground-truth tables use width codes
    ('16-4-12-...'): the state file, the ranked table and the arch files must use the codes and read back."""
    from pinas.spaces import build_space
    space = build_space('track1_resnet20')
    score = SeparableScore(space.cardinalities)
    state = tmp_path / 'state.json'

    def search(score_fn):
        strategy = EvolutionSearch(space, population_size=6, max_generations=2, top_k=2, num_mutation=3,
                                   num_crossover=3, mutate_prob=0.3)
        return Searcher(space, strategy, score_fn, seed=1, state_file=state, logger=quiet_logger).run()

    first = search(score)
    calls = len(score.calls)
    resumed = search(score)
    assert len(score.calls) == calls  # nothing scored twice
    assert [e.arch for e in resumed.history] == [e.arch for e in first.history]
    written = write_search_outputs(first.history, space, tmp_path / 'out', top_n=2)
    table = read_table(written['table_json'])
    assert table.values == {space.format(e.arch): e.score for e in first.history}
    best_file = written['best_archs'][0]
    assert read_arch_file(best_file) == space.format(first.best.arch)
    assert space.parse(read_arch_file(best_file)) == first.best.arch
    assert json.loads(best_file.read_text())['space'] == space.name
