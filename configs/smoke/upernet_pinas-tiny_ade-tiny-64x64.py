# CPU smoke run of the shipped ADE20K UPerNet config: tiny backbone, tiny ADE-layout data, 64x64 crops,
# a few iterations.
_base_ = ['../upernet/upernet_pinas-resnest50d_4xb4-160k_ade20k-512x512.py', './_base_/seg.py']
globals().update(_base_.tiny_ade)  # data root, crop size, pipelines, dataloaders, schedule: see ./_base_/seg.py
model = dict(_base_.tiny_seg_model, decode_head=dict(in_channels=_base_.tiny_channels, channels=64))
