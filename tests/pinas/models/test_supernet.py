"""The supernet and the stand-alone networks it exports."""
import pytest
import torch

from pinas.models import (CheckpointMismatchError, StandaloneResNeSt, SuperResNeSt, inherit_weights,
                          subnet_state_dict)
from pinas.spaces import build_space

TINY = build_space('pinas_resnest_tiny')


def _randomize_bn(model):
    # Non-trivial BN statistics/affine so that a wrong slice cannot pass by accident (bn3 is zero-initialised).
    g = torch.Generator().manual_seed(1)
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.weight.data = torch.rand(m.weight.shape, generator=g) + 0.5
            m.bias.data = torch.randn(m.bias.shape, generator=g) * 0.1
            m.running_mean = torch.randn(m.running_mean.shape, generator=g) * 0.1
            m.running_var = torch.rand(m.running_var.shape, generator=g) + 0.5


def test_candidates_have_independent_weights_and_shared_shortcuts():
    net = SuperResNeSt(TINY)
    first = net.layer1[0]
    assert len(first) == TINY.num_choices
    assert all(c.downsample is first[0].downsample for c in first)  # one shortcut per stage
    assert first[0].conv1.weight is not first[1].conv1.weight
    assert len({id(c.bn1) for c in first}) == TINY.num_choices


def test_forward_runs_only_the_path():
    net = SuperResNeSt(TINY).eval()
    arch = TINY.parse('302113')
    used = {id(p) for m in net.path_modules(arch) for p in m.parameters()}
    x = torch.randn(2, 3, 32, 32)
    net(x, arch).sum().backward()
    for p in net.parameters():
        assert (p.grad is not None) == (id(p) in used)


@pytest.mark.parametrize('code', ['302113', '000000', '333333', '123012'])
def test_inherited_standalone_matches_supernet_path(code):
    supernet = SuperResNeSt(TINY, num_classes=10)
    _randomize_bn(supernet)
    model = StandaloneResNeSt(code, TINY, num_classes=10)
    inherit_weights(model, supernet.state_dict())
    supernet.eval(), model.eval()
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        torch.testing.assert_close(model(x), supernet(x, code), rtol=0, atol=0)


def test_subnet_state_dict_has_exactly_the_standalone_keys():
    supernet = SuperResNeSt('pinas_resnest50d')
    sliced = subnet_state_dict(supernet.state_dict(), '3013231203213032')
    model = StandaloneResNeSt('3013231203213032', num_classes=0)
    assert set(sliced) == set(model.state_dict())
    assert all(sliced[k].shape == v.shape for k, v in model.state_dict().items())


def test_paper_supernet_size():
    # The official supernet (github.com/Ernie1/Pi-NAS, shared shortcuts): 91.52 M parameters.
    assert sum(p.numel() for p in SuperResNeSt('pinas_resnest50d').parameters()) == pytest.approx(91.52e6, rel=1e-3)


def test_wrong_checkpoint_names_the_keys():
    supernet = SuperResNeSt(TINY)
    model = StandaloneResNeSt('302113', build_space(dict(base='pinas_resnest_tiny', width_mult=0.5)))
    with pytest.raises(CheckpointMismatchError, match='shape mismatches: layer1.0.conv1.weight'):
        inherit_weights(model, supernet.state_dict())
    with pytest.raises(CheckpointMismatchError, match='no key starts with prefix'):
        inherit_weights(StandaloneResNeSt('302113', TINY), supernet.state_dict(), prefix='backbone.')
