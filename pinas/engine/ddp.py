"""DDP wrappers that also run on CPU hosts (gloo), for multi-process training without GPUs.

mmengine's Runner always passes ``device_ids=[LOCAL_RANK]``, which torch rejects for CPU modules.
"""
from __future__ import annotations

from mmengine.model import MMDistributedDataParallel, MMSeparateDistributedDataParallel, is_model_wrapper
from mmengine.registry import MODEL_WRAPPERS  # root: usable from any scope (pinas, mmdet, mmseg)
from torch import nn


@MODEL_WRAPPERS.register_module()
class DeviceAwareDDP(MMDistributedDataParallel):
    def __init__(self, module, device_ids=None, **kwargs):
        if next(module.parameters()).device.type == 'cpu':
            device_ids = None
        super().__init__(module=module, device_ids=device_ids, **kwargs)


@MODEL_WRAPPERS.register_module()
class DeviceAwareSeparateDDP(MMSeparateDistributedDataParallel):
    """One DDP per submodule and the model's own ``train_step`` (several forwards and optimizer steps per batch,
    as in CEPT), on GPUs and CPU hosts alike."""

    def __init__(self, module, device_ids=None, **kwargs):
        if next(module.parameters()).device.type != 'cpu' and device_ids is not None:
            kwargs['device_ids'] = device_ids
        super().__init__(module=module, **kwargs)
        # Checkpoints keep the keys of the bare model (``supernet.stem...``, not ``supernet.module.stem...``), so a
        # run's weights load the same with or without the wrapper (the next CEPT step, export, resume).
        wrapped = tuple(name for name, child in module._modules.items() if is_model_wrapper(child))
        module._register_state_dict_hook(_state_dict_hook(wrapped))
        module._register_load_state_dict_pre_hook(_load_state_dict_hook(wrapped))


def _rename_keys(state_dict: dict, rename) -> None:
    """Rename keys in place, keeping their order."""
    items = [(rename(k), v) for k, v in state_dict.items()]
    state_dict.clear()
    state_dict.update(items)


def _state_dict_hook(wrapped: tuple[str, ...]):
    def drop_wrapper_keys(module, state_dict, prefix, local_metadata):
        heads = [(f'{prefix}{name}.module.', f'{prefix}{name}.') for name in wrapped]
        _rename_keys(state_dict, lambda k: next((bare + k[len(w):] for w, bare in heads if k.startswith(w)), k))
    return drop_wrapper_keys


def _load_state_dict_hook(wrapped: tuple[str, ...]):
    def add_wrapper_keys(state_dict, prefix, *args):
        heads = [(f'{prefix}{name}.', f'{prefix}{name}.module.') for name in wrapped]
        _rename_keys(state_dict, lambda k: next((w + k[len(bare):] for bare, w in heads
                                                 if k.startswith(bare) and not k.startswith(w)), k))
    return add_wrapper_keys


def unwrap_model(model: nn.Module) -> nn.Module:
    """The module inside any (nested) mmengine/torch DDP wrapper: the one place code reaches past a wrapper."""
    while is_model_wrapper(model):
        model = model.module
    return model
