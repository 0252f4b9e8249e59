"""Weight inheritance: slice a supernet state dict into the stand-alone network of one architecture.

Supernet keys are ``layer{s}.{b}.{candidate}.<rest>``; the stand-alone network (timm layout) has
``layer{s}.{b}.<rest>``. Keeping the chosen candidate of every position (its copy of the shared shortcut included)
and the stem gives exactly the stand-alone state dict.
"""
from __future__ import annotations

import re
from collections import OrderedDict
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

import torch
from torch import nn

from ..arch import ArchLike
from ..spaces import SpaceLike, build_space
from ..utils.checkpoint import load_checkpoint_file, resolve_checkpoint
from ..utils.cli import UsageError

_SUPERNET_KEY = re.compile(r'^layer(\d+)\.(\d+)\.(\d+)\.(.+)$')
_CHECKPOINT_CONTAINERS = ('state_dict', 'model', 'module', 'backbone')
SUPERNET_PREFIX = 'supernet.'  # the (student) supernet of every algorithm's checkpoint (PiNAS, SPOS, CEPT)
_DDP_PREFIX = 'module.'


class CheckpointMismatchError(UsageError, RuntimeError):
    """A checkpoint does not fit the model it is loaded into; the message lists the keys."""


def unwrap_state_dict(checkpoint: Mapping) -> Mapping[str, torch.Tensor]:
    """The state dict inside an mmengine/timm/plain checkpoint."""
    for key in _CHECKPOINT_CONTAINERS:
        if key in checkpoint and isinstance(checkpoint[key], Mapping):
            return checkpoint[key]
    return checkpoint


def strip_prefix(state_dict: Mapping[str, torch.Tensor], prefix: str) -> 'OrderedDict[str, torch.Tensor]':
    """Keep the keys under ``prefix`` (e.g. ``'backbone.'``), without it."""
    if not prefix:
        return OrderedDict(state_dict)
    prefix = prefix if prefix.endswith('.') else prefix + '.'
    out = OrderedDict((k[len(prefix):], v) for k, v in state_dict.items() if k.startswith(prefix))
    if not out:
        heads = sorted({k.split('.')[0] + '.' for k in state_dict})
        raise CheckpointMismatchError(f'no key starts with prefix {prefix!r}; top-level prefixes in the checkpoint: '
                                      f'{heads[:10]}')
    return out


def weights_under_prefixes(raw: Mapping[str, torch.Tensor], own_keys: Iterable[str], prefixes: Sequence[str], *,
                           explicit: bool, is_supernet: Callable[[Mapping], bool],
                           to_subnet: Callable[[Mapping], Mapping]) -> Mapping[str, torch.Tensor] | None:
    """A backbone's weights in a checkpoint's state dict ``raw``: the keys under the first of ``prefixes`` that
    holds them (a supernet's sliced to the backbone's subnet by ``to_subnet``). With an ``explicit`` prefix (the
    config's ``init_cfg.prefix``, the only one given) its keys are taken whatever they are, so that a strict load
    names what does not fit; otherwise a prefix counts where its keys meet ``own_keys``. None where none does."""
    own_keys = set(own_keys)
    for prefix in prefixes:
        try:
            state_dict = strip_prefix(raw, prefix)
        except RuntimeError:
            continue
        if is_supernet(state_dict):
            state_dict = to_subnet(state_dict)
        if explicit or any(k in own_keys for k in state_dict):
            return state_dict
    return None


def read_supernet_state_dict(checkpoint: str | Path | Mapping,
                             prefix: str = SUPERNET_PREFIX) -> 'OrderedDict[str, torch.Tensor]':
    """The supernet weights of ``checkpoint``: a checkpoint file, an mmengine work dir (its latest checkpoint), a
    loaded checkpoint or a state dict.

    The state dict is unwrapped (:func:`unwrap_state_dict`), DDP's ``module.`` prefix dropped, and the keys under
    ``prefix`` (an algorithm's ``supernet.``; not its teacher) kept without it. A state dict with no key under
    ``prefix`` is taken as a bare supernet's own (``data_preprocessor.`` keys dropped); ``prefix=''`` keeps all.
    """
    if isinstance(checkpoint, (str, Path)):
        checkpoint = load_checkpoint_file(resolve_checkpoint(checkpoint))
    state_dict = OrderedDict((k[len(_DDP_PREFIX):] if k.startswith(_DDP_PREFIX) else k, v)
                             for k, v in unwrap_state_dict(checkpoint).items())
    if prefix and any(k.startswith(prefix) for k in state_dict):
        return strip_prefix(state_dict, prefix)
    return OrderedDict((k, v) for k, v in state_dict.items() if not k.startswith('data_preprocessor.'))


def is_supernet_state_dict(state_dict: Mapping[str, torch.Tensor]) -> bool:
    return any(_SUPERNET_KEY.match(k) for k in state_dict)


def subnet_state_dict(state_dict: Mapping[str, torch.Tensor], arch: ArchLike,
                      space: SpaceLike = None) -> 'OrderedDict[str, torch.Tensor]':
    """The stand-alone state dict of ``arch`` inside a supernet state dict."""
    space = build_space(space)
    arch = space.parse(arch)
    offsets = [sum(space.depths[:s]) for s in range(len(space.depths))]
    out = OrderedDict()
    for key, value in state_dict.items():
        match = _SUPERNET_KEY.match(key)
        if match is None:
            out[key] = value
            continue
        stage, block, candidate, rest = int(match[1]) - 1, int(match[2]), int(match[3]), match[4]
        if stage >= len(space.depths) or block >= space.depths[stage]:
            raise CheckpointMismatchError(f'supernet key {key!r} lies outside the space {space.name} '
                                          f'(depths {space.depths})')
        if arch[offsets[stage] + block] == candidate:
            out[f'layer{stage + 1}.{block}.{rest}'] = value
    return out


def load_checked(model: nn.Module, state_dict: Mapping[str, torch.Tensor], ignore: Iterable[str] = (),
                 source: str = 'checkpoint') -> None:
    """Load strictly, but say which keys and shapes disagree instead of torch's long trace.

    Keys starting with a prefix in ``ignore`` (e.g. a classifier ``'fc.'``) may be missing or unexpected.
    """
    ignore = tuple(ignore)
    own = model.state_dict()
    missing = [k for k in own if k not in state_dict and not k.startswith(ignore)]
    unexpected = [k for k in state_dict if k not in own and not k.startswith(ignore)]
    shapes = [f'{k}: {tuple(state_dict[k].shape)} in {source} vs {tuple(v.shape)} in model'
              for k, v in own.items() if k in state_dict and tuple(state_dict[k].shape) != tuple(v.shape)]
    if missing or unexpected or shapes:
        lines = [f'{source} does not match {type(model).__name__}:']
        for title, keys in (('missing keys', missing), ('unexpected keys', unexpected),
                            ('shape mismatches', shapes)):
            if keys:
                shown = ', '.join(keys[:8]) + (f', ... ({len(keys)} in all)' if len(keys) > 8 else '')
                lines.append(f'  {title}: {shown}')
        lines.append('  Check the architecture code, the search space and the checkpoint prefix '
                     '(e.g. prefix="backbone.").')
        raise CheckpointMismatchError('\n'.join(lines))
    model.load_state_dict({k: v for k, v in state_dict.items() if k in own}, strict=False)


def inherit_weights(model: nn.Module, supernet_state_dict: Mapping[str, torch.Tensor], prefix: str = '',
                    ignore: Iterable[str] = ('fc.',)) -> None:
    """Load the supernet weights of ``model.arch`` into a stand-alone ``StandaloneResNeSt``."""
    state_dict = strip_prefix(unwrap_state_dict(supernet_state_dict), prefix)
    load_checked(model, subnet_state_dict(state_dict, model.arch, model.space), ignore=ignore,
                 source='supernet checkpoint')
