# mmseg's UPerNet (FPN-style head on all four stages + FCN auxiliary head) with the Pi-NAS ResNeSt-50-D backbone
# at output stride 32; SyncBN everywhere and nothing frozen, as mmseg trains ResNets.
_base_ = ['mmseg::_base_/models/upernet_r50.py', './pinas-resnest50d.py']
norm_cfg = dict(type='SyncBN', requires_grad=True)
model = dict(
    pretrained=None,  # the backbone's init_cfg holds the weights
    backbone=dict(_base_.pinas_backbone, _delete_=True, frozen_stages=-1, norm_eval=False, norm_cfg=norm_cfg))
