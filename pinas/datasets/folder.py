"""Image classification data in ImageNet layouts: class folders or list files.

Both the real datasets (ImageNet, CIFAR exported to folders) and the embedded synthetic default use these layouts:

* folders: ``root/<split>/<class>/<image>``;
* list files: ``root/<ann_file>`` with lines ``relative/path label`` (paths relative to ``root``).

Samples are ``dict(inputs=Tensor[C,H,W], data_samples=label)``; with ``num_views=V`` the same image goes through
the pipeline V times and ``inputs`` is ``Tensor[V,C,H,W]`` (MoCo-style crops).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import torch
from PIL import Image
from torch.utils.data import Dataset

from ..registry import DATASETS
from .synthetic import SyntheticSpec, make_synthetic_dataset
from .transforms import build_pipeline

IMAGE_SUFFIXES = ('.png', '.jpg', '.jpeg', '.bmp', '.webp', '.JPEG')


class DatasetLayoutError(FileNotFoundError):
    """A dataset root is missing or not in the layout a dataset reads (search data here, the transfer datasets in
    ``downstream.datasets``); the message names what is missing and the fix."""


@DATASETS.register_module()
class ImageFolder(Dataset):
    """Labelled images from class folders or a list file.

    Args:
        root: dataset root.
        split: sub-folder of ``root`` holding class folders (ignored when ``ann_file`` is given).
        ann_file: list file relative to ``root`` (``path label`` per line).
        pipeline: list of transform configs (see :mod:`pinas.datasets.transforms`).
        num_views: number of independently augmented views per image.
        subset: keep only the first N samples of a fixed shuffle (BN-recalibration subsets, quick runs).
        synthetic: ``dict(...)`` of :class:`SyntheticSpec` fields to generate the embedded dataset at ``root``
            first (idempotent); None for real data.
    """

    def __init__(self, root: str, split: str = 'train', ann_file: str | None = None,
                 pipeline: Sequence[Mapping[str, Any]] = (dict(type='ToTensor'),), num_views: int = 1,
                 subset: int | None = None, synthetic: Mapping[str, Any] | None = None, subset_seed: int = 0):
        self.root = Path(root)
        if synthetic is not None:
            _generate_once(self.root, SyntheticSpec(**synthetic))
        samples = self._read_list(ann_file) if ann_file else self._scan_folders(split)
        if subset is not None:
            samples = [samples[i] for i in fixed_subset(len(samples), subset, subset_seed)]
        # Paths relative to the root as one bytes array and labels as one int array: a million-image dataset costs
        # tens of MB, shared copy-on-write by the loader workers (a list of Path objects is copied into each).
        self._paths = np.array([str(p.relative_to(self.root)).encode() for p, _ in samples], dtype=np.bytes_)
        self._labels = np.array([label for _, label in samples], dtype=np.int64)
        self.classes = sorted(set(self._labels.tolist()))
        self.pipeline = build_pipeline(pipeline)
        self.num_views = num_views

    def _scan_folders(self, split: str) -> list[tuple[Path, int]]:
        split_dir = self.root / split
        if not split_dir.is_dir():
            raise DatasetLayoutError(f'dataset folder {split_dir} does not exist. Expected class folders '
                                     f'{split_dir}/<class>/<image> or a list file (ann_file=...).')
        class_dirs = sorted(d for d in split_dir.iterdir() if d.is_dir())
        samples = [(p, label) for label, d in enumerate(class_dirs)
                   for p in sorted(d.iterdir()) if p.suffix in IMAGE_SUFFIXES]
        if not samples:
            raise DatasetLayoutError(f'no images found under {split_dir}/<class>/ (suffixes {IMAGE_SUFFIXES})')
        return samples

    def _read_list(self, ann_file: str) -> list[tuple[Path, int]]:
        path = self.root / ann_file
        if not path.is_file():
            raise DatasetLayoutError(f'list file {path} does not exist. Expected lines "relative/path label" '
                                     f'with paths relative to {self.root}.')
        samples = []
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if not line.strip():
                continue
            parts = line.rsplit(maxsplit=1)
            if len(parts) != 2 or not parts[1].lstrip('-').isdigit():
                raise DatasetLayoutError(f'{path}:{n}: expected "relative/path label", got {line!r}')
            samples.append((self.root / parts[0], int(parts[1])))
        return samples

    def __len__(self) -> int:
        return len(self._labels)

    def sample(self, index: int) -> tuple[Path, int]:
        """The image path and label of sample ``index``."""
        return self.root / self._paths[index].decode(), int(self._labels[index])

    def __getitem__(self, index: int) -> dict:
        path, label = self.sample(index)
        image = Image.open(path).convert('RGB')
        if self.num_views == 1:
            inputs = self.pipeline(image)
        else:
            inputs = torch.stack([self.pipeline(image) for _ in range(self.num_views)])
        return dict(inputs=inputs, data_samples=label)

    @property
    def metainfo(self) -> dict:
        return dict(classes=self.classes)

    def as_tensors(self, mean=(0.5, 0.5, 0.5), std=(0.25, 0.25, 0.25)) -> tuple[torch.Tensor, torch.Tensor]:
        """Every image, normalised, as one ``[N, 3, H, W]`` tensor and the labels (the pipeline is not applied):
        a small dataset held in memory trains without a DataLoader (ground truth on the embedded default)."""
        images = np.stack([np.asarray(Image.open(self.sample(i)[0]).convert('RGB')) for i in range(len(self))])
        x = torch.from_numpy(images).permute(0, 3, 1, 2).float() / 255
        x = (x - torch.tensor(mean).view(1, 3, 1, 1)) / torch.tensor(std).view(1, 3, 1, 1)
        return x, torch.from_numpy(self._labels.copy())


def fixed_subset(size: int, subset: int, seed: int = 0) -> list[int]:
    """Indices of the first ``subset`` samples of a seeded shuffle of ``size``: the same random subset on every
    rank and every run (recalibration subsets, quick runs)."""
    if not 0 < subset:
        raise ValueError(f'subset must be a positive number of samples, got {subset}')
    return torch.randperm(size, generator=torch.Generator().manual_seed(seed))[:subset].tolist()


def _generate_once(root: Path, spec: SyntheticSpec) -> None:
    """Rank 0 writes the synthetic tree; the other ranks wait for it."""
    from mmengine.dist import barrier, get_rank
    if get_rank() == 0:
        make_synthetic_dataset(root, spec)
    barrier()
    make_synthetic_dataset(root, spec)  # no-op once written
