"""Zero-cost proxies: each one checked against its published definition on networks small enough to work the
definition out by other means, run where the model is, and scored the same way for every space."""
import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from pinas.models import build_standalone
from pinas.studies.zero_cost import (JACOV_K, Minibatch, data_proxies, get_proxy, list_proxies, ranked_rows,
                                     score_architecture, score_architectures, shape_batch, zero_cost_proxy)
from pinas.registry import ZERO_COST
from pinas.spaces import build_space

pytestmark = pytest.mark.usefixtures('one_thread')  # tests/conftest.py

STANDARD = ['params', 'flops', 'grad_norm', 'snip', 'grasp', 'fisher', 'synflow', 'jacov', 'naswot']
NUM_CLASSES = 5
SPACE_ARCHS = {'track1_resnet20': '4-8-4-8-4-8-4-8-8-8-8-8-8-8-8-8-8-8-8-8', 'pinas_resnest_tiny': '012301',
               'nasbench_macro': '01200120'}


def batch(n=6, size=4, classes=NUM_CLASSES, seed=0):
    g = torch.Generator().manual_seed(seed)
    return Minibatch(torch.randn(n, 3, size, size, generator=g), torch.randint(0, classes, (n,), generator=g))


def linear(size=4, classes=NUM_CLASSES, seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Flatten(), nn.Linear(3 * size * size, classes, bias=False))


def test_the_standard_proxies_are_registered_and_say_what_they_read():
    assert list_proxies()[:len(STANDARD)] == STANDARD
    assert data_proxies(STANDARD) == ['grad_norm', 'snip', 'grasp', 'fisher', 'jacov', 'naswot']
    assert not get_proxy('params').needs_init and not get_proxy('flops').needs_init
    with pytest.raises(KeyError, match="unknown zero-cost proxy 'nope'; known: params, flops"):
        get_proxy('nope')


def test_grad_norm_and_snip_are_their_sums_over_weight_gradients():
    model, b = linear(), batch()
    F.cross_entropy(model(b.inputs), b.targets).backward()
    weight = model[1].weight
    assert float(get_proxy('grad_norm')(linear(), b)) == pytest.approx(float(weight.grad.norm()), rel=1e-5)
    assert float(get_proxy('snip')(linear(), b)) == pytest.approx(float((weight.grad * weight).abs().sum()), rel=1e-5)


def test_grasp_is_minus_weights_times_hessian_gradient_product():
    b, weight = batch(size=2), linear(size=2)[1].weight.detach()

    def loss(w):
        return F.cross_entropy(b.inputs.flatten(1) @ w.T, b.targets)
    hessian = torch.autograd.functional.hessian(loss, weight).reshape(weight.numel(), weight.numel())
    grad = torch.autograd.functional.jacobian(loss, weight).reshape(-1)
    expected = -(weight.reshape(-1) @ hessian @ grad)
    assert float(get_proxy('grasp')(linear(size=2), b)) == pytest.approx(float(expected), rel=1e-4)


def test_fisher_sums_squared_activation_gradient_products_per_channel():
    model, b = linear(), batch()
    logits = model(b.inputs)
    grad, = torch.autograd.grad(F.cross_entropy(logits, b.targets), logits)
    expected = 0.5 * (logits.detach() * grad).pow(2).mean(0).sum()  # a linear output: one position per channel
    assert float(get_proxy('fisher')(linear(), b)) == pytest.approx(float(expected), rel=1e-5)


def test_fisher_refuses_an_activation_changed_in_place():
    class InPlace(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv, self.fc = nn.Conv2d(3, 4, 3), nn.Linear(4, NUM_CLASSES)

        def forward(self, x):
            return self.fc(self.conv(x).relu_().mean((2, 3)))
    with pytest.raises(RuntimeError, match='output of Conv2d is modified in place'):
        get_proxy('fisher')(InPlace(), batch())


def test_synflow_of_a_bias_free_relu_chain_is_depth_times_the_synaptic_flow():
    """With absolute weights and a positive input every ReLU passes, R is homogeneous of degree 1 in each layer's
    weights, so sum(dR/dW * W) over one layer is R (Euler), and over L layers L * R."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 4, 3, bias=False), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(),
                          nn.Linear(4 * 2 * 2, NUM_CLASSES, bias=False))
    with torch.no_grad():
        flow = nn.Sequential(*[m for m in model if not isinstance(m, nn.BatchNorm2d)])
        absolute = [p.abs() for p in flow.parameters()]
        for p, a in zip(flow.parameters(), absolute):
            p.copy_(a)
        r = flow.double()(torch.ones(1, 3, 4, 4, dtype=torch.float64)).sum()
    model[0].weight.data.neg_()  # signs must not matter
    score = get_proxy('synflow')(model, batch())
    bn_scale = 1 / math.sqrt(1 + model[1].eps)  # BN in eval at init: x / sqrt(1 + eps)
    assert score.dtype == torch.float64 and float(score) == pytest.approx(2 * bn_scale * float(r), rel=1e-9)


def test_jacov_of_a_linear_network_sees_identical_jacobians():
    """f(x) = W x has the same Jacobian row for every input: C is all ones, with eigenvalues N and 0 (N-1 times)."""
    n = 6
    expected = -(math.log(n + JACOV_K) + 1 / (n + JACOV_K) + (n - 1) * (math.log(JACOV_K) + 1 / JACOV_K))
    assert float(get_proxy('jacov')(linear(), batch(n))) == pytest.approx(expected, rel=1e-6)


def test_naswot_is_the_log_determinant_of_relu_code_agreements():
    torch.manual_seed(0)
    model, b = nn.Sequential(nn.Flatten(), nn.Linear(48, 16), nn.ReLU(), nn.Linear(16, NUM_CLASSES)), batch()
    codes = (model[:3](b.inputs) > 0).double()
    hamming = (codes[:, None, :] != codes[None, :, :]).sum(-1).double()
    expected = torch.linalg.slogdet(codes.shape[1] - hamming).logabsdet
    assert float(get_proxy('naswot')(model, b)) == pytest.approx(float(expected), rel=1e-9)


def track1_macs(space, arch, classes):
    """Conv + linear MACs of a Track-1 network, counted by hand from the challenge's ResNet20."""
    side, (stem, *_) = space.input_size, space.widths(arch)
    macs = side * side * 3 * stem * 9
    for (c_in, mid, out), stride, first in zip(space.block_widths(arch), space.block_strides(),
                                               space.block_is_stage_start()):
        side //= stride
        macs += side * side * (c_in * mid * 9 + mid * out * 9 + (c_in * out if first or c_in != out else 0))
    return macs + out * classes


def test_params_and_flops_count_the_network():
    space = build_space('track1_resnet20')
    model = build_standalone(space, space.max_arch(), 100)
    assert get_proxy('params')(model, shape_batch(32)) == sum(p.numel() for p in model.parameters())
    macs = get_proxy('flops')(model, shape_batch(32))
    assert macs == track1_macs(space, space.max_arch(), 100) and round(macs / 1e6, 1) == 41.1  # ResNet20


@pytest.mark.parametrize('name', STANDARD)
@pytest.mark.parametrize('space', sorted(SPACE_ARCHS))
def test_every_proxy_runs_on_the_model_device(space, name):
    """The 'meta' device stands in for an accelerator: combining a host tensor with a meta one raises, so a proxy
    that made a temporary on a fixed device would fail here (a fake CUDA device cannot run backward passes)."""
    model = build_standalone(space, SPACE_ARCHS[space], NUM_CLASSES).to('meta')
    b = batch(n=4, size=32).to('meta')
    score = get_proxy(name)(model, b)
    if isinstance(score, torch.Tensor):
        assert score.device.type == 'meta' and score.dim() == 0
    else:
        assert score > 0


def test_a_host_batch_meets_a_meta_model_only_through_the_runner():
    """The check above works: a host batch fed to a meta model fails."""
    model = build_standalone('nasbench_macro', SPACE_ARCHS['nasbench_macro'], NUM_CLASSES).to('meta')
    with pytest.raises(RuntimeError, match='device'):
        get_proxy('grad_norm')(model, batch(n=4, size=32))


@pytest.mark.parametrize('space', sorted(SPACE_ARCHS))
def test_scores_are_seeded_averages_and_independent_of_each_other(space):
    arch, b = SPACE_ARCHS[space], batch(n=4, size=32)
    both = score_architecture(space, arch, ['synflow', 'grad_norm', 'params'], b, NUM_CLASSES, init_seeds=(0, 1))
    seeds = [score_architecture(space, arch, ['grad_norm', 'params'], b, NUM_CLASSES, init_seeds=(s,)) for s in (0, 1)]
    assert both['grad_norm'] == pytest.approx((seeds[0]['grad_norm'] + seeds[1]['grad_norm']) / 2, rel=1e-6)
    assert both['params'] == seeds[0]['params'] == seeds[1]['params']  # architecture only: the same for any seed
    assert seeds[0]['grad_norm'] != seeds[1]['grad_norm']


def test_pinas_resnest50d_params_are_timm_resnest50d():
    """Any space: the paper's own, whose all-candidate-1 network is timm's resnest50d (27.483 M, docs/search.md)."""
    scores = score_architecture('pinas_resnest50d', '1' * 16, ['params'], shape_batch(224), 1000)
    assert round(scores['params'] / 1e6, 3) == 27.483


def test_a_new_proxy_is_one_decorated_function():
    @zero_cost_proxy('test_width')
    def width(model, b):
        return model.fc.in_features + 0 * b.inputs.sum()
    try:
        scores = score_architectures('pinas_resnest_tiny', ['000000', '333333'], ['test_width', 'params'],
                                     batch(n=2, size=32), NUM_CLASSES, init_seeds=(0,), log=None)
    finally:
        ZERO_COST._module_dict.pop('test_width')
    assert set(scores['test_width']) == {'000000', '333333'} and scores['test_width']['000000'] > 0
    assert set(scores['params']) == {'000000', '333333'}


def test_ranked_rows_drop_non_finite_scores_best_first():
    assert ranked_rows({'01': 1.0, '02': math.nan, '03': 2.0}) == [dict(arch='03', score=2.0),
                                                                   dict(arch='01', score=1.0)]
