"""Paths and helpers shared by the transfer tests (a plain module: conftest.py is not importable by name)."""
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = ROOT / 'configs'
SMOKE_CONFIGS = sorted((CONFIGS / 'smoke').glob('*.py'))
# configs with other backbones or data, tested by their own tests (test_track1_backbone.py,
# test_transfer_study.py, test_benchmark.py): the CPU transfer study, the Track-1 backbone's smoke configs, the
# transfer ground truth's and the benchmark configs (lists of architectures x transfer configs, not models), and the
# demo's (its settings and its transfer task: tests/tools/test_demo.py)
OWN_TEST_DIRS = ('transfer_study', 'track1', 'benchmarks', 'transfer_gt', 'demo')
# every transfer config a user runs: all .py files except bases (and configs/search, configs/spaces and
# configs/ranking: supernet and ranking-study settings, tested elsewhere)
SHIPPED_CONFIGS = sorted(p for p in CONFIGS.rglob('*.py')
                         if '_base_' not in p.parts and p.parent.name not in ('search', 'spaces', 'ranking')
                         and not set(OWN_TEST_DIRS) & set(p.relative_to(CONFIGS).parts))


def reconverted_cityscapes(source: Path, copy: Path) -> tuple[int, int, list[Path]]:
    """A copy of the generated Cityscapes set ``source`` whose labelTrainIds PNGs are deleted and rebuilt from the
    polygons by cityscapesscripts (:func:`downstream.datasets.convert_cityscapes`): how many it wrote, how many were
    shipped, and the rebuilt files that differ from the shipped ones."""
    import numpy as np
    from PIL import Image

    from downstream.datasets import convert_cityscapes
    shutil.copytree(source, copy)
    shipped = {p: np.asarray(Image.open(p)) for p in copy.rglob('*_gtFine_labelTrainIds.png')}
    for path in shipped:
        path.unlink()
    written = convert_cityscapes(copy)
    return written, len(shipped), [p for p, labels in shipped.items()
                                   if not np.array_equal(np.asarray(Image.open(p)), labels)]
