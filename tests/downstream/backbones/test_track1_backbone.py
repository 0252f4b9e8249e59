"""PiNASTrack1ResNet: a Track-1 architecture as an mmdet / mmseg backbone, with weights inherited from a plain
Track-1 supernet (what the transfer study fine-tunes), and the Track-1 smoke configs train."""
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import MODELS, init_default_scope
from transfer_paths import CONFIGS

import downstream  # noqa: F401  (registers the backbones)
from downstream.backbones import PiNASTrack1ResNet
from pinas.models import CheckpointMismatchError, Track1ResNet, Track1Supernet

SPACE = dict(base='track1_resnet20', num_classes=20, name='track1_resnet20_embedded')
# a mixed architecture: widths change inside stages, so identity and projection shortcuts both occur
ARCH = '8-4-12-16-8-12-16-20-32-8-32-28-32-36-64-4-64-48-64-64'
STAGE_WIDTHS = (16, 32, 64)  # the outputs of ARCH's stages (c6, c12, c18)
MAX_WIDTHS = (16, 32, 64)
NARROW = '-'.join(['4'] * 20)
DET_SMOKE = CONFIGS / 'smoke/track1/faster-rcnn_pinas-track1_fpn_coco-tiny.py'
SEG_SMOKE = CONFIGS / 'smoke/track1/deeplabv3_pinas-track1-d8_ade-tiny-64x64.py'


def randomised_bn(model: torch.nn.Module) -> torch.nn.Module:
    """Non-trivial BN parameters and statistics, so that a wrong slice or a missing layer shows in the outputs."""
    generator = torch.Generator().manual_seed(0)
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            for t, low, high in ((m.weight.data, 0.5, 1.5), (m.bias.data, -0.2, 0.2),
                                 (m.running_mean, -0.5, 0.5), (m.running_var, 0.5, 2.0)):
                t.copy_(torch.rand(t.shape, generator=generator) * (high - low) + low)
    return model


@pytest.fixture(scope='module')
def supernet():
    torch.manual_seed(0)
    return randomised_bn(Track1Supernet(space=SPACE)).eval()


@pytest.fixture(scope='module')
def supernet_checkpoint(supernet, tmp_path_factory):
    """An algorithm's checkpoint (SPOS / Pi-NAS): the student under ``supernet.``, a teacher beside it."""
    path = tmp_path_factory.mktemp('track1_supernet') / 'epoch_1.pth'
    state = {f'supernet.{k}': v for k, v in supernet.state_dict().items()}
    state.update({f'teacher.supernet.{k}': torch.zeros_like(v) for k, v in supernet.state_dict().items()})
    torch.save(dict(state_dict=state, meta=dict(epoch=1)), path)
    return path


def test_registered_and_forward_shapes():
    init_default_scope('mmdet')
    backbone = MODELS.build(dict(type='PiNASTrack1ResNet', arch=ARCH, space=SPACE, pad_to_max_width=False))
    outs = backbone(torch.zeros(2, 3, 32, 32))  # the space's layout: strides 1, 2, 4
    assert [tuple(o.shape) for o in outs] == [(2, 16, 32, 32), (2, 32, 16, 16), (2, 64, 8, 8)]
    assert backbone.out_channels == list(STAGE_WIDTHS)
    det = PiNASTrack1ResNet(NARROW, space=SPACE, out_indices=(1, 2), stem_stride=2, stem_pool=True)
    outs = det(torch.zeros(1, 3, 64, 48))  # padded to the stage maxima, strides 8 and 16
    assert [tuple(o.shape) for o in outs] == [(1, 32, 8, 6), (1, 64, 4, 3)]
    assert det.out_channels == list(MAX_WIDTHS[1:])
    assert not outs[-1][:, 4:].any()  # the padding is zero


def test_bad_settings_are_named():
    with pytest.raises(ValueError, match='out_indices'):
        PiNASTrack1ResNet(ARCH, space=SPACE, out_indices=(3,))
    with pytest.raises(ValueError, match='shortcut'):
        PiNASTrack1ResNet(ARCH, space=SPACE, shortcut='identity')
    with pytest.raises(ValueError, match='Track-1 width space'):
        PiNASTrack1ResNet('311021', space='pinas_resnest_tiny')


@pytest.mark.parametrize('shortcut', ['official', 'projection'])
def test_same_network_as_the_stand_alone_track1_resnet(shortcut):
    """Keys and shapes of Track1ResNet (no classifier), and with its weights the same stage outputs."""
    net = randomised_bn(Track1ResNet(ARCH, SPACE, shortcut=shortcut)).eval()
    backbone = PiNASTrack1ResNet(ARCH, space=SPACE, shortcut=shortcut, pad_to_max_width=False).eval()
    weights = {k: v for k, v in net.state_dict().items() if not k.startswith('head.')}
    assert {k: tuple(v.shape) for k, v in backbone.state_dict().items()} == \
        {k: tuple(v.shape) for k, v in weights.items()}
    backbone.load_state_dict(weights)
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        for mine, theirs in zip(backbone(x), net.forward_stages(x), strict=True):
            torch.testing.assert_close(mine, theirs)


def test_supernet_checkpoint_gives_the_supernets_sliced_weights_and_path(supernet, supernet_checkpoint):
    backbone = PiNASTrack1ResNet(ARCH, space=SPACE, pad_to_max_width=False,
                                 init_cfg=dict(type='Pretrained', checkpoint=str(supernet_checkpoint)))
    backbone.init_weights()
    own, theirs = backbone.state_dict(), supernet.state_dict()
    widths = [int(w) for w in ARCH.split('-')]
    torch.testing.assert_close(own['stem.conv.weight'], theirs['stem.shared.conv.weight'][:widths[0]])
    block, stage, index = 4, 1, 1  # the second block of the second stage: in 32, mid 8, out 32
    cin, mid, out = widths[2 * block], widths[2 * block + 1], widths[2 * block + 2]
    prefix, unit = f'stages.{stage}.{index}', f'blocks.{block}'
    torch.testing.assert_close(own[f'{prefix}.conv1.conv.weight'],
                               theirs[f'{unit}.conv1.shared.conv.weight'][:mid, :cin])
    torch.testing.assert_close(own[f'{prefix}.conv2.bn.running_var'],
                               theirs[f'{unit}.conv2.shared.bn.running_var'][:out])
    torch.testing.assert_close(own[f'{prefix}.shortcut.conv.weight'],
                               theirs[f'{unit}.shortcut.shared.conv.weight'][:out, :cin])
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():  # the student's path, not the (zeroed) teacher's
        torch.testing.assert_close(backbone.eval()(x)[-1], supernet.forward_features(x, ARCH))


def test_official_layout_inherits_the_layers_it_has(supernet_checkpoint):
    backbone = PiNASTrack1ResNet(ARCH, space=SPACE, shortcut='official',
                                 init_cfg=dict(type='Pretrained', checkpoint=str(supernet_checkpoint)))
    backbone.init_weights()  # strict: every layer found; the identity blocks' supernet shortcuts are left out
    assert isinstance(backbone.stages[2][2].shortcut, torch.nn.Identity)  # 64 -> 64 inside a stage


def test_enhanced_supernet_is_refused(tmp_path):
    cept = Track1Supernet(space=SPACE, post_add_act='prelu')
    path = tmp_path / 'cept.pth'
    torch.save(dict(state_dict={f'supernet.{k}': v for k, v in cept.state_dict().items()}), path)
    backbone = PiNASTrack1ResNet(ARCH, space=SPACE, init_cfg=dict(type='Pretrained', checkpoint=str(path)))
    with pytest.raises(CheckpointMismatchError, match='enhanced Track-1 supernet'):
        backbone.init_weights()


def test_frozen_stages_and_norm_eval():
    backbone = PiNASTrack1ResNet(ARCH, space=SPACE, frozen_stages=1, norm_eval=True).train()
    assert not any(p.requires_grad for p in backbone.stem.parameters())
    assert not any(p.requires_grad for p in backbone.stages[0].parameters())
    assert all(p.requires_grad for p in backbone.stages[1].parameters())
    assert not any(m.training for m in backbone.modules() if isinstance(m, torch.nn.BatchNorm2d))


@pytest.mark.slow
@pytest.mark.parametrize('config, overrides', [
    (DET_SMOKE, ['train_dataloader.dataset.indices=2']),  # one batch of 2: one iteration
    (SEG_SMOKE, ['train_cfg.max_iters=1', 'default_hooks.checkpoint.interval=1']),
], ids=['faster-rcnn', 'deeplabv3'])
def test_one_training_iteration_from_a_supernet(config, overrides, tiny_data, supernet_checkpoint, tmp_path):
    from downstream import apis
    cfg = Config.fromfile(str(config))
    assert cfg.model.backbone.type == 'PiNASTrack1ResNet'
    runner = apis.train_main([str(config), '--work-dir', str(tmp_path), '--cfg-options', *overrides,
                              f'model.backbone.pretrained={supernet_checkpoint}',
                              f'model.backbone.arch={ARCH}'])
    assert runner.iter == 1
    assert (tmp_path / 'last_checkpoint').is_file()
