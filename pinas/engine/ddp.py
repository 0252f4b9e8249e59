"""A DDP wrapper that also runs on CPU hosts (gloo), for multi-process training without GPUs.

mmengine's Runner always passes ``device_ids=[LOCAL_RANK]``, which torch rejects for CPU modules.
"""
from __future__ import annotations

from mmengine.model import MMDistributedDataParallel
from mmengine.registry import MODEL_WRAPPERS  # root: usable from any scope (pinas, mmdet, mmseg)


@MODEL_WRAPPERS.register_module()
class DeviceAwareDDP(MMDistributedDataParallel):
    def __init__(self, module, device_ids=None, **kwargs):
        if next(module.parameters()).device.type == 'cpu':
            device_ids = None
        super().__init__(module=module, device_ids=device_ids, **kwargs)
