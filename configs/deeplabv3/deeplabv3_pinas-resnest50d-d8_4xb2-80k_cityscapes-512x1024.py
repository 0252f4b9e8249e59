# Pi-NAS transfer to Cityscapes (19 classes): DeepLabV3 at output stride 8, 512x1024 crops, 4 GPUs x 2 images,
# 80k iterations (mmseg's schedule: SGD lr 0.01, poly decay); whole-image testing at 2048x1024.
_base_ = ['../_base_/models/deeplabv3_pinas-resnest50d-d8.py', 'mmseg::_base_/datasets/cityscapes.py',
          'mmseg::_base_/schedules/schedule_80k.py', '../_base_/seg_runtime.py']
default_hooks = dict(checkpoint=dict(backend_args=_base_.atomic_checkpoints))  # see ../_base_/default_runtime.py
data_preprocessor = dict(size=_base_.crop_size)  # pad to the dataset's crop size
model = dict(data_preprocessor=data_preprocessor)
