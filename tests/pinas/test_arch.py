"""Architecture codes: the value users type, store and compare."""
import pytest

import json

from pinas import Arch, ArchError, read_arch_file, write_arch_file
from pinas.studies.ground_truth import sample_archs
from pinas.ranking.tables import read_table, table_code
from pinas.spaces import build_space, list_spaces


def test_parse_format_round_trip():
    space = build_space('pinas_resnest50d')
    arch = space.parse('3013231203213032')
    assert arch.choices == (3, 0, 1, 3, 2, 3, 1, 2, 0, 3, 2, 1, 3, 0, 3, 2)
    assert str(arch) == '3013231203213032'
    assert space.parse('3 0 1 3 2 3 1 2 0 3 2 1 3 0 3 2') == arch
    assert space.parse(list(arch)) == arch
    assert space.parse(arch) is arch


def test_arch_is_hashable_value():
    space = build_space('pinas_resnest50d')
    table = {space.parse('3013231203213032'): 1.0}
    assert table[space.parse([3, 0, 1, 3, 2, 3, 1, 2, 0, 3, 2, 1, 3, 0, 3, 2])] == 1.0
    assert len({space.parse('1' * 16), space.parse('1' * 16)}) == 1


@pytest.mark.parametrize('code, words', [
    ('301323120321303', ['15 positions', '16 digits', '0-3']),
    ('3013231203213034', ['position 15 is 4', '0-3']),
    ('30132312032130x2', ['not a string of digits', '16 digits']),
    ('', ['not a string of digits']),
])
def test_bad_codes_say_what_is_allowed(code, words):
    with pytest.raises(ArchError) as err:
        build_space('pinas_resnest50d').parse(code)
    for word in words:
        assert word in str(err.value)


def test_split_by_stage():
    arch = Arch.parse('3013231203213032')
    assert arch.split((3, 4, 6, 3)) == [(3, 0, 1), (3, 2, 3, 1), (2, 0, 3, 2, 1, 3), (0, 3, 2)]


def test_arch_file_round_trip(tmp_path):
    write_arch_file(tmp_path / 'best.json', build_space('pinas_resnest50d'), '3333113330011021', score=71.2)
    assert read_arch_file(tmp_path / 'best.json') == '3333113330011021'
    (tmp_path / 'plain.txt').write_text('3013231203213032\n')
    assert read_arch_file(tmp_path / 'plain.txt') == '3013231203213032'
    with pytest.raises(FileNotFoundError, match='does not exist'):
        read_arch_file(tmp_path / 'missing.json')


def _codes_of_every_space():
    """Every space with its extremes (as tools/make_ground_truth.py --extremes samples them) and a seeded sample."""
    for name in list_spaces():
        space = build_space(name)
        for arch in sample_archs(space, 12, seed=0, concentration=0.3, extremes=True):
            yield space, arch


def test_one_code_per_architecture_in_every_space_and_file(tmp_path):
    """What a person reads, an arch file stores and a table is keyed by is the space's own code, read back by the
    space into the same architecture: Track-1's all-one-digit code keeps its '-' (it once became '444...4', which
    the space cannot read)."""
    for i, (space, arch) in enumerate(_codes_of_every_space()):
        code = space.format(arch)
        path = tmp_path / f'{i}.json'
        write_arch_file(path, space, arch, score=1.0)
        # (NAS-Bench-Macro writes the network's canonical code: two codes of one network are one architecture)
        assert read_arch_file(path) == code and space.format(space.parse(read_arch_file(path))) == code
        assert json.loads(path.read_text())['space'] == space.name
        assert table_code(code, space) == code
        table = tmp_path / f'{i}.table.json'
        table.write_text(json.dumps([dict(arch=code, score=1.0)]))
        assert list(read_table(table, space=space).values) == [code]
    track1 = build_space('track1_resnet20')
    smallest = track1.format(track1.min_arch())
    assert smallest == '-'.join(['4'] * 20)
    assert table_code('4' * 20, track1) == smallest  # a file written before codes were the space's still reads


def test_space_from_config_dict():
    space = build_space(dict(base='pinas_resnest_tiny', depths=(1, 1, 1, 1)))
    assert space.num_positions == 4 and space.stem_width == 8
    with pytest.raises(ValueError, match='unknown search space fields'):
        build_space(dict(depth=(1, 1)))
    with pytest.raises(KeyError, match='known spaces'):
        build_space('resnest_huge')


@pytest.mark.parametrize('code', ['3-1-1-0-2--1', '[3, 1, 1, 0, 2, -1]', '-3-1-1-0-2-1'])
def test_a_negative_choice_is_refused_not_read_as_a_separator(code):
    from pinas.arch import ArchError
    with pytest.raises(ArchError, match='has a negative choice'):
        build_space('pinas_resnest_tiny').parse(code)
