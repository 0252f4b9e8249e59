"""Two gloo processes run one search: rank 0 proposes, both ranks score the same candidates and agree."""
import json
import os
import socket

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from pinas.search import EvolutionSearch, RandomSearch, SearchError, Searcher
from search_helpers import GridSpace, SeparableScore

WORLD = 2


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def run_rank(rank, port, out_dir):
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    dist.init_process_group('gloo', rank=rank, world_size=WORLD)
    try:
        space = GridSpace((4,) * 5)
        table = SeparableScore(space.cardinalities)
        scored = []

        def score_fn(arch):
            """Each rank scores its half of a 'validation set'; the all-reduce gives every rank the total."""
            scored.append(str(arch))
            value = torch.tensor([table.value(arch) / WORLD], dtype=torch.float64)
            dist.all_reduce(value)
            return value.item()

        def search():
            strategy = EvolutionSearch(space, population_size=6, max_generations=3, top_k=2, num_mutation=3,
                                       num_crossover=3, mutate_prob=0.3)
            # A different seed per rank: agreement can only come from rank 0's broadcast.
            state_file = os.path.join(out_dir, f'state{rank}.json')
            return Searcher(space, strategy, score_fn, seed=rank, state_file=state_file, logger=_quiet()).run()

        first = search()
        first_scored = list(scored)
        resumed = search()  # rank 0 resumes from its file and broadcasts the history to rank 1
        try:  # rank 0's state file belongs to another strategy: rank 0 refuses it, rank 1 must not hang
            Searcher(space, RandomSearch(space, max_evals=5), score_fn, seed=rank,
                       state_file=os.path.join(out_dir, f'state{rank}.json'), logger=_quiet()).run()
            mismatch = 'no error'
        except SearchError as err:
            mismatch = str(err)
        report = dict(mismatch=mismatch, scored=first_scored, resumed_scored=scored[len(first_scored):],
                      history=[(str(e.arch), e.score) for e in first.history],
                      resumed_history=[(str(e.arch), e.score) for e in resumed.history])
        with open(os.path.join(out_dir, f'rank{rank}.json'), 'w') as handle:
            json.dump(report, handle)
    finally:
        dist.destroy_process_group()


def _quiet():
    import logging
    logger = logging.getLogger(f'pinas.tests.search.dist{os.getpid()}')
    logger.setLevel(logging.ERROR)
    return logger


@pytest.mark.slow
def test_two_ranks_see_identical_candidates(tmp_path):
    mp.spawn(run_rank, args=(free_port(), str(tmp_path)), nprocs=WORLD, join=True)
    reports = [json.loads((tmp_path / f'rank{r}.json').read_text()) for r in range(WORLD)]
    assert len(reports[0]['scored']) == 18
    assert reports[0]['scored'] == reports[1]['scored']
    assert reports[0]['history'] == reports[1]['history']
    assert [a for a, _ in reports[0]['history']] == reports[0]['scored']
    # only rank 0 writes the state file
    assert (tmp_path / 'state0.json').is_file() and not (tmp_path / 'state1.json').exists()
    # the resumed run scores nothing and every rank receives the finished history
    for report in reports:
        assert report['resumed_scored'] == [] and report['resumed_history'] == report['history']
    # an error on rank 0 reaches every rank instead of leaving the others waiting in a broadcast
    assert "strategy='evolution'" in reports[0]['mismatch']
    assert reports[1]['mismatch'].startswith('rank 0 failed') and "strategy='evolution'" in reports[1]['mismatch']
