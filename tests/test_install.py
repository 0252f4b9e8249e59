"""The library needs nothing from the checkout: pinas and downstream, installed non-editably (``pip install
--target``, from the packaging metadata in pyproject.toml) into a temporary directory, import from there in a
process that runs in another directory, build a space and a network, register the OpenMMLab backbone, and the
module entry point ``python -m downstream train --help`` answers. The package's dependencies are
requirements/runtime.txt, and its extras (``tests``, ``docs``, ``dev``: both) the tests' and the docs' pins."""
import os
import shutil
import subprocess
import sys
import textwrap
from importlib.metadata import PathDistribution
from pathlib import Path

import pytest
from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[1]
# what pyproject.toml packages, its readme and the requirement files it reads
SOURCES = ('pyproject.toml', 'README.md', 'pinas', 'downstream', 'requirements')
CHECK = textwrap.dedent('''
    import runpy, sys
    from pathlib import Path
    import torch
    import downstream, pinas
    from mmengine.registry import MODELS
    from pinas.models import build_standalone
    from pinas.spaces import build_space
    target = Path(sys.argv[1]).resolve()
    for module in (pinas, downstream):
        assert target in Path(module.__file__).resolve().parents, module.__file__
    space = build_space('pinas_resnest_tiny')
    model = build_standalone(space, space.parse('0' * space.num_positions), num_classes=3).eval()
    with torch.no_grad():
        assert model(torch.zeros(1, 3, 32, 32)).shape == (1, 3)
    assert MODELS.get('PiNASResNeSt') is downstream.PiNASResNeSt
    sys.argv = ['python -m downstream', 'train', '--help']
    runpy.run_module('downstream', run_name='__main__')
''')


@pytest.mark.slow  # pip builds and installs the package, then a fresh process imports torch and mmdet
def test_installed_package_runs_outside_the_checkout(tmp_path):
    source, target, elsewhere = tmp_path / 'source', tmp_path / 'site', tmp_path / 'elsewhere'
    source.mkdir()
    for name in SOURCES:  # a copy, so that the build leaves nothing in the checkout
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns('__pycache__'))
        else:
            shutil.copy2(REPO / name, source / name)
    install = subprocess.run([sys.executable, '-m', 'pip', 'install', '--no-deps', '--no-build-isolation',
                              '--no-index', '--quiet', '--target', str(target), str(source)],
                             capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stdout + install.stderr
    assert not (target / 'tools').exists() and (target / 'downstream' / '__main__.py').is_file()
    assert declared_requirements(target) == {
        None: pins('runtime'), 'tests': pins('tests'), 'docs': pins('docs'), 'dev': pins('tests') + pins('docs')}
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k != 'PYTHONPATH'}
    run = subprocess.run([sys.executable, '-c', CHECK, str(target)], cwd=elsewhere, capture_output=True, text=True,
                         env=dict(env, PYTHONPATH=str(target), OMP_NUM_THREADS='1'), timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert 'usage: python -m downstream' in run.stdout and '--work-dir' in run.stdout


def pins(name: str) -> list[Requirement]:
    """The requirements of requirements/<name>.txt, in order."""
    lines = (line.strip() for line in (REPO / 'requirements' / f'{name}.txt').read_text().splitlines())
    return [Requirement(line) for line in lines if line and not line.startswith('#')]


def declared_requirements(target: Path) -> dict:
    """``{extra or None: [requirements]}`` of the pinas distribution installed in ``target``."""
    (dist_info,) = target.glob('pinas-*.dist-info')
    declared: dict = {}
    for text in PathDistribution(dist_info).requires:
        requirement, extra = Requirement(text), None
        if requirement.marker is not None:
            extra = str(requirement.marker).split('==')[1].strip(' "\'')
            requirement.marker = None
        declared.setdefault(extra, []).append(requirement)
    return declared
