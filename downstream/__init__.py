"""OpenMMLab integration: importing it registers the ``PiNASResNeSt`` backbone in mmengine's root MODELS
registry, which mmdet's and mmseg's registries inherit from."""
from .backbones import PiNASResNeSt

__all__ = ['PiNASResNeSt']
