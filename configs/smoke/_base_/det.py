# What the detection smoke configs change in their shipped config, as variables: a key may not come from two
# bases, and the shipped config already sets every one of them. A smoke config takes its dataset's set of keys
#     globals().update(_base_.tiny_coco_detection)  # or tiny_coco_instance
# and its CPU-sized model with `model = _base_.tiny_faster_rcnn_model` (or tiny_mask_rcnn_model, tiny_retinanet_model).
_base_ = ['./tiny.py']


def tiny_coco_data(train_annotations, test_annotations):
    """The keys of a smoke config on tiny COCO: images at 64x40 or 64x48, one epoch of the 8 training images,
    evaluation on the 4 val images; `*_annotations`: what LoadAnnotations reads (boxes, or boxes and masks)."""
    data_root = _base_.tiny_data_root + '/coco/'
    train_pipeline = [
        dict(type='LoadImageFromFile'),
        dict(type='LoadAnnotations', **train_annotations),
        dict(type='RandomChoiceResize', scales=[(64, 40), (64, 48)], keep_ratio=True),
        dict(type='RandomFlip', prob=0.5),
        dict(type='PackDetInputs'),
    ]
    test_pipeline = [
        dict(type='LoadImageFromFile'),
        dict(type='Resize', scale=(64, 48), keep_ratio=True),
        dict(type='LoadAnnotations', **test_annotations),
        dict(type='PackDetInputs', meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
    ]
    val_dataloader = dict(num_workers=0, persistent_workers=False,
                          dataset=dict(data_root=data_root, pipeline=test_pipeline))
    val_evaluator = dict(ann_file=data_root + 'annotations/instances_val2017.json')
    return dict(
        data_root=data_root,
        train_pipeline=train_pipeline,
        test_pipeline=test_pipeline,
        train_dataloader=dict(num_workers=0, persistent_workers=False,
                              dataset=dict(data_root=data_root, pipeline=train_pipeline)),
        val_dataloader=val_dataloader,
        test_dataloader=val_dataloader,
        val_evaluator=val_evaluator,
        test_evaluator=val_evaluator,
        train_cfg=dict(max_epochs=1, val_interval=1),
        default_hooks=dict(logger=dict(interval=1)))


tiny_coco_detection = tiny_coco_data(dict(with_bbox=True), dict(with_bbox=True))
tiny_coco_instance = tiny_coco_data(dict(with_bbox=True, with_mask=True, poly2mask=False),
                                    dict(with_bbox=True, with_mask=True))

# CPU-sized detectors: the tiny backbone, a narrow FPN and heads, fewer proposals and sampled RoIs; no score
# threshold, so that an almost untrained model still emits boxes and the COCO evaluation runs.
tiny_fpn_detector = dict(
    backbone=_base_.tiny_backbone,
    neck=dict(in_channels=_base_.tiny_channels, out_channels=_base_.tiny_fpn_channels))
tiny_retinanet_model = dict(
    tiny_fpn_detector,
    bbox_head=dict(in_channels=_base_.tiny_fpn_channels, feat_channels=_base_.tiny_fpn_channels),
    test_cfg=dict(score_thr=0.0))
tiny_faster_rcnn_model = dict(
    tiny_fpn_detector,
    rpn_head=dict(in_channels=_base_.tiny_fpn_channels, feat_channels=_base_.tiny_fpn_channels),
    roi_head=dict(
        bbox_roi_extractor=dict(out_channels=_base_.tiny_fpn_channels),
        bbox_head=dict(in_channels=_base_.tiny_fpn_channels, conv_out_channels=_base_.tiny_fpn_channels,
                       fc_out_channels=_base_.tiny_fc_channels)),
    train_cfg=dict(rpn_proposal=_base_.tiny_proposals, rcnn=dict(sampler=dict(num=_base_.tiny_rois))),
    test_cfg=dict(rpn=_base_.tiny_proposals, rcnn=dict(score_thr=0.0)))
tiny_mask_rcnn_model = dict(
    tiny_faster_rcnn_model,
    roi_head=dict(
        tiny_faster_rcnn_model['roi_head'],
        mask_roi_extractor=dict(out_channels=_base_.tiny_fpn_channels),
        mask_head=dict(in_channels=_base_.tiny_fpn_channels, conv_out_channels=_base_.tiny_fpn_channels)))
