"""Parameter and FLOP counts, measured with mmengine.analysis (fvcore's counter: one multiply-add = one FLOP).

``macs`` counts convolutions and linear layers only, the convention of papers (Pi-NAS-cls: 5.33 G);
``total_flops`` also counts BN and pooling as the library does.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence, Union

import torch
from mmengine.analysis import FlopAnalyzer
from torch import nn

_MAC_OPS = ('conv', 'linear', 'matmul', 'einsum', 'bmm')
Size = Union[int, Sequence[int]]  # square side, or (height, width) for detection/segmentation inputs


@dataclass(frozen=True)
class Complexity:
    params: int
    macs: int
    total_flops: int
    input_size: Size

    def as_dict(self) -> dict:
        return dict(params_M=round(self.params / 1e6, 3), GMACs=round(self.macs / 1e9, 3),
                    total_GFLOPs=round(self.total_flops / 1e9, 3), input_size=self.input_size)


@torch.no_grad()
def measure_complexity(model: nn.Module, input_size: Size, in_chans: int = 3) -> Complexity:
    """Params and MACs of ``model`` on one ``in_chans x H x W`` image (``input_size`` = side or (H, W)), eval mode."""
    height, width = (input_size, input_size) if isinstance(input_size, int) else tuple(input_size)
    was_training = model.training
    model.eval()
    try:
        analyzer = FlopAnalyzer(model, torch.zeros(1, in_chans, height, width))
        analyzer.unsupported_ops_warnings(False)
        analyzer.uncalled_modules_warnings(False)
        by_op = analyzer.by_operator()
        macs = sum(v for op, v in by_op.items() if op in _MAC_OPS)
        total = analyzer.total()
    finally:
        model.train(was_training)
    return Complexity(params=sum(p.numel() for p in model.parameters()), macs=int(macs), total_flops=int(total),
                      input_size=input_size)
