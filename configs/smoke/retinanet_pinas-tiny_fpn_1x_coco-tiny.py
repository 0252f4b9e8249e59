# CPU smoke run of the shipped RetinaNet config (../retinanet/retinanet_pinas-resnest50d_fpn_syncbn-backbone+neck_
# ms-1x_coco.py): its bases with the tiny backbone and CPU-sized head, tiny COCO-layout data at 64x48, 1 epoch.
_base_ = ['./_base_/models/retinanet_pinas-tiny_fpn.py', './_base_/datasets/coco-tiny_detection.py',
          './_base_/schedules/det_syncbn_1e.py']
model = _base_.syncbn_fpn  # the shipped config's SyncBN backbone and FPN
optim_wrapper = dict(optimizer=dict(lr=0.01))  # the shipped config's (mmdet's RetinaNet) learning rate
