"""The layers of docs/architecture.md are import contracts (.importlinter), checked here with import-linter: a module
that imports a layer above its own fails the suite, function-local imports included."""
import ast
import configparser
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONTRACTS = ROOT / '.importlinter'
PINAS_CONTRACT = 'importlinter:contract:pinas'


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """``lint-imports`` over the packages under ``root`` (found first on the path), without a cache."""
    code = ('import sys; from importlinter.cli import lint_imports; '
            'sys.exit(lint_imports(config_filename=sys.argv[1], no_cache=True, no_logo=True))')
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(root), os.environ.get('PYTHONPATH', '')]))
    return subprocess.run([sys.executable, '-c', code, str(root / '.importlinter')], cwd=root, env=env,
                          capture_output=True, text=True, timeout=300)


def pinas_layers() -> list[list[str]]:
    """The pinas contract's layers, highest first, each a list of sibling modules."""
    parser = configparser.ConfigParser()
    parser.read(CONTRACTS)
    return [[name.strip() for name in line.split('|')]
            for line in parser[PINAS_CONTRACT]['layers'].split('\n') if line.strip()]


def test_the_import_contracts_hold():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'broken' in result.stdout and ' 0 broken' in result.stdout


@pytest.mark.parametrize('module, line, broken', [
    ('pinas/ranking/metrics.py', 'from ..search import base', 'the layers inside pinas'),  # the low layer up
    ('pinas/apis/export.py', 'def f():\n    from pinas.studies import study', 'the layers inside pinas'),  # local
    ('pinas/arch.py', 'import downstream', 'pinas never imports downstream'),
])
def test_an_import_up_the_layers_breaks_a_contract(tmp_path, module, line, broken):
    """The check can fail: the same contracts over a copy of the packages with one import that runs up."""
    for package in ('pinas', 'downstream'):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns('__pycache__'))
    shutil.copy(CONTRACTS, tmp_path / '.importlinter')
    with open(tmp_path / module, 'a') as f:
        f.write(f'\n\n{line}\n')
    result = lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert re.search(r'\s+'.join(map(re.escape, broken.split())) + r'\s+BROKEN', result.stdout), result.stdout


def test_every_module_of_pinas_has_a_layer():
    """A new subpackage or top-level module gets a place in the contract (and the table), not a free pass."""
    modules = {p.stem if p.suffix == '.py' else p.name for p in (ROOT / 'pinas').iterdir()
               if (p.suffix == '.py' and p.name != '__init__.py') or (p / '__init__.py').is_file()}
    listed = [name for layer in pinas_layers() for name in layer]
    assert sorted(listed) == sorted(modules)


def test_the_architecture_table_is_the_contract():
    """docs/architecture.md's layer table names the contract's layers, lowest first, siblings in one row."""
    text = (ROOT / 'docs/architecture.md').read_text()
    rows = [line.split('|')[1] for line in text.split('## Layers', 1)[1].split('\n## ', 1)[0].splitlines()
            if line.startswith('| `pinas/')]
    table = [[re.sub(r'\.py$', '', name) for name in re.findall(r'`pinas/([a-z_]+(?:\.py)?)/?`', row)]
             for row in rows]
    assert [sorted(row) for row in table[::-1]] == [sorted(layer) for layer in pinas_layers()]


def test_the_packages_never_import_the_tools():
    """tools/ is no package, so no contract covers it: pinas and downstream never import it."""
    for path in [*ROOT.glob('pinas/**/*.py'), *ROOT.glob('downstream/**/*.py')]:
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ''] if isinstance(node, ast.ImportFrom) and not node.level else []
            assert not [n for n in names if n.split('.')[0] == 'tools'], f'{path.relative_to(ROOT)} imports tools'


def test_every_tool_reports_usage_errors_through_cli_main():
    """docs/architecture.md: every tools/*.py and tools/analysis_tools/*.py wraps its main in cli_main and parses
    with pinas's ArgumentParser, but the demo (it runs the other tools) and the mmcv build (it runs before pinas can
    be imported)."""
    exempt = {'demo.py', 'mmcv_build.py', '__init__.py'}
    tools = {str(p.relative_to(ROOT)): p.read_text()
             for p in sorted([*(ROOT / 'tools').glob('*.py'), *(ROOT / 'tools' / 'analysis_tools').glob('*.py')])
             if p.name not in exempt}
    wrapped = re.compile(r'@cli_main\(|cli_main\([^)]*\)\(main\)')
    assert [name for name, text in tools.items() if not wrapped.search(text)] == []
    assert [name for name, text in tools.items() if 'argparse.ArgumentParser(' in text] == []
