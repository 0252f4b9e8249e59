"""Every config under configs/ loads, is plain OpenMMLab-style data, and resolves to the settings it had.

The configs hold settings only: values, dicts, lists and ``_base_`` inheritance (children override keys, ``_delete_``
replaces a dict), no functions and no ``globals().update``. Each config a user runs resolves to what
tests/fixtures/config_digests.json recorded (a sha256 of its canonical JSON, and one per top-level key, so a failure
names the keys that changed). A change that is meant to alter a resolved config regenerates the fixture, and the
commit shows which configs and keys moved:

    python tests/config_snapshot.py
"""
import ast
import json
from pathlib import Path

import pytest
from config_snapshot import CONFIGS, FIXTURE, ROOT, config_files, fingerprint, is_base, resolve
from mmengine.config import Config

from pinas.apis.validate import check_types

ALL = config_files()
USER_CONFIGS = [p for p in ALL if not is_base(p)]
REGENERATE = 'python tests/config_snapshot.py'


def name(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.fixture(scope='module')
def recorded() -> dict:
    return json.loads(FIXTURE.read_text())


def test_the_fixture_covers_every_config(recorded):
    assert sorted(recorded) == [name(p) for p in USER_CONFIGS], f'a config was added or removed: {REGENERATE}'


@pytest.mark.parametrize('path', USER_CONFIGS, ids=lambda p: str(p.relative_to(CONFIGS)))
def test_config_resolves_to_the_recorded_settings(path, recorded):
    expected = recorded.get(name(path))
    assert expected is not None, f'{name(path)} is not in {FIXTURE.name}: {REGENERATE}'
    actual = fingerprint(resolve(path))
    if actual['sha256'] != expected['sha256']:
        old, new = expected['keys'], actual['keys']
        changed = sorted(k for k in old.keys() & new.keys() if old[k] != new[k])
        pytest.fail(f'{name(path)} resolves to other settings: changed {changed}, added {sorted(new.keys() - old)}, '
                    f'removed {sorted(old.keys() - new)}; if that is meant, {REGENERATE}')


@pytest.mark.parametrize('path', USER_CONFIGS, ids=lambda p: str(p.relative_to(CONFIGS)))
def test_config_names_only_registered_types(path):
    """The check every tool runs before building (a misspelt transform, head or metric is one line naming it)
    passes on every shipped config: no registered name is refused."""
    import downstream  # noqa: F401  (the registrations custom_imports would make)
    import pinas.engine  # noqa: F401
    check_types(resolve(path))


@pytest.mark.parametrize('path', ALL, ids=lambda p: str(p.relative_to(CONFIGS)))
def test_config_is_data_not_code(path):
    """No function, lambda or class, and no ``globals()``/``locals()``/``exec``/``eval``: a setting is written as its
    value or built by a registered type the config names."""
    tree = ast.parse(path.read_text(), filename=str(path))
    code = [f'line {node.lineno}: {type(node).__name__}' for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef))]
    code += [f'line {node.lineno}: {node.func.id}()' for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
             and node.func.id in ('globals', 'locals', 'exec', 'eval', 'setattr', '__import__')]
    assert not code, f'{name(path)} runs code: {code}'


def local_bases(path: Path) -> list[Path]:
    """The files of this repository that ``path`` lists in ``_base_`` (not ``mmdet::``/``mmseg::`` ones)."""
    return [(path.parent / base).resolve() for base in Config._get_base_files(str(path)) if '::' not in base]


def test_every_base_file_is_inherited_by_a_config_a_user_runs():
    reached, todo = set(), list(USER_CONFIGS)
    while todo:
        for base in local_bases(todo.pop()):
            assert base.is_file(), f'{base} is named in a _base_ list but does not exist'
            if base not in reached:
                reached.add(base)
                todo.append(base)
    orphans = [name(p) for p in ALL if is_base(p) and p.resolve() not in reached]
    assert not orphans, f'base files no config inherits (delete them or inherit them): {orphans}'


def test_the_transfer_ground_truth_covers_the_report_half_before_any_other():
    """The transfer ground truth's sample is a prefix of the classification table's (reordered) sample holding the
    whole report half, so the methods are compared with it on architectures nothing was tuned on."""
    from pinas.ranking.tables import read_code_list
    from pinas.spaces import build_space
    from pinas.studies.study import split_archs
    space = build_space('track1_resnet20')
    read = lambda name: read_code_list(str(ROOT / 'configs/transfer_gt' / name), space)  # noqa: E731
    sample, chosen = read('track1.archs.txt'), read('track1_60.archs.txt')
    table = read_code_list(str(ROOT / 'results/ground_truth/track1_resnet20_e10.archs.txt'), space)
    assert sorted(sample) == sorted(table) and chosen == sample[:60]
    halves = split_archs(table)
    assert set(halves['report']) <= set(chosen) and len(halves['report']) == 46
    assert Config.fromfile(str(ROOT / 'configs/benchmarks/transfer_gt_track1.py')).entries[0]['archs'] == \
        'configs/transfer_gt/track1_60.archs.txt'
