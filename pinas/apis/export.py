"""Export an architecture of a trained supernet as a real backbone.

Writes, for one architecture:

* ``<arch>.json``: the arch file (code, space, source checkpoint) that transfer configs can point to;
* ``<arch>_timm.pth``: the stand-alone timm state dict (weights inherited from the supernet's student), for
  ``timm.create_model('pinas_...', arch=..., pretrained=True, pretrained_cfg_overlay=dict(file=...))``;
* ``<arch>_mmengine_backbone.pth``: an mmengine checkpoint of the ``downstream.PiNASResNeSt`` backbone weights,
  for ``init_cfg=dict(type='Pretrained', checkpoint=...)`` in mmdet/mmseg configs.
"""
from __future__ import annotations

from pathlib import Path

import torch

from ..arch import write_arch_file
from ..models import StandaloneResNeSt, inherit_weights, read_supernet_state_dict
from ..models.inherit import SUPERNET_PREFIX
from ..spaces import build_space
from ..utils.checkpoint import resolve_checkpoint


def export_architecture(checkpoint, arch, space='pinas_resnest50d', out_dir='.', prefix: str = SUPERNET_PREFIX,
                        **meta) -> dict[str, Path]:
    """Slice ``arch`` out of a supernet checkpoint (file or work dir) and write the three export files."""
    space = build_space(space)
    if not space.exports_backbones:
        raise ValueError(f'architectures of the space {space.name!r} do not export as backbones (a path runs the '
                         'supernet\'s own blocks); use the arch files of the search instead')
    arch = space.parse(arch)
    path = resolve_checkpoint(checkpoint)
    state_dict = read_supernet_state_dict(path, prefix)
    num_classes = state_dict['fc.weight'].shape[0] if 'fc.weight' in state_dict else 0
    model = StandaloneResNeSt(arch, space, num_classes=num_classes)
    inherit_weights(model, state_dict, ignore=() if num_classes else ('fc.',))

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = dict(arch=out_dir / f'{arch}.json', timm=out_dir / f'{arch}_timm.pth',
                 backbone=out_dir / f'{arch}_mmengine_backbone.pth')
    weights = model.state_dict()
    torch.save(weights, files['timm'])
    backbone = {k: v for k, v in weights.items() if not k.startswith('fc.')}
    torch.save(dict(state_dict=backbone, meta=dict(arch=str(arch), space=space.name, source=str(path))),
               files['backbone'])
    write_arch_file(files['arch'], arch, space=space.name, num_classes=num_classes, source_checkpoint=str(path),
                    timm_weights=str(files['timm']), backbone_checkpoint=str(files['backbone']), **meta)
    return files
