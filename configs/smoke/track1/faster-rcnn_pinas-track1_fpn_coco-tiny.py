# CPU smoke run of the shipped Faster R-CNN config with a Track-1 backbone (PiNASTrack1ResNet, widest arch, no
# pretrained weights): tiny COCO-layout data at 64x48, CPU-sized heads, 1 epoch.
_base_ = ['../../faster_rcnn/faster-rcnn_pinas-resnest50d_fpn_syncbn-backbone+head_ms-1x_coco.py',
          '../_base_/det.py', '../_base_/track1.py']
globals().update(_base_.tiny_coco_detection)  # data root, pipelines, dataloaders, evaluators, 1 epoch: ../_base_/det.py
model = dict(_base_.tiny_faster_rcnn_model, backbone=_base_.track1_det_backbone,
             neck=dict(_base_.tiny_faster_rcnn_model['neck'], in_channels=_base_.track1_channels))
