# CPU smoke run of the shipped Cityscapes DeepLabV3 config (../deeplabv3/deeplabv3_pinas-resnest50d-d8_4xb2-80k_
# cityscapes-769x769.py, sliding-window testing): its bases with the tiny backbone (output stride 8), tiny
# Cityscapes-layout data (labelTrainIds), 64x64 crops and windows, 4 iterations.
_base_ = ['./_base_/models/deeplabv3_pinas-tiny-d8.py', './_base_/datasets/cityscapes-tiny-64x64.py',
          './_base_/schedules/seg_4it.py']
data_preprocessor = dict(size=_base_.crop_size)  # pad to the dataset's crop size
model = dict(
    data_preprocessor=data_preprocessor,
    decode_head=dict(align_corners=True),
    auxiliary_head=dict(align_corners=True),
    test_cfg=dict(mode='slide', crop_size=_base_.crop_size, stride=(48, 48)))
