"""A discovered architecture becomes a timm model and an OpenMMLab backbone with the supernet's weights."""
import json

import pytest
import timm
import torch

from pinas.apis import export_architecture
from pinas.models import SuperResNeSt

ARCH = '302113'


@pytest.fixture
def supernet_checkpoint(tmp_path):
    supernet = SuperResNeSt('pinas_resnest_tiny', num_classes=10)
    for m in supernet.modules():  # non-trivial BN so that a wrong slice shows
        if isinstance(m, torch.nn.BatchNorm2d):
            m.weight.data.uniform_(0.5, 1.5)
            m.running_var.uniform_(0.5, 1.5)
    state = {f'supernet.{k}': v for k, v in supernet.state_dict().items()}
    state.update({f'teacher.supernet.{k}': torch.zeros_like(v) for k, v in supernet.state_dict().items()})
    torch.save(dict(state_dict=state, meta=dict(epoch=1)), tmp_path / 'epoch_1.pth')
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'epoch_1.pth'))
    return tmp_path, supernet.eval()


def test_export_writes_timm_weights_equal_to_the_supernet_path(supernet_checkpoint, tmp_path):
    work_dir, supernet = supernet_checkpoint
    files = export_architecture(work_dir, ARCH, 'pinas_resnest_tiny', tmp_path / 'out')
    meta = json.loads(files['arch'].read_text())
    assert meta['arch'] == ARCH and meta['space'] == 'pinas_resnest_tiny' and meta['num_classes'] == 10
    model = timm.create_model('pinas_resnest_tiny', arch=ARCH, num_classes=10, pretrained=True,
                              pretrained_cfg_overlay=dict(file=str(files['timm']))).eval()
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        torch.testing.assert_close(model(x), supernet(x, ARCH))  # the student, not the (zeroed) teacher


def test_exported_backbone_loads_into_the_openmmlab_backbone(supernet_checkpoint, tmp_path):
    import downstream  # noqa: F401
    from mmdet.registry import MODELS
    work_dir, supernet = supernet_checkpoint
    files = export_architecture(work_dir, ARCH, 'pinas_resnest_tiny', tmp_path / 'out')
    backbone = MODELS.build(dict(type='PiNASResNeSt', arch=str(files['arch']), space='pinas_resnest_tiny',
                                 init_cfg=dict(type='Pretrained', checkpoint=str(files['backbone']))))
    backbone.init_weights()
    backbone.eval()
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        torch.testing.assert_close(backbone(x)[-1], supernet.forward_features(x, ARCH))


def test_bad_arch_for_export_is_explained(supernet_checkpoint, tmp_path):
    work_dir, _ = supernet_checkpoint
    with pytest.raises(ValueError, match='6 digits'):
        export_architecture(work_dir, '3021', 'pinas_resnest_tiny', tmp_path)
