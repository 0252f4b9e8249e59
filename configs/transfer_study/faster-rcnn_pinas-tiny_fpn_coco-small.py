# Transfer study, detection, ResNeSt space: the shipped Faster R-CNN config with the CPU-sized Pi-NAS backbone
# (pinas_resnest_tiny) initialised from the embedded search's supernet, the smoke configs' narrow heads, on small
# COCO-layout data at 128x96 for a few CPU minutes. Architecture, weights and seed are one-line overrides:
#   --cfg-options model.backbone.arch=311021 model.backbone.init_cfg.checkpoint=SUPERNET.pth randomness.seed=1
_base_ = ['../faster_rcnn/faster-rcnn_pinas-resnest50d_fpn_syncbn-backbone+head_ms-1x_coco.py', './_base_/det.py']
globals().update(_base_.small_coco_detection)  # data, pipelines, loaders, evaluators, schedule: ./_base_/det.py
model = dict(_base_.study_faster_rcnn_model, backbone=_base_.resnest_backbone)
