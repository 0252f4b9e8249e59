"""The one painter (pinas.datasets.painter) draws both generated data sets, and what it draws is pinned: committed
results were measured on these images, so the digests below are those of the generators before they shared it."""
import hashlib
from pathlib import Path

import numpy as np
import pytest

from downstream.datasets.tiny import TinySpec, make_tiny_datasets
from pinas.datasets import SyntheticSpec, make_synthetic_dataset
from pinas.datasets.painter import (add_noise, place, regular_polygon, texture_field, to_image, unit_shape)

# tiny and small: the same images and annotations; their dataset_spec.json (the key a set is kept under) gained
# the image sizes and is indented (before: a9151f2e.., 95cd0ebb.. with the compact {spec, preset} stamp).
DIGESTS = {
    'embedded': '42e654fcb700fc15a83300c00f6895997787feca2050fe7c6f7f7beb7c79ae52',
    'tiny': 'f2a74359f54ea366ffc3063973b480b5a54d5ae505d3209259aa99186c992e97',
    'small': '13d1fe69f5aa009dc094160db480f6a53ea9ee45efae7b5581a4b0c64d43d931',
}


def digest(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(root.rglob('*')):
        if path.is_file():
            h.update(str(path.relative_to(root)).encode() + b'\0' + path.read_bytes())
    return h.hexdigest()


def test_the_embedded_data_is_drawn_byte_for_byte_as_before(tmp_path):
    root = make_synthetic_dataset(tmp_path / 'embedded', SyntheticSpec(train_per_class=3, val_per_class=2))
    assert digest(root) == DIGESTS['embedded']


@pytest.mark.parametrize('size', ['tiny', 'small'])
def test_the_transfer_data_is_drawn_byte_for_byte_as_before(tmp_path, size):
    make_tiny_datasets(tmp_path / size, TinySpec.for_size(size, num_train=4, num_val=2))
    assert digest(tmp_path / size) == DIGESTS[size]


def test_shapes_and_textures():
    square = place(regular_polygon(4), 10.0, 10.0, 2.0)
    assert np.allclose(square, [(12, 10), (10, 12), (8, 10), (10, 8)])
    assert len(unit_shape('star')) == 10 and max(abs(u) for u, _ in unit_shape('cross')) == 1
    rng = np.random.default_rng(0)
    assert texture_field('flat', (8, 6), rng) is None
    stripes = texture_field('stripes', (8, 6), rng)
    assert stripes.shape == (6, 8) and np.abs(stripes).max() <= 1
    speckle = texture_field('speckle', (8, 6), rng, speckle=(0.3, 1.0))
    assert 0.3 <= speckle.min() and speckle.max() <= 1.0 and (speckle[::2, ::2] == speckle[1::2, 1::2]).all()
    with pytest.raises(ValueError, match='unknown texture'):
        texture_field('plaid', (8, 6), rng)


def test_noise_keeps_the_dtype_and_images_clip_at_their_peak():
    pixels = np.full((2, 2, 3), 0.5, dtype=np.float32)
    assert add_noise(pixels, 0.1, np.random.default_rng(0)).dtype == np.float32
    assert np.asarray(to_image(np.array([[[-1.0, 0.5, 2.0]]]), peak=1.0)).tolist() == [[[0, 127, 255]]]
