"""A DDP wrapper that also runs on CPU hosts (gloo), for multi-process training without GPUs.

mmengine's Runner always passes ``device_ids=[LOCAL_RANK]``, which torch rejects for CPU modules.
"""
from __future__ import annotations

from mmengine.model import MMDistributedDataParallel, is_model_wrapper
from mmengine.registry import MODEL_WRAPPERS  # root: usable from any scope (pinas, mmdet, mmseg)
from torch import nn


@MODEL_WRAPPERS.register_module()
class DeviceAwareDDP(MMDistributedDataParallel):
    def __init__(self, module, device_ids=None, **kwargs):
        if next(module.parameters()).device.type == 'cpu':
            device_ids = None
        super().__init__(module=module, device_ids=device_ids, **kwargs)


def unwrap_model(model: nn.Module) -> nn.Module:
    """The module inside any (nested) mmengine/torch DDP wrapper: the one place code reaches past a wrapper."""
    while is_model_wrapper(model):
        model = model.module
    return model
