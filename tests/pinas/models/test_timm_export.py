"""Exported architectures are ordinary timm models."""
import pytest
import timm
import torch

import pinas  # noqa: F401  (registers the models)
from pinas.complexity import measure_complexity
from pinas.models import PINAS_CLS, PINAS_TRANS


def test_models_are_registered():
    for name in ('pinas_resnest50d', 'pinas_resnest50d_cls', 'pinas_resnest50d_trans', 'pinas_resnest_tiny'):
        assert timm.is_model(name)
    assert str(timm.create_model('pinas_resnest50d_cls').arch) == PINAS_CLS
    assert str(timm.create_model('pinas_resnest50d_trans').arch) == PINAS_TRANS


def test_all_candidate_one_is_resnest50d():
    ours = timm.create_model('pinas_resnest50d', arch='1111111111111111').eval()
    ref = timm.create_model('resnest50d').eval()
    ours_sd, ref_sd = ours.state_dict(), ref.state_dict()
    assert list(ours_sd) == list(ref_sd)
    assert all(ours_sd[k].shape == v.shape for k, v in ref_sd.items())
    ours.load_state_dict(ref_sd)
    x = torch.randn(1, 3, 224, 224)
    with torch.no_grad():
        torch.testing.assert_close(ours(x), ref(x), rtol=0, atol=0)


def test_pinas_cls_complexity_matches_paper():
    # Paper: 27.1 M params, 5.38 GFLOPs; official layer definitions give 27.05 M and 5.33 G conv+fc MACs.
    c = measure_complexity(timm.create_model('pinas_resnest50d_cls'), 224)
    assert c.params / 1e6 == pytest.approx(27.046, abs=0.001)
    assert c.macs / 1e9 == pytest.approx(5.33, abs=0.01)


def test_complexity_at_a_non_square_detection_size():
    model = timm.create_model('pinas_resnest_tiny', arch='302113')
    wide, square = measure_complexity(model, (32, 64)), measure_complexity(model, 32)
    assert wide.params == square.params and wide.input_size == (32, 64)
    assert wide.macs > 1.5 * square.macs  # the convolutions double; the classifier does not


def test_bad_arch_gives_clear_error():
    with pytest.raises(ValueError, match='16 digits, each 0-3'):
        timm.create_model('pinas_resnest50d', arch='30132312')


def test_features_only_feature_info():
    model = timm.create_model('pinas_resnest_tiny', features_only=True, arch='302113')
    assert model.feature_info.channels() == [16, 64, 128, 256, 512]
    assert model.feature_info.reduction() == [2, 4, 8, 16, 32]
    feats = model(torch.randn(2, 3, 64, 64))
    assert [f.shape[1] for f in feats] == model.feature_info.channels()
    assert [64 // f.shape[-1] for f in feats] == model.feature_info.reduction()
    c5 = timm.create_model('pinas_resnest50d_trans', features_only=True, out_indices=(4,)).feature_info.channels()
    assert c5 == [2048]


def test_head_api():
    model = timm.create_model('pinas_resnest_tiny', arch='302113', num_classes=10).eval()
    x = torch.randn(2, 3, 32, 32)
    feats = model.forward_features(x)
    assert feats.shape == (2, 512, 1, 1)
    assert model.forward_head(feats).shape == (2, 10)
    assert model.forward_head(feats, pre_logits=True).shape == (2, 512)
    model.reset_classifier(5)
    assert model(x).shape == (2, 5)
    model.reset_classifier(0, '')
    assert model(x).dim() == 4
    final, inter = model.forward_intermediates(x)
    assert len(inter) == 5 and final.shape == feats.shape


def test_pretrained_cfg_loads_a_local_file(tmp_path):
    src = timm.create_model('pinas_resnest_tiny', arch='302113', num_classes=10)
    path = tmp_path / 'weights.pth'
    torch.save(src.state_dict(), path)
    loaded = timm.create_model('pinas_resnest_tiny', arch='302113', num_classes=10, pretrained=True,
                               pretrained_cfg_overlay=dict(file=str(path)))
    for k, v in src.state_dict().items():
        torch.testing.assert_close(loaded.state_dict()[k], v)
    feats = timm.create_model('pinas_resnest_tiny', arch='302113', pretrained=True, features_only=True,
                              pretrained_cfg_overlay=dict(file=str(path), num_classes=10))
    torch.testing.assert_close(feats.conv1[0].weight, src.conv1[0].weight)
