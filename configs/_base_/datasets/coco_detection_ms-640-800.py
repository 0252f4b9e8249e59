# mmdet's COCO 2017 detection data (data/coco, 2 images per GPU) with the paper's multi-scale training:
# the short side is drawn from {640, 672, ..., 800} (long side <= 1333); testing at 800.
_base_ = 'mmdet::_base_/datasets/coco_detection.py'
backend_args = None
train_scales = [(1333, 640), (1333, 672), (1333, 704), (1333, 736), (1333, 768), (1333, 800)]
train_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='RandomChoiceResize', scales=train_scales, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
