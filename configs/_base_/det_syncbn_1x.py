# The paper's detection transfer recipe shared by every COCO config (Pi-NAS experiments/detection/configs,
# detectron2): the backbone transferred MoCo-style (detectron2 FREEZE_AT=0: nothing frozen, BN statistics trained,
# which also suits self-supervised or supernet-inherited weights) with SyncBN, a SyncBN FPN, the 1x schedule, and
# mmdet's runtime with ours. A config lists it after its model and dataset bases and starts its model from
# `_base_.syncbn_fpn`; the R-CNNs add `_base_.syncbn_4conv1fc_bbox_head`.
_base_ = ['./schedules/schedule_1x.py', 'mmdet::_base_/default_runtime.py', './default_runtime.py']
norm_cfg = dict(type='SyncBN', requires_grad=True)
syncbn_fpn = dict(backbone=dict(frozen_stages=-1, norm_eval=False, norm_cfg=norm_cfg), neck=dict(norm_cfg=norm_cfg))
syncbn_4conv1fc_bbox_head = dict(type='Shared4Conv1FCBBoxHead', conv_out_channels=256, norm_cfg=norm_cfg)
default_hooks = dict(checkpoint=dict(backend_args=_base_.atomic_checkpoints))  # see _base_/default_runtime.py
