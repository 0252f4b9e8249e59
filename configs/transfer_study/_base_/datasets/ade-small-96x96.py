# Small ADE20K-layout data (tools/make_tiny_datasets.py --size small writes it to data/small; or set
# PINAS_SMALL_DATA): mmseg's ADE20K data with 96x96 crops of the 128x128 images rescaled by 0.75-1.5 and flips (no
# photometric distortion: colour is half of what tells the classes apart), batch 8, whole-image evaluation.
_base_ = 'mmseg::_base_/datasets/ade20k.py'
data_root = '{{$PINAS_SMALL_DATA:data/small}}/ade/ADEChallengeData2016'
study_seg_batch = 8
study_crop_size = (96, 96)
study_image_scale = (128, 128)  # the small ADE images' size
crop_size = study_crop_size
# Small ADE20K uses only ADE's first 21 classes (downstream/datasets/tiny.py, SIZE_PRESETS['small']): the heads
# predict those, since upsampling and softmax of 150-class logits would take most of a CPU step.
study_ade_classes = 21
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(type='RandomResize', scale=study_image_scale, ratio_range=(0.75, 1.5), keep_ratio=True),
    dict(type='RandomCrop', crop_size=study_crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=study_image_scale, keep_ratio=True),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(type='PackSegInputs'),
]
train_dataloader = dict(batch_size=study_seg_batch, num_workers=0, persistent_workers=False,
                        dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(batch_size=1, num_workers=0, persistent_workers=False,
                      dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader
