# mmdet's Mask R-CNN FPN with the Pi-NAS ResNeSt-50-D backbone (same stage widths as ResNet-50, so the FPN,
# RPN and RoI heads are unchanged). Backbone training defaults are mmdet's: stem + stage 1 frozen, BN in eval.
_base_ = ['mmdet::_base_/models/mask-rcnn_r50_fpn.py', './pinas-resnest50d.py']
model = dict(backbone=dict(_base_.pinas_backbone, _delete_=True))
