"""The one painter of generated images: shapes, textures, colour jitter, blending and noise.

Two generators draw with it: the embedded classification data (:mod:`pinas.datasets.synthetic`, one textured
shape per image) and the tiny / small COCO, ADE20K and Cityscapes (:mod:`downstream.datasets.tiny`, scenes of
labelled polygons). They make different choices (which shapes, how strongly a texture modulates its colour, the
ranges of the random draws), passed here as arguments; what is drawn for a given random stream is fixed, because
committed results were measured on these images and their records carry the datasets' fingerprints.

Pixels are float arrays ``[H, W, 3]`` (on a 0-1 or 0-255 scale, the caller's choice); sizes are ``(width,
height)`` as PIL takes them.
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from PIL import Image, ImageDraw

Size = tuple[int, int]
Point = tuple[float, float]


# --- shapes -----------------------------------------------------------------------------------------------------
def regular_polygon(count: int, offset: float = 0.0, radii: Sequence[float] = (1.0,)) -> list[Point]:
    """Vertices of a regular ``count``-gon on the unit circle (y down), the first at angle ``offset``; ``radii``
    cycle over the vertices (a star alternates an outer and an inner radius)."""
    return [(radii[k % len(radii)] * math.cos(offset + 2 * math.pi * k / count),
             radii[k % len(radii)] * math.sin(offset + 2 * math.pi * k / count)) for k in range(count)]


def place(unit: Sequence[Point], cx: float, cy: float, rx: float, ry: float | None = None) -> list[Point]:
    """A unit shape scaled by ``(rx, ry)`` (``ry`` defaults to ``rx``) and moved to ``(cx, cy)``."""
    ry = rx if ry is None else ry
    return [(cx + rx * u, cy + ry * v) for u, v in unit]


def cross_arms(cx: float, cy: float, radius: float, arm: float) -> list[list[float]]:
    """The two rectangles ``[x0, y0, x1, y1]`` of a plus sign of half size ``radius`` and half arm width ``arm``."""
    return [[cx - radius, cy - arm, cx + radius, cy + arm], [cx - arm, cy - radius, cx + arm, cy + radius]]


SHAPES = ('ellipse', 'rectangle', 'triangle', 'diamond', 'cross', 'star', 'hexagon', 'octagon')
ELLIPSE_VERTICES = 16
CROSS_ARM = 0.35  # half width of a cross's arms, as a fraction of its half size
STAR_INNER = 0.45  # inner radius of a five-pointed star


def unit_shape(kind: str) -> list[Point]:
    """Vertices of one of :data:`SHAPES` in the square [-1, 1]^2 (y down), to be scaled, rotated and placed."""
    if kind == 'rectangle':
        return [(-1, -1), (1, -1), (1, 1), (-1, 1)]
    if kind == 'triangle':
        return [(0, -1), (1, 1), (-1, 1)]
    if kind == 'diamond':
        return [(0, -1), (1, 0), (0, 1), (-1, 0)]
    if kind == 'cross':
        a = CROSS_ARM
        return [(-a, -1), (a, -1), (a, -a), (1, -a), (1, a), (a, a), (a, 1), (-a, 1), (-a, a), (-1, a), (-1, -a),
                (-a, -a)]
    if kind in ('ellipse', 'hexagon', 'octagon', 'star'):
        count = {'ellipse': ELLIPSE_VERTICES, 'hexagon': 6, 'octagon': 8, 'star': 10}[kind]
        offset = -math.pi / 2 if kind == 'star' else (math.pi / count if kind == 'octagon' else 0.0)
        return regular_polygon(count, offset, [1.0, STAR_INNER] if kind == 'star' else [1.0])
    raise ValueError(f'unknown shape {kind!r}; known: {SHAPES}')


def polygon_mask(size: Size, polygon: Sequence[Point]) -> np.ndarray:
    """The pixels of a polygon as a boolean ``[H, W]`` array, rasterised by PIL (edges included), as label maps
    are, so pixels and labels always agree."""
    canvas = Image.new('L', size, 0)
    ImageDraw.Draw(canvas).polygon(list(polygon), fill=1)
    return np.asarray(canvas, dtype=bool)


def ellipse_mask(size: Size, box: Sequence[float]) -> np.ndarray:
    """The pixels of the ellipse inscribed in ``box = [x0, y0, x1, y1]`` as a boolean ``[H, W]`` array."""
    canvas = Image.new('L', size, 0)
    ImageDraw.Draw(canvas).ellipse(list(box), fill=1)
    return np.asarray(canvas, dtype=bool)


# --- textures ---------------------------------------------------------------------------------------------------
TEXTURES = ('flat', 'gradient', 'stripes', 'checker', 'speckle')


def texture_field(kind: str, size: Size, rng: np.random.Generator, *, period: tuple[float, float] = (3.0, 6.0),
                  random_phase: bool = True, speckle: tuple[float, float] = (-0.5, 0.5)) -> np.ndarray | None:
    """The ``[H, W]`` modulation of a texture, before the caller maps it to a gain: None for ``flat``; a vertical
    ramp -0.5..0.5 (``gradient``); a grating of random angle, period in ``period`` and, with ``random_phase``,
    phase (``stripes``, in -1..1); the product of two orthogonal gratings (``checker``); i.i.d. 2x2 cells drawn
    from ``speckle`` (``speckle``: the same mean as flat, only local variance differs). Draws from ``rng`` in
    that order."""
    width, height = size
    if kind == 'flat':
        return None
    if kind == 'gradient':
        return np.linspace(-0.5, 0.5, height)[:, None] * np.ones((1, width))
    if kind == 'speckle':
        cells = rng.uniform(*speckle, (height // 2 + 1, width // 2 + 1))
        return np.kron(cells, np.ones((2, 2)))[:height, :width]
    if kind in ('stripes', 'checker'):
        yy, xx = np.mgrid[0:height, 0:width]
        angle, wavelength = rng.uniform(0, math.pi), rng.uniform(*period)
        phase = rng.uniform(0, 2 * math.pi) if random_phase else None
        argument = 2 * math.pi * (xx * math.cos(angle) + yy * math.sin(angle)) / wavelength
        wave = np.sin(argument if phase is None else argument + phase)
        if kind == 'checker':
            wave = wave * np.sin(2 * math.pi * (-xx * math.sin(angle) + yy * math.cos(angle)) / wavelength)
        return wave
    raise ValueError(f'unknown texture {kind!r}; known: {TEXTURES}')


# --- colour -----------------------------------------------------------------------------------------------------
def jitter(colour: Sequence[float], amount: float, rng: np.random.Generator, peak: float = 255.0) -> np.ndarray:
    """``colour`` moved by up to ``amount`` per channel, kept in ``[0, peak]``."""
    return np.clip(np.asarray(colour, dtype=np.float64) + rng.uniform(-amount, amount, 3), 0, peak)


def blend(pixels: np.ndarray, alpha, colour) -> np.ndarray:
    """``pixels`` covered by ``colour`` with opacity ``alpha`` (a number or an array broadcasting over pixels)."""
    return pixels * (1 - alpha) + colour * alpha


def vertical_blend(size: Size, top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    """A ``[H, W, 3]`` background fading from colour ``top`` to colour ``bottom``."""
    ramp = np.linspace(0, 1, size[1])[:, None, None]
    return np.broadcast_to(top * (1 - ramp) + bottom * ramp, (size[1], size[0], 3)).copy()


def add_noise(pixels: np.ndarray, std: float, rng: np.random.Generator) -> np.ndarray:
    """``pixels`` plus i.i.d. Gaussian noise of ``std``, kept in their dtype."""
    return (pixels + rng.normal(0.0, std, pixels.shape)).astype(pixels.dtype, copy=False)


def to_image(pixels: np.ndarray, peak: float = 255.0) -> Image.Image:
    """An 8-bit RGB image of float ``pixels`` on a ``0..peak`` scale (clipped, then truncated)."""
    pixels = np.clip(pixels, 0, peak)
    return Image.fromarray((pixels if peak == 255.0 else pixels * 255).astype(np.uint8))


__all__ = ['SHAPES', 'unit_shape', 'regular_polygon', 'place', 'cross_arms', 'polygon_mask', 'ellipse_mask',
           'TEXTURES', 'texture_field', 'jitter', 'blend', 'vertical_blend', 'add_noise', 'to_image']
