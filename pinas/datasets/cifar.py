"""CIFAR-100 (torchvision's copy on the user's machine) for the Track-1 recipe, in pinas's sample format."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

from torch.utils.data import Dataset

from ..registry import DATASETS
from .folder import DatasetLayoutError, fixed_subset
from .transforms import build_pipeline


@DATASETS.register_module()
class CIFAR100(Dataset):
    """torchvision's CIFAR-100 (``root/cifar-100-python``); ``download=True`` fetches it on machines with internet;
    ``subset`` keeps a fixed random subset (e.g. the 10 % the Track-1 winner recalibrated BN on)."""

    def __init__(self, root: str, train: bool = True, pipeline: Sequence[Mapping[str, Any]] = (dict(type='ToTensor'),),
                 download: bool = False, subset: int | None = None, subset_seed: int = 0):
        from torchvision.datasets import CIFAR100 as TorchvisionCIFAR100
        if not download and not (Path(root) / 'cifar-100-python').is_dir():
            raise DatasetLayoutError(f'CIFAR-100 not found at {root}/cifar-100-python; download it with '
                                     f"torchvision (CIFAR100('{root}', download=True)) or set dataset.download=True")
        self.data = TorchvisionCIFAR100(root, train=train, download=download)
        self.indices = list(range(len(self.data))) if subset is None else \
            fixed_subset(len(self.data), subset, subset_seed)
        self.pipeline = build_pipeline(pipeline)

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, index: int) -> dict:
        image, label = self.data[self.indices[index]]
        return dict(inputs=self.pipeline(image), data_samples=label)

    @property
    def metainfo(self) -> dict:
        return dict(classes=self.data.classes)
