# CPU smoke run of the shipped Faster R-CNN config (../faster_rcnn/faster-rcnn_pinas-resnest50d_fpn_syncbn-backbone
# +head_ms-1x_coco.py): its bases with the tiny backbone and CPU-sized heads, tiny COCO-layout data at 64x48, 1 epoch.
_base_ = ['./_base_/models/faster-rcnn_pinas-tiny_fpn.py', './_base_/datasets/coco-tiny_detection.py',
          './_base_/schedules/det_syncbn_1e.py']
# the shipped config's SyncBN backbone, FPN and 4conv-1fc box head, at the CPU-sized head width
model = dict(_base_.syncbn_fpn, roi_head=dict(
    bbox_head=dict(_base_.syncbn_4conv1fc_bbox_head, conv_out_channels=_base_.tiny_fpn_channels)))
