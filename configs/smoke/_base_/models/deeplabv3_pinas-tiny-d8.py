# The shipped DeepLabV3 (output stride 8) at a CPU size: the tiny backbone (../tiny.py), narrow decode and auxiliary
# heads.
_base_ = ['../../../_base_/models/deeplabv3_pinas-resnest50d-d8.py', '../tiny.py']
model = dict(
    backbone=_base_.tiny_backbone,
    decode_head=dict(in_channels=_base_.tiny_channels[3], channels=64),
    auxiliary_head=dict(in_channels=_base_.tiny_channels[2], channels=32))
