"""OpenMMLab integration: importing it (what ``custom_imports=dict(imports=['downstream'])`` does in a stock
mmdet / mmseg config) registers the ``PiNASResNeSt`` backbone in mmengine's root MODELS registry, which mmdet's and
mmseg's registries inherit from, and lets torch's weights-only loading read every checkpoint pinas writes (they
carry mmengine's logging state)."""
from pinas.utils.checkpoint import allow_mmengine_checkpoints

from .backbones import PiNASResNeSt

allow_mmengine_checkpoints()

__all__ = ['PiNASResNeSt']
