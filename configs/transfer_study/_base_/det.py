# What the detection study configs change in their shipped config, as variables (a key may not come from two
# bases): the small COCO-layout data at its native 128x96, an iteration budget that fits a few CPU minutes, and
# the CPU-sized heads of the smoke configs. A study config takes
#     globals().update(_base_.small_coco_detection)
# and its model from `_base_.tiny_faster_rcnn_model` with a study backbone (./study.py).
_base_ = ['../../smoke/_base_/det.py', './study.py']
study_det_iters = 600
study_det_batch = 4
study_det_lr = 0.02
study_det_warmup = 50  # iterations of linear warm-up
# Anchors a quarter of mmdet's (8 -> 4 x stride): 16 px at P2, for objects of 15-60 px in 128x96 images.
study_det_anchor_scale = 4


def small_coco_data(train_annotations, test_annotations):
    """The keys of a study config on small COCO: native-size images (flip augmentation), `study_det_iters`
    iterations of batch `study_det_batch`, SGD with warm-up then cosine decay, one evaluation at the end on the
    val split; `*_annotations`: what LoadAnnotations reads."""
    data_root = _base_.small_data_root + '/coco/'
    scale = (128, 96)
    train_pipeline = [
        dict(type='LoadImageFromFile'),
        dict(type='LoadAnnotations', **train_annotations),
        dict(type='Resize', scale=scale, keep_ratio=True),
        dict(type='RandomFlip', prob=0.5),
        dict(type='PackDetInputs'),
    ]
    test_pipeline = [
        dict(type='LoadImageFromFile'),
        dict(type='Resize', scale=scale, keep_ratio=True),
        dict(type='LoadAnnotations', **test_annotations),
        dict(type='PackDetInputs', meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
    ]
    val_dataloader = dict(batch_size=8, num_workers=0, persistent_workers=False,
                          dataset=dict(data_root=data_root, pipeline=test_pipeline))
    val_evaluator = dict(ann_file=data_root + 'annotations/instances_val2017.json')
    iters = study_det_iters
    return dict(
        data_root=data_root,
        train_pipeline=train_pipeline,
        test_pipeline=test_pipeline,
        train_dataloader=dict(batch_size=study_det_batch, num_workers=0, persistent_workers=False,
                              dataset=dict(data_root=data_root, pipeline=train_pipeline)),
        val_dataloader=val_dataloader,
        test_dataloader=val_dataloader,
        val_evaluator=val_evaluator,
        test_evaluator=val_evaluator,
        train_cfg=dict(_delete_=True, type='IterBasedTrainLoop', max_iters=iters, val_interval=iters),
        param_scheduler=[
            dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=study_det_warmup),
            # no `end`: the Runner sets it to max_iters, so --cfg-options train_cfg.max_iters=N keeps the shape
            dict(type='CosineAnnealingLR', by_epoch=False, begin=study_det_warmup, eta_min=0.0)],
        optim_wrapper=dict(optimizer=dict(lr=study_det_lr)),
        default_hooks=dict(logger=dict(interval=50), checkpoint=dict(by_epoch=False, interval=iters)),
        log_processor=dict(by_epoch=False))


small_coco_detection = small_coco_data(dict(with_bbox=True), dict(with_bbox=True))
# The smoke configs' CPU-sized Faster R-CNN with the study's anchors.
study_faster_rcnn_model = dict(
    _base_.tiny_faster_rcnn_model,
    rpn_head=dict(_base_.tiny_faster_rcnn_model['rpn_head'],
                  anchor_generator=dict(scales=[study_det_anchor_scale])))
