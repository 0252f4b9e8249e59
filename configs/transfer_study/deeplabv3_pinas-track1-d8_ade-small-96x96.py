# Transfer study, semantic segmentation, Track-1 space: as deeplabv3_pinas-tiny-d8_ade-small-96x96.py with a plain
# stand-alone Track-1 ResNet20 (PiNASTrack1ResNet) initialised from the plain Track-1 supernet. Its stem conv has
# stride 2, so the three stages give strides 2, 4, 8: output stride 8 without dilation. The decode head reads the
# last stage, the auxiliary head the second.
#   --cfg-options model.backbone.arch=16-8-...-64 model.backbone.init_cfg.checkpoint=SUPERNET.pth randomness.seed=1
_base_ = ['../deeplabv3/deeplabv3_pinas-resnest50d-d8_4xb4-160k_ade20k-512x512.py', './_base_/seg.py']
globals().update(_base_.small_ade)  # data, crop size, pipelines, loaders, schedule: ./_base_/seg.py
model = dict(
    _base_.study_seg_model,
    backbone=dict(_base_.track1_seg_backbone, init_cfg=_base_.track1_pretrained),
    decode_head=dict(_base_.study_aspp_head, in_index=2, in_channels=_base_.track1_channels[2]),
    auxiliary_head=dict(_base_.study_seg_model['auxiliary_head'], in_index=1, in_channels=_base_.track1_channels[1]))
