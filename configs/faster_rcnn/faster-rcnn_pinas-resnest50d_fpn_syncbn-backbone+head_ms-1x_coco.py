# Faster R-CNN FPN on COCO 2017 with the paper's Mask R-CNN recipe minus the mask head: MoCo-style backbone
# (nothing frozen, BN trained), SyncBN backbone, FPN and 4conv-1fc box head,
# multi-scale training 640-800, 8 GPUs x 2 images, lr 0.02, 1x.
_base_ = [
    '../_base_/models/faster-rcnn_pinas-resnest50d_fpn.py',
    '../_base_/datasets/coco_detection_ms-640-800.py',
    '../_base_/schedules/schedule_1x.py',
    'mmdet::_base_/default_runtime.py',
    '../_base_/default_runtime.py',
]
norm_cfg = dict(type='SyncBN', requires_grad=True)
model = dict(
    backbone=dict(frozen_stages=-1, norm_eval=False, norm_cfg=norm_cfg),
    neck=dict(norm_cfg=norm_cfg),
    roi_head=dict(bbox_head=dict(type='Shared4Conv1FCBBoxHead', conv_out_channels=256, norm_cfg=norm_cfg)))
