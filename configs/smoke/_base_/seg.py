# What the segmentation smoke configs change in their shipped config, as variables: a key may not come from two
# bases, and the shipped config already sets every one of them. A smoke config takes its dataset's set of keys
#     globals().update(_base_.tiny_ade)  # or tiny_cityscapes
# and shrinks the model with `model = dict(_base_.tiny_seg_model, decode_head=...)`.
_base_ = ['./tiny.py']
tiny_crop_size = (64, 64)
tiny_seg_model = dict(
    data_preprocessor=dict(size=tiny_crop_size),
    backbone=_base_.tiny_backbone,
    auxiliary_head=dict(in_channels=_base_.tiny_channels[2], channels=32))


def tiny_seg_data(data_root, **load_annotations):
    """The keys of a smoke config on a tiny dataset: 64x64 crops of images resized around 128x64, batch 2,
    `tiny_iters` iterations with a poly schedule (the same decay as mmseg's), a checkpoint halfway."""
    train_pipeline = [
        dict(type='LoadImageFromFile'),
        dict(type='LoadAnnotations', **load_annotations),
        dict(type='RandomResize', scale=(128, 64), ratio_range=(0.5, 2.0), keep_ratio=True),
        dict(type='RandomCrop', crop_size=tiny_crop_size, cat_max_ratio=0.75),
        dict(type='RandomFlip', prob=0.5),
        dict(type='PhotoMetricDistortion'),
        dict(type='PackSegInputs'),
    ]
    test_pipeline = [
        dict(type='LoadImageFromFile'),
        dict(type='Resize', scale=(128, 64), keep_ratio=True),
        dict(type='LoadAnnotations', **load_annotations),
        dict(type='PackSegInputs'),
    ]
    val_dataloader = dict(num_workers=0, persistent_workers=False,
                          dataset=dict(data_root=data_root, pipeline=test_pipeline))
    iters = _base_.tiny_iters
    return dict(
        data_root=data_root,
        crop_size=tiny_crop_size,
        data_preprocessor=tiny_seg_model['data_preprocessor'],
        train_pipeline=train_pipeline,
        test_pipeline=test_pipeline,
        train_dataloader=dict(batch_size=2, num_workers=0, persistent_workers=False,
                              dataset=dict(data_root=data_root, pipeline=train_pipeline)),
        val_dataloader=val_dataloader,
        test_dataloader=val_dataloader,
        train_cfg=dict(max_iters=iters, val_interval=iters),
        param_scheduler=[dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0, end=iters, by_epoch=False)],
        default_hooks=dict(logger=dict(interval=1), checkpoint=dict(interval=iters // 2)))


tiny_ade = tiny_seg_data(_base_.tiny_data_root + '/ade/ADEChallengeData2016', reduce_zero_label=True)
tiny_cityscapes = tiny_seg_data(_base_.tiny_data_root + '/cityscapes/')
# multi-scale + flip testing (tools/test.py --tta) at two small scales instead of six
tiny_seg_tta_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='TestTimeAug', transforms=[
        [dict(type='Resize', scale_factor=r, keep_ratio=True) for r in (0.5, 0.75)],
        [dict(type='RandomFlip', prob=0.0, direction='horizontal'),
         dict(type='RandomFlip', prob=1.0, direction='horizontal')],
        [dict(type='LoadAnnotations')],
        [dict(type='PackSegInputs')],
    ]),
]
