# RetinaNet FPN on COCO 2017: MoCo-style SyncBN backbone (nothing frozen, BN trained) and SyncBN FPN (the
# RetinaNet head keeps mmdet's norm-free convs); multi-scale training 640-800, 8 GPUs x 2 images, 1x at
# mmdet's RetinaNet lr of 0.01.
_base_ = [
    '../_base_/models/retinanet_pinas-resnest50d_fpn.py',
    '../_base_/datasets/coco_detection_ms-640-800.py',
    '../_base_/det_syncbn_1x.py',
]
model = _base_.syncbn_fpn
optim_wrapper = dict(optimizer=dict(lr=0.01))
