"""Sharded scoring: two gloo processes score candidates from their halves of the data and get, on every rank, the
scores one process gets from all of it (recalibration statistics and counts are combined over ranks)."""
import json
import os
import socket

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.utils.data import DataLoader, TensorDataset

from pinas.models import SuperResNeSt
from pinas.search.scoring import Scorer, ShardedBatchSampler

WORLD = 2
KINDS = ('top1', 'neg_loss', 'knn', 'contrastive')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def loader(seed: int, num: int = 40, batch_size: int = 8):
    """A fixed labelled dataset read through the scoring sampler (this rank's batches: r, r + N, ...)."""
    g = torch.Generator().manual_seed(seed)
    data = TensorDataset(torch.randn(num, 3, 32, 32, generator=g), torch.randint(0, 10, (num,), generator=g))
    batches = DataLoader(data, batch_sampler=ShardedBatchSampler(num, batch_size),
                         collate_fn=lambda rows: dict(inputs=torch.stack([r[0] for r in rows]),
                                                      data_samples=torch.stack([r[1] for r in rows])))
    return lambda: batches


def scores() -> dict:
    torch.manual_seed(0)
    supernet = SuperResNeSt('pinas_resnest_tiny', num_classes=10).eval()
    archs = [supernet.space.parse(code) for code in ('302113', '000000', '333333')]
    out = {}
    for kind in KINDS:
        scorer = Scorer(supernet, kind, recalib=loader(1), val=loader(2), recalib_batches=5, memory=loader(3))
        out[kind] = [scorer(arch) for arch in archs]
    return out


def run_rank(rank, port, out_dir):
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    torch.set_num_threads(1)
    dist.init_process_group('gloo', rank=rank, world_size=WORLD)
    try:
        (out_dir / f'rank{rank}.json').write_text(json.dumps(scores()))
    finally:
        dist.destroy_process_group()


@pytest.mark.slow
def test_two_ranks_score_as_one_process(tmp_path):
    mp.spawn(run_rank, args=(free_port(), tmp_path), nprocs=WORLD, join=True)
    single = scores()
    for rank in range(WORLD):
        sharded = json.loads((tmp_path / f'rank{rank}.json').read_text())
        for kind in KINDS:
            assert sharded[kind] == pytest.approx(single[kind], rel=1e-5, abs=1e-6), (rank, kind)
