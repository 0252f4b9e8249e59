"""Datasets: ImageNet-style folders/list files, and the embedded synthetic default written in that layout."""
from .cifar import CIFAR100
from .folder import DatasetLayoutError, ImageFolder
from .synthetic import SyntheticSpec, make_synthetic_dataset
from .transforms import IMAGENET_MEAN, IMAGENET_STD, build_pipeline

__all__ = ["CIFAR100", "ImageFolder", 'DatasetLayoutError', 'SyntheticSpec', 'make_synthetic_dataset', 'build_pipeline',
           'IMAGENET_MEAN', 'IMAGENET_STD']
