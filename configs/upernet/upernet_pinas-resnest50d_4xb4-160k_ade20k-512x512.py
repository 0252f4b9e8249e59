# Pi-NAS transfer to ADE20K (150 classes): UPerNet on the four stages (output stride 32), 512x512 crops,
# 4 GPUs x 4 images, 160k iterations (mmseg's schedule: SGD lr 0.01, poly decay).
_base_ = [
    '../_base_/models/upernet_pinas-resnest50d.py',
    'mmseg::_base_/datasets/ade20k.py',
    'mmseg::_base_/schedules/schedule_160k.py',
    'mmseg::_base_/default_runtime.py',
    '../_base_/default_runtime.py',
]
crop_size = (512, 512)
data_preprocessor = dict(size=crop_size)
model = dict(
    data_preprocessor=data_preprocessor,
    decode_head=dict(num_classes=150),
    auxiliary_head=dict(num_classes=150))
