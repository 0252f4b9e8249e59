# Transfer ground truth, detection (issue 23): the transfer study's Faster R-CNN on small COCO with a Track-1
# architecture as the stand-alone network it is, initialised from its own pretraining run; see
# ./deeplabv3_track1-standalone-d8_ade-small-96x96.py.
_base_ = ['../transfer_study/faster-rcnn_pinas-track1_fpn_coco-small.py']
model = dict(backbone=dict(space='track1_resnet20', shortcut='official'))
