# CPU smoke run of the shipped RetinaNet config: tiny backbone, tiny COCO-layout data at
# 64x48, CPU-sized heads, 1 epoch.
_base_ = ['../retinanet/retinanet_pinas-resnest50d_fpn_syncbn-backbone+neck_ms-1x_coco.py', './_base_/det.py']
globals().update(_base_.tiny_coco_detection)  # data root, pipelines, dataloaders, evaluators, 1 epoch: ./_base_/det.py
model = _base_.tiny_retinanet_model
