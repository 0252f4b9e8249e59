# Faster R-CNN FPN on COCO 2017 with the paper's Mask R-CNN recipe minus the mask head: MoCo-style backbone
# (nothing frozen, BN trained), SyncBN backbone, FPN and 4conv-1fc box head,
# multi-scale training 640-800, 8 GPUs x 2 images, lr 0.02, 1x.
_base_ = [
    '../_base_/models/faster-rcnn_pinas-resnest50d_fpn.py',
    '../_base_/datasets/coco_detection_ms-640-800.py',
    '../_base_/det_syncbn_1x.py',
]
model = dict(_base_.syncbn_fpn, roi_head=dict(bbox_head=_base_.syncbn_4conv1fc_bbox_head))
