# The shipped RetinaNet at a CPU size: the tiny backbone (../tiny.py), a narrow FPN and head, no score threshold.
_base_ = ['../../../_base_/models/retinanet_pinas-resnest50d_fpn.py', '../tiny.py']
model = dict(
    backbone=_base_.tiny_backbone,
    neck=dict(in_channels=_base_.tiny_channels, out_channels=_base_.tiny_fpn_channels),
    bbox_head=dict(in_channels=_base_.tiny_fpn_channels, feat_channels=_base_.tiny_fpn_channels),
    test_cfg=dict(score_thr=0.0))
