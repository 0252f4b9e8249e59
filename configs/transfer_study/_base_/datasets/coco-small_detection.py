# Small COCO-layout detection data (tools/make_tiny_datasets.py --size small writes it to data/small; or set
# PINAS_SMALL_DATA): the shipped COCO data at the images' native 128x96 (flip augmentation), batch 4, evaluation
# on the val split in batches of 8, no loader workers.
_base_ = '../../../_base_/datasets/coco_detection_ms-640-800.py'
data_root = '{{$PINAS_SMALL_DATA:data/small}}/coco/'
study_det_batch = 4
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=(128, 96), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(128, 96), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='PackDetInputs', meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]
train_dataloader = dict(batch_size=study_det_batch, num_workers=0, persistent_workers=False,
                        dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(batch_size=8, num_workers=0, persistent_workers=False,
                      dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'annotations/instances_val2017.json')
test_evaluator = val_evaluator
