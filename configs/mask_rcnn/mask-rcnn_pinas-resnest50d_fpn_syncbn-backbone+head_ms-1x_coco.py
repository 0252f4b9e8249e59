# Pi-NAS transfer to COCO 2017, the paper's setting (Pi-NAS experiments/detection/configs, detectron2):
# Mask R-CNN FPN, 1x; SyncBN in the backbone, FPN and RoI heads; 4conv-1fc box head and 4-conv mask head;
# multi-scale training 640-800; 8 GPUs x 2 images = batch 16, lr 0.02.
# The backbone is transferred MoCo-style (detectron2 FREEZE_AT=0): nothing frozen and BN statistics trained
# (frozen_stages=-1, norm_eval=False), which also suits self-supervised or supernet-inherited weights.
_base_ = [
    '../_base_/models/mask-rcnn_pinas-resnest50d_fpn.py',
    '../_base_/datasets/coco_instance_ms-640-800.py',
    '../_base_/det_syncbn_1x.py',
]
model = dict(_base_.syncbn_fpn, roi_head=dict(bbox_head=_base_.syncbn_4conv1fc_bbox_head,
                                              mask_head=dict(norm_cfg=_base_.norm_cfg)))
