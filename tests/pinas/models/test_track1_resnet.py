import math

import pytest
import torch
from torch import nn

from pinas.complexity import measure_complexity
from pinas.models.track1_resnet import Track1ResNet
from pinas.spaces import build_space

SPACE = build_space('track1_resnet20')
MAX_CODE = '-'.join(['16'] * 7 + ['32'] * 6 + ['64'] * 7)
SAMPLE_CODE = '16-4-12-16-8-16-16-24-12-8-16-4-32-52-52-52-20-40-8-44'


def official_params(code: str, num_classes: int = 100) -> int:
    """Parameters of the official ResNet20 written out (conv weights, BN weight+bias, fc)."""
    c = [int(w) for w in code.split('-')]
    total = 3 * 9 * c[0] + 2 * c[0]                                      # stem conv3x3 + BN
    for k in range(9):
        cin, mid, out = c[2 * k], c[2 * k + 1], c[2 * k + 2]
        total += 9 * cin * mid + 2 * mid + 9 * mid * out + 2 * out      # conv1-BN, conv2-BN
        if k % 3 == 0 or cin != out:                                     # projection: stage start or in != out
            total += cin * out + 2 * out
    return total + c[18] * num_classes + num_classes                     # fc reads c18; c19 unused


def count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def test_param_counts_match_the_formula(gt_codes):
    for code in gt_codes[:6] + [MAX_CODE, '-'.join(['4'] * 20)]:
        assert count(Track1ResNet(code)) == official_params(code), code


def test_formula_reproduces_the_reference_range(gt_codes):
    params = [official_params(code) for code in gt_codes]
    assert round(min(params) / 1e3, 1) == 25.8 and round(max(params) / 1e3, 1) == 201.8  # ResNet20's range


def test_max_network_macs():
    c = measure_complexity(Track1ResNet(MAX_CODE), input_size=32)
    assert abs(c.macs / 1e6 - 41.1) < 0.05  # ResNet20: 41.1 M
    assert c.params == official_params(MAX_CODE)


def test_projection_shortcuts_follow_the_official_rule():
    net = Track1ResNet(SAMPLE_CODE)
    blocks = [b for stage in net.stages for b in stage]
    widths = SPACE.block_widths(SAMPLE_CODE)
    for k, (block, (cin, mid, out)) in enumerate(zip(blocks, widths)):
        assert block.conv1.conv.out_channels == mid and block.conv2.conv.out_channels == out
        assert isinstance(block.shortcut, nn.Identity) == (k % 3 != 0 and cin == out)
    assert [b.conv1.conv.stride[0] for b in blocks] == [1, 1, 1, 2, 1, 1, 2, 1, 1]
    assert net.head.fc.in_features == 8 and net(torch.randn(2, 3, 32, 32)).shape == (2, 100)
    max_blocks = [b for stage in Track1ResNet(MAX_CODE).stages for b in stage]
    assert [not isinstance(b.shortcut, nn.Identity) for b in max_blocks] == [k % 3 == 0 for k in range(9)]


def test_position_19_is_unused():
    other = SAMPLE_CODE.rsplit('-', 1)[0] + '-4'
    torch.manual_seed(1)
    a = Track1ResNet(SAMPLE_CODE).eval()
    torch.manual_seed(1)
    b = Track1ResNet(other).eval()
    x = torch.randn(2, 3, 32, 32)
    assert torch.equal(a(x), b(x))


def test_official_init():
    net = Track1ResNet(MAX_CODE)
    conv = net.stages[2][0].conv2.conv
    bound = math.sqrt(6 / (64 * 9))  # sqrt(3) * sqrt(2) / sqrt(fan_out), fan_out = out * k * k
    assert conv.weight.abs().max() <= bound and conv.weight.abs().max() > 0.9 * bound
    fc = net.head.fc
    assert fc.weight.abs().max() <= math.sqrt(6 / 100) and torch.count_nonzero(fc.bias) == 0
    bn = net.stages[0][0].conv1.bn
    assert torch.all(bn.weight == 1) and torch.all(bn.bias == 0)


def test_bad_code_is_rejected():
    with pytest.raises(ValueError, match='position 7 has width 36'):
        Track1ResNet('16-16-16-16-16-16-16-36-32-32-32-32-32-64-64-64-64-64-64-64')
