"""Generated datasets in the exact on-disk layouts of COCO 2017, ADE20K and Cityscapes, in several sizes.

They exist so that the real dataset classes (mmdet ``CocoDataset``, mmseg ``ADE20KDataset`` /
``CityscapesDataset``) and evaluators (pycocotools, ``IoUMetric``, ``CityscapesMetric``) run end to end on a CPU.
What a size draws is one row of :data:`SIZE_PRESETS`:

* ``tiny`` (smoke runs and tests, seconds): 8 + 4 images; every object is a filled shape in its class's palette
  colour (plus noise), so colour alone gives the label.
* ``small`` (the CPU transfer study, minutes): hundreds of images of textured objects of several classes, shapes,
  sizes and rotations over cluttered, textured scenes, with unlabelled distractor shapes and noise. Classes come in
  pairs that share a colour and differ only in shape and texture, so a detector or segmentor has to read shape and
  fine texture, and a stronger backbone scores measurably higher.

Labels (polygons, mask pixels) are rasterised from the same polygons as the pixels, so they always agree. Output
is a pure function of (preset, seed).
"""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np
from PIL import Image, ImageDraw

from pinas.datasets.painter import (SHAPES, TEXTURES, add_noise, blend, ellipse_mask, jitter, polygon_mask,
                                    texture_field, to_image, unit_shape, vertical_blend)
from pinas.utils.reuse import generate_dir

# Image sizes (width, height) of the presets that name none (tiny): small enough for a CPU smoke run, big enough
# for FPN strides and COCO's min_size=32 filter. Cityscapes keeps its 2:1 aspect ratio.
# tools/analysis_tools/gpu_check.py sets these for the duration of a call to draw at a real input size.
COCO_SIZE = (128, 96)
ADE_SIZE = (96, 96)
CITYSCAPES_SIZE = (128, 64)
NOISE_STD = 8.0  # tiny: pixel noise, small against the distance between palette colours
OBJECTS_PER_IMAGE = (1, 3)  # tiny, inclusive range
OBJECT_SIZE = (0.25, 0.45)  # tiny: object side as a fraction of the image side
BORDER = 2  # unlabelled frame (ADE "other" = 0, Cityscapes "unlabeled" = 0) so ignore labels occur
PLACEMENT_TRIES = 50
OBJECT_GAP = 1  # pixels kept free between two placed shapes, so instances never touch

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
CITYSCAPES_CITIES = {'train': ('aachen', 'bochum'), 'val': ('frankfurt',)}
LAYOUTS = ('coco', 'ade', 'cityscapes')
STYLES = ('palette', 'textured')


@dataclass(frozen=True)
class Content:
    """What one dataset's images show.

    Args:
        objects: class name -> (shape, texture, RGB colour) of its instances; the palette style paints the
            dataset's palette colour and ignores texture and colour.
        bands: scene regions from top to bottom (segmentation only), each a choice of class names drawn per image.
        regions: class name -> (texture, RGB colour) of the band classes (textured style).
    """

    objects: Mapping[str, tuple[str, str, tuple[int, int, int]]]
    bands: tuple[tuple[str, ...], ...] = ()
    regions: Mapping[str, tuple[str, tuple[int, int, int]]] = field(default_factory=dict)


@dataclass(frozen=True)
class SizePreset:
    """One dataset size: how many images, how large, and what they show (one row of :data:`SIZE_PRESETS`).

    Args:
        name: what ``--size`` calls it; the default output directory is ``data/<name>``.
        num_train / num_val: images per split of every dataset.
        style: ``palette`` (each object one flat palette colour) or ``textured`` (see the module doc).
        content: per layout (``coco``, ``ade``, ``cityscapes``), the classes drawn.
        image_sizes: per layout (width, height); a layout missing here uses the module defaults.
        noise_std: Gaussian pixel noise (0-255 scale).
        objects_per_image: inclusive range of labelled objects per image.
        object_size: object width and height as fractions of the image's width and height.
        max_rotation: textured style: shapes turn by up to this many degrees either way.
        distractors: textured style: inclusive range of unlabelled shapes (``distractor_shapes``, random colour
            and texture) per image, which a model must learn to leave as background.
        clutter: textured style: translucent blobs over the scene (no label).
        colour_jitter: textured style: each RGB channel of an instance moves up to this far from its class colour.
        region_jitter: textured style: the same for scene bands; kept small so that the scene classes stay easy
            and what separates backbones is the objects (one unstable wall/building split decides more mIoU than
            any object class).
        texture_contrast: textured style: relative brightness swing of stripes, checker and speckle.
    """

    name: str
    num_train: int
    num_val: int
    style: str
    content: Mapping[str, Content]
    image_sizes: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    noise_std: float = NOISE_STD
    objects_per_image: tuple[int, int] = OBJECTS_PER_IMAGE
    object_size: tuple[float, float] = OBJECT_SIZE
    max_rotation: float = 0.0
    distractors: tuple[int, int] = (0, 0)
    distractor_shapes: tuple[str, ...] = ()
    clutter: int = 0
    colour_jitter: float = 0.0
    region_jitter: float = 0.0
    texture_contrast: float = 0.0

    def __post_init__(self):
        if self.style not in STYLES:
            raise ValueError(f'size preset {self.name!r}: style must be one of {STYLES}, got {self.style!r}')
        missing = [layout for layout in LAYOUTS if layout not in self.content]
        if missing:
            raise ValueError(f'size preset {self.name!r}: no content for {missing}')
        for layout, content in self.content.items():
            for name, (shape, texture, _) in content.objects.items():
                if shape not in SHAPES or texture not in TEXTURES:
                    raise ValueError(f'size preset {self.name!r}, {layout} class {name!r}: shape {shape!r} / '
                                     f'texture {texture!r}; known shapes {SHAPES}, textures {TEXTURES}')
        unknown = [s for s in self.distractor_shapes if s not in SHAPES]
        if unknown:
            raise ValueError(f'size preset {self.name!r}: unknown distractor shapes {unknown}; known {SHAPES}')

    def image_size(self, layout: str) -> tuple[int, int]:
        """(width, height) of the layout's images; read at call time, so the module defaults can be changed."""
        defaults = {'coco': COCO_SIZE, 'ade': ADE_SIZE, 'cityscapes': CITYSCAPES_SIZE}
        return tuple(self.image_sizes.get(layout, defaults[layout]))

    def describe(self) -> dict:
        """A JSON-able record of the preset (written beside the datasets)."""
        return _plain(asdict(self))


# Colours of the textured style: classes come in pairs of one colour, told apart by shape and texture only.
_RED, _BLUE, _YELLOW, _GREEN = (200, 60, 60), (60, 90, 210), (215, 190, 50), (60, 170, 80)
_TINY = SizePreset(
    name='tiny', num_train=8, num_val=4, style='palette',
    content={
        'coco': Content(objects={'person': ('ellipse', 'flat', _RED), 'car': ('rectangle', 'flat', _BLUE),
                                 'stop sign': ('triangle', 'flat', _YELLOW)}),
        'ade': Content(objects={'person': ('ellipse', 'flat', _RED), 'car': ('rectangle', 'flat', _BLUE),
                                'tree': ('triangle', 'flat', _GREEN)},
                       bands=(('wall',), ('floor',))),
        'cityscapes': Content(objects={'person': ('ellipse', 'flat', _RED), 'car': ('rectangle', 'flat', _BLUE),
                                       'traffic sign': ('triangle', 'flat', _YELLOW)},
                              bands=(('sky',), ('road',))),
    })
# The small ADE classes are all among ADE20K's first 21 (indices 0-20), so the study's segmentors predict only those
# (configs/transfer_study/_base_/datasets/ade-small-96x96.py): 150-class logits at full resolution would cost most
# of a CPU step.
_SMALL = SizePreset(
    name='small', num_train=800, num_val=200, style='textured',
    content={
        'coco': Content(objects={
            'person': ('ellipse', 'stripes', _RED), 'stop sign': ('octagon', 'flat', _RED),
            'car': ('rectangle', 'checker', _BLUE), 'kite': ('diamond', 'speckle', _BLUE),
            'dog': ('triangle', 'speckle', _YELLOW), 'bicycle': ('cross', 'stripes', _YELLOW)}),
        'ade': Content(
            objects={'person': ('ellipse', 'stripes', _RED), 'chair': ('cross', 'flat', _RED),
                     'car': ('rectangle', 'checker', _BLUE), 'table': ('diamond', 'speckle', _BLUE),
                     'tree': ('triangle', 'speckle', _GREEN), 'plant': ('hexagon', 'stripes', _GREEN)},
            bands=(('wall', 'sky', 'building'), ('floor', 'grass', 'road')),
            regions={'wall': ('flat', (195, 170, 125)), 'sky': ('gradient', (140, 180, 230)),
                     'building': ('checker', (130, 130, 140)), 'floor': ('stripes', (140, 100, 70)),
                     'grass': ('speckle', (90, 140, 70)), 'road': ('speckle', (110, 110, 110))}),
        'cityscapes': Content(
            objects={'person': ('ellipse', 'stripes', _RED), 'rider': ('cross', 'flat', _RED),
                     'car': ('rectangle', 'checker', _BLUE), 'bicycle': ('diamond', 'speckle', _BLUE),
                     'traffic sign': ('triangle', 'flat', _YELLOW), 'traffic light': ('hexagon', 'stripes', _YELLOW)},
            bands=(('sky',), ('building', 'vegetation'), ('road', 'sidewalk')),
            regions={'sky': ('gradient', (140, 180, 230)), 'building': ('checker', (130, 130, 140)),
                     'vegetation': ('speckle', (80, 140, 60)), 'road': ('speckle', (110, 110, 110)),
                     'sidewalk': ('stripes', (170, 150, 150))}),
    },
    image_sizes={'coco': (128, 96), 'ade': (128, 128), 'cityscapes': (128, 64)},
    noise_std=18.0, objects_per_image=(1, 4), object_size=(0.12, 0.45), max_rotation=30.0,
    distractors=(0, 2), distractor_shapes=('star',), clutter=4, colour_jitter=45.0, region_jitter=15.0,
    texture_contrast=0.6)
SIZE_PRESETS: dict[str, SizePreset] = {p.name: p for p in (_TINY, _SMALL)}


@dataclass(frozen=True)
class TinySpec:
    """A dataset size preset, the images per split, and the seed everything derives from.

    The counts default to the tiny preset's; :meth:`for_size` takes another preset's counts.
    """

    num_train: int = _TINY.num_train
    num_val: int = _TINY.num_val
    seed: int = 0
    size: str = _TINY.name

    @classmethod
    def for_size(cls, size: str, seed: int = 0, num_train: int | None = None,
                 num_val: int | None = None) -> 'TinySpec':
        """The spec of a preset, with its image counts unless given."""
        preset = get_size_preset(size)
        return cls(num_train=preset.num_train if num_train is None else num_train,
                   num_val=preset.num_val if num_val is None else num_val, seed=seed, size=size)

    @property
    def preset(self) -> SizePreset:
        return get_size_preset(self.size)

    def splits(self) -> dict[str, int]:
        return {'train': self.num_train, 'val': self.num_val}


def get_size_preset(name: str) -> SizePreset:
    try:
        return SIZE_PRESETS[name]
    except KeyError:
        raise KeyError(f'unknown dataset size {name!r}; known sizes: {", ".join(SIZE_PRESETS)}') from None


SPEC_FILE = 'dataset_spec.json'  # at the root of a generated set: its key (spec, preset, image sizes)
DATASET_DIRS = {'coco': Path('coco'), 'ade': Path('ade') / 'ADEChallengeData2016', 'cityscapes': Path('cityscapes')}


def dataset_key(spec: TinySpec) -> dict:
    """What the generated bytes are a function of: the spec, its preset and the image sizes drawn at (the module
    defaults a preset leaves to them included); :func:`make_tiny_datasets` keeps a set only under the same key."""
    return dict(spec=asdict(spec), preset=spec.preset.describe(),
                image_sizes={layout: list(spec.preset.image_size(layout)) for layout in LAYOUTS})


def make_tiny_datasets(out_dir: str | Path, spec: TinySpec = TinySpec(),
                       log: Callable[[str], object] = lambda line: None) -> dict[str, Path]:
    """Write ``out_dir/coco``, ``out_dir/ade/ADEChallengeData2016`` and ``out_dir/cityscapes``, and
    ``out_dir/dataset_spec.json`` (:func:`dataset_key`).

    A set of the same key already at ``out_dir`` is kept; any other is replaced whole, never merged (a smaller set
    written over a larger one would leave the larger one's images and classes behind): the new set is written
    beside ``out_dir`` and renamed into place (:func:`pinas.utils.reuse.generate_dir`). ``log`` is told why a set
    was written."""
    out_dir = Path(out_dir)

    def write(root: Path) -> None:
        make_tiny_coco(root / DATASET_DIRS['coco'], spec)
        make_tiny_ade(root / DATASET_DIRS['ade'], spec)
        make_tiny_cityscapes(root / DATASET_DIRS['cityscapes'], spec)

    own = {SPEC_FILE, *(path.parts[0] for path in DATASET_DIRS.values())}
    # sets written before the image sizes were recorded were drawn at today's defaults: kept, not redrawn under a
    # reader's feet (a study training on data/small)
    reason = generate_dir(out_dir, dataset_key(spec), write, stamp=SPEC_FILE, own=own,
                          what='generated COCO / ADE20K / Cityscapes set', optional=('image_sizes',))
    log(f'{out_dir}: kept (same spec)' if reason is None else f'{out_dir}: written ({reason})')
    return {name: out_dir / path for name, path in DATASET_DIRS.items()}


# --- shapes -----------------------------------------------------------------------------------------------------
def _shape_polygon(kind: str, box: tuple[int, int, int, int]) -> list[tuple[int, int]]:
    """Integer vertices (as Cityscapes stores them) of a filled shape inside ``box`` = (x0, y0, x1, y1)."""
    x0, y0, x1, y1 = box
    cx, cy, rx, ry = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2
    return [(round(cx + rx * u), round(cy + ry * v)) for u, v in unit_shape(kind)]


def _place_boxes(rng: np.random.Generator, size: tuple[int, int], count: int) -> list[tuple[int, int, int, int]]:
    """Up to ``count`` non-overlapping integer boxes inside the unlabelled border (palette style)."""
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


def _place_shapes(rng: np.random.Generator, size: tuple[int, int], shapes: Sequence[str],
                  preset: SizePreset) -> list[tuple[int, list[tuple[int, int]]]]:
    """(index into ``shapes``, integer polygon) of the shapes that fit: each gets a random size, aspect and
    rotation, inside the unlabelled border and apart from the others; a shape that finds no place is dropped."""
    width, height = size
    placed: list[tuple[int, list[tuple[int, int]]]] = []
    boxes: list[tuple[int, int, int, int]] = []
    for index, kind in enumerate(shapes):
        rx = rng.uniform(*preset.object_size) * width / 2
        ry = rng.uniform(*preset.object_size) * height / 2
        angle = math.radians(rng.uniform(-preset.max_rotation, preset.max_rotation))
        cos, sin = math.cos(angle), math.sin(angle)
        local = [(rx * u * cos - ry * v * sin, rx * u * sin + ry * v * cos) for u, v in unit_shape(kind)]
        xs, ys = [p[0] for p in local], [p[1] for p in local]
        room_x = (BORDER - min(xs), width - 1 - BORDER - max(xs))  # where the centre may go
        room_y = (BORDER - min(ys), height - 1 - BORDER - max(ys))
        if room_x[0] >= room_x[1] or room_y[0] >= room_y[1]:
            continue  # larger than the image: keeps the stream of the other draws, drops this shape
        for _ in range(PLACEMENT_TRIES):
            cx, cy = rng.uniform(*room_x), rng.uniform(*room_y)
            polygon = [(round(cx + x), round(cy + y)) for x, y in local]
            box = (min(p[0] for p in polygon), min(p[1] for p in polygon), max(p[0] for p in polygon),
                   max(p[1] for p in polygon))
            if all(box[2] + OBJECT_GAP < b[0] or b[2] + OBJECT_GAP < box[0] or box[3] + OBJECT_GAP < b[1]
                   or b[3] + OBJECT_GAP < box[1] for b in boxes):
                boxes.append(box)
                placed.append((index, polygon))
                break
    return placed


# --- palette style (tiny) ---------------------------------------------------------------------------------------
@dataclass
class _Scene:
    """An RGB canvas and a label map painted together, so colour and label always agree."""

    image: Image.Image
    labels: Image.Image
    rng: np.random.Generator
    noise_std: float = NOISE_STD

    @classmethod
    def new(cls, size: tuple[int, int], background_label: int, rng: np.random.Generator,
            noise_std: float = NOISE_STD) -> '_Scene':
        image = Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8))
        return cls(image, Image.new('L', size, background_label), rng, noise_std)

    def paint(self, polygon: Sequence[tuple[float, float]], colour: Sequence[int], label: int) -> None:
        ImageDraw.Draw(self.image).polygon(list(polygon), fill=tuple(int(c) for c in colour))
        ImageDraw.Draw(self.labels).polygon(list(polygon), fill=int(label))

    def noisy_image(self) -> Image.Image:
        return to_image(add_noise(np.asarray(self.image, dtype=np.float32), self.noise_std, self.rng))


def _scene_layout(rng: np.random.Generator, size: tuple[int, int]) -> tuple[list, list]:
    """Top and bottom region polygons (inside the border) split at a random horizon (palette style)."""
    width, height = size
    horizon = int(rng.uniform(0.35, 0.65) * height)
    right, bottom = width - BORDER - 1, height - BORDER - 1
    top = [(BORDER, BORDER), (right, BORDER), (right, horizon), (BORDER, horizon)]
    low = [(BORDER, horizon + 1), (right, horizon + 1), (right, bottom), (BORDER, bottom)]
    return top, low


def _objects(rng: np.random.Generator, size: tuple[int, int], objects: Mapping[str, tuple]):
    """(class name, polygon) for the objects of one image (palette style)."""
    names = list(objects)
    boxes = _place_boxes(rng, size, int(rng.integers(OBJECTS_PER_IMAGE[0], OBJECTS_PER_IMAGE[1] + 1)))
    for box in boxes:
        name = names[int(rng.integers(len(names)))]
        yield name, _shape_polygon(objects[name][0], box)


# --- textured style (small) -------------------------------------------------------------------------------------
def _texture(kind: str, colour: Sequence[float], size: tuple[int, int], contrast: float,
             rng: np.random.Generator) -> np.ndarray:
    """An ``[H, W, 3]`` float image of ``colour`` modulated by a texture (:func:`pinas.datasets.painter.texture_field`,
    random phase, periods of 3-6 px) with gain ``1 + contrast * field`` (``contrast / 2`` for the gratings)."""
    field = texture_field(kind, size, rng)
    width, height = size
    if field is None:
        gain = np.ones((height, width))
    elif kind in ('stripes', 'checker'):
        gain = 1 + contrast / 2 * field
    else:
        gain = 1 + contrast * field
    return gain[..., None] * np.asarray(colour, dtype=np.float64)


@dataclass
class _TexturedScene:
    """A float canvas and a label map painted from the same rasterised polygons."""

    pixels: np.ndarray
    labels: Image.Image
    preset: SizePreset
    rng: np.random.Generator

    @classmethod
    def new(cls, size: tuple[int, int], background_label: int, preset: SizePreset,
            rng: np.random.Generator) -> '_TexturedScene':
        """A background of a random vertical blend of two dark-to-mid colours."""
        top, bottom = rng.uniform(20, 160, 3), rng.uniform(20, 160, 3)
        return cls(vertical_blend(size, top, bottom), Image.new('L', size, background_label), preset, rng)

    @property
    def size(self) -> tuple[int, int]:
        return self.labels.size

    def paint(self, polygon: Sequence[tuple[int, int]], texture: str, colour: Sequence[float],
              label: int | None) -> None:
        """Fill ``polygon`` with a texture; ``label=None`` paints pixels only (distractors)."""
        mask = polygon_mask(self.size, polygon)
        self.pixels[mask] = _texture(texture, colour, self.size, self.preset.texture_contrast, self.rng)[mask]
        if label is not None:
            ImageDraw.Draw(self.labels).polygon(list(polygon), fill=int(label))

    def jittered(self, colour: Sequence[int], amount: float) -> np.ndarray:
        return jitter(colour, amount, self.rng)

    def add_clutter(self) -> None:
        """Translucent random blobs: texture the model must see past (labels unchanged)."""
        width, height = self.size
        for _ in range(self.preset.clutter):
            rx, ry = self.rng.uniform(0.05, 0.25) * width, self.rng.uniform(0.05, 0.25) * height
            cx, cy = self.rng.uniform(0, width), self.rng.uniform(0, height)
            mask = ellipse_mask(self.size, [cx - rx, cy - ry, cx + rx, cy + ry])
            alpha = self.rng.uniform(0.15, 0.35)
            self.pixels[mask] = blend(self.pixels[mask], alpha, self.rng.uniform(0, 255, 3))

    def noisy_image(self) -> Image.Image:
        return to_image(add_noise(self.pixels, self.preset.noise_std, self.rng))


def _band_polygons(rng: np.random.Generator, size: tuple[int, int], count: int) -> list[list[tuple[int, int]]]:
    """``count`` scene bands inside the border, top to bottom, split by slanted lines at random heights. Each band
    is drawn from its upper boundary to the bottom, so the next band overdraws it: no pixel is left out."""
    width, height = size
    right, bottom = width - BORDER - 1, height - BORDER - 1
    cuts = np.sort(rng.uniform(0.25, 0.75, count - 1)) * height if count > 1 else np.zeros(0)
    bounds = [(BORDER, BORDER)]
    for cut in cuts:
        slant = rng.uniform(-0.1, 0.1) * height
        bounds.append((int(np.clip(cut - slant, BORDER, bottom)), int(np.clip(cut + slant, BORDER, bottom))))
    return [[(BORDER, left), (right, rgt), (right, bottom), (BORDER, bottom)] for left, rgt in bounds]


def _textured_scene(rng: np.random.Generator, size: tuple[int, int], content: Content, preset: SizePreset,
                    background_label: int, label_of: Mapping[str, int]):
    """One textured image: bands, clutter, distractors, objects. Returns the scene and the (class name, polygon)
    pairs that carry labels, in drawing order (bands first)."""
    scene = _TexturedScene.new(size, background_label, preset, rng)
    drawn = []
    for choices, polygon in zip(content.bands, _band_polygons(rng, size, len(content.bands))):
        name = choices[int(rng.integers(len(choices)))]
        texture, colour = content.regions[name]
        scene.paint(polygon, texture, scene.jittered(colour, preset.region_jitter), label_of[name])
        drawn.append((name, polygon))
    scene.add_clutter()
    names = list(content.objects)
    labelled = [names[int(rng.integers(len(names)))]
                for _ in range(int(rng.integers(preset.objects_per_image[0], preset.objects_per_image[1] + 1)))]
    distractors = [preset.distractor_shapes[int(rng.integers(len(preset.distractor_shapes)))]
                   for _ in range(int(rng.integers(preset.distractors[0], preset.distractors[1] + 1)))] \
        if preset.distractor_shapes else []
    shapes = [content.objects[name][0] for name in labelled] + distractors
    for index, polygon in _place_shapes(rng, size, shapes, preset):
        if index < len(labelled):
            name = labelled[index]
            _, texture, colour = content.objects[name]
            scene.paint(polygon, texture, scene.jittered(colour, preset.colour_jitter), label_of[name])
            drawn.append((name, polygon))
        else:
            texture = TEXTURES[int(rng.integers(len(TEXTURES)))]
            scene.paint(polygon, texture, rng.uniform(0, 255, 3), None)
    return scene, drawn


def _rng(spec: TinySpec, dataset: str, split: str) -> np.random.Generator:
    """An independent, reproducible stream per (dataset, split)."""
    return np.random.default_rng([spec.seed, sum(map(ord, dataset)), sum(map(ord, split))])


def _draw(spec: TinySpec, layout: str, rng: np.random.Generator, background_label: int,
          label_of: Mapping[str, int], colour_of: Mapping[str, Sequence[int]]):
    """One image of ``layout`` in the spec's style: (scene with ``noisy_image()`` and ``labels``, labelled
    (class name, polygon) pairs in drawing order). The palette style keeps its original random stream."""
    preset, size = spec.preset, spec.preset.image_size(layout)
    content = preset.content[layout]
    if preset.style == 'textured':
        return _textured_scene(rng, size, content, preset, background_label, label_of)
    scene = _Scene.new(size, background_label, rng, preset.noise_std)
    drawn = []
    if content.bands:
        drawn += [(choices[0], polygon) for choices, polygon in zip(content.bands, _scene_layout(rng, size))]
    drawn += list(_objects(rng, size, content.objects))
    for name, polygon in drawn:
        scene.paint(polygon, colour_of[name], label_of[name])
    return scene, drawn


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
    width, height = spec.preset.image_size('coco')
    categories = coco_categories()
    cat_id = {c['name']: c['id'] for c in categories}
    palette = dict(zip(CocoDataset.METAINFO['classes'], CocoDataset.METAINFO['palette']))
    on_image = {name: 1 for name in cat_id}  # the label map is not written for COCO
    next_image_id, next_ann_id = 1, 1
    for split, count in spec.splits().items():
        rng = _rng(spec, 'coco', split)
        (root / f'{split}2017').mkdir(parents=True, exist_ok=True)
        images, annotations = [], []
        for _ in range(count):
            scene, drawn = _draw(spec, 'coco', rng, 0, on_image, palette)
            file_name = f'{next_image_id:012d}.jpg'
            for name, polygon in drawn:
                flat = [float(v) for point in polygon for v in point]
                rle = mask_utils.frPyObjects([flat], height, width)
                x, y, w, h = (float(v) for v in mask_utils.toBbox(rle)[0])
                annotations.append({'id': next_ann_id, 'image_id': next_image_id, 'category_id': cat_id[name],
                                    'segmentation': [flat], 'area': float(mask_utils.area(rle)[0]),
                                    'bbox': [x, y, w, h], 'iscrowd': 0})
                next_ann_id += 1
            scene.noisy_image().save(root / f'{split}2017' / file_name, quality=95)
            images.append({'id': next_image_id, 'file_name': file_name, 'width': width, 'height': height})
            next_image_id += 1
        _write_json(root / 'annotations' / f'instances_{split}2017.json',
                    {'info': {'description': _description(spec, 'COCO')}, 'licenses': [],
                     'images': images, 'annotations': annotations, 'categories': categories})
    return root


def _description(spec: TinySpec, layout: str) -> str:
    # the tiny preset keeps the description it always had (same seed, same bytes)
    size = 'tiny' if spec.size == _TINY.name else f'{spec.size} generated'
    return f'pinas {size} {layout}-format dataset, seed {spec.seed}'


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
            scene, _ = _draw(spec, 'ade', rng, 0, value, colour)
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
    size = spec.preset.image_size('cityscapes')
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
            scene, drawn = _draw(spec, 'cityscapes', rng, CITYSCAPES_UNLABELED_ID, CITYSCAPES_LABEL_IDS, colour)
            instances = Image.new('I', size, CITYSCAPES_UNLABELED_ID)
            for number, (name, polygon) in enumerate(drawn):
                label_id = CITYSCAPES_LABEL_IDS[name]
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
                'imgHeight': size[1], 'imgWidth': size[0],
                'objects': [{'label': name, 'polygon': [[x, y] for x, y in polygon]} for name, polygon in drawn]})
    return root


def _save(image: Image.Image, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, quality=95) if path.suffix == '.jpg' else image.save(path)


def _write_json(path: Path, payload: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload))


def _plain(value):
    """Tuples and mappings as JSON lists and dicts."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
