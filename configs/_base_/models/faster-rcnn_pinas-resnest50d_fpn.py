# mmdet's Faster R-CNN FPN with the Pi-NAS ResNeSt-50-D backbone.
_base_ = ['mmdet::_base_/models/faster-rcnn_r50_fpn.py', './pinas-resnest50d.py']
model = dict(backbone=dict(_base_.pinas_backbone, _delete_=True))
