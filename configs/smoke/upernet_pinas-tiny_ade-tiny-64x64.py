# CPU smoke run of the shipped ADE20K UPerNet config (../upernet/upernet_pinas-resnest50d_4xb4-160k_ade20k-512x512.py):
# its bases with the tiny backbone, tiny ADE-layout data, 64x64 crops, 4 iterations.
_base_ = ['./_base_/models/upernet_pinas-tiny.py', './_base_/datasets/ade-tiny-64x64.py',
          './_base_/schedules/seg_4it.py']
data_preprocessor = dict(size=_base_.crop_size)  # pad to the dataset's crop size
model = dict(data_preprocessor=data_preprocessor,
             decode_head=dict(num_classes=150), auxiliary_head=dict(num_classes=150))
