"""All ranks train the same paths: drawn on rank 0 and broadcast, even when the ranks' RNGs disagree."""
import socket

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from pinas.algorithms import PathSampler
from pinas.algorithms.cept import CEPT
from pinas.algorithms.distributed import shuffle_across_ranks, unshuffle_across_ranks


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _worker(rank, world_size, port, results):
    dist.init_process_group('gloo', init_method=f'tcp://127.0.0.1:{port}', rank=rank, world_size=world_size)
    try:
        sampler = PathSampler((4,) * 6, seed=100 + rank)  # deliberately different seeds per rank
        paths = [str(p) for _ in range(5) for p in sampler.disjoint(2)]
        cept = CEPT(step=2, backbone=dict(space=dict(base='track1_resnet20', depths=(1, 1, 1))),
                            seed=100 + rank)
        paths += [str(cept.sample_arch()) for _ in range(5)]
        x = torch.arange(4.0).view(4, 1) + 10 * rank
        shuffled, perm = shuffle_across_ranks(x)
        restored = unshuffle_across_ranks(shuffled * 2, perm)
        results[rank] = dict(paths=paths, restored=restored.tolist(), shuffled=shuffled.tolist())
    finally:
        dist.destroy_process_group()


@pytest.mark.slow
def test_paths_are_identical_across_two_ranks():
    manager = mp.Manager()
    results = manager.dict()
    mp.spawn(_worker, args=(2, _free_port(), results), nprocs=2, join=True)
    assert results[0]['paths'] == results[1]['paths']
    # ShuffleBN round trip: each rank gets its own samples back (doubled), after a global shuffle.
    for rank in (0, 1):
        assert results[rank]['restored'] == [[2.0 * (i + 10 * rank)] for i in range(4)]
    everything = sorted(v for r in (0, 1) for row in results[r]['shuffled'] for v in row)
    assert everything == sorted([float(i + 10 * r) for r in (0, 1) for i in range(4)])
