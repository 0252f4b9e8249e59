"""What the suite's OpenMMLab backbones share: mmdet/mmseg's ``frozen_stages`` and ``norm_eval`` semantics."""
from __future__ import annotations

from mmengine.model import BaseModule
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm


class StagedBackbone(BaseModule):
    """A backbone of a stem and stages. ``frozen_stages`` = -1 freezes nothing, 0 the stem, k the stem and the first
    k stages (eval mode, no gradients), as mmdet's ResNet; ``norm_eval`` keeps every BN in eval mode while training.
    A subclass sets ``frozen_stages`` and ``norm_eval`` and names its stem and stages in :meth:`frozen_modules`."""

    frozen_stages: int = -1
    norm_eval: bool = False

    def frozen_modules(self) -> list[nn.Module]:
        raise NotImplementedError

    def _freeze_stages(self):
        for module in self.frozen_modules():
            module.eval()
            for param in module.parameters():
                param.requires_grad = False

    def train(self, mode: bool = True):
        super().train(mode)
        self._freeze_stages()
        if mode and self.norm_eval:
            for module in self.modules():
                if isinstance(module, _BatchNorm):
                    module.eval()
        return self
