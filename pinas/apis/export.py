"""Export an architecture of a trained supernet as a real backbone.

Writes, for one architecture, the three files :func:`pinas.search.work_dir.export_paths` names:

* the arch file (code, space, source checkpoint, weight files, each named relative to the arch file) that transfer
  configs can point to;
* the stand-alone timm state dict (weights inherited from the supernet's student), for
  ``timm.create_model('pinas_...', arch=..., pretrained=True, pretrained_cfg_overlay=dict(file=...))``;
* an mmengine checkpoint of the ``downstream.PiNASResNeSt`` backbone weights, for
  ``init_cfg=dict(type='Pretrained', checkpoint=...)`` in mmdet/mmseg configs.

Each file is written atomically. The weights files carry the CRC-32 checksum ``torch.save`` stores with every record
of its zip archive; every loader of the project checks it (:func:`pinas.utils.checkpoint.verify_checkpoint_file`),
so bytes changed after the export are an error, not garbage weights.
"""
from __future__ import annotations

from pathlib import Path

from ..arch import code_or_arch_file, write_arch_file
from ..models import (CheckpointMismatchError, StandaloneResNeSt, inherit_weights, is_supernet_state_dict,
                      read_supernet_state_dict)
from ..models.inherit import SUPERNET_PREFIX
from ..search.work_dir import export_paths
from ..spaces import build_space
from ..utils.checkpoint import resolve_checkpoint, save_checkpoint_file
from ..utils.cli import UsageError
from ..utils.paths import stored_path


MAX_LISTED_KEYS = 8  # key prefixes named when a checkpoint is not a supernet's


def export_architecture(checkpoint, arch, space='pinas_resnest50d', out_dir='.', prefix: str = SUPERNET_PREFIX,
                        **meta) -> dict[str, Path]:
    """Slice ``arch`` out of a supernet checkpoint (file or work dir) and write the three export files."""
    space = build_space(space)
    if not space.exports_backbones:
        raise UsageError(f'architectures of the space {space.name!r} do not export as backbones (a path runs the '
                         'supernet\'s own blocks); use the arch files of the search instead')
    arch = space.parse(code_or_arch_file(arch))
    path = resolve_checkpoint(checkpoint)
    state_dict = read_supernet_state_dict(path, prefix)
    if not is_supernet_state_dict(state_dict):
        heads = sorted({k.split('.')[0] + '.' for k in state_dict})[:MAX_LISTED_KEYS]
        raise CheckpointMismatchError(f'{path} holds no supernet weights of a {type(space).__name__} (its keys start '
                                      f'with {heads}); pass a checkpoint of tools/search.py trained on {space.name} '
                                      '(epoch_N.pth or its work dir)')
    num_classes = state_dict['fc.weight'].shape[0] if 'fc.weight' in state_dict else 0
    model = StandaloneResNeSt(arch, space, num_classes=num_classes)
    own = model.state_dict()
    other = next((k for k, v in own.items() if k in state_dict and state_dict[k].shape != v.shape), None)
    if other is not None:  # the shared stem already tells: one line instead of every mismatched key
        raise CheckpointMismatchError(f'{path} holds a supernet of another space than {space.name}: {other} has '
                                      f'shape {tuple(state_dict[other].shape)}, {space.name} needs '
                                      f'{tuple(own[other].shape)}; pass the --space it was trained on')
    inherit_weights(model, state_dict, ignore=() if num_classes else ('fc.',))

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    code = space.format(arch)
    files = export_paths(out_dir, code)
    weights = model.state_dict()
    save_checkpoint_file(weights, files['timm'])
    backbone = {k: v for k, v in weights.items() if not k.startswith('fc.')}
    # every file named relative to the file that names it (the weight files sit beside the arch file), so a copied
    # search dir is whole and names its own supernet (pinas.utils.paths.resolve_stored reads older absolute names)
    source = stored_path(path, files['arch'])
    save_checkpoint_file(dict(state_dict=backbone, meta=dict(arch=code, space=space.name, source=source)),
                         files['backbone'])
    write_arch_file(files['arch'], space, arch, num_classes=num_classes, source_checkpoint=source,
                    timm_weights=files['timm'].name, backbone_checkpoint=files['backbone'].name, **meta)
    return files
