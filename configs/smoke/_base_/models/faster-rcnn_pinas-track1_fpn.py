# The CPU-sized Faster R-CNN (./faster-rcnn_pinas-tiny_fpn.py) with a Track-1 backbone (PiNASTrack1ResNet, ../track1.py:
# widest arch, no pretrained weights) whose stem downsamples by 4, so its three stages give FPN strides 4, 8, 16.
_base_ = ['./faster-rcnn_pinas-tiny_fpn.py', '../track1.py']
model = dict(backbone=_base_.track1_det_backbone, neck=dict(in_channels=_base_.track1_channels))
