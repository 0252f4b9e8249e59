# Pi-NAS transfer to Cityscapes (19 classes): DeepLabV3 at output stride 8 (the paper's choice), 769x769 crops,
# 4 GPUs x 2 images, 80k iterations (mmseg's schedule: SGD lr 0.01, poly decay); sliding-window testing with
# 769 windows (the paper used 768 windows) and corner-aligned upsampling, as mmseg's 769 configs.
_base_ = ['../_base_/models/deeplabv3_pinas-resnest50d-d8.py', 'mmseg::_base_/datasets/cityscapes_769x769.py',
          'mmseg::_base_/schedules/schedule_80k.py', '../_base_/seg_runtime.py']
default_hooks = dict(checkpoint=dict(backend_args=_base_.atomic_checkpoints))  # see ../_base_/default_runtime.py
data_preprocessor = dict(size=_base_.crop_size)  # pad to the dataset's crop size
model = dict(
    data_preprocessor=data_preprocessor,
    decode_head=dict(align_corners=True),
    auxiliary_head=dict(align_corners=True),
    test_cfg=dict(mode='slide', crop_size=_base_.crop_size, stride=(513, 513)))
