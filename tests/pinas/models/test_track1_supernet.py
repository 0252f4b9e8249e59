import random

import pytest
import torch
from torch import nn

from pinas.models.branches import supernet_layout
from pinas.models.sliced import SlicedConvBN
from pinas.models.track1_supernet import ENHANCED_WIDTH_REMAP, Track1Supernet
from pinas.spaces import build_space

SPACE = build_space('track1_resnet20')
CODE = '4-8-12-16-4-8-8-24-8-4-32-28-4-52-8-4-64-40-4-44'
X = torch.randn(2, 3, 32, 32)
# One block per stage: the same branch counts (4/8/16) and copy rules, a third of the compute.
SMALL = build_space(dict(base='track1_resnet20', depths=(1, 1, 1)))
X_SMALL = torch.randn(2, 3, 16, 16)


def enhanced(*args, **kwargs) -> Track1Supernet:
    """CEPT's candidates enhancement: widths 4 / 8 run as 5 / 9, PReLU after the add."""
    return Track1Supernet(*args, width_remap=ENHANCED_WIDTH_REMAP, post_add_act='prelu', **kwargs)


def randomize_(net: nn.Module, seed: int = 0) -> nn.Module:
    """Random weights, BN statistics and PReLU slopes, so that copies that mix up filters show up."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, t in list(net.named_parameters()) + list(net.named_buffers()):
            if name.endswith('num_batches_tracked'):
                continue
            noise = torch.rand(t.shape, generator=gen)
            t.copy_(0.5 + noise if name.endswith(('running_var', 'bn.weight')) else (noise - 0.5) * 0.5)
    return net


def record(net: nn.Module, log: dict) -> list:
    """Forward hooks that store the output width of every conv+BN unit that runs, by module name."""
    def hook(name):
        def store(module, inputs, output):
            log[name] = output.shape[1]
        return store
    return [m.register_forward_hook(hook(name)) for name, m in net.named_modules() if isinstance(m, SlicedConvBN)]


def archs(space, n: int = 6, seed: int = 0):
    rng = random.Random(seed)
    return [space.max_arch(), space.min_arch()] + [space.sample(rng) for _ in range(n)]


def test_default_is_the_plain_supernet():
    net = Track1Supernet()
    assert net.width_remap == {} and net.post_add_act == 'relu' and net.branch_counts == (0, 0, 0)
    assert net.enhanced_widths(CODE) == tuple(int(w) for w in CODE.split('-')[:19])
    assert all(isinstance(b.act2, nn.ReLU) for b in net.blocks)


def test_path_has_enhanced_widths_and_a_projection_in_every_block():
    net = enhanced()
    widths = net.enhanced_widths(CODE)
    nominal = [int(w) for w in CODE.split('-')][:19]
    assert widths == tuple({4: 5, 8: 9}.get(w, w) for w in nominal) and 5 in widths and 9 in widths
    seen = {}
    hooks = record(net, seen)
    assert net(X, CODE).shape == (2, 100)
    for h in hooks:
        h.remove()
    assert seen['stem.shared'] == widths[0]
    for k in range(9):
        assert seen[f'blocks.{k}.conv1.shared'] == widths[2 * k + 1]
        assert seen[f'blocks.{k}.conv2.shared'] == widths[2 * k + 2]
        assert seen[f'blocks.{k}.shortcut.shared'] == widths[2 * k + 2]  # projection runs in every block
        assert isinstance(net.blocks[k].act2, nn.PReLU)


def test_remap_is_configurable():
    net = Track1Supernet(width_remap={})
    assert net.enhanced_widths(CODE) == tuple(int(w) for w in CODE.split('-')[:19])
    assert Track1Supernet(width_remap={'4': 6}).enhanced_widths(CODE)[0] == 6
    with pytest.raises(ValueError, match='wider than the stage maximum 16'):
        Track1Supernet(width_remap={16: 17})


# arXiv 2108.05866: branch width each choice runs on (after 4 -> 5, 8 -> 9).
STAGE1 = {4: 8, 8: 12, 12: 12, 16: 16}
NARROW = {1: {4: 8, 8: 16, 12: 16, 16: 16, 20: 24, 24: 24, 28: 32, 32: 32},
          2: {w: 16 * ((w - 1) // 16 + 1) for w in range(4, 65, 4)}}
FINE = {s: {w: 12 if w == 8 else (8 if w == 4 else w) for w in range(4, 16 * s + 1, 4)} for s in (1, 2)}


@pytest.mark.parametrize('mode, table', [('narrow', NARROW), ('fine', FINE)])
def test_branch_selection_matches_the_reference(mode, table):
    net = enhanced(mode=mode)
    first_blocks = [net.blocks[0], net.blocks[3], net.blocks[6]]
    for stage, expected in [(0, STAGE1), (1, table[1]), (2, table[2])]:
        for layer in (first_blocks[stage].conv1, first_blocks[stage].conv2, first_blocks[stage].shortcut):
            got = {w: layer.branch_width(net.width_remap.get(w, w)) for w in expected}
            assert got == expected, (mode, stage)
    assert {w: net.stem.branch_width(net.width_remap.get(w, w)) for w in STAGE1} == STAGE1
    assert net.branch_counts == {'narrow': (4, 4, 4), 'fine': (4, 8, 16)}[mode]
    assert net.head.num_branches == net.branch_counts[-1]


def test_branched_path_runs_on_the_selected_branches():
    net = enhanced(mode='narrow')
    ran = {}
    hooks = record(net, ran)
    net(X, CODE)
    for h in hooks:
        h.remove()
    assert ran['stem.branches.1'] == 5  # width 4 -> 5 runs on the 8-wide branch
    assert ran['blocks.6.conv1.branches.3'] == 52 and ran['blocks.8.shortcut.branches.0'] == 5
    assert len(ran) == 1 + 3 * 9 and not [name for name in ran if '.shared' in name]


def test_shared_to_narrow_to_fine_copies_keep_every_path():
    x = X_SMALL
    shared = randomize_(enhanced(SMALL)).eval()
    narrow = enhanced(SMALL, mode='narrow').eval()
    narrow.inherit_from(shared)
    for arch in archs(SMALL):
        expected = shared(x, arch)
        assert torch.allclose(narrow(x, arch, use_branches=True), expected, atol=1e-5)
        assert torch.allclose(narrow(x, arch, use_branches=False), expected, atol=1e-5)
    # Make the narrow branches differ from the shared weights, then split them into the fine branches.
    with torch.no_grad():
        for name, t in list(narrow.named_parameters()) + list(narrow.named_buffers()):
            if '.branches.' in name and not name.endswith('num_batches_tracked'):
                t.mul_(1.0 + 0.3 * torch.rand(t.shape))
    fine = enhanced(SMALL, mode='fine').eval()
    assert fine.branch_counts == (4, 8, 16)
    fine.inherit_from(narrow)
    for arch in archs(SMALL, seed=1):
        expected = narrow(x, arch, use_branches=True)
        assert not torch.allclose(expected, narrow(x, arch, use_branches=False), atol=1e-3)  # the test can fail
        assert torch.allclose(fine(x, arch), expected, atol=1e-5)
        assert torch.allclose(fine(x, arch, use_branches=False), narrow(x, arch, use_branches=False), atol=1e-5)


def test_finer_to_coarser_is_refused():
    with pytest.raises(ValueError, match=r'stage 1: cannot turn 8 branches into 4; .* coarser to finer'):
        Track1Supernet(mode='narrow').inherit_from(Track1Supernet(mode='fine'))
    with pytest.raises(ValueError, match=r'stage 0: cannot turn 4 branches into 0'):
        Track1Supernet().inherit_from(Track1Supernet(mode='narrow'))
    with pytest.raises(ValueError, match='same space'):
        Track1Supernet().inherit_from(Track1Supernet(dict(base='track1_resnet20', depths=(3, 3, 2))))


def test_bn_recalibration_touches_only_the_path_channels():
    net = enhanced().train()
    bn = net.stem.shared.bn
    before = bn.running_mean.clone()
    with torch.no_grad():
        net(X, CODE)  # stem width 4 -> 5 channels
    assert not torch.equal(bn.running_mean[:5], before[:5]) and torch.equal(bn.running_mean[5:], before[5:])
    assert bn.num_batches_tracked.item() == 1


def test_layout_is_read_back_from_a_state_dict():
    for mode, act in [('shared', 'relu'), ('narrow', 'prelu'), ('fine', 'prelu')]:
        state = Track1Supernet(mode=mode, post_add_act=act).state_dict()
        layout = supernet_layout(state, SPACE)
        assert layout['post_add_act'] == act
        assert layout['branch_counts'] == Track1Supernet(mode=mode).branch_counts
