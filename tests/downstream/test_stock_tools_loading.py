"""Checkpoints the suite writes load in stock OpenMMLab code: a process that imports only ``downstream`` (what
``custom_imports=dict(imports=['downstream'])`` does) and mmdet builds ``PiNASResNeSt`` from a raw supernet
checkpoint, under torch's weights-only loading and without a prefix argument."""
import subprocess
import sys

import pytest
import torch
from mmengine.logging import MessageHub

from pinas.algorithms import SPOS

STOCK = '''
import sys, torch, mmdet, downstream
from mmengine.registry import MODELS
backbone = MODELS.build(dict(type='PiNASResNeSt', arch='302113', space='pinas_resnest_tiny',
                             init_cfg=dict(type='Pretrained', checkpoint=sys.argv[1])))
backbone.init_weights()
torch.save(backbone.state_dict(), sys.argv[2])
'''


@pytest.mark.slow
def test_a_supernet_checkpoint_loads_in_a_stock_process(tmp_path):
    model = SPOS(backbone=dict(space='pinas_resnest_tiny'), num_classes=10)
    hub = MessageHub.get_instance('stock-loading')
    hub.update_scalar('train/loss', 1.5)  # a HistoryBuffer with numpy state, as every Runner checkpoint holds
    checkpoint = tmp_path / 'epoch_1.pth'
    torch.save(dict(meta=dict(epoch=1), state_dict=model.state_dict(), message_hub=hub.state_dict()), checkpoint)
    out = tmp_path / 'backbone.pth'
    result = subprocess.run([sys.executable, '-c', STOCK, str(checkpoint), str(out)], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    loaded = torch.load(out, weights_only=True)
    path = model.space.parse('302113')
    expected = {k: v for k, v in model.supernet.state_dict().items() if k.startswith(('conv1', 'bn1'))}
    assert all(torch.equal(loaded[k], v) for k, v in expected.items())
    chosen = f'layer1.0.{path[0]}.conv1.weight'  # the candidate the architecture picked at position 0
    assert torch.equal(loaded['layer1.0.conv1.weight'], model.supernet.state_dict()[chosen])
