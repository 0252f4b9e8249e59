"""Scoring runs where the model is: batches go to the supernet's device and every temporary is made there.

The supernet is put on a fake CUDA device (torch's FakeTensorMode: no GPU needed), where any operation that mixes
a CPU tensor with a CUDA one raises, as it would on a real GPU. Batches arrive as a DataLoader gives them, on the
CPU. (Precise-BN's cumulative average reads a counter on the host, which fake tensors cannot; the momentum
protocol runs the same forward passes.)"""
import pytest
import torch
from torch import nn
from torch._subclasses.fake_tensor import FakeTensorMode

from pinas.models import SuperResNeSt, Track1Supernet
from pinas.search.scoring import build_proxy, recalibrate_bn, train_linear_head

NUM_CLASSES = 10


def batches(n=2, size=8, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [dict(inputs=torch.randn(size, 3, 32, 32, generator=g),
                 data_samples=torch.randint(0, NUM_CLASSES, (size,), generator=g)) for _ in range(n)]


def on_fake_cuda(module: nn.Module, mode: FakeTensorMode) -> nn.Module:
    with mode:
        for m in module.modules():
            for name, p in list(m.named_parameters(recurse=False)):
                setattr(m, name, nn.Parameter(mode.from_tensor(p.detach()).to('cuda'), requires_grad=p.requires_grad))
            for name, b in list(m.named_buffers(recurse=False)):
                if b is not None:
                    m._buffers[name] = mode.from_tensor(b).to('cuda')
    return module


SUPERNETS = {
    'resnest': lambda: SuperResNeSt('pinas_resnest_tiny', num_classes=NUM_CLASSES),
    'track1': lambda: Track1Supernet(dict(base='track1_resnet20', num_classes=NUM_CLASSES)),
}


@pytest.mark.parametrize('space', sorted(SUPERNETS))
@pytest.mark.parametrize('kind', ['top1', 'neg_loss', 'knn', 'contrastive', 'linear_probe'])
def test_every_proxy_scores_on_the_supernet_device(space, kind):
    mode = FakeTensorMode(allow_non_fake_inputs=True)
    supernet = on_fake_cuda(SUPERNETS[space]().eval(), mode)
    arch = supernet.space.sample()
    data = dict(val=lambda: batches(seed=1), memory=lambda: batches(seed=2))
    with mode:
        recalibrate_bn(supernet, arch, batches(), num_batches=2, protocol='momentum')
        options = dict(num_classes=NUM_CLASSES) if kind == 'knn' else {}
        if kind == 'linear_probe':  # built where the supernet is (its training step needs a real CUDA context)
            options['head'] = train_linear_head(supernet, batches, NUM_CLASSES, 0, 0.1, supernet.space.sample)
            assert options['head'].weight.device.type == 'cuda'
        score = build_proxy(kind, options)(supernet, arch, data)
    assert score.device.type == 'cuda' and score.dim() == 0


def test_cpu_batches_meet_a_cuda_model_only_through_the_scorer():
    """The check itself works: a CPU batch fed straight into the fake-CUDA supernet fails."""
    mode = FakeTensorMode(allow_non_fake_inputs=True)
    supernet = on_fake_cuda(SUPERNETS['resnest']().eval(), mode)
    with mode, pytest.raises(RuntimeError, match='same device|devices'):  # torch 2.14 / earlier wording
        supernet(batches()[0]['inputs'], supernet.space.sample())


def test_scores_equal_a_single_process_under_sharding():
    """ShardedBatchSampler: the ranks together read exactly the batches of one process, in order."""
    from pinas.search.scoring import ShardedBatchSampler
    one = list(ShardedBatchSampler(23, 4, rank=0, world=1))
    shards = [list(ShardedBatchSampler(23, 4, rank=r, world=3)) for r in range(3)]
    assert sorted(b for s in shards for b in s) == one
    assert [len(ShardedBatchSampler(23, 4, rank=r, world=3)) for r in range(3)] == [len(s) for s in shards]
