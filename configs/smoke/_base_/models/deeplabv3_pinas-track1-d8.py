# The shipped DeepLabV3 at a CPU size with a Track-1 backbone (PiNASTrack1ResNet, ../track1.py: widest arch, no
# pretrained weights) whose stem conv has stride 2, so its three stages give output stride 8 without dilation. The
# decode head reads the last of the three stages, the auxiliary head the second.
_base_ = ['../../../_base_/models/deeplabv3_pinas-resnest50d-d8.py', '../track1.py']
model = dict(
    backbone=_base_.track1_seg_backbone,
    decode_head=dict(in_index=2, in_channels=_base_.track1_channels[2], channels=64),
    auxiliary_head=dict(in_index=1, in_channels=_base_.track1_channels[1], channels=32))
