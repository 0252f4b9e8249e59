# CPU smoke run of the shipped Faster R-CNN config: tiny backbone, tiny COCO-layout data at
# 64x48, CPU-sized heads, 1 epoch.
_base_ = ['../faster_rcnn/faster-rcnn_pinas-resnest50d_fpn_syncbn-backbone+head_ms-1x_coco.py', './_base_/tiny.py']
data_root = _base_.tiny_data_root + '/coco/'
model = dict(
    backbone=_base_.tiny_backbone,
    neck=dict(in_channels=_base_.tiny_channels, out_channels=_base_.tiny_fpn_channels),
    rpn_head=dict(in_channels=_base_.tiny_fpn_channels, feat_channels=_base_.tiny_fpn_channels),
    roi_head=dict(
        bbox_roi_extractor=dict(out_channels=_base_.tiny_fpn_channels),
        bbox_head=dict(in_channels=_base_.tiny_fpn_channels, conv_out_channels=_base_.tiny_fpn_channels,
                       fc_out_channels=_base_.tiny_fc_channels)),
    train_cfg=dict(rpn_proposal=_base_.tiny_proposals, rcnn=dict(sampler=dict(num=_base_.tiny_rois))),
    test_cfg=dict(rpn=_base_.tiny_proposals, rcnn=dict(score_thr=0.0)))
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='RandomChoiceResize', scales=[(64, 40), (64, 48)], keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(64, 48), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='PackDetInputs', meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]
train_dataloader = dict(num_workers=0, persistent_workers=False,
                        dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(num_workers=0, persistent_workers=False,
                      dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'annotations/instances_val2017.json')
test_evaluator = val_evaluator
train_cfg = dict(max_epochs=1, val_interval=1)
default_hooks = dict(logger=dict(interval=1))
