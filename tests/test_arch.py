"""Architecture codes: the value users type, store and compare."""
import pytest

from pinas import Arch, ArchError, read_arch_file, write_arch_file
from pinas.spaces import build_space


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
    write_arch_file(tmp_path / 'best.json', '3333113330011021', space='pinas_resnest50d', score=71.2)
    assert read_arch_file(tmp_path / 'best.json') == '3333113330011021'
    (tmp_path / 'plain.txt').write_text('3013231203213032\n')
    assert read_arch_file(tmp_path / 'plain.txt') == '3013231203213032'
    with pytest.raises(FileNotFoundError, match='does not exist'):
        read_arch_file(tmp_path / 'missing.json')


def test_space_from_config_dict():
    space = build_space(dict(base='pinas_resnest_tiny', depths=(1, 1, 1, 1)))
    assert space.num_positions == 4 and space.stem_width == 8
    with pytest.raises(ValueError, match='unknown search space fields'):
        build_space(dict(depth=(1, 1)))
    with pytest.raises(KeyError, match='known spaces'):
        build_space('resnest_huge')
