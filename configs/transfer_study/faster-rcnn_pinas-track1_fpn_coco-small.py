# Transfer study, detection, Track-1 space: as faster-rcnn_pinas-tiny_fpn_coco-small.py with a plain stand-alone
# Track-1 ResNet20 (PiNASTrack1ResNet) initialised from the plain Track-1 supernet (SPOS or Pi-NAS). Its stem
# downsamples by 4 (stride-2 conv + max-pool, as ResNet's), so the three stages give FPN strides 4, 8, 16.
#   --cfg-options model.backbone.arch=16-8-...-64 model.backbone.init_cfg.checkpoint=SUPERNET.pth randomness.seed=1
_base_ = ['./_base_/models/faster-rcnn_pinas-track1_fpn.py', './_base_/datasets/coco-small_detection.py',
          './_base_/schedules/det_syncbn_600it.py']
# the shipped config's SyncBN FPN and 4conv-1fc box head, at the CPU-sized head width (the Track-1 backbone
# already trains every stage with SyncBN)
model = dict(_base_.syncbn_fpn, roi_head=dict(
    bbox_head=dict(_base_.syncbn_4conv1fc_bbox_head, conv_out_channels=_base_.tiny_fpn_channels)))
