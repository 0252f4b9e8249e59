# CPU smoke run of the shipped ADE20K DeepLabV3 config (../deeplabv3/deeplabv3_pinas-resnest50d-d8_4xb4-160k_ade20k-
# 512x512.py): its bases with the tiny backbone (output stride 8), tiny ADE-layout data, 64x64 crops, 4 iterations.
_base_ = ['./_base_/models/deeplabv3_pinas-tiny-d8.py', './_base_/datasets/ade-tiny-64x64.py',
          './_base_/schedules/seg_4it.py']
data_preprocessor = dict(size=_base_.crop_size)  # pad to the dataset's crop size
model = dict(data_preprocessor=data_preprocessor,
             decode_head=dict(num_classes=150), auxiliary_head=dict(num_classes=150))
# multi-scale + flip testing (tools/test.py --tta) at two small scales instead of six
tta_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='TestTimeAug', transforms=[
        [dict(type='Resize', scale_factor=0.5, keep_ratio=True),
         dict(type='Resize', scale_factor=0.75, keep_ratio=True)],
        [dict(type='RandomFlip', prob=0.0, direction='horizontal'),
         dict(type='RandomFlip', prob=1.0, direction='horizontal')],
        [dict(type='LoadAnnotations')],
        [dict(type='PackSegInputs')],
    ]),
]
