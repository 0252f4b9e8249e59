# CPU smoke run of the shipped Cityscapes DeepLabV3 config (769x769, sliding-window testing): tiny backbone
# (output stride 8), tiny Cityscapes-layout data (labelTrainIds), 64x64 crops and windows, a few iterations.
_base_ = ['../deeplabv3/deeplabv3_pinas-resnest50d-d8_4xb2-80k_cityscapes-769x769.py', './_base_/seg.py']
globals().update(_base_.tiny_cityscapes)  # data root, crop size, pipelines, dataloaders, schedule: ./_base_/seg.py
model = dict(_base_.tiny_seg_model, decode_head=dict(in_channels=_base_.tiny_channels[3], channels=64),
             test_cfg=dict(mode='slide', crop_size=crop_size, stride=(48, 48)))
