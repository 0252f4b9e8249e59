# The shipped UPerNet at a CPU size: the tiny backbone (../tiny.py), narrow decode and auxiliary heads.
_base_ = ['../../../_base_/models/upernet_pinas-resnest50d.py', '../tiny.py']
model = dict(
    backbone=_base_.tiny_backbone,
    decode_head=dict(in_channels=_base_.tiny_channels, channels=64),
    auxiliary_head=dict(in_channels=_base_.tiny_channels[2], channels=32))
