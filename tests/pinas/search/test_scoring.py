"""Candidate scoring: precise-BN recalibration of one path, then deterministic scores."""
import pytest
import torch

from pinas.models import SuperResNeSt
from pinas.search.scoring import Scorer, path_batchnorms, recalibrate_bn

ARCH, OTHER = (3, 0, 2, 1, 1, 3), (0, 1, 1, 2, 3, 0)


def _batches(n=4, size=16, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [dict(inputs=torch.randn(size, 3, 32, 32, generator=g),
                 data_samples=torch.randint(0, 10, (size,), generator=g)) for _ in range(n)]


@pytest.fixture
def supernet():
    return SuperResNeSt('pinas_resnest_tiny', num_classes=10).eval()


def test_recalibration_is_the_mean_of_batch_statistics(supernet):
    batches = _batches()
    first_bn = supernet.bn1  # the stem BN sees the stem conv output directly
    stats = []
    hook = first_bn.register_forward_hook(lambda m, inp, out: stats.append(
        (inp[0].mean((0, 2, 3)), inp[0].var((0, 2, 3), unbiased=True))))
    recalibrate_bn(supernet, ARCH, batches, num_batches=3)
    hook.remove()
    assert len(stats) == 3
    torch.testing.assert_close(first_bn.running_mean, torch.stack([m for m, _ in stats]).mean(0))
    torch.testing.assert_close(first_bn.running_var, torch.stack([v for _, v in stats]).mean(0))
    assert first_bn.momentum == 0.1 and not supernet.training


def test_recalibration_touches_only_the_path(supernet):
    on_path = {id(bn) for bn in path_batchnorms(supernet, ARCH)}
    before = {n: m.running_mean.clone() for n, m in supernet.named_modules() if isinstance(m, torch.nn.BatchNorm2d)}
    recalibrate_bn(supernet, ARCH, _batches(), num_batches=2)
    for name, module in supernet.named_modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            changed = not torch.equal(module.running_mean, before[name])
            assert changed == (id(module) in on_path), name


@pytest.mark.parametrize('kind', ['top1', 'neg_loss', 'knn', 'contrastive'])
def test_scores_are_deterministic(supernet, kind):
    scorer = Scorer(supernet, kind, recalib=lambda: _batches(seed=1), val=lambda: _batches(seed=2),
                    recalib_batches=3, memory=lambda: _batches(seed=3))
    first = scorer(ARCH)
    scorer(OTHER)  # scoring another path in between must not change this one's score
    assert scorer(ARCH) == first


def test_unknown_scorer_is_named(supernet):
    with pytest.raises(ValueError, match='choose one of'):
        Scorer(supernet, 'flops', recalib=list, val=list, recalib_batches=1)
    with pytest.raises(ValueError, match='memory set'):
        Scorer(supernet, 'knn', recalib=list, val=list, recalib_batches=1)


@pytest.mark.parametrize('kind', ['knn', 'contrastive', 'linear_probe'])
def test_unsupervised_scores_serve_every_path_of_a_channel_space(kind):
    """A headless Track-1 supernet (Pi-NAS's) ends its paths in 4 to 64 channels; one probe head and every
    feature score must still work for the narrowest and the widest path alike."""
    from pinas.algorithms.sampling import PathSampler
    from pinas.models import Track1Supernet
    from pinas.search.scoring import train_linear_head
    net = Track1Supernet(dict(base='track1_resnet20', num_classes=0), width_remap={}, post_add_act='relu').eval()
    sampler = PathSampler(net.space.cardinalities, seed=0)
    head = train_linear_head(net, lambda: _batches(2), 10, 1, 0.1, lambda: sampler.uniform(1)[0]) \
        if kind == 'linear_probe' else None
    scorer = Scorer(net, kind, recalib=lambda: _batches(seed=1), val=lambda: _batches(seed=2), recalib_batches=2,
                    memory=lambda: _batches(seed=3), options=dict(head=head) if head is not None else None)
    narrow, wide = net.space.min_arch(), net.space.max_arch()
    scores = [scorer(narrow), scorer(wide)]
    assert all(torch.isfinite(torch.tensor(scores))) and scorer(narrow) == scores[0]


def test_a_random_scoring_pipeline_gives_every_candidate_the_same_images():
    """Recalibration on train-augmented images (the official ImageNet protocol) stays reproducible: sample i is
    augmented the same way on every pass and in any order (any worker), and the caller's random state is kept."""
    import random
    from pinas.apis.search import SeededSamples

    class Augmented(torch.utils.data.Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, index):
            return torch.rand(3) + random.random() + index

    samples = SeededSamples(Augmented(), seed=5)
    torch_state, python_state = torch.get_rng_state(), random.getstate()
    first = [samples[i] for i in range(4)]
    again = [samples[i] for i in reversed(range(4))][::-1]
    assert all(torch.equal(a, b) for a, b in zip(first, again))
    assert not torch.equal(first[0] - 0, first[1] - 1)  # different samples, different draws
    assert torch.equal(torch.get_rng_state(), torch_state) and random.getstate() == python_state
