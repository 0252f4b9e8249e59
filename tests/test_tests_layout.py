"""The tests are laid out like the code they specify (docs/layout.md): tests/pinas/<subpackage>/ holds the tests of
pinas/<subpackage>/, tests/downstream/ those of downstream/, tests/tools/ those of the command lines; and no two test
modules share a file name (pytest's default import mode imports each by its name alone)."""
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TESTS = REPO / 'tests'
MIRRORED = ('pinas', 'downstream', 'tools')


def directories_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob('*') if p.is_dir() and p.name != '__pycache__' and p.name != 'fixtures')


def unmirrored(root: Path = REPO) -> list[str]:
    """Directories under tests/ that name no directory of the code (tests/pinas/search/ needs pinas/search/)."""
    problems = []
    for directory in directories_under(root / 'tests'):
        relative = directory.relative_to(root / 'tests')
        if relative.parts[0] not in MIRRORED:
            problems.append(f'tests/{relative}: not under tests/{{{",".join(MIRRORED)}}}')
        elif not (root / relative).is_dir():
            problems.append(f'tests/{relative}: {relative} does not exist')
    return problems


def test_every_test_directory_mirrors_a_directory_of_the_code():
    assert unmirrored() == []


def test_the_check_names_a_directory_without_code(tmp_path):
    (tmp_path / 'pinas' / 'search').mkdir(parents=True)
    for name in ('pinas/search', 'pinas/gone', 'misc'):
        (tmp_path / 'tests' / name).mkdir(parents=True)
    assert unmirrored(tmp_path) == ['tests/misc: not under tests/{pinas,downstream,tools}',
                                    'tests/pinas/gone: pinas/gone does not exist']


def test_test_modules_have_distinct_names():
    names = Counter(p.name for p in TESTS.rglob('test_*.py'))
    assert [name for name, count in names.items() if count > 1] == []
