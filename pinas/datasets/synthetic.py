"""The embedded default dataset: procedurally drawn images written as an ImageNet-style folder tree.

Nothing is downloaded; the images are drawn with :mod:`pinas.datasets.painter`. Each class is a (shape, texture)
pair drawn at a random position, scale, rotation and colour over a cluttered, noisy background, so a network must
combine local texture with global shape. Two of the four textures (checker, speckle) differ from stripes and flat
only in fine local structure under heavy noise. That makes the task depend on capacity, so architectures differ in
accuracy, which ranking studies need: 30 Track-1 widths span 26-61 % top-1 after 3 epochs (results/ground_truth/),
and the four uniform architectures of the tiny ResNeSt space span 63.6-69.5 % after 6. Mixed ResNeSt architectures
differ by less than seed noise (docs/studies.md).
The tree is ``root/{train,val}/<class>/<index>.png`` plus ``root/meta/{train,val}.txt`` list files
(``relative/path label``), the same layouts :class:`~pinas.datasets.ImageFolder` reads for real data.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from ..utils.reuse import generate_dir
from .painter import CROSS_ARM, add_noise, blend, cross_arms, place, regular_polygon, texture_field, to_image

SHAPES = ('disc', 'square', 'triangle', 'ring', 'cross')
TEXTURES = ('flat', 'stripes', 'checker', 'speckle')


@dataclass(frozen=True)
class SyntheticSpec:
    """What to generate; the defaults are the embedded default (configs/search/_base_/datasets/embedded.py)."""

    num_classes: int = 20
    train_per_class: int = 250
    val_per_class: int = 150
    image_size: int = 32
    noise: float = 0.25
    clutter: int = 3
    seed: int = 0


def class_names(num_classes: int) -> list[str]:
    combos = [f'{s}_{t}' for t in TEXTURES for s in SHAPES]
    if num_classes > len(combos):
        raise ValueError(f'the synthetic dataset has at most {len(combos)} classes, asked for {num_classes}')
    return combos[:num_classes]


def _shape_mask(shape: str, size: int, rng: np.random.Generator) -> Image.Image:
    mask = Image.new('L', (size, size), 0)
    draw = ImageDraw.Draw(mask)
    radius = rng.uniform(0.22, 0.38) * size
    cx, cy = rng.uniform(radius, size - radius, 2)
    box = [cx - radius, cy - radius, cx + radius, cy + radius]
    if shape == 'disc':
        draw.ellipse(box, fill=255)
    elif shape == 'ring':
        draw.ellipse(box, fill=255)
        inner = radius * 0.55
        draw.ellipse([cx - inner, cy - inner, cx + inner, cy + inner], fill=0)
    elif shape == 'square':  # regular polygons at a random rotation
        draw.polygon(place(regular_polygon(4, rng.uniform(0, math.pi / 2)), cx, cy, radius), fill=255)
    elif shape == 'triangle':
        draw.polygon(place(regular_polygon(3, rng.uniform(0, 2 * math.pi)), cx, cy, radius), fill=255)
    elif shape == 'cross':
        for arm in cross_arms(cx, cy, radius, radius * CROSS_ARM):
            draw.rectangle(arm, fill=255)
    return mask


def _texture(kind: str, size: int, rng: np.random.Generator) -> np.ndarray:
    """A random colour modulated by the painter's texture (:func:`~pinas.datasets.painter.texture_field`): speckle
    cells scale it by 0.3-1, gratings (periods 3-5 px, no phase) by 0.3-1 too."""
    colour = rng.uniform(0.35, 1.0, 3)
    field = texture_field(kind, (size, size), rng, period=(3.0, 5.0), random_phase=False, speckle=(0.3, 1.0))
    if field is None:
        return np.broadcast_to(colour, (size, size, 3)).copy()
    if kind == 'speckle':
        return colour * field[..., None]
    return colour * (0.3 + 0.35 * (1 + field[..., None]))


def render(label: int, spec: SyntheticSpec, rng: np.random.Generator) -> Image.Image:
    """One image of class ``label``."""
    shape, texture = class_names(spec.num_classes)[label].split('_')
    size = spec.image_size
    image = rng.uniform(0.0, 0.45, 3) * np.ones((size, size, 3))
    for _ in range(spec.clutter):  # distractor blobs that carry no class information
        blob = _shape_mask(SHAPES[rng.integers(len(SHAPES))], size // 2, rng).resize((size, size))
        alpha = np.asarray(blob, dtype=np.float64)[..., None] / 255 * rng.uniform(0.1, 0.3)
        image = blend(image, alpha, rng.uniform(0, 1, 3))
    alpha = np.asarray(_shape_mask(shape, size, rng).filter(ImageFilter.GaussianBlur(0.6)),
                       dtype=np.float64)[..., None] / 255
    image = blend(image, alpha, _texture(texture, size, rng))
    return to_image(add_noise(image, spec.noise * rng.uniform(0.3, 1.0), rng), peak=1.0)


SPEC_FILE = 'meta/spec.json'  # the spec a tree was written with: its key
TREE = ('train', 'val', 'meta')  # what a tree holds at its root


def make_synthetic_dataset(root: str | Path, spec: SyntheticSpec = SyntheticSpec()) -> Path:
    """Write the dataset under ``root``: a tree of the same spec is kept, any other replaced whole (written beside
    ``root`` and renamed into place, :func:`pinas.utils.reuse.generate_dir`), so that fewer classes or images
    never leave the old ones behind and a killed generation leaves the old tree or none, never a mix."""
    def write(fresh: Path) -> None:
        names = class_names(spec.num_classes)
        (fresh / 'meta').mkdir(parents=True, exist_ok=True)
        for split, per_class, offset in (('train', spec.train_per_class, 0), ('val', spec.val_per_class, 1)):
            rng = np.random.default_rng([spec.seed, offset])
            lines = []
            for label, name in enumerate(names):
                (fresh / split / name).mkdir(parents=True, exist_ok=True)
                for i in range(per_class):
                    rel = f'{split}/{name}/{i:05d}.png'
                    render(label, spec, rng).save(fresh / rel)
                    lines.append(f'{rel} {label}')
            (fresh / 'meta' / f'{split}.txt').write_text('\n'.join(lines) + '\n')

    root = Path(root)
    generate_dir(root, asdict(spec), write, stamp=SPEC_FILE, own=TREE, what='embedded dataset')
    return root
