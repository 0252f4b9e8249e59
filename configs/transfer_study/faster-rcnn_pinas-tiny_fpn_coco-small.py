# Transfer study, detection, ResNeSt space: the shipped Faster R-CNN config's bases with the CPU-sized Pi-NAS backbone
# (pinas_resnest_tiny) initialised from the embedded search's supernet, the smoke configs' narrow heads, on small
# COCO-layout data at 128x96 for a few CPU minutes. Architecture, weights and seed are one-line overrides:
#   --cfg-options model.backbone.arch=311021 model.backbone.init_cfg.checkpoint=SUPERNET.pth randomness.seed=1
_base_ = ['./_base_/models/faster-rcnn_pinas-tiny_fpn.py', './_base_/datasets/coco-small_detection.py',
          './_base_/schedules/det_syncbn_600it.py']
# the shipped config's SyncBN backbone, FPN and 4conv-1fc box head, at the CPU-sized head width
model = dict(_base_.syncbn_fpn, roi_head=dict(
    bbox_head=dict(_base_.syncbn_4conv1fc_bbox_head, conv_out_channels=_base_.tiny_fpn_channels)))
