# The CPU-sized Faster R-CNN of the smoke configs with the backbone initialised from the embedded Pi-NAS supernet
# (../study.py) and anchors a quarter of mmdet's (8 -> 4 x stride): 16 px at P2, for objects of 15-60 px in 128x96
# images.
_base_ = ['../../../smoke/_base_/models/faster-rcnn_pinas-tiny_fpn.py', '../study.py']
model = dict(backbone=dict(init_cfg=dict(_base_.resnest_pretrained, _delete_=True)),
             rpn_head=dict(anchor_generator=dict(scales=[4])))
