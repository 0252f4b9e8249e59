"""Dataset tooling for transfer: layout checks, Cityscapes label conversion and generated datasets (tiny, small)
in the real layouts.

Nothing here is imported by ``import downstream``, so registering the backbone stays cheap.
"""
from .layout import (DatasetLayoutError, LayoutReport, check_ade, check_cityscapes, check_coco, check_dataset,
                     convert_cityscapes)
from .tiny import (SIZE_PRESETS, SizePreset, TinySpec, get_size_preset, make_tiny_ade, make_tiny_cityscapes,
                   make_tiny_coco, make_tiny_datasets)

__all__ = ['DatasetLayoutError', 'LayoutReport', 'check_ade', 'check_cityscapes', 'check_coco', 'check_dataset',
           'convert_cityscapes', 'SIZE_PRESETS', 'SizePreset', 'get_size_preset', 'TinySpec', 'make_tiny_ade',
           'make_tiny_cityscapes', 'make_tiny_coco', 'make_tiny_datasets']
