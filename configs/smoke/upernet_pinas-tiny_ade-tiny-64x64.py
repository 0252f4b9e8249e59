# CPU smoke run of the shipped ADE20K UPerNet config: tiny backbone, tiny ADE-layout data, 64x64 crops,
# a few iterations.
_base_ = ['../upernet/upernet_pinas-resnest50d_4xb4-160k_ade20k-512x512.py', './_base_/tiny.py']
data_root = _base_.tiny_data_root + '/ade/ADEChallengeData2016'
crop_size = (64, 64)
data_preprocessor = dict(size=crop_size)
model = dict(
    data_preprocessor=data_preprocessor,
    backbone=_base_.tiny_backbone,
    decode_head=dict(in_channels=_base_.tiny_channels, channels=64),
    auxiliary_head=dict(in_channels=_base_.tiny_channels[2], channels=32))
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(type='RandomResize', scale=(128, 64), ratio_range=(0.5, 2.0), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(128, 64), keep_ratio=True),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(type='PackSegInputs'),
]
train_dataloader = dict(batch_size=2, num_workers=0, persistent_workers=False,
                        dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(num_workers=0, persistent_workers=False,
                      dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader
train_cfg = dict(max_iters=_base_.tiny_iters, val_interval=_base_.tiny_iters)
param_scheduler = [dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0, end=_base_.tiny_iters, by_epoch=False)]
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=_base_.tiny_iters // 2))
