# CPU smoke run of the shipped ADE20K DeepLabV3 config: tiny backbone (output stride 8), tiny ADE-layout data,
# 64x64 crops, a few iterations.
_base_ = ['../deeplabv3/deeplabv3_pinas-resnest50d-d8_4xb4-160k_ade20k-512x512.py', './_base_/seg.py']
globals().update(_base_.tiny_ade)  # data root, crop size, pipelines, dataloaders, schedule: see ./_base_/seg.py
model = dict(_base_.tiny_seg_model, decode_head=dict(in_channels=_base_.tiny_channels[3], channels=64))
tta_pipeline = _base_.tiny_seg_tta_pipeline
