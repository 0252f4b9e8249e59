import random

import pytest

from pinas.arch import Arch, ArchError
from pinas.spaces import Track1Space, build_space, get_space

SPACE = build_space('track1_resnet20')
OFFICIAL_SETS = [tuple(range(4, 17, 4))] * 7 + [tuple(range(4, 33, 4))] * 6 + [tuple(range(4, 65, 4))] * 7


def test_official_preset_shape():
    assert SPACE.num_positions == 20 and SPACE.num_used_positions == 19
    assert SPACE.position_choices == tuple(OFFICIAL_SETS)
    assert SPACE.cardinalities == (4,) * 7 + (8,) * 6 + (16,) * 7
    assert SPACE.size == 2 ** 56  # c19 does not count: it changes no network
    assert get_space('track1_resnet20') is SPACE
    assert SPACE.format(SPACE.max_arch()) == '-'.join(['16'] * 7 + ['32'] * 6 + ['64'] * 7)
    assert SPACE.format(SPACE.min_arch()) == '-'.join(['4'] * 20)


def test_gt_codes_round_trip(gt_codes):
    assert len(gt_codes) == 1000
    for code in gt_codes:
        arch = SPACE.parse(code)
        widths = tuple(int(w) for w in code.split('-'))
        assert SPACE.format(arch) == code
        assert SPACE.widths(arch) == widths
        assert SPACE.parse(list(widths)) == arch
        assert SPACE.parse(Arch.parse(str(arch))) == arch  # index codes, as Arch writes them


def test_gt_codes_use_exactly_the_choice_sets(gt_codes):
    seen = [set() for _ in range(SPACE.num_positions)]
    for code in gt_codes:
        for position, width in enumerate(code.split('-')):
            seen[position].add(int(width))
    assert [tuple(sorted(s)) for s in seen] == OFFICIAL_SETS


def test_random_samples_round_trip():
    rng = random.Random(0)
    counts = [[0] * n for n in SPACE.cardinalities]
    for _ in range(2000):
        arch = SPACE.sample(rng)
        assert SPACE.parse(SPACE.format(arch)) == arch
        assert SPACE.parse(SPACE.widths(arch)) == arch
        for position, index in enumerate(arch):
            counts[position][index] += 1
    assert all(min(c) > 0 for c in counts)  # every choice of every position gets sampled


def test_sample_is_reproducible():
    assert SPACE.sample(random.Random(3)) == SPACE.sample(random.Random(3))


@pytest.mark.parametrize('code, message', [
    ('16-4-12-16-8-16-16-24-12-8-16-4-32-68-52-52-20-40-8-44',
     r'position 13 has width 68, allowed \{4, 8, 12, 16, 20, .*, 64\}'),
    ('16-4-12-16-8-16-20-24-12-8-16-4-32-52-52-52-20-40-8-44', r'position 6 has width 20, allowed \{4, 8, 12, 16\}'),
    ('16-4-12-16-8-16-16-24-12-8-16-4-32-52-52-52-20-40-8-2', r'position 19 has width 2, .*unused by the network'),
    ('16-4-12', r'3 widths given, the space needs 20 \(19 used by the network \+ 1 unused'),
    ('16-4-x', r"cannot read widths from '16-4-x'"),
])
def test_bad_codes_name_the_problem(code, message):
    with pytest.raises(ArchError, match=message):
        SPACE.parse(code)


def test_bad_indices_name_the_position():
    with pytest.raises(ArchError, match=r'position 0 has choice index 4, allowed 0-3'):
        SPACE.parse(Arch((4,) + (0,) * 19))
    with pytest.raises(ArchError, match='has 3 choice indices'):
        SPACE.parse(Arch((0, 0, 0)))


def test_configurable_space():
    small = build_space(dict(base='track1_resnet20', depths=(1, 1, 1), num_classes=10,
                                    stage_choices=((4, 8), (8, 16), (16, 32))))
    assert small.num_positions == 8 and small.cardinalities == (2, 2, 2, 2, 2, 2, 2, 2)
    assert small.format(small.max_arch()) == '8-8-8-16-16-32-32-32'
    assert small.block_widths('8-4-8-8-16-16-32-16') == [(8, 4, 8), (8, 8, 16), (16, 16, 32)]
    assert small.to_dict()['stage_choices'] == [[4, 8], [8, 16], [16, 32]]
    with pytest.raises(ValueError, match=r'unknown search space fields .* for Track1Space'):
        build_space(dict(base='track1_resnet20', depth=(1, 1, 1)))
    with pytest.raises(KeyError, match='known spaces: .*track1_resnet20'):
        build_space('track1_huge')
    with pytest.raises(ValueError, match='one entry per stage'):
        Track1Space(depths=(3, 3))
