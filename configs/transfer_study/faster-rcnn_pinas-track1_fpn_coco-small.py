# Transfer study, detection, Track-1 space: as faster-rcnn_pinas-tiny_fpn_coco-small.py with a plain stand-alone
# Track-1 ResNet20 (PiNASTrack1ResNet) initialised from the plain Track-1 supernet (SPOS or Pi-NAS). Its stem
# downsamples by 4 (stride-2 conv + max-pool, as ResNet's), so the three stages give FPN strides 4, 8, 16.
#   --cfg-options model.backbone.arch=16-8-...-64 model.backbone.init_cfg.checkpoint=SUPERNET.pth randomness.seed=1
_base_ = ['../faster_rcnn/faster-rcnn_pinas-resnest50d_fpn_syncbn-backbone+head_ms-1x_coco.py', './_base_/det.py']
globals().update(_base_.small_coco_detection)  # data, pipelines, loaders, evaluators, schedule: ./_base_/det.py
model = dict(
    _base_.study_faster_rcnn_model,
    backbone=dict(_base_.track1_det_backbone, init_cfg=_base_.track1_pretrained),
    neck=dict(_base_.study_faster_rcnn_model['neck'], in_channels=_base_.track1_channels))
