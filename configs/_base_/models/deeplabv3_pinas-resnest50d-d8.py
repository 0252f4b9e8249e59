# mmseg's DeepLabV3 (ASPP head + FCN auxiliary head on stage 3) with the Pi-NAS ResNeSt-50-D backbone dilated to
# output stride 8, the paper's segmentation setting; SyncBN everywhere and nothing frozen, as mmseg trains ResNets.
_base_ = ['mmseg::_base_/models/deeplabv3_r50-d8.py', './pinas-resnest50d.py']
norm_cfg = dict(type='SyncBN', requires_grad=True)
model = dict(
    pretrained=None,  # the backbone's init_cfg holds the weights
    backbone=dict(_base_.pinas_backbone, _delete_=True, strides=(1, 2, 1, 1), dilations=(1, 1, 2, 4),
                  frozen_stages=-1, norm_eval=False, norm_cfg=norm_cfg))
