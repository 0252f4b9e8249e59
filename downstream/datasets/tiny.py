"""Tiny datasets in the exact on-disk layouts of COCO 2017, ADE20K and Cityscapes.

They exist so that the real dataset classes (mmdet ``CocoDataset``, mmseg ``ADE20KDataset`` /
``CityscapesDataset``) and evaluators (pycocotools, ``IoUMetric``, ``CityscapesMetric``) run end to end on a CPU
in seconds. Content is learnable: every object is a filled shape painted in its class's palette colour (plus
noise), and its label (polygon, mask pixels) is that class. Output is a pure function of the seed.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
from PIL import Image, ImageDraw

# Image sizes (width, height): small enough for a CPU smoke run, big enough for FPN strides and COCO's
# min_size=32 filter. Cityscapes keeps its 2:1 aspect ratio.
COCO_SIZE = (128, 96)
ADE_SIZE = (96, 96)
CITYSCAPES_SIZE = (128, 64)
NOISE_STD = 8.0  # pixel noise, small against the distance between palette colours
OBJECTS_PER_IMAGE = (1, 3)  # inclusive range
OBJECT_SIZE = (0.25, 0.45)  # object side as a fraction of the image side
BORDER = 2  # unlabelled frame (ADE "other" = 0, Cityscapes "unlabeled" = 0) so ignore labels occur
PLACEMENT_TRIES = 50
ELLIPSE_VERTICES = 16

# COCO 2017 numbers its 80 categories 1..90 and leaves these ids unused.
COCO_UNUSED_IDS = frozenset({12, 26, 29, 30, 45, 66, 68, 69, 71, 83})
# Cityscapes label ids of the 19 training classes (cityscapesscripts/helpers/labels.py); train id = position in
# mmseg's CityscapesDataset classes. Every other id maps to the ignore index 255.
CITYSCAPES_LABEL_IDS = {
    'road': 7, 'sidewalk': 8, 'building': 11, 'wall': 12, 'fence': 13, 'pole': 17, 'traffic light': 19,
    'traffic sign': 20, 'vegetation': 21, 'terrain': 22, 'sky': 23, 'person': 24, 'rider': 25, 'car': 26,
    'truck': 27, 'bus': 28, 'train': 31, 'motorcycle': 32, 'bicycle': 33}
CITYSCAPES_UNLABELED_ID = 0
# instanceIds PNGs store label_id * 1000 + instance number for classes with instances, else the label id
CITYSCAPES_INSTANCE_CLASSES = frozenset({'person', 'rider', 'car', 'truck', 'bus', 'train', 'motorcycle', 'bicycle'})
INSTANCE_ID_FACTOR = 1000
IGNORE_INDEX = 255

# Which classes appear, and the shape each is drawn as. Segmentation scenes also get a top and bottom region.
COCO_OBJECTS = {'person': 'ellipse', 'car': 'rectangle', 'stop sign': 'triangle'}
ADE_SCENE = ('wall', 'floor')
ADE_OBJECTS = {'person': 'ellipse', 'car': 'rectangle', 'tree': 'triangle'}
CITYSCAPES_SCENE = ('sky', 'road')
CITYSCAPES_OBJECTS = {'person': 'ellipse', 'car': 'rectangle', 'traffic sign': 'triangle'}
CITYSCAPES_CITIES = {'train': ('aachen', 'bochum'), 'val': ('frankfurt',)}


@dataclass(frozen=True)
class TinySpec:
    """How many images each split gets, and the seed everything derives from."""

    num_train: int = 8
    num_val: int = 4
    seed: int = 0

    def splits(self) -> dict[str, int]:
        return {'train': self.num_train, 'val': self.num_val}


def make_tiny_datasets(out_dir: str | Path, spec: TinySpec = TinySpec()) -> dict[str, Path]:
    """Write ``out_dir/coco``, ``out_dir/ade/ADEChallengeData2016`` and ``out_dir/cityscapes``."""
    out_dir = Path(out_dir)
    return {'coco': make_tiny_coco(out_dir / 'coco', spec),
            'ade': make_tiny_ade(out_dir / 'ade' / 'ADEChallengeData2016', spec),
            'cityscapes': make_tiny_cityscapes(out_dir / 'cityscapes', spec)}


# --- shapes -----------------------------------------------------------------------------------------------------
def _shape_polygon(kind: str, box: tuple[int, int, int, int]) -> list[tuple[int, int]]:
    """Integer vertices (as Cityscapes stores them) of a filled shape inside ``box`` = (x0, y0, x1, y1)."""
    x0, y0, x1, y1 = box
    if kind == 'rectangle':
        points = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    elif kind == 'triangle':
        points = [((x0 + x1) / 2, y0), (x1, y1), (x0, y1)]
    elif kind == 'ellipse':
        cx, cy, rx, ry = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2
        points = [(cx + rx * math.cos(2 * math.pi * i / ELLIPSE_VERTICES),
                   cy + ry * math.sin(2 * math.pi * i / ELLIPSE_VERTICES)) for i in range(ELLIPSE_VERTICES)]
    else:
        raise ValueError(f'unknown shape {kind!r}')
    return [(round(x), round(y)) for x, y in points]


def _place_boxes(rng: np.random.Generator, size: tuple[int, int], count: int) -> list[tuple[int, int, int, int]]:
    """Up to ``count`` non-overlapping integer boxes inside the unlabelled border."""
    width, height = size
    boxes: list[tuple[int, int, int, int]] = []
    for _ in range(PLACEMENT_TRIES):
        if len(boxes) == count:
            break
        w = int(rng.uniform(*OBJECT_SIZE) * width)
        h = int(rng.uniform(*OBJECT_SIZE) * height)
        x0 = int(rng.integers(BORDER, width - BORDER - w))
        y0 = int(rng.integers(BORDER, height - BORDER - h))
        box = (x0, y0, x0 + w, y0 + h)
        if all(box[2] < b[0] or b[2] < box[0] or box[3] < b[1] or b[3] < box[1] for b in boxes):
            boxes.append(box)
    return boxes


@dataclass
class _Scene:
    """An RGB canvas and a label map painted together, so colour and label always agree."""

    image: Image.Image
    labels: Image.Image
    rng: np.random.Generator

    @classmethod
    def new(cls, size: tuple[int, int], background_label: int, rng: np.random.Generator) -> '_Scene':
        image = Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8))
        return cls(image, Image.new('L', size, background_label), rng)

    def paint(self, polygon: Sequence[tuple[float, float]], colour: Sequence[int], label: int) -> None:
        ImageDraw.Draw(self.image).polygon(list(polygon), fill=tuple(int(c) for c in colour))
        ImageDraw.Draw(self.labels).polygon(list(polygon), fill=int(label))

    def noisy_image(self) -> Image.Image:
        pixels = np.asarray(self.image, dtype=np.float32)
        pixels += self.rng.normal(0.0, NOISE_STD, pixels.shape)
        return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def _scene_layout(rng: np.random.Generator, size: tuple[int, int]) -> tuple[list, list]:
    """Top and bottom region polygons (inside the border) split at a random horizon."""
    width, height = size
    horizon = int(rng.uniform(0.35, 0.65) * height)
    right, bottom = width - BORDER - 1, height - BORDER - 1
    top = [(BORDER, BORDER), (right, BORDER), (right, horizon), (BORDER, horizon)]
    low = [(BORDER, horizon + 1), (right, horizon + 1), (right, bottom), (BORDER, bottom)]
    return top, low


def _objects(rng: np.random.Generator, size: tuple[int, int], objects: dict[str, str]):
    """(class name, polygon) for the objects of one image."""
    names = list(objects)
    boxes = _place_boxes(rng, size, int(rng.integers(OBJECTS_PER_IMAGE[0], OBJECTS_PER_IMAGE[1] + 1)))
    for box in boxes:
        name = names[int(rng.integers(len(names)))]
        yield name, _shape_polygon(objects[name], box)


def _rng(spec: TinySpec, dataset: str, split: str) -> np.random.Generator:
    """An independent, reproducible stream per (dataset, split)."""
    return np.random.default_rng([spec.seed, sum(map(ord, dataset)), sum(map(ord, split))])


# --- COCO -------------------------------------------------------------------------------------------------------
def coco_categories() -> list[dict]:
    """The 80 COCO 2017 categories with their official ids, named as mmdet's ``CocoDataset`` names them."""
    from mmdet.datasets import CocoDataset
    ids = [i for i in range(1, 91) if i not in COCO_UNUSED_IDS]
    return [{'id': i, 'name': name} for i, name in zip(ids, CocoDataset.METAINFO['classes'], strict=True)]


def make_tiny_coco(root: str | Path, spec: TinySpec = TinySpec()) -> Path:
    """``annotations/instances_{train,val}2017.json`` (polygon instances) and ``{train,val}2017/*.jpg``."""
    from mmdet.datasets import CocoDataset
    from pycocotools import mask as mask_utils
    root = Path(root)
    categories = coco_categories()
    cat_id = {c['name']: c['id'] for c in categories}
    palette = dict(zip(CocoDataset.METAINFO['classes'], CocoDataset.METAINFO['palette']))
    next_image_id, next_ann_id = 1, 1
    for split, count in spec.splits().items():
        rng = _rng(spec, 'coco', split)
        (root / f'{split}2017').mkdir(parents=True, exist_ok=True)
        images, annotations = [], []
        for _ in range(count):
            scene = _Scene.new(COCO_SIZE, 0, rng)
            file_name = f'{next_image_id:012d}.jpg'
            for name, polygon in _objects(rng, COCO_SIZE, COCO_OBJECTS):
                scene.paint(polygon, palette[name], 1)
                flat = [float(v) for point in polygon for v in point]
                rle = mask_utils.frPyObjects([flat], COCO_SIZE[1], COCO_SIZE[0])
                x, y, w, h = (float(v) for v in mask_utils.toBbox(rle)[0])
                annotations.append({'id': next_ann_id, 'image_id': next_image_id, 'category_id': cat_id[name],
                                    'segmentation': [flat], 'area': float(mask_utils.area(rle)[0]),
                                    'bbox': [x, y, w, h], 'iscrowd': 0})
                next_ann_id += 1
            scene.noisy_image().save(root / f'{split}2017' / file_name, quality=95)
            images.append({'id': next_image_id, 'file_name': file_name, 'width': COCO_SIZE[0],
                           'height': COCO_SIZE[1]})
            next_image_id += 1
        _write_json(root / 'annotations' / f'instances_{split}2017.json',
                    {'info': {'description': f'pinas tiny COCO-format dataset, seed {spec.seed}'}, 'licenses': [],
                     'images': images, 'annotations': annotations, 'categories': categories})
    return root


# --- ADE20K -----------------------------------------------------------------------------------------------------
def make_tiny_ade(root: str | Path, spec: TinySpec = TinySpec()) -> Path:
    """``images/{training,validation}/ADE_*.jpg`` and ``annotations/.../ADE_*.png`` (0 = other, k = class k-1)."""
    from mmseg.datasets import ADE20KDataset
    root = Path(root)
    classes, palette = ADE20KDataset.METAINFO['classes'], ADE20KDataset.METAINFO['palette']
    value = {name.strip(): i + 1 for i, name in enumerate(classes)}  # reduce_zero_label: value k is class k-1
    colour = {name.strip(): palette[i] for i, name in enumerate(classes)}
    for split, folder, prefix in (('train', 'training', 'ADE_train'), ('val', 'validation', 'ADE_val')):
        rng = _rng(spec, 'ade', split)
        for index in range(1, spec.splits()[split] + 1):
            scene = _Scene.new(ADE_SIZE, 0, rng)
            for name, polygon in zip(ADE_SCENE, _scene_layout(rng, ADE_SIZE)):
                scene.paint(polygon, colour[name], value[name])
            for name, polygon in _objects(rng, ADE_SIZE, ADE_OBJECTS):
                scene.paint(polygon, colour[name], value[name])
            stem = f'{prefix}_{index:08d}'
            _save(scene.noisy_image(), root / 'images' / folder / f'{stem}.jpg')
            _save(scene.labels, root / 'annotations' / folder / f'{stem}.png')
    return root


# --- Cityscapes -------------------------------------------------------------------------------------------------
def cityscapes_train_ids() -> np.ndarray:
    """Lookup table label id -> train id (255 = ignored), in the order of mmseg's ``CityscapesDataset``."""
    from mmseg.datasets import CityscapesDataset
    table = np.full(256, IGNORE_INDEX, dtype=np.uint8)
    for train_id, name in enumerate(CityscapesDataset.METAINFO['classes']):
        table[CITYSCAPES_LABEL_IDS[name]] = train_id
    return table


def make_tiny_cityscapes(root: str | Path, spec: TinySpec = TinySpec()) -> Path:
    """``leftImg8bit/{train,val}/CITY/*_leftImg8bit.png`` and, in ``gtFine/...``, the release's
    ``*_gtFine_polygons.json``, ``_labelIds.png``, ``_instanceIds.png`` and ``_color.png`` plus the
    ``*_gtFine_labelTrainIds.png`` that mmseg reads (cityscapesscripts' conversion gives the same)."""
    from mmseg.datasets import CityscapesDataset
    root = Path(root)
    classes, palette = CityscapesDataset.METAINFO['classes'], CityscapesDataset.METAINFO['palette']
    colour = dict(zip(classes, palette))
    to_train_id = cityscapes_train_ids()
    train_id_colours = np.zeros((256, 3), dtype=np.uint8)
    train_id_colours[:len(palette)] = palette
    for split, cities in CITYSCAPES_CITIES.items():
        rng = _rng(spec, 'cityscapes', split)
        for index in range(spec.splits()[split]):
            city = cities[index % len(cities)]
            stem = f'{city}_{index:06d}_000019'
            scene = _Scene.new(CITYSCAPES_SIZE, CITYSCAPES_UNLABELED_ID, rng)
            instances = Image.new('I', CITYSCAPES_SIZE, CITYSCAPES_UNLABELED_ID)
            drawn = list(zip(CITYSCAPES_SCENE, _scene_layout(rng, CITYSCAPES_SIZE)))
            drawn += list(_objects(rng, CITYSCAPES_SIZE, CITYSCAPES_OBJECTS))
            for number, (name, polygon) in enumerate(drawn):
                label_id = CITYSCAPES_LABEL_IDS[name]
                scene.paint(polygon, colour[name], label_id)
                instance_id = label_id * INSTANCE_ID_FACTOR + number if name in CITYSCAPES_INSTANCE_CLASSES \
                    else label_id
                ImageDraw.Draw(instances).polygon(polygon, fill=instance_id)
            _save(scene.noisy_image(), root / 'leftImg8bit' / split / city / f'{stem}_leftImg8bit.png')
            gt = root / 'gtFine' / split / city
            train_ids = to_train_id[np.asarray(scene.labels)]
            _save(scene.labels, gt / f'{stem}_gtFine_labelIds.png')
            _save(Image.fromarray(np.asarray(instances).astype(np.uint16)), gt / f'{stem}_gtFine_instanceIds.png')
            _save(Image.fromarray(train_id_colours[train_ids]), gt / f'{stem}_gtFine_color.png')
            _save(Image.fromarray(train_ids), gt / f'{stem}_gtFine_labelTrainIds.png')
            _write_json(gt / f'{stem}_gtFine_polygons.json', {
                'imgHeight': CITYSCAPES_SIZE[1], 'imgWidth': CITYSCAPES_SIZE[0],
                'objects': [{'label': name, 'polygon': [[x, y] for x, y in polygon]} for name, polygon in drawn]})
    return root


def _save(image: Image.Image, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, quality=95) if path.suffix == '.jpg' else image.save(path)


def _write_json(path: Path, payload: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload))
