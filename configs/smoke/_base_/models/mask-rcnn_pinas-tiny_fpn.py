# The shipped Mask R-CNN at a CPU size: the tiny backbone (../tiny.py), a narrow FPN and heads, fewer proposals
# and sampled RoIs, no score threshold.
_base_ = ['../../../_base_/models/mask-rcnn_pinas-resnest50d_fpn.py', '../tiny.py']
model = dict(
    backbone=_base_.tiny_backbone,
    neck=dict(in_channels=_base_.tiny_channels, out_channels=_base_.tiny_fpn_channels),
    rpn_head=dict(in_channels=_base_.tiny_fpn_channels, feat_channels=_base_.tiny_fpn_channels),
    roi_head=dict(
        bbox_roi_extractor=dict(out_channels=_base_.tiny_fpn_channels),
        bbox_head=dict(in_channels=_base_.tiny_fpn_channels, conv_out_channels=_base_.tiny_fpn_channels,
                       fc_out_channels=_base_.tiny_fc_channels),
        mask_roi_extractor=dict(out_channels=_base_.tiny_fpn_channels),
        mask_head=dict(in_channels=_base_.tiny_fpn_channels, conv_out_channels=_base_.tiny_fpn_channels)),
    train_cfg=dict(rpn_proposal=_base_.tiny_proposals, rcnn=dict(sampler=dict(num=_base_.tiny_rois))),
    test_cfg=dict(rpn=_base_.tiny_proposals, rcnn=dict(score_thr=0.0)))
