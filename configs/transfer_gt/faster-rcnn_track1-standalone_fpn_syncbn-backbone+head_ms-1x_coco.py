# Transfer ground truth at full size, detection (issue 23, for a GPU cluster):
# ./faster-rcnn_track1-standalone_fpn_coco-small.py
# on the real task: the shipped Faster R-CNN FPN recipe on COCO 2017 (multi-scale 640-800, 8 GPUs x 2 images, 1x)
# with a Track-1 architecture as the stand-alone network it is, initialised from its own full-size pretraining run
# (configs/ranking/ground_truth_cifar100.py; configs/benchmarks/transfer_gt_track1_full.py sets the checkpoint).
# The backbone's stem downsamples by 4, so its three stages give FPN strides 4, 8, 16 (two pooled levels above).
_base_ = ['../faster_rcnn/faster-rcnn_pinas-resnest50d_fpn_syncbn-backbone+head_ms-1x_coco.py',
          '../smoke/_base_/track1.py']
model = dict(backbone=dict(_base_.track1_det_backbone, space='track1_resnet20', shortcut='official'),
             neck=dict(in_channels=_base_.track1_channels))
