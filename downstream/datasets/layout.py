"""Check that a dataset root has the layout the transfer configs expect, and convert Cityscapes labels.

Each check raises :class:`DatasetLayoutError` naming the first missing things and the fix, instead of letting a
training run die on a bare ``FileNotFoundError`` many minutes in. docs/export_and_transfer.md shows the layouts.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from pinas.datasets import DatasetLayoutError

DOCS = 'docs/export_and_transfer.md'
MAX_LISTED = 5  # missing files named in an error

COCO_SPLITS = ('train2017', 'val2017')
ADE_SPLITS = ('training', 'validation')
CITYSCAPES_SPLITS = ('train', 'val')
CITYSCAPES_IMG_SUFFIX = '_leftImg8bit.png'
CITYSCAPES_TRAIN_IDS_SUFFIX = '_gtFine_labelTrainIds.png'
CITYSCAPES_POLYGONS_SUFFIX = '_gtFine_polygons.json'


@dataclass
class LayoutReport:
    """What a check found: images per split."""

    dataset: str
    root: Path
    images: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        counts = ', '.join(f'{split}: {n} images' for split, n in self.images.items())
        return f'{self.dataset} at {self.root}: OK ({counts})'


def check_dataset(dataset: str, root: str | Path) -> LayoutReport:
    """Dispatch to the checker of ``dataset`` ('coco', 'ade', 'cityscapes')."""
    checkers = {'coco': check_coco, 'ade': check_ade, 'cityscapes': check_cityscapes}
    if dataset not in checkers:
        raise ValueError(f'unknown dataset {dataset!r}; choose one of {sorted(checkers)}')
    return checkers[dataset](root)


def check_coco(root: str | Path) -> LayoutReport:
    """``annotations/instances_{train,val}2017.json`` plus every image they list under ``{train,val}2017/``."""
    root = _existing_root(root, 'COCO 2017', 'data/coco')
    report = LayoutReport('coco', root)
    for split in COCO_SPLITS:
        ann_file = root / 'annotations' / f'instances_{split}.json'
        _require([ann_file, root / split], 'COCO 2017', 'download train2017, val2017 and annotations_trainval2017')
        names = [image['file_name'] for image in json.loads(ann_file.read_text())['images']]
        _require([root / split / name for name in names], 'COCO 2017', f'{ann_file.name} lists images that '
                 f'{split}/ lacks: unpack the matching {split}.zip')
        report.images[split] = len(names)
    return report


def check_ade(root: str | Path) -> LayoutReport:
    """``images/{training,validation}/*.jpg`` each with ``annotations/.../*.png`` (ADEChallengeData2016)."""
    root = _existing_root(root, 'ADE20K', 'data/ade/ADEChallengeData2016')
    report = LayoutReport('ade', root)
    for split in ADE_SPLITS:
        images = sorted((root / 'images' / split).glob('*.jpg'))
        _require_some(images, root / 'images' / split, 'ADE20K', 'unpack ADEChallengeData2016.zip')
        labels = [root / 'annotations' / split / f'{p.stem}.png' for p in images]
        _require(labels, 'ADE20K', 'every image needs its label PNG: unpack ADEChallengeData2016.zip completely')
        report.images[split] = len(images)
    return report


def check_cityscapes(root: str | Path) -> LayoutReport:
    """``leftImg8bit/{train,val}/CITY/*_leftImg8bit.png`` each with ``gtFine/.../*_gtFine_labelTrainIds.png``."""
    root = _existing_root(root, 'Cityscapes', 'data/cityscapes')
    report = LayoutReport('cityscapes', root)
    for split in CITYSCAPES_SPLITS:
        images = sorted((root / 'leftImg8bit' / split).rglob(f'*{CITYSCAPES_IMG_SUFFIX}'))
        _require_some(images, root / 'leftImg8bit' / split, 'Cityscapes', 'unpack leftImg8bit_trainvaltest.zip')
        labels = [_cityscapes_label(root, p, CITYSCAPES_TRAIN_IDS_SUFFIX) for p in images]
        polygons = [_cityscapes_label(root, p, CITYSCAPES_POLYGONS_SUFFIX) for p in images]
        if not all(p.is_file() for p in labels) and all(p.is_file() for p in polygons):
            raise DatasetLayoutError(
                f'Cityscapes at {root}: gtFine/{split} has polygons but no *{CITYSCAPES_TRAIN_IDS_SUFFIX}; '
                f'create them with: python tools/prepare_dataset.py convert-cityscapes {root}')
        _require(labels, 'Cityscapes', 'unpack gtFine_trainvaltest.zip, then run '
                 f'python tools/prepare_dataset.py convert-cityscapes {root}')
        report.images[split] = len(images)
    return report


def convert_cityscapes(root: str | Path, nproc: int = 1) -> int:
    """Write ``*_gtFine_labelTrainIds.png`` next to every ``*_gtFine_polygons.json`` (cityscapesscripts)."""
    try:
        import cityscapesscripts.preparation.json2labelImg  # noqa: F401
    except ImportError as err:
        raise ImportError('converting Cityscapes labels needs cityscapesscripts: '
                          'pip install cityscapesscripts') from err
    from mmengine.utils import track_parallel_progress, track_progress
    root = _existing_root(root, 'Cityscapes', 'data/cityscapes')
    polygons = sorted((root / 'gtFine').rglob(f'*{CITYSCAPES_POLYGONS_SUFFIX}'))
    _require_some(polygons, root / 'gtFine', 'Cityscapes', 'unpack gtFine_trainvaltest.zip')
    tasks = [(str(p), str(p).replace(CITYSCAPES_POLYGONS_SUFFIX, CITYSCAPES_TRAIN_IDS_SUFFIX)) for p in polygons]
    if nproc > 1:
        track_parallel_progress(_json_to_train_ids, tasks, nproc)
    else:
        track_progress(_json_to_train_ids, tasks)
    return len(tasks)


def _json_to_train_ids(task: tuple[str, str]) -> None:
    from cityscapesscripts.preparation.json2labelImg import json2labelImg
    json2labelImg(task[0], task[1], 'trainIds')


def _cityscapes_label(root: Path, image: Path, suffix: str) -> Path:
    relative = image.relative_to(root / 'leftImg8bit')
    return root / 'gtFine' / relative.parent / image.name.replace(CITYSCAPES_IMG_SUFFIX, suffix)


def _existing_root(root: str | Path, name: str, default: str) -> Path:
    root = Path(root)
    if not root.is_dir():
        raise DatasetLayoutError(f'{name} root {root} does not exist; download the dataset and put it there '
                                 f'(the configs expect {default}, or pass the data root), see {DOCS}')
    return root


def _require(paths: list[Path], name: str, fix: str) -> None:
    missing = [p for p in paths if not p.exists()]
    if missing:
        shown = ', '.join(str(p) for p in missing[:MAX_LISTED])
        more = f' and {len(missing) - MAX_LISTED} more' if len(missing) > MAX_LISTED else ''
        raise DatasetLayoutError(f'{name}: missing {shown}{more}; {fix} (layout in {DOCS})')


def _require_some(found: list[Path], where: Path, name: str, fix: str) -> None:
    if not found:
        raise DatasetLayoutError(f'{name}: no files found under {where}; {fix} (layout in {DOCS})')
