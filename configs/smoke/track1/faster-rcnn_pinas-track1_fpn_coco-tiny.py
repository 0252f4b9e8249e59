# CPU smoke run of the shipped Faster R-CNN config with a Track-1 backbone (PiNASTrack1ResNet, widest arch, no
# pretrained weights): the shipped config's bases with CPU-sized heads, tiny COCO-layout data at 64x48, 1 epoch.
_base_ = ['../_base_/models/faster-rcnn_pinas-track1_fpn.py', '../_base_/datasets/coco-tiny_detection.py',
          '../_base_/schedules/det_syncbn_1e.py']
# the shipped config's SyncBN FPN and 4conv-1fc box head, at the CPU-sized head width (the Track-1 backbone
# already trains every stage with SyncBN)
model = dict(_base_.syncbn_fpn, roi_head=dict(
    bbox_head=dict(_base_.syncbn_4conv1fc_bbox_head, conv_out_channels=_base_.tiny_fpn_channels)))
