# CPU smoke run of the shipped ADE20K DeepLabV3 config with a Track-1 backbone (PiNASTrack1ResNet, widest arch, no
# pretrained weights; output stride 8): tiny ADE-layout data, 64x64 crops, a few iterations. The decode head reads
# the last of the three stages, the auxiliary head the second.
_base_ = ['../../deeplabv3/deeplabv3_pinas-resnest50d-d8_4xb4-160k_ade20k-512x512.py', '../_base_/seg.py',
          '../_base_/track1.py']
globals().update(_base_.tiny_ade)  # data root, crop size, pipelines, dataloaders, schedule: see ../_base_/seg.py
model = dict(
    _base_.tiny_seg_model, backbone=_base_.track1_seg_backbone,
    decode_head=dict(in_index=2, in_channels=_base_.track1_channels[2], channels=64),
    auxiliary_head=dict(_base_.tiny_seg_model['auxiliary_head'], in_index=1, in_channels=_base_.track1_channels[1]))
