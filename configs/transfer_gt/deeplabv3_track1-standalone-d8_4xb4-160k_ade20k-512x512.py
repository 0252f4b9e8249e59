# Transfer ground truth at full size (issue 23, for a GPU cluster): ./deeplabv3_track1-standalone-d8_ade-small-96x96.py
# on the real task: ADE20K (150 classes, 512x512 crops, mmseg's 160k schedule, 4 GPUs x 4 images, the shipped
# DeepLabV3 config) with a Track-1 architecture as the stand-alone network it is (the challenge's shortcut layout),
# at the small study's head widths, initialised from its own full-size pretraining run
# (configs/ranking/ground_truth_cifar100.py); configs/benchmarks/transfer_gt_track1_full.py sets
# model.backbone.init_cfg.checkpoint per architecture and seed. Output stride 8 gives 64x64 maps, which mmseg's ASPP
# rates (12, 24, 36) were chosen for.
_base_ = ['../deeplabv3/deeplabv3_pinas-resnest50d-d8_4xb4-160k_ade20k-512x512.py', '../smoke/_base_/track1.py']
model = dict(
    backbone=dict(_base_.track1_seg_backbone, space='track1_resnet20', shortcut='official'),
    decode_head=dict(in_index=2, in_channels=_base_.track1_channels[2], channels=64),
    auxiliary_head=dict(in_index=1, in_channels=_base_.track1_channels[1], channels=32))
