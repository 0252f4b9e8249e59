"""The architectures known by name live in one table (pinas.spaces.NAMED_ARCHS) that the timm family, transfer
benchmarks and records read."""
import timm

from downstream.apis.benchmark import expand_entry
from pinas.spaces import NAMED_ARCHS, PINAS_CLS, PINAS_TRANS, RESNEST50D, build_space, named_arch


def test_the_table_names_each_architecture_once_in_its_space():
    assert len({a.key for a in NAMED_ARCHS}) == len({a.name for a in NAMED_ARCHS}) == len(NAMED_ARCHS)
    for known in NAMED_ARCHS:
        space = build_space(known.space)
        assert space.format(space.parse(known.code)) == known.code
        assert named_arch(known.space, known.code) is known
    assert named_arch('pinas_resnest50d', '0' * 16) is None
    assert str(timm.create_model('pinas_resnest50d_cls').arch) == PINAS_CLS
    assert str(timm.create_model('pinas_resnest50d_trans').arch) == PINAS_TRANS
    assert named_arch('pinas_resnest50d', RESNEST50D).name == 'ResNeSt-50'


def test_a_benchmark_model_entry_is_the_table_row():
    for known in NAMED_ARCHS:
        entry, = expand_entry(dict(model=known.key), None, 'test')
        assert (entry.name, entry.arch, entry.space) == (known.name, known.code, known.space)
